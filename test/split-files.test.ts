import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadCsvDirectory } from '../src/data/loaders/csv.js';
import { formatSplitSpec, makeSplits, parseSplitSpec } from '../src/data/split.js';
import { UsageError } from '../src/util/errors.js';
import { expectDataError } from '../test-helpers/data-errors.js';

const RATINGS = 'user,item,rating:scale(1|5),time\na,x,4,10\na,y,2,11\nb,x,5,12\nb,z,1,13\nc,y,3,14\n';

/** A csv: data set and a directory to write split files into; removed afterwards. */
function withData(body: (dir: string, file: (name: string, text: string) => string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-split-files-'));
  try {
    fs.writeFileSync(path.join(dir, 'ratings.csv'), RATINGS);
    body(dir, (name, text) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function split(dir: string, files: string[]) {
  const data = loadCsvDirectory(dir);
  return makeSplits(data, parseSplitSpec(`files:${files.join(',')}`), 1);
}

test('files:TRAIN,TEST and files:TRAIN,VALIDATION,TEST give the listed ratings (any column order, no time)', () => {
  withData((dir, file) => {
    const train = file('train.csv', 'item,user,rating\ny,c,3\nx,a,4\nx,b,5\n');
    const test = file('test.csv', 'user,item,rating,time\nb,z,1,13\na,y,2,11\n');
    const [two] = split(dir, [train, test]);
    assert.deepEqual([...two.train], [0, 2, 4]);
    assert.deepEqual([...two.validation], []);
    assert.deepEqual([...two.test], [1, 3]);
    assert.equal(two.name, `files:${train},${test}`);

    const validation = file('validation.csv', 'user,item,rating\nb,z,1\n');
    const test2 = file('test2.csv', 'user,item,rating\na,y,2\n');
    const [three] = split(dir, [train, validation, test2]);
    assert.deepEqual([...three.train], [0, 2, 4]);
    assert.deepEqual([...three.validation], [3]);
    assert.deepEqual([...three.test], [1]);
    assert.deepEqual(parseSplitSpec(`files:${train},${validation},${test2}`), {
      kind: 'files',
      train,
      validation,
      test: test2,
    });
    assert.equal(formatSplitSpec(parseSplitSpec(`files:${train},${test}`)), `files:${train},${test}`);
  });
});

test('files: a row that is not a rating of the data set is refused with file, line and field', () => {
  withData((dir, file) => {
    const test = file('test.csv', 'user,item,rating\na,y,2\n');
    const unknownUser = file('t1.csv', 'user,item,rating\na,x,4\nzed,x,4\n');
    expectDataError(() => split(dir, [unknownUser, test]), 't1.csv', 3, /field "user": "zed" is not a user/);
    const unknownItem = file('t2.csv', 'user,item,rating\na,w,4\n');
    expectDataError(() => split(dir, [unknownItem, test]), 't2.csv', 2, /field "item": "w" is not an item/);
    const unrated = file('t3.csv', 'user,item,rating\na,z,4\n');
    expectDataError(() => split(dir, [unrated, test]), 't3.csv', 2, /user "a" did not rate item "z"/);
    const wrongRating = file('t4.csv', 'user,item,rating\na,x,3\n');
    expectDataError(() => split(dir, [wrongRating, test]), 't4.csv', 2, /field "rating": 3, but .* has 4/);
    const wrongTime = file('t5.csv', 'user,item,rating,time\na,x,4,99\n');
    expectDataError(() => split(dir, [wrongTime, test]), 't5.csv', 2, /field "time": 99, but .* has 10/);
  });
});

test('files: an empty file, a header without rows and malformed lines are named', () => {
  withData((dir, file) => {
    const test = file('test.csv', 'user,item,rating\na,y,2\n');
    const empty = file('empty.csv', '');
    expectDataError(() => split(dir, [empty, test]), 'empty.csv', undefined, /empty file/);
    const headerOnly = file('header.csv', 'user,item,rating\n');
    expectDataError(() => split(dir, [headerOnly, test]), 'header.csv', undefined, /no ratings/);
    const short = file('short.csv', 'user,item,rating\na,x,4\nb,x\n');
    expectDataError(() => split(dir, [short, test]), 'short.csv', 3, /2 fields, but the header/);
    const notNumber = file('nan.csv', 'user,item,rating\na,x,four\n');
    expectDataError(() => split(dir, [notNumber, test]), 'nan.csv', 2, /field "rating": expected a number/);
    const badHeader = file('hdr.csv', 'user,item,stars\na,x,4\n');
    expectDataError(() => split(dir, [badHeader, test]), 'hdr.csv', 1, /field "stars": unknown column/);
    const otherScale = file('scale.csv', 'user,item,rating:scale(0|10)\na,x,4\n');
    expectDataError(
      () => split(dir, [otherScale, test]),
      'scale.csv',
      undefined,
      /declares the scale 0..10, but .* is 1..5/,
    );
    const sameScale = file('same.csv', 'user,item,rating:scale(1|5)\na,x,4\n');
    assert.deepEqual([...split(dir, [sameScale, test])[0].train], [0]);
    const emptyId = file('id.csv', 'user,item,rating\n,x,4\n');
    expectDataError(() => split(dir, [emptyId, test]), 'id.csv', 2, /field "user": is empty/);
    const missing = path.join(dir, 'nope.csv');
    assert.throws(() => split(dir, [missing, test]), /nope\.csv/);
  });
});

test('files: a pair listed twice, in one part or in two, is refused naming both places', () => {
  withData((dir, file) => {
    const twice = file('twice.csv', 'user,item,rating\na,x,4\nb,x,5\na,x,4\n');
    const test = file('test.csv', 'user,item,rating\na,y,2\n');
    expectDataError(
      () => split(dir, [twice, test]),
      'twice.csv',
      4,
      new RegExp(`user "a" and item "x" are already listed at ${escape(twice)}:2`),
    );
    const train = file('train.csv', 'user,item,rating\na,x,4\na,y,2\n');
    expectDataError(
      () => split(dir, [train, test]),
      'test.csv',
      2,
      new RegExp(`user "a" and item "y" are already listed at ${escape(train)}:3`),
    );
  });
});

test('files: the spec needs two or three paths, and refuses a rating filter', () => {
  for (const bad of ['files:', 'files:a.csv', 'files:a,b,c,d', 'files:a,,b']) {
    assert.throws(
      () => parseSplitSpec(bad),
      (e: unknown) => e instanceof UsageError && /files:TRAIN,TEST/.test(e.message),
    );
  }
  withData((dir, file) => {
    const train = file('train.csv', 'user,item,rating\na,x,4\n');
    const test = file('test.csv', 'user,item,rating\na,y,2\n');
    const data = loadCsvDirectory(dir);
    assert.throws(
      () => makeSplits(data, parseSplitSpec(`files:${train},${test}`), 1, Int32Array.of(0, 1)),
      /cannot be combined with a rating filter/,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

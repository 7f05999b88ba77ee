import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadAmazon } from '../src/data/loaders/amazon.js';
import { DataError } from '../src/util/errors.js';

function review(user: string, item: string, overall: number, text: string, time: number): string {
  return JSON.stringify({
    reviewerID: user,
    asin: item,
    reviewerName: 'x',
    overall,
    reviewText: text,
    summary: 's',
    unixReviewTime: time,
  });
}

const LINES = [
  review('A1', 'B9', 5.0, 'Great strings, "bright" tone — très bien', 1393545600),
  review('A2', 'B9', 3.0, '', 1363392000),
  review('A1', 'B7', 1.0, 'Broke\nafter a week', 1095465600),
];

function withFile(name: string, content: string | Buffer, body: (file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-amazon-'));
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    body(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('amazon: JSON lines become ratings with aligned review texts (plain and .gz)', () => {
  for (const [name, content] of [
    ['reviews.json', LINES.join('\n') + '\n'],
    ['reviews.json.gz', gzipSync(LINES.join('\n'))],
  ] as const) {
    withFile(name, content, (file) => {
      const d = loadAmazon(file);
      assert.equal(d.id, `amazon:${file}`);
      assert.deepEqual(d.users.ids, ['A1', 'A2']);
      assert.deepEqual(d.items.ids, ['B9', 'B7']);
      assert.deepEqual([...d.ratings.user], [0, 1, 0]);
      assert.deepEqual([...d.ratings.item], [0, 0, 1]);
      assert.deepEqual([...d.ratings.rating], [5, 3, 1]);
      assert.deepEqual([...(d.ratings.time ?? [])], [1393545600, 1363392000, 1095465600]);
      assert.deepEqual(d.reviews, ['Great strings, "bright" tone — très bien', '', 'Broke\nafter a week']);
      assert.equal(d.userFeatures.fields.length, 0);
      assert.equal(d.itemFeatures.count, 2);
      assert.deepEqual(d.scale, { min: 1, max: 5 });
    });
  }
});

function expectDataError(
  fn: () => unknown,
  line: number | undefined,
  field: string | undefined,
  pattern: RegExp,
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.equal(e.line, line);
    assert.equal(e.field, field);
    assert.match(e.message, pattern);
    return true;
  });
}

test('amazon: bad JSON names file:line; a missing or mistyped field names it', () => {
  withFile('r.json', `${LINES[0]}\n{"reviewerID": "A3", "asin": \n`, (file) =>
    expectDataError(() => loadAmazon(file), 2, undefined, /r\.json:2: not valid JSON/),
  );
  withFile('r.json', `${LINES[0]}\n{'reviewerID': 'A3'}\n`, (file) =>
    expectDataError(() => loadAmazon(file), 2, undefined, /Python dict literal/),
  );
  withFile(
    'r.json',
    `${LINES[0]}\n${LINES[1]}\n{"reviewerID": "A3", "asin": "B1", "overall": 4, "unixReviewTime": 1}\n`,
    (file) => expectDataError(() => loadAmazon(file), 3, 'reviewText', /field "reviewText": missing/),
  );
  withFile(
    'r.json',
    `{"reviewerID": "A3", "asin": "B1", "overall": "4", "reviewText": "", "unixReviewTime": 1}\n`,
    (file) => expectDataError(() => loadAmazon(file), 1, 'overall', /expected a number, got "4"/),
  );
  withFile(
    'r.json',
    `{"reviewerID": "A3", "asin": "B1", "overall": 7, "reviewText": "", "unixReviewTime": 1}\n`,
    (file) => expectDataError(() => loadAmazon(file), 1, 'overall', /7 is outside the rating scale 1..5/),
  );
  withFile('r.json', `[1, 2]\n`, (file) =>
    expectDataError(() => loadAmazon(file), 1, undefined, /expected a JSON object/),
  );
  withFile('r.json', `${LINES[0]}\n${LINES[0]}\n`, (file) =>
    expectDataError(
      () => loadAmazon(file),
      2,
      undefined,
      /user "A1" rates item "B9" a second time \(first at line 1\)/,
    ),
  );
});

test('amazon: latin-1 bytes are refused with the line; a missing file says what was expected', () => {
  const latin1 = Buffer.concat([
    Buffer.from(`${LINES[0]}\n{"reviewText": "tr`),
    Buffer.from([0xe8]),
    Buffer.from('s"}\n'),
  ]);
  withFile('r.json', latin1, (file) =>
    expectDataError(() => loadAmazon(file), 2, undefined, /not valid UTF-8/),
  );
  assert.throws(
    () => loadAmazon('/nonexistent/reviews_Musical_Instruments_5.json.gz'),
    /reviews_Musical_Instruments_5\.json\.gz: file not found \(expected Amazon reviews as JSON Lines/,
  );
});

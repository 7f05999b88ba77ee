import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { entityValues, getField } from '../src/data/features.js';
import { loadCsvDirectory } from '../src/data/loaders/csv.js';
import { forEachCsvRecord, parseCsvTable } from '../src/data/loaders/csv-parse.js';
import { expectDataError } from '../test-helpers/data-errors.js';

function withDir(files: Record<string, string | Buffer>, body: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-csv-'));
  try {
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('CSV reader: quoted fields with commas, doubled quotes, newlines; CRLF; blank lines skipped', () => {
  const text = 'a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n\r\n1,,3\n"",z,\n';
  const records: [string[], number][] = [];
  forEachCsvRecord(text, 'f.csv', (fields, line) => records.push([fields, line]));
  assert.deepEqual(records, [
    [['a', 'b', 'c'], 1],
    [['x, y', 'say "hi"', 'two\nlines'], 2],
    [['1', '', '3'], 5],
    [['', 'z', ''], 6],
  ]);
  assert.throws(() => parseCsvTable('a,b\n"open,1\n', 'f.csv'), /f\.csv:2: quoted field is never closed/);
  assert.throws(
    () => parseCsvTable('a,b\n"x"y,1\n', 'f.csv'),
    /f\.csv:2: unexpected "y" after a closing quote/,
  );
  assert.throws(
    () => parseCsvTable('a,b\n1,2,3\n', 'f.csv'),
    /f\.csv:2: 3 fields, but the header \(line 1\) has 2/,
  );
});

const RATINGS = 'user,item,rating,time\nann,m1,4,100\nbob,m2,2.5,200\nann,"m,3",5,300\n';
const USERS =
  'user,age:numeric(0|18|30|50),gender:categorical,langs:multi,score:numeric\nbob,45,M,en|fr,1\nann,17,F,,2\ncarl,30,M,de,3\n';
const ITEMS =
  'item,title,genres:multi,"director:categorical"\nm1,"Heat, The",Crime|Drama,Mann\nm2,Alien,Sci-Fi|Horror|Sci-Fi,Scott\n"m,3","Say ""when""",,\n';
const REVIEWS = 'user,item,text\nbob,m2,"Scary,\nvery"\nann,m1,fine\n';

test('csv: ratings, typed user and item fields, titles and reviews', () => {
  withDir(
    { 'ratings.csv': RATINGS, 'users.csv': USERS, 'items.csv': ITEMS, 'reviews.csv': REVIEWS },
    (dir) => {
      const d = loadCsvDirectory(dir);
      assert.equal(d.id, `csv:${dir}`);
      assert.deepEqual(d.users.ids, ['ann', 'bob']);
      assert.deepEqual(d.items.ids, ['m1', 'm2', 'm,3']);
      assert.deepEqual([...d.ratings.user], [0, 1, 0]);
      assert.deepEqual([...d.ratings.item], [0, 1, 2]);
      assert.deepEqual([...d.ratings.rating], [4, 2.5, 5]);
      assert.deepEqual([...(d.ratings.time ?? [])], [100, 200, 300]);
      assert.deepEqual(d.scale, { min: 2.5, max: 5 });

      const age = getField(d.userFeatures, 'age');
      assert.equal(age.kind, 'numeric');
      assert.deepEqual(age.vocabulary, ['<18', '18-29', '30+']);
      assert.deepEqual(entityValues(age, 0), ['<18']);
      assert.deepEqual(entityValues(age, 1), ['30+']);
      assert.deepEqual(entityValues(getField(d.userFeatures, 'gender'), 0), ['F']);
      const langs = getField(d.userFeatures, 'langs');
      assert.deepEqual(entityValues(langs, 1), ['en', 'fr']);
      assert.deepEqual(entityValues(langs, 0), []);
      assert.equal(d.userFeatures.count, 2, 'carl has no ratings and is not a user');
      // score:numeric without edges: one bin per distinct value among the dataset's users.
      assert.deepEqual(getField(d.userFeatures, 'score').edges, [1, 2, 3]);

      assert.deepEqual(d.itemTitles, ['Heat, The', 'Alien', 'Say "when"']);
      assert.deepEqual(entityValues(getField(d.itemFeatures, 'genres'), 1), ['Horror', 'Sci-Fi']);
      assert.deepEqual(entityValues(getField(d.itemFeatures, 'director'), 2), []);
      assert.deepEqual(d.reviews, ['fine', 'Scary,\nvery', '']);
    },
  );
});

test('csv: ratings alone; an explicit scale is enforced', () => {
  withDir({ 'ratings.csv': 'rating,item,user\n3,a,u\n4,b,u\n' }, (dir) => {
    const d = loadCsvDirectory(dir, { scale: { min: 1, max: 5 } });
    assert.deepEqual(d.scale, { min: 1, max: 5 });
    assert.equal(d.ratings.time, undefined);
    assert.equal(d.userFeatures.fields.length, 0);
    assert.equal(d.reviews, undefined);
    assert.throws(
      () => loadCsvDirectory(dir, { scale: { min: 1, max: 3 } }),
      /ratings\.csv:3: field "rating": 4 is outside the rating scale 1..3/,
    );
  });
});

test('csv: the header declares the rating scale; a rating outside it is refused with file:line', () => {
  withDir({ 'ratings.csv': 'user,item,rating:scale(1|5)\nu,a,3\nu,b,4\n' }, (dir) => {
    const d = loadCsvDirectory(dir);
    assert.deepEqual(d.scale, { min: 1, max: 5 });
    assert.equal(d.warnings, undefined);
    assert.deepEqual(loadCsvDirectory(dir, { scale: { min: 1, max: 5 } }).scale, { min: 1, max: 5 });
    expectDataError(
      () => loadCsvDirectory(dir, { scale: { min: 0, max: 5 } }),
      'ratings.csv',
      undefined,
      /header declares the scale 1..5 but --scale says 0..5/,
    );
  });
  // One stray 6 does not widen the scale to 1..6.
  withDir({ 'ratings.csv': 'user,item,rating:scale(1|5)\nu,a,3\nu,b,6\n' }, (dir) =>
    expectDataError(
      () => loadCsvDirectory(dir),
      'ratings.csv',
      3,
      /field "rating": 6 is outside the rating scale 1..5/,
    ),
  );
  for (const bad of [
    'rating:scale(5|1)',
    'rating:scale(1)',
    'rating:scale(a|5)',
    'rating:scale()',
    'rating:range(1|5)',
  ]) {
    withDir({ 'ratings.csv': `user,item,${bad}\nu,a,3\n` }, (dir) =>
      expectDataError(
        () => loadCsvDirectory(dir),
        'ratings.csv',
        1,
        /declare the rating scale as rating:scale\(MIN\|MAX\)/,
      ),
    );
  }
});

test('csv: without a declared scale the observed range is used and a warning says how to declare it', () => {
  withDir({ 'ratings.csv': 'user,item,rating\nu,a,2\nu,b,4\n' }, (dir) => {
    const d = loadCsvDirectory(dir);
    assert.deepEqual(d.scale, { min: 2, max: 4 });
    assert.equal(d.warnings?.length, 1);
    assert.match(
      d.warnings?.[0] ?? '',
      /ratings\.csv: no rating scale declared; using the observed range 2..4/,
    );
    assert.match(d.warnings?.[0] ?? '', /rating:scale\(2\|4\) or --scale 2,4/);
  });
});

test('csv: malformed files are named with file:line and field', () => {
  withDir({ 'ratings.csv': 'user,item,stars\nu,a,3\n' }, (dir) =>
    expectDataError(
      () => loadCsvDirectory(dir),
      'ratings.csv',
      1,
      /field "stars": unknown column; expected user,item,rating and optionally time/,
    ),
  );
  withDir({ 'ratings.csv': 'user,item\nu,a\n' }, (dir) =>
    expectDataError(() => loadCsvDirectory(dir), 'ratings.csv', 1, /field "rating": missing column/),
  );
  withDir({ 'ratings.csv': 'user,item,rating\nu,a,3\nu,b,three\n' }, (dir) =>
    expectDataError(
      () => loadCsvDirectory(dir),
      'ratings.csv',
      3,
      /field "rating": expected a number, got "three"/,
    ),
  );
  withDir({ 'ratings.csv': 'user,item,rating\nu,a,3\n,b,3\n' }, (dir) =>
    expectDataError(() => loadCsvDirectory(dir), 'ratings.csv', 3, /field "user": is empty/),
  );
  withDir({ 'ratings.csv': 'user,item,rating\nu,a,3\nu,a,4\n' }, (dir) =>
    expectDataError(
      () => loadCsvDirectory(dir),
      'ratings.csv',
      3,
      /user "u" rates item "a" a second time \(first at line 2\)/,
    ),
  );
  withDir({ 'ratings.csv': 'user,item,rating\nu,a,3\n', 'users.csv': 'user,age\nu,3\n' }, (dir) =>
    expectDataError(
      () => loadCsvDirectory(dir),
      'users.csv',
      1,
      /field "age": a feature column header must declare its type/,
    ),
  );
  withDir(
    { 'ratings.csv': 'user,item,rating\nu,a,3\n', 'users.csv': 'user,age:numeric(0|x)\nu,3\n' },
    (dir) =>
      expectDataError(
        () => loadCsvDirectory(dir),
        'users.csv',
        1,
        /bin edges must be numbers separated by "\|"/,
      ),
  );
  withDir(
    { 'ratings.csv': 'user,item,rating\nu,a,3\n', 'users.csv': 'user,age:numeric(10|5)\nu,3\n' },
    (dir) => expectDataError(() => loadCsvDirectory(dir), 'users.csv', 1, /must increase strictly/),
  );
  withDir({ 'ratings.csv': 'user,item,rating\nu,a,3\n', 'users.csv': 'user,age:numeric\nu,old\n' }, (dir) =>
    expectDataError(() => loadCsvDirectory(dir), 'users.csv', 2, /field "age": expected a number, got "old"/),
  );
  withDir({ 'ratings.csv': 'user,item,rating\nu,a,3\n', 'items.csv': 'id,g:multi\na,x\n' }, (dir) =>
    expectDataError(() => loadCsvDirectory(dir), 'items.csv', 1, /the first column must be "item"/),
  );
  withDir({ 'ratings.csv': 'user,item,rating\nu,a,3\n', 'items.csv': 'item,g:multi\na,x\na,y\n' }, (dir) =>
    expectDataError(() => loadCsvDirectory(dir), 'items.csv', 3, /"a" appears twice \(first at line 2\)/),
  );
  withDir({ 'ratings.csv': 'user,item,rating\nu,a,3\n', 'reviews.csv': 'user,item,text\nu,b,hm\n' }, (dir) =>
    expectDataError(() => loadCsvDirectory(dir), 'reviews.csv', 2, /user "u" has no rating for item "b"/),
  );
  withDir({ 'ratings.csv': Buffer.from('user,item,rating\nJos\xe9,a,3\n', 'latin1') }, (dir) =>
    expectDataError(() => loadCsvDirectory(dir), 'ratings.csv', 2, /not valid UTF-8 .*iconv/),
  );
  withDir({}, (dir) =>
    expectDataError(
      () => loadCsvDirectory(dir),
      'ratings.csv',
      undefined,
      /file not found \(expected ratings as CSV with the header user,item,rating\[,time\] there\)/,
    ),
  );
});

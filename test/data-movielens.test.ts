import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { entityValues, getField } from '../src/data/features.js';
import { loadMovieLens100k } from '../src/data/loaders/movielens-100k.js';
import { loadMovieLens1m } from '../src/data/loaders/movielens-1m.js';
import { expectDataError } from '../test-helpers/data-errors.js';

/** Writes `files` (name → text, latin-1 when the name is in `latin1`) into a fresh temp dir. */
function writeDir(files: Record<string, string | Buffer>, latin1: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-ml-'));
  for (const [name, content] of Object.entries(files)) {
    const bytes =
      typeof content === 'string'
        ? Buffer.from(content, latin1.includes(name) ? 'latin1' : 'utf-8')
        : content;
    fs.writeFileSync(path.join(dir, name), bytes);
  }
  return dir;
}

function withDir(
  files: Record<string, string | Buffer>,
  latin1: string[],
  body: (dir: string) => void,
): void {
  const dir = writeDir(files, latin1);
  try {
    body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function flags(on: number[]): string {
  return Array.from({ length: 19 }, (_, g) => (on.includes(g) ? '1' : '0')).join('|');
}

// Users 10 and 2, items 5, 3 and 7 (ids out of order on purpose).
const ML100K: Record<string, string> = {
  'u.data':
    ['10\t5\t4\t881250949', '2\t3\t1\t891717742', '10\t3\t5\t878887116', '2\t7\t3\t880606923'].join('\n') +
    '\n',
  'u.user': '2|53|F|other|94043\n10|24|M|technician|85711\n99|30|M|writer|00000\n',
  'u.item':
    [
      `3|Misérables, Les (1995)|01-Jan-1995||http://x|${flags([8])}`,
      `5|Toy Story (1995)|01-Jan-1995||http://x|${flags([3, 4, 5])}`,
      `7|unknown||||${flags([0])}`,
    ].join('\n') + '\n',
  'u.genre': [
    'unknown|0',
    'Action|1',
    'Adventure|2',
    'Animation|3',
    "Children's|4",
    'Comedy|5',
    'Crime|6',
    'Documentary|7',
    'Drama|8',
    'Fantasy|9',
    'Film-Noir|10',
    'Horror|11',
    'Musical|12',
    'Mystery|13',
    'Romance|14',
    'Sci-Fi|15',
    'Thriller|16',
    'War|17',
    'Western|18',
    '',
  ].join('\n'),
  'u.occupation': 'administrator\nother\ntechnician\nwriter\n',
  'u1.base': '10\t5\t4\t881250949\n2\t3\t1\t891717742\n10\t3\t5\t878887116\n',
  'u1.test': '2\t7\t3\t880606923\n',
};

test('ml-100k: ratings, dense ids in raw-id order, timestamps, features, titles (latin-1), splits', () => {
  withDir(ML100K, ['u.item'], (dir) => {
    const d = loadMovieLens100k(dir);
    assert.equal(d.id, 'ml-100k');
    assert.deepEqual(d.users.ids, ['2', '10']);
    assert.deepEqual(d.items.ids, ['3', '5', '7']);
    assert.deepEqual([...d.ratings.user], [1, 0, 1, 0]);
    assert.deepEqual([...d.ratings.item], [1, 0, 0, 2]);
    assert.deepEqual([...d.ratings.rating], [4, 1, 5, 3]);
    assert.deepEqual([...(d.ratings.time ?? [])], [881250949, 891717742, 878887116, 880606923]);
    assert.deepEqual(d.scale, { min: 1, max: 5 });
    assert.deepEqual(d.itemTitles, ['Misérables, Les (1995)', 'Toy Story (1995)', 'unknown']);

    const age = getField(d.userFeatures, 'age');
    assert.deepEqual([...(age.raw ?? [])], [53, 24]);
    assert.deepEqual(entityValues(age, 0), ['50-55']);
    assert.deepEqual(entityValues(age, 1), ['18-24']);
    assert.deepEqual(entityValues(getField(d.userFeatures, 'gender'), 0), ['F']);
    const occupation = getField(d.userFeatures, 'occupation');
    assert.deepEqual(occupation.vocabulary, ['administrator', 'other', 'technician', 'writer']);
    assert.deepEqual(entityValues(occupation, 1), ['technician']);
    assert.equal(d.userFeatures.fields.length, 3, 'zip code is not a feature');

    const genre = getField(d.itemFeatures, 'genre');
    assert.equal(genre.vocabulary.length, 19);
    assert.deepEqual(entityValues(genre, 1), ['Animation', "Children's", 'Comedy']);
    assert.deepEqual(entityValues(genre, 0), ['Drama']);
    const year = getField(d.itemFeatures, 'year');
    assert.deepEqual(entityValues(year, 0), ['1990+']);
    assert.ok(Number.isNaN(year.raw?.[2]), 'no release date: missing year');
    assert.deepEqual(entityValues(year, 2), []);

    const u1 = d.predefinedSplits.u1;
    assert.deepEqual([...u1.train], [0, 1, 2]);
    assert.deepEqual([...u1.test], [3]);
    assert.equal(u1.validation.length, 0);
    assert.deepEqual(Object.keys(d.predefinedSplits), ['u1']);
  });
});

test('ml-100k: u.item re-saved as UTF-8 reads the same titles; u.genre absent uses the standard names', () => {
  const files = { ...ML100K };
  delete (files as Record<string, string | undefined>)['u.genre'];
  withDir(files, [], (dir) => {
    const d = loadMovieLens100k(dir);
    assert.equal(d.itemTitles?.[0], 'Misérables, Les (1995)');
    assert.deepEqual(entityValues(getField(d.itemFeatures, 'genre'), 1), [
      'Animation',
      "Children's",
      'Comedy',
    ]);
  });
});

test('ml-100k: malformed lines name file:line and field', () => {
  const bad = (name: string, content: string): Record<string, string> => ({ ...ML100K, [name]: content });
  withDir(bad('u.data', '10\t5\t4\t881250949\n2\t3\tfour\t891717742\n'), [], (dir) =>
    expectDataError(
      () => loadMovieLens100k(dir),
      'u.data',
      2,
      /field "rating": expected a number, got "four"/,
    ),
  );
  withDir(bad('u.data', '10\t5\t4\t881250949\n2\t3\t1\n'), [], (dir) =>
    expectDataError(() => loadMovieLens100k(dir), 'u.data', 2, /field "timestamp": missing/),
  );
  withDir(bad('u.data', '10\t5\t4\t881250949\n2\t3\t9\t891717742\n'), [], (dir) =>
    expectDataError(() => loadMovieLens100k(dir), 'u.data', 2, /9 is outside the rating scale 1..5/),
  );
  withDir(bad('u.data', '10\t5\t4\t1\n2\t3\t1\t2\n10\t5\t3\t3\n'), [], (dir) =>
    expectDataError(
      () => loadMovieLens100k(dir),
      'u.data',
      3,
      /user "10" rates item "5" a second time \(first at line 1\)/,
    ),
  );
  withDir(bad('u.user', '2|fifty|F|other|94043\n'), [], (dir) =>
    expectDataError(
      () => loadMovieLens100k(dir),
      'u.user',
      1,
      /field "age": expected an age in years, got "fifty"/,
    ),
  );
  withDir(bad('u.user', '2|53|F|other\n'), [], (dir) =>
    expectDataError(() => loadMovieLens100k(dir), 'u.user', 1, /4 fields, expected 5/),
  );
  withDir(bad('u.item', `3|X (1995)|1995||http://x|${flags([8])}\n`), [], (dir) =>
    expectDataError(
      () => loadMovieLens100k(dir),
      'u.item',
      1,
      /field "release date": expected a date like 01-Jan-1995, got "1995"/,
    ),
  );
  withDir(bad('u.item', `3|X (1995)|01-Jan-1995||http://x|${flags([8]).replace(/^0/, '2')}\n`), [], (dir) =>
    expectDataError(
      () => loadMovieLens100k(dir),
      'u.item',
      1,
      /field "genre unknown": expected a 0\/1 flag, got "2"/,
    ),
  );
});

test('ml-100k: split files must name rated pairs with the same rating, once', () => {
  const bad = (name: string, content: string): Record<string, string> => ({ ...ML100K, [name]: content });
  withDir(bad('u1.test', '2\t7\t3\t880606923\n2\t5\t3\t880606923\n'), [], (dir) =>
    expectDataError(() => loadMovieLens100k(dir), 'u1.test', 2, /user 2 never rated item 5 in u.data/),
  );
  withDir(bad('u1.test', '2\t7\t4\t880606923\n'), [], (dir) =>
    expectDataError(() => loadMovieLens100k(dir), 'u1.test', 1, /field "rating": 4 differs from u.data's 3/),
  );
  withDir(bad('u1.test', '10\t5\t4\t881250949\n'), [], (dir) =>
    expectDataError(
      () => loadMovieLens100k(dir),
      'u1.test',
      1,
      /already appears in the base file \(line 1\)/,
    ),
  );
  const onlyBase = { ...ML100K };
  delete (onlyBase as Record<string, string | undefined>)['u1.test'];
  withDir(onlyBase, [], (dir) =>
    expectDataError(() => loadMovieLens100k(dir), 'u1.test', undefined, /file not found/),
  );
});

test('ml-100k: a missing file names the path and what belongs there', () => {
  const files = { ...ML100K };
  delete (files as Record<string, string | undefined>)['u.user'];
  withDir(files, [], (dir) =>
    expectDataError(
      () => loadMovieLens100k(dir),
      'u.user',
      undefined,
      /file not found \(expected the MovieLens 100K users/,
    ),
  );
  withDir({}, [], (dir) =>
    expectDataError(
      () => loadMovieLens100k(dir),
      'u.data',
      undefined,
      /file not found \(expected the MovieLens 100K ratings/,
    ),
  );
});

// MovieLens 1M: users 1 and 3, movies 10 and 2 (one unrated movie 4).
const ML1M_MOVIES =
  "2::Jumanji (1995)::Adventure|Children's|Fantasy\n4::Unrated (1990)::Drama\n10::Cité des enfants perdus, La: Story (City of Lost Children, The) (1995)::Adventure|Sci-Fi\n";
const ML1M_USERS = '1::F::1::10::48067\n3::M::25::15::55117\n';
const ML1M_RATINGS = '1::10::5::978300760\n3::2::3::978302109\n1::2::4::978301968\n';

test('ml-1m: ratings.dat with timestamps, users.dat age codes, movies.dat latin-1 with "::" and ":"', () => {
  withDir(
    { 'ratings.dat': ML1M_RATINGS, 'users.dat': ML1M_USERS, 'movies.dat': ML1M_MOVIES },
    ['movies.dat'],
    (dir) => {
      const d = loadMovieLens1m(dir);
      assert.equal(d.id, 'ml-1m');
      assert.deepEqual(d.users.ids, ['1', '3']);
      assert.deepEqual(d.items.ids, ['2', '10'], 'only rated movies are items');
      assert.deepEqual([...d.ratings.user], [0, 1, 0]);
      assert.deepEqual([...d.ratings.item], [1, 0, 0]);
      assert.deepEqual([...d.ratings.rating], [5, 3, 4]);
      assert.deepEqual([...(d.ratings.time ?? [])], [978300760, 978302109, 978301968]);
      assert.deepEqual(d.itemTitles, [
        'Jumanji (1995)',
        'Cité des enfants perdus, La: Story (City of Lost Children, The) (1995)',
      ]);
      const age = getField(d.userFeatures, 'age');
      assert.deepEqual(entityValues(age, 0), ['<18']);
      assert.deepEqual(entityValues(age, 1), ['25-34']);
      assert.deepEqual([...(age.raw ?? [])], [1, 25]);
      assert.deepEqual(entityValues(getField(d.userFeatures, 'occupation'), 0), ['K-12 student']);
      assert.deepEqual(entityValues(getField(d.userFeatures, 'occupation'), 1), ['scientist']);
      assert.deepEqual(entityValues(getField(d.itemFeatures, 'genre'), 0), [
        'Adventure',
        "Children's",
        'Fantasy',
      ]);
      assert.deepEqual(entityValues(getField(d.itemFeatures, 'genre'), 1), ['Adventure', 'Sci-Fi']);
      assert.deepEqual([...(getField(d.itemFeatures, 'year').raw ?? [])], [1995, 1995]);
    },
  );
});

test('ml-1m: without ratings.dat, ratings_no_timestamp.dat.gz is read (no time)', () => {
  const gz = gzipSync(Buffer.from('1::10::5\n3::2::3\n1::2::4\n'));
  withDir(
    { 'ratings_no_timestamp.dat.gz': gz, 'users.dat': ML1M_USERS, 'movies.dat': ML1M_MOVIES },
    ['movies.dat'],
    (dir) => {
      const d = loadMovieLens1m(dir);
      assert.equal(d.ratings.rating.length, 3);
      assert.equal(d.ratings.time, undefined);
      assert.deepEqual([...d.ratings.rating], [5, 3, 4]);
    },
  );
});

test('ml-1m: malformed lines and missing files are named', () => {
  const base = { 'ratings.dat': ML1M_RATINGS, 'users.dat': ML1M_USERS, 'movies.dat': ML1M_MOVIES };
  withDir({ ...base, 'ratings.dat': '1::10::5::978300760\n3:2::3::978302109\n' }, [], (dir) =>
    expectDataError(
      () => loadMovieLens1m(dir),
      'ratings.dat',
      2,
      /field "UserID": expected a number, got "3:2"/,
    ),
  );
  withDir({ ...base, 'ratings.dat': '1::10::5::978300760::7\n' }, [], (dir) =>
    expectDataError(() => loadMovieLens1m(dir), 'ratings.dat', 1, /more than 4 fields/),
  );
  withDir({ ...base, 'users.dat': '1::F::19::10::48067\n' }, [], (dir) =>
    expectDataError(
      () => loadMovieLens1m(dir),
      'users.dat',
      1,
      /field "Age": expected one of the README's age codes 1, 18, 25, 35, 45, 50, 56, got "19"/,
    ),
  );
  withDir({ ...base, 'users.dat': '1::F::1::21::48067\n' }, [], (dir) =>
    expectDataError(() => loadMovieLens1m(dir), 'users.dat', 1, /field "Occupation": expected a code 0..20/),
  );
  withDir({ ...base, 'movies.dat': '2::Jumanji (1995)\n' }, [], (dir) =>
    expectDataError(
      () => loadMovieLens1m(dir),
      'movies.dat',
      1,
      /2 fields, expected 3: MovieID::Title::Genres/,
    ),
  );
  withDir({ 'users.dat': ML1M_USERS, 'movies.dat': ML1M_MOVIES }, [], (dir) =>
    expectDataError(
      () => loadMovieLens1m(dir),
      'ratings.dat',
      undefined,
      /file not found .*ratings_no_timestamp.dat.gz is accepted/,
    ),
  );
});

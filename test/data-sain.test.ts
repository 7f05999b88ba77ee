import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { entityValues, getField } from '../src/data/features.js';
import { loadSain, SAIN_GENRE_COLUMNS } from '../src/data/loaders/sain.js';
import { expectDataError } from '../test-helpers/data-errors.js';

// SAIN's real header: note the trailing spaces in several genre labels.
const GENRE_HEADER =
  "i_Action,i_Adventure,i_Animation,i_Children's,i_Comedy,i_Crime,i_Documentary ,i_Drama ,i_Fantasy ,i_Film-Noir ," +
  'i_Horror ,i_Musical ,i_Mystery ,i_Romance ,i_Sci-Fi ,i_Thriller ,i_War ,i_Western,i_Other';
const USER_COLUMNS = 'u_age,u_gender,u_occupation';
const ITEM_COLUMNS = `i_year,${GENRE_HEADER},i_Actor,i_Director`;

/** 19 flags with the given u.item genre positions set (0 = unknown, 1 = Action, …, 18 = Western). */
function flags(on: number[]): string {
  return Array.from({ length: 19 }, (_, g) => (on.includes(g) ? '1' : '0')).join(',');
}

const USERS: Record<string, string> = { '1': '1,0,19', '2': '7,1,13' };
// Item 1: Toy Story (Animation, Children's, Comedy); item 2: a Western; item 3: unknown genre, no date.
const ITEMS: Record<string, string> = {
  '1': `5,${flags([3, 4, 5])},0,1118`,
  '2': `1,${flags([18])},4,1`,
  '3': `0,${flags([0])},3556,1118`,
};

function ratingRow(u: string, i: string, r: number): string {
  return `${u},${i},${r},${USERS[u]},${ITEMS[i]}`;
}

function files(): Record<string, string | Buffer> {
  const header = `uid,iid,rating,${USER_COLUMNS},${ITEM_COLUMNS}\n`;
  return {
    'ml-100k-r.users.csv':
      `uid,${USER_COLUMNS}\n` +
      Object.entries(USERS)
        .map(([u, v]) => `${u},${v}\n`)
        .join(''),
    'ml-100k-r.items.csv':
      `iid,${ITEM_COLUMNS}\n` +
      Object.entries(ITEMS)
        .map(([i, v]) => `${i},${v}\n`)
        .join(''),
    'ml-100k-r.train.csv.gz': gzipSync(
      header + [ratingRow('2', '1', 4), ratingRow('1', '2', 3), ratingRow('1', '3', 1)].join('\n') + '\n',
    ),
    'ml-100k-r.validation.csv': header + ratingRow('2', '3', 2) + '\n',
    'ml-100k-r.test.csv': header + ratingRow('1', '1', 5) + '\n',
  };
}

function withSain(content: Record<string, string | Buffer>, body: (sainDir: string) => void): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-sain-'));
  const dir = path.join(root, 'dataset', 'ml-100k-r');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(content)) fs.writeFileSync(path.join(dir, name), text);
  try {
    body(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

test('sain: ratings in train, validation, test order; the predefined split "sain"', () => {
  withSain(files(), (dir) => {
    const d = loadSain(dir);
    assert.equal(d.id, 'sain-ml100k');
    assert.deepEqual(d.users.ids, ['1', '2']);
    assert.deepEqual(d.items.ids, ['1', '2', '3']);
    assert.deepEqual([...d.ratings.user], [1, 0, 0, 1, 0]);
    assert.deepEqual([...d.ratings.item], [0, 1, 2, 2, 0]);
    assert.deepEqual([...d.ratings.rating], [4, 3, 1, 2, 5]);
    const split = d.predefinedSplits.sain;
    assert.deepEqual([...split.train], [0, 1, 2]);
    assert.deepEqual([...split.validation], [3]);
    assert.deepEqual([...split.test], [4]);
  });
});

test('sain: genre columns are named by what they hold (i_Action holds "unknown", i_Other "Western")', () => {
  assert.equal(SAIN_GENRE_COLUMNS.length, 19);
  withSain(files(), (dir) => {
    const d = loadSain(dir);
    const genre = getField(d.itemFeatures, 'genre');
    assert.deepEqual(entityValues(genre, 0), ['Animation', "Children's", 'Comedy']);
    assert.deepEqual(entityValues(genre, 1), ['Western']);
    assert.deepEqual(entityValues(genre, 2), ['unknown']);
  });
});

test('sain: user and item codes get their meaning; actor and director stay codes', () => {
  withSain(files(), (dir) => {
    const d = loadSain(dir);
    assert.deepEqual(entityValues(getField(d.userFeatures, 'age'), 0), ['20-24']);
    assert.deepEqual(entityValues(getField(d.userFeatures, 'age'), 1), ['50-54']);
    assert.deepEqual(entityValues(getField(d.userFeatures, 'gender'), 1), ['F']);
    assert.deepEqual(entityValues(getField(d.userFeatures, 'occupation'), 0), ['technician']);
    assert.deepEqual(entityValues(getField(d.userFeatures, 'occupation'), 1), ['other']);
    assert.deepEqual(entityValues(getField(d.itemFeatures, 'year'), 0), ['1995']);
    assert.deepEqual(entityValues(getField(d.itemFeatures, 'year'), 1), ['≤1989']);
    assert.deepEqual(entityValues(getField(d.itemFeatures, 'year'), 2), ['unknown']);
    assert.deepEqual(getField(d.itemFeatures, 'actor').vocabulary, ['0', '4', '3556']);
    assert.deepEqual(entityValues(getField(d.itemFeatures, 'director'), 2), ['1118']);
    assert.deepEqual(getField(d.itemFeatures, 'director').vocabulary, ['1', '1118']);
  });
});

test('sain: malformed values, disagreeing joined columns, missing columns and files are named', () => {
  const header = `uid,iid,rating,${USER_COLUMNS},${ITEM_COLUMNS}\n`;
  withSain(
    { ...files(), 'ml-100k-r.test.csv': header + ratingRow('1', '1', 5).replace(/^1,1,5/, '1,1,x') + '\n' },
    (dir) =>
      expectDataError(
        () => loadSain(dir),
        'ml-100k-r.test.csv',
        2,
        /field "rating": expected a number, got "x"/,
      ),
  );
  withSain(
    {
      ...files(),
      'ml-100k-r.test.csv': header + ratingRow('1', '1', 5).replace(/^1,1,5,1,/, '1,1,5,2,') + '\n',
    },
    (dir) =>
      expectDataError(
        () => loadSain(dir),
        'ml-100k-r.test.csv',
        2,
        /field "u_age": 2 disagrees with .*users.csv:2 \(1\)/,
      ),
  );
  withSain({ ...files(), 'ml-100k-r.validation.csv': header + ratingRow('1', '1', 2) + '\n' }, (dir) =>
    expectDataError(
      () => loadSain(dir),
      'ml-100k-r.test.csv',
      2,
      /user "1" rates item "1" a second time \(first at .*validation.csv:2\)/,
    ),
  );
  withSain({ ...files(), 'ml-100k-r.users.csv': 'uid,u_age,u_gender\n1,1,0\n2,7,1\n' }, (dir) =>
    expectDataError(() => loadSain(dir), 'ml-100k-r.users.csv', 1, /field "u_occupation": missing column/),
  );
  withSain({ ...files(), 'ml-100k-r.users.csv': `uid,${USER_COLUMNS}\n1,1,0,19\n2,9,1,13\n` }, (dir) =>
    expectDataError(
      () => loadSain(dir),
      'ml-100k-r.users.csv',
      3,
      /field "u_age": expected an integer code 0..8, got 9/,
    ),
  );
  const noTest = files();
  delete noTest['ml-100k-r.test.csv'];
  withSain(noTest, (dir) =>
    expectDataError(
      () => loadSain(dir),
      'ml-100k-r.test.csv',
      undefined,
      /file not found \(expected SAIN's test ratings/,
    ),
  );
});

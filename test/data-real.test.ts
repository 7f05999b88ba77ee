/**
 * The loaders on the real data sets in ../shared/data (skipped, with a message, when absent).
 * The expected counts are the published statistics of each data set.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../src/data/dataset.js';
import { entityValues, getField } from '../src/data/features.js';
import { loadDataset } from '../src/data/registry.js';

// dist/test/ → the workspace's shared/data, beside the repository.
const SHARED = fileURLToPath(new URL('../../../shared/data', import.meta.url));

function present(t: TestContext, folder: string): boolean {
  if (fs.existsSync(path.join(SHARED, folder))) return true;
  t.skip(`real data not found at ${path.join(SHARED, folder)}`);
  return false;
}

function distinct(values: Int32Array): number {
  return new Set(values).size;
}

function itemByTitle(d: Dataset, title: string): number {
  const i = d.itemTitles?.indexOf(title) ?? -1;
  assert.ok(i >= 0, `no item titled ${title}`);
  return i;
}

test('real ml-100k: 100,000 ratings, 943 users, 1,682 items; u1 80,000/20,000; ua/ub 10 test ratings per user', (t) => {
  if (!present(t, 'ml-100k')) return;
  const d = loadDataset('ml-100k', { dataDir: SHARED });
  assert.equal(d.ratings.rating.length, 100_000);
  assert.equal(d.users.ids.length, 943);
  assert.equal(d.items.ids.length, 1682);
  assert.equal(d.ratings.time?.length, 100_000);
  const u1 = d.predefinedSplits.u1;
  assert.equal(u1.train.length, 80_000);
  assert.equal(u1.test.length, 20_000);
  assert.deepEqual(Object.keys(d.predefinedSplits), ['u1', 'u2', 'u3', 'u4', 'u5', 'ua', 'ub']);
  // The five test folds partition the ratings.
  const covered = new Uint8Array(100_000);
  for (const k of [1, 2, 3, 4, 5]) for (const r of d.predefinedSplits[`u${k}`].test) covered[r]++;
  assert.ok(covered.every((c) => c === 1));
  for (const name of ['ua', 'ub']) {
    const perUser = new Int32Array(943);
    for (const r of d.predefinedSplits[name].test) perUser[d.ratings.user[r]]++;
    assert.ok(
      perUser.every((n) => n === 10),
      `${name}: 10 test ratings per user`,
    );
  }
  // A latin-1 title, decoded right.
  const i = itemByTitle(d, 'Misérables, Les (1995)');
  assert.deepEqual(entityValues(getField(d.itemFeatures, 'genre'), i), ['Drama', 'Musical']);
  const toyStory = itemByTitle(d, 'Toy Story (1995)');
  assert.deepEqual(entityValues(getField(d.itemFeatures, 'genre'), toyStory), [
    'Animation',
    "Children's",
    'Comedy',
  ]);
  assert.equal(getField(d.userFeatures, 'occupation').vocabulary.length, 21);
});

test('real ml-1m: 1,000,209 ratings, 6,040 users, 3,706 rated movies', (t) => {
  if (!present(t, 'ml-1m')) return;
  const d = loadDataset('ml-1m', { dataDir: SHARED });
  assert.equal(d.ratings.rating.length, 1_000_209);
  assert.equal(d.users.ids.length, 6040);
  assert.equal(d.items.ids.length, 3706);
  assert.equal(distinct(d.ratings.item), 3706);
  assert.equal(getField(d.userFeatures, 'age').codes.length, 6040, 'every user has an age group');
  const i = itemByTitle(d, 'Toy Story (1995)');
  assert.deepEqual(entityValues(getField(d.itemFeatures, 'genre'), i), ['Animation', "Children's", 'Comedy']);
  let fives = 0;
  for (const r of d.ratings.rating) if (r === 5) fives++;
  assert.equal(fives, 226_310);
});

test('real SAIN ml-100k-r: 80,000/10,000/10,000 and the genre relabelling, on Toy Story and against u.item', (t) => {
  if (!present(t, 'sain')) return;
  const d = loadDataset('sain-ml100k', { dataDir: SHARED });
  const split = d.predefinedSplits.sain;
  assert.equal(split.train.length, 80_000);
  assert.equal(split.validation.length, 10_000);
  assert.equal(split.test.length, 10_000);
  assert.equal(d.users.ids.length, 943);
  assert.equal(d.items.ids.length, 1682);
  const genre = getField(d.itemFeatures, 'genre');
  // Toy Story (item 1): u.item flags Animation, Children's, Comedy, which SAIN labels i_Children's, i_Comedy, i_Crime.
  assert.deepEqual(entityValues(genre, d.items.index.get('1') ?? -1), ['Animation', "Children's", 'Comedy']);
  // The same relabelling on every item, checked against u.item when it is there.
  if (fs.existsSync(path.join(SHARED, 'ml-100k'))) {
    const ml = loadDataset('ml-100k', { dataDir: SHARED });
    const mlGenre = getField(ml.itemFeatures, 'genre');
    for (const id of ml.items.ids) {
      assert.deepEqual(
        entityValues(genre, d.items.index.get(id) ?? -1),
        entityValues(mlGenre, ml.items.index.get(id) ?? -1),
        `genres of item ${id}`,
      );
    }
  }
  assert.equal(getField(d.itemFeatures, 'actor').vocabulary.length, 585);
  assert.equal(getField(d.itemFeatures, 'director').vocabulary.length, 352);
});

test('real Amazon Musical Instruments 5-core: 10,261 reviews, 1,429 users, 900 items, with text', (t) => {
  if (!present(t, 'amazon-musical-instruments-5core')) return;
  const d = loadDataset('amazon:amazon-musical-instruments-5core', { dataDir: SHARED });
  assert.equal(d.ratings.rating.length, 10_261);
  assert.equal(d.users.ids.length, 1429);
  assert.equal(d.items.ids.length, 900);
  assert.equal(d.reviews?.length, 10_261);
  assert.equal(d.reviews?.filter((r) => r === '').length, 7);
  const time = d.ratings.time ?? new Float64Array(0);
  assert.equal(Math.min(...time), 1095465600);
  assert.equal(Math.max(...time), 1405987200);
});

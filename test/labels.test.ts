/**
 * Display names saved with a model (labels.json): titles, user descriptions and feature labels by
 * raw id, the fallback to ids for models saved without them, and errors naming the field.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../src/data/dataset.js';
import { loadDataset } from '../src/data/registry.js';
import { loadArtifact, saveArtifact } from '../src/models/artifact.js';
import { GlobalMean } from '../src/models/classic/global-mean.js';
import { LABELS_FILE, labelsOfDataset } from '../src/models/labels.js';
import { trainingStats } from '../src/models/predictor.js';
import { DataError } from '../src/util/errors.js';
import { featureField, ratingsDataset } from '../test-helpers/datasets.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-labels-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const SHARED = fileURLToPath(new URL('../../../shared/data', import.meta.url));

/** Two users with a gender and an occupation, three movies with titles and genres. */
function movies(): Dataset {
  const base = ratingsDataset([
    ['u1', 'm1', 5],
    ['u1', 'm2', 3],
    ['u2', 'm3', 4],
  ]);
  return {
    ...base,
    itemTitles: ['Alpha (1990)', 'Beta (1991)', ''],
    userFeatures: {
      count: 2,
      fields: [
        featureField('gender', 'categorical', ['M', 'F'], [[1], [0]]),
        featureField('occupation', 'categorical', ['writer', 'nurse'], [[0], []]),
      ],
    },
    itemFeatures: {
      count: 3,
      fields: [featureField('genre', 'multi', ['Action', 'Comedy', 'Drama'], [[0, 2], [1], []])],
    },
  };
}

async function save(name: string, data: Dataset): Promise<string> {
  const train = { dataset: data, indices: Int32Array.from(data.ratings.rating.keys()) };
  const model = new GlobalMean({});
  await model.fit(train);
  const dir = path.join(tmp, name);
  saveArtifact(dir, { model, dataset: data, stats: trainingStats(train) });
  return dir;
}

test('a saved model names its items, users and their features by raw id', async () => {
  const { labels } = loadArtifact(await save('movies', movies()));
  assert.equal(labels.item('m1'), 'Alpha (1990)');
  assert.equal(labels.itemTitle('m2'), 'Beta (1991)');
  // An empty title and an unknown id both fall back to the id.
  assert.equal(labels.item('m3'), 'item m3');
  assert.equal(labels.itemTitle('m3'), undefined);
  assert.equal(labels.item('nope'), 'item nope');
  assert.equal(labels.user('u1'), 'user u1 (gender F, occupation writer)');
  assert.equal(labels.user('u2'), 'user u2 (gender M)');
  assert.deepEqual(labels.userFeatures('u1'), ['gender=F', 'occupation=writer']);
  assert.deepEqual(labels.itemFeatures('m1'), ['genre=Action', 'genre=Drama']);
  assert.deepEqual(labels.itemFeatures('m3'), []);
  assert.deepEqual(labels.fields('item'), [{ name: 'genre', values: ['Action', 'Comedy', 'Drama'] }]);
  assert.deepEqual(
    labels.fields('user').map((f) => f.name),
    ['gender', 'occupation'],
  );
  assert.equal(labels.hasItemTitles, true);
  assert.deepEqual(labels.notes, []);
});

test('a data set without titles or features says so, and its items and users show their ids', async () => {
  const data = ratingsDataset([['a', 'x', 4]], 'bare');
  const { labels } = loadArtifact(await save('bare', data));
  assert.equal(labels.item('x'), 'item x');
  assert.equal(labels.user('a'), 'user a');
  assert.equal(labels.hasItemTitles, false);
  assert.deepEqual(labels.notes, [
    'no item titles: data set "bare" has none, so items show their ids',
    'no user features: data set "bare" has none, so users show their ids',
    'no item features: data set "bare" has none',
  ]);
});

test('a model saved without labels.json (an older Heed) loads and shows ids', async () => {
  const dir = await save('old', movies());
  fs.rmSync(path.join(dir, LABELS_FILE));
  const { labels } = loadArtifact(dir);
  assert.equal(labels.item('m1'), 'item m1');
  assert.equal(labels.user('u1'), 'user u1');
  assert.deepEqual(labels.itemFeatures('m1'), []);
  assert.match(labels.notes[0], /saved without labels/);
});

test('a damaged labels.json is an error naming the file and the field', async () => {
  const dir = await save('damaged', movies());
  const file = path.join(dir, LABELS_FILE);
  const good = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...good, itemTitles: ['only one'] }, /field "itemTitles": 1 titles for the model's 3 items/],
    [{ ...good, version: 9 }, /field "version": version 9 is not supported/],
    [
      { ...good, itemFields: [{ name: 'genre', values: ['Action'], codes: [[0], [3], []] }] },
      /field "itemFields\[0\]\.codes\[1\]": expected codes 0\.\.0/,
    ],
  ];
  for (const [json, message] of cases) {
    fs.writeFileSync(file, JSON.stringify(json));
    assert.throws(
      () => loadArtifact(dir),
      (e: unknown) => e instanceof DataError && e.message.includes(file) && message.test(e.message),
    );
  }
});

test('real SAIN data: titles come from its raw item file, actor and director are codes without names', (t: TestContext) => {
  if (!fs.existsSync(path.join(SHARED, 'sain'))) {
    t.skip(`real data not found at ${path.join(SHARED, 'sain')}`);
    return;
  }
  const d = loadDataset('sain-ml100k', { dataDir: SHARED });
  assert.equal(d.itemTitles?.[d.items.index.get('242') ?? -1], 'Kolya (1996)');
  assert.equal(d.itemTitles?.[d.items.index.get('12') ?? -1], 'Usual Suspects, The (1995)');
  assert.ok(d.itemTitles?.every((title) => title !== ''));
  assert.deepEqual(labelsOfDataset(d).notes, [
    'no names for field "actor": data set "sain-ml100k" has only its codes',
    'no names for field "director": data set "sain-ml100k" has only its codes',
  ]);
});

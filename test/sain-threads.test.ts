/**
 * SAIN's `threads` setting: threads=1 trains bit for bit as before the setting existed, threads=2
 * (data-parallel, src/engine/data-parallel.ts) trains reproducibly, the setting's default is one
 * thread, and experiment run keys hold it at any other value.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { before, test } from 'node:test';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { gatherRatings } from '../src/data/dataset.js';
import { BIN_PRESETS, codedField, featureTable, multiField, numericField } from '../src/data/features.js';
import { ratioSplit } from '../src/data/split.js';
import { initEngine } from '../src/engine/backend.js';
import { resolveConfig } from '../src/models/config.js';
import { Sain, sainSpec } from '../src/models/sain/sain.js';
import { runIdentityConfig } from '../src/models/settings-schema.js';
import { threadsOf } from '../src/models/train-settings.js';
import { UsageError } from '../src/util/errors.js';
import { idMap } from '../test-helpers/datasets.js';

let data: Dataset;
let train: RatingSubset;
let testSet: RatingSubset;

const SMALL = {
  factors: 8,
  featureDim: 8,
  topK: 4,
  epochs: 2,
  patience: 0,
  batchSize: 64,
  learningRate: 0.01,
  seed: 3,
};

/**
 * An 80 × 60 data set of 2,000 ratings (25 distinct items per user) with the side information SAIN
 * attends over: users have an `age` (numeric) and a `taste` (director fan or genre fan), items a
 * `director` (4), one or two `genre`s (of 5) and a `year` (numeric); a rating is 3 plus a user and
 * an item bias, +1.5 when the item has the user's favourite director or genre (-0.5 otherwise),
 * and noise, rounded into 1..5. It is built here from a fixed integer hash rather than by
 * `generateSynthetic`, so that the bit-for-bit test does not change when the generator does. It
 * uses only the `Dataset` shape and the field builders of features.ts, which are the same in
 * 755f7df, so the same function ran there to record the expected predictions.
 */
function fixedDataset(): Dataset {
  const users = 80;
  const items = 60;
  const perUser = 25;
  const directors = ['D1', 'D2', 'D3', 'D4'];
  const genres = ['Action', 'Comedy', 'Drama', 'Horror', 'Romance'];
  // mulberry32: a tiny, fully specified PRNG, so the data depends on no project code.
  let state = 0x2545f491;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (n: number): number => Math.floor(next() * n);
  const itemDirector = Int32Array.from({ length: items }, () => pick(directors.length));
  const itemGenres = Array.from({ length: items }, () => {
    const first = pick(genres.length);
    const second = pick(genres.length);
    return next() < 0.4 && second !== first ? [genres[first], genres[second]] : [genres[first]];
  });
  const itemYear = Float64Array.from({ length: items }, () => 1950 + pick(70));
  const itemBias = Float64Array.from({ length: items }, () => next() - 0.5);
  const directorFan = Uint8Array.from({ length: users }, (_, u) => u % 2);
  const favourite = Int32Array.from({ length: users }, (_, u) =>
    pick(directorFan[u] === 1 ? directors.length : genres.length),
  );
  const userAge = Float64Array.from({ length: users }, () => 16 + pick(55));
  const userBias = Float64Array.from({ length: users }, () => 0.6 * (next() - 0.5));
  const user = new Int32Array(users * perUser);
  const item = new Int32Array(users * perUser);
  const rating = new Float32Array(users * perUser);
  const order = Int32Array.from({ length: items }, (_, i) => i);
  let r = 0;
  for (let u = 0; u < users; u++) {
    for (let k = 0; k < perUser; k++) {
      // A partial Fisher-Yates shuffle: distinct items for each user.
      const j = k + pick(items - k);
      const i = order[j];
      order[j] = order[k];
      order[k] = i;
      const match =
        directorFan[u] === 1
          ? itemDirector[i] === favourite[u]
          : itemGenres[i].includes(genres[favourite[u]]);
      const score = 3 + userBias[u] + itemBias[i] + (match ? 1.5 : -0.5) + (next() - 0.5);
      user[r] = u;
      item[r] = i;
      rating[r] = Math.min(5, Math.max(1, Math.round(score)));
      r++;
    }
  }
  return {
    id: 'sain-threads-fixed',
    users: idMap('u', users),
    items: idMap('i', items),
    ratings: { user, item, rating },
    scale: { min: 1, max: 5 },
    userFeatures: featureTable(users, [
      numericField('age', userAge, BIN_PRESETS.ageGroups),
      codedField('taste', ['genre fan', 'director fan'], directorFan),
    ]),
    itemFeatures: featureTable(items, [
      codedField('director', directors, itemDirector),
      multiField('genre', itemGenres, { vocabulary: genres }),
      numericField('year', itemYear, BIN_PRESETS.decades),
    ]),
    predefinedSplits: {},
  };
}

function sha256(a: Int32Array | Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');
}

before(async () => {
  await initEngine({ backend: 'wasm' });
  data = fixedDataset();
  const split = ratioSplit(data, { train: 0.8, validation: 0.1, test: 0.1 }, 1);
  train = { dataset: data, indices: split.train };
  testSet = { dataset: data, indices: split.test };
});

async function fitted(threads: number): Promise<Sain> {
  const model = new Sain(resolveConfig(sainSpec, { ...SMALL, threads }));
  await model.fit(train);
  return model;
}

function firstTestPredictions(model: Sain): number[] {
  const t = gatherRatings(testSet);
  return Array.from(model.predict(t.user.subarray(0, 8), t.item.subarray(0, 8)));
}

async function predictions(threads: number): Promise<number[]> {
  return firstTestPredictions(await fitted(threads));
}

/** SHA-256 over the per-parameter SHA-256 hex digests, in declaration order. */
function parametersHash(model: Sain): string {
  const all = createHash('sha256');
  for (const [name, values] of Object.entries(model.state().arrays))
    if (!name.startsWith('tokens.')) all.update(sha256(values as Float32Array));
  return all.digest('hex');
}

/** One float32 step (unit in the last place) at `x`. */
function float32Step(x: number): number {
  return 2 ** (Math.floor(Math.log2(Math.abs(x))) - 23);
}

test('threads=1 trains SAIN bit for bit as before the setting existed (commit 755f7df)', async () => {
  // The data those numbers were recorded on (hashes printed by the same script at 755f7df): if
  // fixedDataset() changes, this says so instead of a puzzling mismatch.
  assert.equal(
    sha256(data.ratings.item),
    '2d3b6bfdaf346447e35540c44109e358002f51e0fb03ab26d4d10f2232ac2d16',
    'fixedDataset items changed',
  );
  assert.equal(
    sha256(data.ratings.rating),
    'fbda7c7b9a3708ceb3de7ffd3e872b73e1bdb5db8de27e986e0bd4983f5ebe64',
    'fixedDataset ratings changed',
  );
  const model = await fitted(1);
  // Printed by commit 755f7df's build (wasm backend, SIMD) for fixedDataset() (the same function,
  // copied into a script there), the same split (ratio 0.8/0.1/0.1, seed 1) and SMALL: the hash
  // of every trained parameter, so training itself is checked bit for bit.
  assert.equal(parametersHash(model), '587ae8558bb1105f8ca375093c160d0efa17d885482b16ad854d3781daa39f2b');
  // The same script's predictions for the first 8 test pairs. 755f7df predicted with the tensor
  // pass; predict now uses the plain-JavaScript pass (plain-forward.ts), equal to it to float32
  // rounding (its own test), so with identical weights each prediction is within one float32 step.
  const before = [
    3.4067747592926025, 3.3081958293914795, 2.914050817489624, 2.9283156394958496, 3.041064739227295,
    2.938016891479492, 3.0121023654937744, 2.9907453060150146,
  ];
  firstTestPredictions(model).forEach((p, k) =>
    assert.ok(Math.abs(p - before[k]) <= float32Step(before[k]), `pair ${k}: ${p} vs ${before[k]}`),
  );
});

test('threads=2 trains data-parallel: finite predictions, the same ones for the same seed', async () => {
  const a = await predictions(2);
  assert.ok(a.every((v) => Number.isFinite(v)));
  assert.deepEqual(await predictions(2), a);
});

test('threads defaults to one thread, 0 means every core, and a negative count is refused', () => {
  const config = resolveConfig(sainSpec, {});
  assert.equal(config['threads'], 1);
  assert.equal(threadsOf(resolveConfig(sainSpec, { threads: 0 })), availableParallelism());
  assert.equal(threadsOf(resolveConfig(sainSpec, { threads: 1 })), 1);
  assert.throws(() => resolveConfig(sainSpec, { threads: -1 }), UsageError);
});

test('experiment run keys hold threads unless it is 1: more threads fit something else', () => {
  const identity = (threads: number) =>
    runIdentityConfig(sainSpec.settings, resolveConfig(sainSpec, { threads }));
  // One thread is the loop of before the setting: its runs keep the keys they were stored under.
  assert.equal('threads' in identity(1), false);
  assert.equal(identity(1)['factors'], sainSpec.defaults['factors']);
  // Two threads train with twice the effective batch, so their runs are other runs.
  assert.equal(identity(2)['threads'], 2);
  assert.notDeepEqual(identity(2), identity(1));
});

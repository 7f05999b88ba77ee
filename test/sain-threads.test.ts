/**
 * SAIN's `threads` setting: threads=1 trains bit for bit as before the setting existed, threads=2
 * (data-parallel, src/engine/data-parallel.ts) trains reproducibly, and the setting's default is
 * every core.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { before, test } from 'node:test';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { gatherRatings } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { ratioSplit } from '../src/data/split.js';
import { initEngine } from '../src/engine/backend.js';
import { resolveConfig } from '../src/models/config.js';
import { Sain, sainSpec } from '../src/models/sain/sain.js';
import { threadsOf } from '../src/models/train-settings.js';
import { UsageError } from '../src/util/errors.js';

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

before(async () => {
  await initEngine({ backend: 'wasm' });
  data = generateSynthetic({ seed: 2, users: 80, items: 60, ratingsPerUser: 25 });
  const split = ratioSplit(data, { train: 0.8, validation: 0.1, test: 0.1 }, 1);
  train = { dataset: data, indices: split.train };
  testSet = { dataset: data, indices: split.test };
});

async function predictions(threads: number): Promise<number[]> {
  const model = new Sain(resolveConfig(sainSpec, { ...SMALL, threads }));
  await model.fit(train);
  const t = gatherRatings(testSet);
  return Array.from(model.predict(t.user.subarray(0, 8), t.item.subarray(0, 8)));
}

test('threads=1 gives the predictions SAIN gave before the setting existed (commit 755f7df), bit for bit', async () => {
  // Printed by that commit's build for this very fit (wasm backend, SIMD).
  const before = [
    3.5668764114379883, 3.2958943843841553, 2.870718479156494, 3.3367912769317627, 3.211615800857544,
    3.215777635574341, 3.401125907897949, 3.1586673259735107,
  ];
  assert.deepEqual(await predictions(1), before);
});

test('threads=2 trains data-parallel: finite predictions, the same ones for the same seed', async () => {
  const a = await predictions(2);
  assert.ok(a.every((v) => Number.isFinite(v)));
  assert.deepEqual(await predictions(2), a);
});

test('threads defaults to every core and refuses a negative count', () => {
  const config = resolveConfig(sainSpec, {});
  assert.equal(config['threads'], 0);
  assert.equal(threadsOf(config), availableParallelism());
  assert.equal(threadsOf(resolveConfig(sainSpec, { threads: 1 })), 1);
  assert.throws(() => resolveConfig(sainSpec, { threads: -1 }), UsageError);
});

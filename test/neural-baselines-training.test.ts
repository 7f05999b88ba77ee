/**
 * NCF, NFM and xDeepFM trained end to end on small synthetic data: each beats the global mean on
 * held-out ratings, the same seed gives the same numbers, and a fitted model saved (as a state and
 * as an artifact directory) and restored predicts exactly what it predicted before.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { gatherRatings, type Dataset, type RatingSubset } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { initEngine } from '../src/engine/backend.js';
import { loadArtifact, saveArtifact } from '../src/models/artifact.js';
import { resolveConfig } from '../src/models/config.js';
import { getModelSpec } from '../src/models/index.js';
import type { ConfigValue, ModelState, RatingModel } from '../src/models/model.js';
import { trainingStats } from '../src/models/predictor.js';
import { Rng } from '../src/util/rng.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

/** Small, quick settings: the behaviour under test does not depend on the papers' sizes. */
const QUICK: Record<string, Record<string, ConfigValue>> = {
  ncf: {
    factors: 8,
    mlpFactors: 8,
    mlpLayers: '8,4',
    epochs: 15,
    batchSize: 64,
    learningRate: 0.01,
    patience: 3,
  },
  nfm: {
    factors: 8,
    mlpLayers: '16',
    epochs: 15,
    batchSize: 64,
    learningRate: 0.01,
    patience: 3,
    initStd: 0.01,
  },
  xdeepfm: {
    factors: 8,
    mlpLayers: '16',
    cinLayers: '8,8',
    epochs: 15,
    batchSize: 64,
    learningRate: 0.01,
    patience: 3,
    initStd: 0.01,
  },
};

interface Parts {
  readonly data: Dataset;
  readonly train: RatingSubset;
  readonly validation: RatingSubset;
  readonly test: RatingSubset;
}

/** A seeded 80/10/10 split of a small synthetic data set. */
function parts(): Parts {
  const data = generateSynthetic({ seed: 4, users: 120, items: 90, ratingsPerUser: 25 });
  const order = new Rng(9).permutation(data.ratings.rating.length);
  const a = Math.floor(order.length * 0.8);
  const b = Math.floor(order.length * 0.9);
  return {
    data,
    train: { dataset: data, indices: order.slice(0, a) },
    validation: { dataset: data, indices: order.slice(a, b) },
    test: { dataset: data, indices: order.slice(b) },
  };
}

function rmse(model: RatingModel, subset: RatingSubset): number {
  const { user, item, rating } = gatherRatings(subset);
  const p = model.predict(user, item);
  let s = 0;
  for (let k = 0; k < p.length; k++) s += (Math.min(5, Math.max(1, p[k])) - rating[k]) ** 2;
  return Math.sqrt(s / p.length);
}

function meanRmse(train: RatingSubset, subset: RatingSubset): number {
  const tr = gatherRatings(train).rating;
  const mean = tr.reduce((s, r) => s + r, 0) / tr.length;
  const { rating } = gatherRatings(subset);
  return Math.sqrt(rating.reduce((s, r) => s + (r - mean) ** 2, 0) / rating.length);
}

function create(id: string, extra: Record<string, ConfigValue> = {}): RatingModel {
  const spec = getModelSpec(id);
  return spec.create(resolveConfig(spec, { ...QUICK[id], ...extra }));
}

for (const id of ['ncf', 'nfm', 'xdeepfm']) {
  test(`${id}: beats the global mean on held-out synthetic ratings; save and restore keep its predictions`, async (t) => {
    const { data, train, validation, test: testSet } = parts();
    const model = create(id, { seed: 3 });
    const report = await model.fit(train, { validation });
    const score = rmse(model, testSet);
    const floor = meanRmse(train, testSet);
    t.diagnostic(
      `${id}: test RMSE ${score.toFixed(4)}, global mean ${floor.toFixed(4)}, ${report.epochs} epochs`,
    );
    assert.ok(score < 0.95 * floor, `${id}: test RMSE ${score} does not beat the global mean's ${floor}`);
    assert.equal(report.samplesProcessed, report.epochs * train.indices.length);

    const { user, item } = gatherRatings(testSet);
    const before = model.predict(user, item);
    assert.ok(before.every(Number.isFinite));

    // Through the in-memory state (what `heed train` saves), with JSON meta round-tripped.
    const state = model.state();
    const copy: ModelState = { ...state, meta: JSON.parse(JSON.stringify(state.meta)) as ModelState['meta'] };
    const restored = getModelSpec(id).restore(copy);
    assert.deepEqual(restored.predict(user, item), before);

    // Through an artifact directory on disk.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `heed-${id}-`));
    try {
      saveArtifact(path.join(dir, 'model'), { model, dataset: data, stats: trainingStats(train) });
      const loaded = loadArtifact(path.join(dir, 'model'));
      assert.equal(loaded.model.id, id);
      assert.deepEqual(loaded.model.predict(user, item), before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('ncf: the same seed gives the same predictions, another seed different ones', async () => {
  const { train, test: testSet } = parts();
  const { user, item } = gatherRatings(testSet);
  const run = async (seed: number): Promise<Float32Array> => {
    const model = create('ncf', { seed, epochs: 2 });
    await model.fit(train);
    return model.predict(user, item);
  };
  const a = await run(5);
  assert.deepEqual(await run(5), a);
  assert.notDeepEqual(await run(6), a);
});

test('the baselines refuse to predict before fit and reject bad settings by name', async () => {
  const { train } = parts();
  for (const id of ['ncf', 'nfm', 'xdeepfm']) {
    assert.throws(
      () => create(id).predict(Int32Array.of(0), Int32Array.of(0)),
      /call fit\(\) before predict/,
    );
  }
  await assert.rejects(
    create('ncf', { mlpLayers: '8,x' }).fit(train),
    /"mlpLayers": "x" is not a positive integer/,
  );
  await assert.rejects(create('nfm', { itemFeatures: 'budget' }).fit(train), /itemFeatures.*"budget"/);
  assert.throws(
    () => create('xdeepfm', { cinActivation: 'swish' }),
    /model "xdeepfm" setting "cinActivation" must be one of linear, relu, sigmoid, tanh, got "swish"/,
  );
  await assert.rejects(create('xdeepfm', { cinLayers: '7,4' }).fit(train), /even with splitHalf/);
});

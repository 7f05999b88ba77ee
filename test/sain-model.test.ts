/**
 * The SAIN model end to end on a small synthetic data set (features: user age and taste; item
 * director, genres and year): it trains with validation, beats the global mean, explains a
 * prediction by per-head feature × feature attention, survives a save/restore round trip
 * through files, and refuses bad settings.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { gatherRatings } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { ratioSplit } from '../src/data/split.js';
import { initEngine } from '../src/engine/backend.js';
import { loadArtifact, saveArtifact } from '../src/models/artifact.js';
import { resolveConfig } from '../src/models/config.js';
import { getModelSpec } from '../src/models/index.js';
import { trainingStats } from '../src/models/predictor.js';
import { Sain, sainSpec } from '../src/models/sain/sain.js';
import { UsageError } from '../src/util/errors.js';

let data: Dataset;
let train: RatingSubset;
let validation: RatingSubset;
let testSet: RatingSubset;
let model: Sain;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-sain-'));

/** Small sizes so the whole file runs in seconds on a shared 2-core machine. */
const SMALL = {
  factors: 8,
  featureDim: 8,
  topK: 4,
  epochs: 12,
  patience: 3,
  batchSize: 64,
  learningRate: 0.01,
  seed: 3,
};

before(async () => {
  await initEngine({ backend: 'wasm' });
  data = generateSynthetic({ seed: 2, users: 80, items: 60, ratingsPerUser: 25 });
  const split = ratioSplit(data, { train: 0.8, validation: 0.1, test: 0.1 }, 1);
  train = { dataset: data, indices: split.train };
  validation = { dataset: data, indices: split.validation };
  testSet = { dataset: data, indices: split.test };
  model = new Sain(resolveConfig(sainSpec, SMALL));
  await model.fit(train, { validation });
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function rmse(predictions: Float32Array, ratings: Float32Array): number {
  let se = 0;
  for (let k = 0; k < ratings.length; k++) {
    const p = Math.min(data.scale.max, Math.max(data.scale.min, predictions[k]));
    se += (p - ratings[k]) ** 2;
  }
  return Math.sqrt(se / ratings.length);
}

test('sain is registered with the paper defaults (d 64, tokens 16 wide as in its code, 2 heads, 1 layer, K 8, Adam 1e-3, L2 1e-4; dropout 0.2 from validation)', () => {
  const spec = getModelSpec('sain');
  assert.equal(spec, sainSpec);
  const d = spec.defaults;
  assert.deepEqual(
    [d.factors, d.featureDim, d.heads, d.layers, d.topK, d.dropout, d.learningRate, d.l2],
    [64, 16, 2, 1, 8, 0.2, 0.001, 0.0001],
  );
});

test('training on synthetic data beats the global mean on held-out ratings', () => {
  const report = model.lastReport;
  assert.ok(report !== undefined && report.bestValidationRmse !== undefined);
  assert.ok(report.bestEpoch >= 1 && report.bestEpoch <= report.epochs);
  const t = gatherRatings(testSet);
  const mean = gatherRatings(train).rating.reduce((a, b) => a + b, 0) / train.indices.length;
  const baseline = rmse(new Float32Array(t.rating.length).fill(mean), t.rating);
  const achieved = rmse(model.predict(t.user, t.item), t.rating);
  assert.ok(achieved < baseline - 0.05, `SAIN test RMSE ${achieved} vs global mean ${baseline}`);
});

test('explain: per head and query feature, weights over the pair features that sum to 1', () => {
  const user = 5;
  const item = 7;
  const e = model.explain(user, item);
  assert.equal(e.model, 'sain');
  assert.equal(e.user, user);
  assert.equal(e.item, item);
  const predicted = model.predict(Int32Array.of(user), Int32Array.of(item))[0];
  assert.ok(Math.abs(e.prediction - Math.min(5, Math.max(1, predicted))) < 1e-5);

  // The pair's features, named field=value: user age and taste, item year, genres, director.
  const features = [
    ...data.userFeatures.fields.flatMap((f) =>
      Array.from(
        f.codes.subarray(f.offsets[user], f.offsets[user + 1]),
        (c) => `${f.name}=${f.vocabulary[c]}`,
      ),
    ),
    ...data.itemFeatures.fields.flatMap((f) =>
      Array.from(
        f.codes.subarray(f.offsets[item], f.offsets[item + 1]),
        (c) => `${f.name}=${f.vocabulary[c]}`,
      ),
    ),
  ];
  const attention = e.groups.filter((g) => g.name.startsWith('head '));
  assert.equal(attention.length, 2 * features.length, 'one group per head and query feature');
  for (let h = 1; h <= 2; h++) {
    for (const q of features) {
      const group = attention.find((g) => g.name === `head ${h}: ${q}`);
      assert.ok(group !== undefined, `group for head ${h}, query ${q}`);
      assert.deepEqual(
        group.weights.map((w) => w.feature),
        features,
      );
      const sum = group.weights.reduce((a, w) => a + w.weight, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `row sums to ${sum}`);
      assert.ok(group.weights.every((w) => w.weight >= 0));
      // Top-K (K = 4) leaves at most 4 keys with weight.
      assert.ok(group.weights.filter((w) => w.weight > 0).length <= 4);
    }
  }
  for (const side of ['user', 'item']) {
    const g = e.groups.find((x) => x.name === `${side} integration`);
    assert.ok(g !== undefined);
    const [feedback, content] = g.weights;
    assert.equal(feedback.feature, 'feedback');
    assert.ok(feedback.weight > 0 && feedback.weight < 1);
    assert.ok(Math.abs(feedback.weight + content.weight - 1) < 1e-6);
  }
});

test('save and restore (through files) give identical predictions and explanations', () => {
  const t = gatherRatings(testSet);
  const before = model.predict(t.user, t.item);
  const dir = path.join(tmp, 'model');
  saveArtifact(dir, { model, dataset: data, stats: trainingStats(train) });
  const loaded = loadArtifact(dir);
  assert.equal(loaded.model.id, 'sain');
  assert.deepEqual(loaded.model.predict(t.user, t.item), before);
  const again = sainSpec.restore(model.state());
  assert.deepEqual(again.predict(t.user, t.item), before);
  assert.deepEqual(again.explain?.(3, 4), model.explain(3, 4));
});

test('predictions are deterministic for a seed and never NaN', async () => {
  const small = { ...SMALL, epochs: 2, patience: 0 };
  const a = new Sain(resolveConfig(sainSpec, small));
  const b = new Sain(resolveConfig(sainSpec, small));
  await a.fit(train);
  await b.fit(train);
  const t = gatherRatings(testSet);
  const pa = a.predict(t.user, t.item);
  assert.deepEqual(pa, b.predict(t.user, t.item));
  assert.ok(pa.every((v) => Number.isFinite(v)));
});

test('row-sparse tables (frequency-weighted and lazy L2) train, beat the mean and restore exactly', async () => {
  const t = gatherRatings(testSet);
  const mean = gatherRatings(train).rating.reduce((a, b) => a + b, 0) / train.indices.length;
  const baseline = rmse(new Float32Array(t.rating.length).fill(mean), t.rating);
  for (const l2Estimator of ['frequency', 'lazy']) {
    const m = new Sain(resolveConfig(sainSpec, { ...SMALL, l2Estimator, epochs: 6 }));
    await m.fit(train, { validation });
    const p = m.predict(t.user, t.item);
    assert.ok(
      rmse(p, t.rating) < baseline - 0.03,
      `${l2Estimator}: ${rmse(p, t.rating)} vs mean ${baseline}`,
    );
    assert.deepEqual(sainSpec.restore(m.state()).predict(t.user, t.item), p);
  }
});

test('bad settings and inputs are refused with the setting named', () => {
  assert.throws(() => new Sain(resolveConfig(sainSpec, { featureDim: 10, heads: 3 })), /featureDim/);
  assert.throws(() => new Sain(resolveConfig(sainSpec, { dropout: 1 })), /dropout/);
  assert.throws(() => new Sain(resolveConfig(sainSpec, { qkvActivation: 'swish' })), /qkvActivation/);
  assert.throws(() => resolveConfig(sainSpec, { heads: 'two' }), UsageError);
  assert.throws(
    () => new Sain(resolveConfig(sainSpec, {})).predict(Int32Array.of(0), Int32Array.of(0)),
    /not fitted/,
  );
  assert.throws(() => model.predict(Int32Array.of(data.users.ids.length), Int32Array.of(0)), /user index/);
});

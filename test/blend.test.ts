import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { resolveConfig } from '../src/models/config.js';
import { getModelSpec } from '../src/models/index.js';
import { Blend } from '../src/models/blend/blend.js';
import { parseMembers } from '../src/models/blend/members.js';
import { applyRidge, fitRidge } from '../src/models/blend/ridge.js';
import { Rng } from '../src/util/rng.js';

const blendSpec = getModelSpec('blend');
const members = 'baseline,biasedmf(factors=4;epochs=5)';

test('blend ridge: one member, worked by hand', () => {
  // x = [1,2,3], y = [2,4,7]: x̄ = 2, ȳ = 13/3, Sxx/n = 2/3, Sxy/n = 5/3.
  const x = [Float64Array.of(1, 2, 3)];
  const y = Float64Array.of(2, 4, 7);
  // λ = 0: w = (5/3)/(2/3) = 2.5, b = 13/3 − 5 = −2/3.
  const ols = fitRidge(x, y, 0);
  assert.ok(Math.abs(ols.weights[0] - 2.5) < 1e-12);
  assert.ok(Math.abs(ols.intercept + 2 / 3) < 1e-12);
  // λ = 1/3: w = (5/3)/(2/3 + 1/3) = 5/3, b = 13/3 − 10/3 = 1 (the intercept is not shrunk).
  const ridge = fitRidge(x, y, 1 / 3);
  assert.ok(Math.abs(ridge.weights[0] - 5 / 3) < 1e-12);
  assert.ok(Math.abs(ridge.intercept - 1) < 1e-12);
  const blended = applyRidge(ridge, x, 3);
  [1 + 5 / 3, 1 + 10 / 3, 1 + 5].forEach((want, r) => assert.ok(Math.abs(blended[r] - want) < 1e-12));
});

test('blend ridge: two members recovered exactly without a penalty; collinear members refused', () => {
  const x = [Float64Array.of(1, 0, 0, 1, 2), Float64Array.of(0, 1, 0, 1, 1)];
  const y = Float64Array.from({ length: 5 }, (_, r) => 0.5 + x[0][r] - 2 * x[1][r]);
  const fit = fitRidge(x, y, 0);
  assert.ok(Math.abs(fit.weights[0] - 1) < 1e-12 && Math.abs(fit.weights[1] + 2) < 1e-12);
  assert.ok(Math.abs(fit.intercept - 0.5) < 1e-12);
  assert.throws(() => fitRidge([x[0], x[0]], y, 0), /collinear; raise the ridge penalty/);
  assert.doesNotThrow(() => fitRidge([x[0], x[0]], y, 0.01));
});

test('blend members: ids with their own settings; bad lists are refused', () => {
  assert.deepEqual(parseMembers('bayes-svdpp(factors=64;features=age,gender), svdpp'), [
    { id: 'bayes-svdpp', overrides: { factors: '64', features: 'age,gender' } },
    { id: 'svdpp', overrides: {} },
  ]);
  assert.throws(() => parseMembers('svdpp(factors=4'), /"\(" without its "\)"/);
  assert.throws(() => parseMembers('svdpp,,biasedmf'), /an empty member/);
  assert.throws(() => parseMembers('svdpp(factors)'), /"factors" in member "svdpp" is not KEY=VALUE/);
  assert.throws(() => parseMembers('blend'), /cannot be a member/);
  assert.throws(
    () => new Blend(resolveConfig(blendSpec, { members: 'nosuch' }), getModelSpec),
    /unknown model "nosuch"/,
  );
  assert.throws(
    () => new Blend(resolveConfig(blendSpec, { members: 'svdpp(nosuch=1)' }), getModelSpec),
    /nosuch/,
  );
});

/** A synthetic data set split 70 / 15 / 15. */
function data() {
  const dataset = generateSynthetic({ users: 40, items: 30, ratingsPerUser: 12, seed: 3 });
  const order = new Rng(9).shuffle(Int32Array.from({ length: dataset.ratings.rating.length }, (_, k) => k));
  const a = Math.round(order.length * 0.7);
  const b = Math.round(order.length * 0.85);
  const part = (from: number, to: number): RatingSubset => ({
    dataset,
    indices: Int32Array.from(order.subarray(from, to)).sort(),
  });
  return { dataset, train: part(0, a), validation: part(a, b), test: part(b, order.length) };
}

const pairs = (d: Dataset) => ({
  users: Int32Array.from({ length: 40 * 30 }, (_, k) => Math.floor(k / 30)),
  items: Int32Array.from({ length: 40 * 30 }, (_, k) => k % 30),
  dataset: d,
});

test('blend: no test rating reaches the fit, with a validation part or a carved one', async () => {
  const { dataset, train, validation, test: held } = data();
  const changed: Dataset = {
    ...dataset,
    ratings: { ...dataset.ratings, rating: Float32Array.from(dataset.ratings.rating) },
  };
  for (const k of held.indices) changed.ratings.rating[k] = 6 - changed.ratings.rating[k];
  const { users, items } = pairs(dataset);
  for (const withValidation of [true, false]) {
    const fitted = async (d: Dataset): Promise<Float32Array> => {
      const model = new Blend(resolveConfig(blendSpec, { members }), getModelSpec);
      await model.fit(
        { dataset: d, indices: train.indices },
        withValidation ? { validation: { dataset: d, indices: validation.indices } } : {},
      );
      return model.predict(users, items);
    };
    const original = await fitted(dataset);
    assert.deepEqual(await fitted(changed), original, `validation part given: ${withValidation}`);
    // And the check can fail: changing one training rating changes predictions.
    const leaked: Dataset = {
      ...dataset,
      ratings: { ...dataset.ratings, rating: Float32Array.from(dataset.ratings.rating) },
    };
    leaked.ratings.rating[train.indices[0]] = leaked.ratings.rating[train.indices[0]] === 1 ? 5 : 1;
    assert.notDeepEqual(await fitted(leaked), original);
  }
});

test('blend: without a validation part, members are refitted on the whole training part', async () => {
  const { train } = data();
  const model = new Blend(resolveConfig(blendSpec, { members }), getModelSpec);
  const report = await model.fit(train);
  assert.match(report.notes?.[0] ?? '', /fitted on \d+ carved \(seed 1\) ratings: intercept/);
  const baseline = getModelSpec('baseline');
  const direct = baseline.create(resolveConfig(baseline, {}));
  await direct.fit(train);
  const saved = model.state();
  for (const [name, array] of Object.entries(direct.state().arrays))
    assert.deepEqual(saved.arrays[`member0.${name}`], array, `baseline array ${name}`);
});

test('blend: save → restore predicts and explains the same; a mismatched state is refused', async () => {
  const { dataset, train, validation } = data();
  const model = new Blend(resolveConfig(blendSpec, { members }), getModelSpec);
  await model.fit(train, { validation });
  const { users, items } = pairs(dataset);
  const state = model.state();
  const restored = Blend.restore(state, getModelSpec);
  assert.deepEqual(restored.predict(users, items), model.predict(users, items));
  const explanation = model.explain(2, 3);
  assert.deepEqual(restored.explain(2, 3), explanation);
  assert.equal(explanation.groups[0].weights.length, 3);
  assert.match(
    explanation.groups[0].weights[1].feature,
    /^baseline: weight -?\d\.\d{4} × prediction \d\.\d{4}$/,
  );
  const swapped = { ...state, config: { ...state.config, members: 'biasedmf,baseline' } };
  assert.throws(() => Blend.restore(swapped, getModelSpec), /saved member 0 is "baseline"/);
  const noWeights = { ...state, arrays: { ...state.arrays, weights: new Float64Array(1) } };
  assert.throws(() => Blend.restore(noWeights, getModelSpec), /disagree/);
});

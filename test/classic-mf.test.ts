import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { BaselineOnly, baselineSpec } from '../src/models/classic/baseline-only.js';
import { BiasedMF, biasedMfSpec } from '../src/models/classic/biased-mf.js';
import { GlobalMean } from '../src/models/classic/global-mean.js';
import { BiasedTrainer, SvdppTrainer, paddedStride } from '../src/models/classic/mf-kernels.js';
import { SVDpp, svdppSpec } from '../src/models/classic/svdpp.js';
import { resolveConfig } from '../src/models/config.js';
import { getModelSpec } from '../src/models/index.js';
import type { ConfigValue, ModelSpec, ModelState, RatingModel } from '../src/models/model.js';
import { UsageError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';
import { idMap } from '../test-helpers/datasets.js';

// float32 kernels against float64 hand arithmetic.
const close = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

function dataset(users: number, items: number, triples: Array<[number, number, number]>): Dataset {
  return {
    id: 'memory',
    users: idMap('u', users),
    items: idMap('i', items),
    ratings: {
      user: Int32Array.from(triples.map((t) => t[0])),
      item: Int32Array.from(triples.map((t) => t[1])),
      rating: Float32Array.from(triples.map((t) => t[2])),
    },
    scale: { min: 1, max: 5 },
    userFeatures: { count: users, fields: [] },
    itemFeatures: { count: items, fields: [] },
    predefinedSplits: {},
  };
}

const all = (d: Dataset): RatingSubset => ({ dataset: d, indices: Int32Array.from(d.ratings.rating.keys()) });

/**
 * Planted rank-2 data with biases: r = 3 + b_u + b_i + p_u·q_i + noise, clipped to 1..5. The
 * interaction term is large, so biases alone cannot explain it. Users 0..users-2 and items
 * 0..items-2 are split 80/20 at random into train and test; the last user and the last item have
 * ratings only in test (cold).
 */
function plantedLowRank(seed: number, users = 120, items = 60, density = 0.35) {
  const rng = new Rng(seed);
  const vec = (): number[] => [rng.normal(), rng.normal()];
  const p = Array.from({ length: users }, vec);
  const q = Array.from({ length: items }, vec);
  const bu = Array.from({ length: users }, () => 0.3 * rng.normal());
  const bi = Array.from({ length: items }, () => 0.3 * rng.normal());
  const triples: Array<[number, number, number]> = [];
  const train: number[] = [];
  const testIdx: number[] = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      if (rng.next() >= density) continue;
      const r = 3 + bu[u] + bi[i] + 0.8 * (p[u][0] * q[i][0] + p[u][1] * q[i][1]) + 0.1 * rng.normal();
      const cold = u === users - 1 || i === items - 1;
      (cold || rng.next() < 0.2 ? testIdx : train).push(triples.length);
      triples.push([u, i, Math.min(5, Math.max(1, r))]);
    }
  }
  const d = dataset(users, items, triples);
  return {
    dataset: d,
    train: { dataset: d, indices: Int32Array.from(train) },
    test: { dataset: d, indices: Int32Array.from(testIdx) },
  };
}

function predictSubset(model: RatingModel, subset: RatingSubset): Float32Array {
  const { user, item } = subset.dataset.ratings;
  return model.predict(
    Int32Array.from(subset.indices, (x) => user[x]),
    Int32Array.from(subset.indices, (x) => item[x]),
  );
}

function rmse(model: RatingModel, subset: RatingSubset): number {
  const p = predictSubset(model, subset);
  const { rating } = subset.dataset.ratings;
  let s = 0;
  subset.indices.forEach((x, k) => {
    const e = Math.min(5, Math.max(1, p[k])) - rating[x];
    s += e * e;
  });
  return Math.sqrt(s / subset.indices.length);
}

function create(spec: ModelSpec, overrides: Record<string, ConfigValue>): RatingModel {
  return spec.create(resolveConfig(spec, overrides));
}

/** Small, fast settings shared by the model-level tests. */
const SMALL: Record<string, Record<string, ConfigValue>> = {
  baseline: {},
  biasedmf: { factors: 6, epochs: 40, learningRate: 0.02, l2: 0.02, initStd: 0.1 },
  svdpp: { factors: 6, epochs: 40, learningRate: 0.02, l2: 0.02, initStd: 0.1 },
};
const SPECS: ModelSpec[] = [baselineSpec, biasedMfSpec, svdppSpec];

// ---------------------------------------------------------------------------------------------
// The kernels, step by step.

test('biasedmf kernel: one SGD step on a 2x2 example matches the hand computation', () => {
  // mu = 3, one rating r(0,1) = 4. p_0 = (0.1, 0.2), q_1 = (0.3, -0.4), b_0 = 0.5, b_1 = -0.2.
  // lr = 0.1, reg = 0.5 -> decay 0.95; lrBias = 0.2, regBias = 0.25 -> decay 0.95.
  // r̂ = 3 + 0.5 - 0.2 + (0.03 - 0.08) = 3.25, e = 0.75, lr*e = 0.075.
  const stride = paddedStride(2);
  assert.equal(stride, 8);
  const t = new BiasedTrainer(2, 2, stride, Int32Array.of(0), Int32Array.of(1), Float32Array.of(4));
  t.userFactors.set([0.1, 0.2], 0);
  t.userFactors.set([0.7, 0.8], stride);
  t.itemFactors.set([0.6, 0.5], 0);
  t.itemFactors.set([0.3, -0.4], stride);
  t.userBias.set([0.5, 0.9]);
  t.itemBias.set([0.4, -0.2]);
  const sse = t.epoch(3, { lr: 0.1, reg: 0.5, lrBias: 0.2, regBias: 0.25 });
  close(sse, 0.75 * 0.75);
  close(t.userBias[0], 0.95 * 0.5 + 0.2 * 0.75); // 0.625
  close(t.itemBias[1], 0.95 * -0.2 + 0.2 * 0.75); // -0.04
  close(t.userFactors[0], 0.1175); // 0.95*0.1 + 0.075*0.3
  close(t.userFactors[1], 0.16); // 0.95*0.2 + 0.075*(-0.4)
  close(t.itemFactors[stride], 0.2925); // 0.95*0.3 + 0.075*0.1
  close(t.itemFactors[stride + 1], -0.365); // 0.95*(-0.4) + 0.075*0.2
  // Untouched rows and the zero padding stay as they were.
  assert.deepEqual(Array.from(t.userFactors.subarray(stride, stride + 2)), [
    Math.fround(0.7),
    Math.fround(0.8),
  ]);
  assert.deepEqual(Array.from(t.itemFactors.subarray(0, 2)), [Math.fround(0.6), Math.fround(0.5)]);
  assert.equal(t.userBias[1], Math.fround(0.9));
  assert.equal(t.itemBias[0], Math.fround(0.4));
  assert.ok(t.userFactors.subarray(2, stride).every((v) => v === 0));
  assert.ok(t.itemFactors.subarray(stride + 2, 2 * stride).every((v) => v === 0));
});

test('svdpp kernel: one SGD step on a 2x2 example matches the hand computation', () => {
  // User 0 rated item 1 (r = 4), so N(0) = {1}, |N(0)|^-1/2 = 1 and z = y_1 = (0.2, 0.1).
  // p_0 + z = (0.3, 0.3); r̂ = 3 + 0.5 - 0.2 + (0.09 - 0.12) = 3.27, e = 0.73, lr*e = 0.073.
  const stride = paddedStride(2);
  const t = new SvdppTrainer(2, 2, stride, Int32Array.of(0), Int32Array.of(1), Float32Array.of(4));
  t.userFactors.set([0.1, 0.2], 0);
  t.itemFactors.set([0.3, -0.4], stride);
  t.implicitFactors.set([0.6, 0.6], 0);
  t.implicitFactors.set([0.2, 0.1], stride);
  t.userBias.set([0.5, 0]);
  t.itemBias.set([0, -0.2]);
  // lr = lrImplicit = 0.1, reg = regImplicit = 0.5 (decays 0.95); lrBias = 0.2, regBias = 0.25.
  const sse = t.epoch(3, { lr: 0.1, reg: 0.5, lrBias: 0.2, regBias: 0.25 }, 0.1, 0.5);
  close(sse, 0.73 * 0.73);
  close(t.userBias[0], 0.621); // 0.95*0.5 + 0.2*0.73
  close(t.itemBias[1], -0.044); // 0.95*(-0.2) + 0.2*0.73
  close(t.userFactors[0], 0.1169); // 0.95*0.1 + 0.073*0.3
  close(t.userFactors[1], 0.1608); // 0.95*0.2 + 0.073*(-0.4)
  close(t.itemFactors[stride], 0.3069); // 0.95*0.3 + 0.073*0.3
  close(t.itemFactors[stride + 1], -0.3581); // 0.95*(-0.4) + 0.073*0.3
  // y_1 <- 0.95*y_1 + 0.1*1*(e*q_1) with e*q_1 = (0.219, -0.292).
  close(t.implicitFactors[stride], 0.2119);
  close(t.implicitFactors[stride + 1], 0.0658);
  // y_0 is not in N(0): untouched.
  assert.deepEqual(Array.from(t.implicitFactors.subarray(0, 2)), [Math.fround(0.6), Math.fround(0.6)]);
});

/** A float64 reference of the documented updates, to compare whole epochs against. */
function referenceData(seed: number) {
  const rng = new Rng(seed);
  const users = 5;
  const items = 4;
  const triples: Array<[number, number, number]> = [];
  for (let u = 0; u < users; u++)
    for (let i = 0; i < items; i++) if (rng.next() < 0.6) triples.push([u, i, 1 + rng.int(5)]);
  const k = 3;
  const draw = (n: number): number[] => Array.from({ length: n * k }, () => 0.3 * rng.normal());
  return {
    users,
    items,
    triples,
    k,
    P: draw(users),
    Q: draw(items),
    Y: draw(items),
    bu: draw(users).slice(0, users),
    bi: draw(items).slice(0, items),
  };
}

function load(target: Float32Array, values: number[], rows: number, k: number, stride: number): void {
  for (let r = 0; r < rows; r++) for (let f = 0; f < k; f++) target[r * stride + f] = values[r * k + f];
}

function expectRows(actual: Float32Array, expected: number[], rows: number, k: number, stride: number): void {
  for (let r = 0; r < rows; r++)
    for (let f = 0; f < k; f++) close(actual[r * stride + f], expected[r * k + f], 1e-5);
}

/** A kernel trainer on the reference's triples, started from its P, Q, bu and bi. */
function referenceTrainer<T extends BiasedTrainer | SvdppTrainer>(
  Trainer: new (...args: ConstructorParameters<typeof BiasedTrainer>) => T,
  d: ReturnType<typeof referenceData>,
  stride: number,
): T {
  const t = new Trainer(
    d.users,
    d.items,
    stride,
    Int32Array.from(d.triples, (x) => x[0]),
    Int32Array.from(d.triples, (x) => x[1]),
    Float32Array.from(d.triples, (x) => x[2]),
  );
  load(t.userFactors, d.P, d.users, d.k, stride);
  load(t.itemFactors, d.Q, d.items, d.k, stride);
  t.userBias.set(d.bu);
  t.itemBias.set(d.bi);
  return t;
}

test('biasedmf kernel: a whole epoch in stored order matches a float64 reference', () => {
  const d = referenceData(3);
  const { k } = d;
  const stride = paddedStride(k);
  const [lr, reg, lrB, regB, mu] = [0.05, 0.1, 0.07, 0.2, 3.1];
  const t = referenceTrainer(BiasedTrainer, d, stride);
  const { P, Q, bu, bi } = d;
  let sse = 0;
  for (let epoch = 0; epoch < 2; epoch++) {
    for (const [u, i, r] of d.triples) {
      let dot = 0;
      for (let f = 0; f < k; f++) dot += P[u * k + f] * Q[i * k + f];
      const e = r - (mu + bu[u] + bi[i] + dot);
      if (epoch === 1) sse += e * e;
      bu[u] += lrB * (e - regB * bu[u]);
      bi[i] += lrB * (e - regB * bi[i]);
      for (let f = 0; f < k; f++) {
        const pf = P[u * k + f];
        const qf = Q[i * k + f];
        P[u * k + f] += lr * (e * qf - reg * pf);
        Q[i * k + f] += lr * (e * pf - reg * qf);
      }
    }
  }
  const rates = { lr, reg, lrBias: lrB, regBias: regB };
  t.epoch(mu, rates);
  close(t.epoch(mu, rates), sse, 1e-4);
  expectRows(t.userFactors, P, d.users, k, stride);
  expectRows(t.itemFactors, Q, d.items, k, stride);
  expectRows(t.userBias, bu, d.users, 1, 1);
  expectRows(t.itemBias, bi, d.items, 1, 1);
});

test('svdpp kernel: a whole epoch in stored order matches a float64 reference of the per-user scheme', () => {
  const d = referenceData(4);
  const { k } = d;
  const stride = paddedStride(k);
  const [lr, reg, lrB, regB, lrY, regY, mu] = [0.05, 0.1, 0.07, 0.2, 0.03, 0.3, 3.1];
  const t = referenceTrainer(SvdppTrainer, d, stride);
  load(t.implicitFactors, d.Y, d.items, k, stride);
  const { P, Q, Y, bu, bi } = d;
  let sse = 0;
  // The triples are in user order already, so "stored order" is user 0's ratings, then user 1's...
  for (let u = 0; u < d.users; u++) {
    const mine = d.triples.filter((x) => x[0] === u);
    if (mine.length === 0) continue;
    const norm = 1 / Math.sqrt(mine.length);
    const z = new Array<number>(k).fill(0);
    for (const [, j] of mine) for (let f = 0; f < k; f++) z[f] += norm * Y[j * k + f];
    const G = new Array<number>(k).fill(0);
    for (const [, i, r] of mine) {
      let dot = 0;
      for (let f = 0; f < k; f++) dot += (P[u * k + f] + z[f]) * Q[i * k + f];
      const e = r - (mu + bu[u] + bi[i] + dot);
      sse += e * e;
      bu[u] += lrB * (e - regB * bu[u]);
      bi[i] += lrB * (e - regB * bi[i]);
      for (let f = 0; f < k; f++) {
        const pf = P[u * k + f];
        const qf = Q[i * k + f];
        G[f] += e * qf;
        P[u * k + f] += lr * (e * qf - reg * pf);
        Q[i * k + f] += lr * (e * (pf + z[f]) - reg * qf);
      }
    }
    const decay = Math.pow(1 - lrY * regY, mine.length);
    for (const [, j] of mine)
      for (let f = 0; f < k; f++) Y[j * k + f] = decay * Y[j * k + f] + lrY * norm * G[f];
  }
  close(t.epoch(mu, { lr, reg, lrBias: lrB, regBias: regB }, lrY, regY), sse, 1e-4);
  expectRows(t.userFactors, P, d.users, k, stride);
  expectRows(t.itemFactors, Q, d.items, k, stride);
  expectRows(t.implicitFactors, Y, d.items, k, stride);
  expectRows(t.userBias, bu, d.users, 1, 1);
  expectRows(t.itemBias, bi, d.items, 1, 1);
});

test('kernel shuffles: permutations of the ratings, seeded, users kept whole', () => {
  const n = 500;
  const rng = new Rng(9);
  const user = Int32Array.from({ length: n }, () => rng.int(17));
  const item = Int32Array.from({ length: n }, (_, t) => t); // item = original position, to trace moves
  const rating = Float32Array.from({ length: n }, (_, t) => t % 5);
  const key = (u: number, i: number): string => `${u}:${i}`;
  const original = new Set(Array.from(user, (u, t) => key(u, item[t])));

  const svd = new SvdppTrainer(17, n, 8, user, item, rating);
  svd.shuffle(new Rng(1));
  const a = svd.visitOrder();
  const again = new SvdppTrainer(17, n, 8, user, item, rating);
  again.shuffle(new Rng(1));
  assert.deepEqual(again.visitOrder(), a, 'same seed, same order');
  const other = new SvdppTrainer(17, n, 8, user, item, rating);
  other.shuffle(new Rng(2));
  assert.notDeepEqual(other.visitOrder().items, a.items, 'another seed, another order');
  // Every user's segment still holds exactly that user's ratings, each with its own rating.
  const seen = new Set<string>();
  for (let u = 0; u < 17; u++) {
    for (let t = a.offsets[u]; t < a.offsets[u + 1]; t++) {
      const i = a.items[t];
      assert.equal(user[i], u);
      assert.equal(a.ratings[t], rating[i]);
      seen.add(key(u, i));
    }
  }
  assert.deepEqual(seen, original);
  assert.deepEqual(
    Array.from(a.users).sort((x, y) => x - y),
    Array.from(new Set(user)).sort((x, y) => x - y),
  );
  // Within-user order did change somewhere (not the identity).
  assert.ok(a.items.some((i, t) => t > 0 && a.items[t - 1] > i));
});

// ---------------------------------------------------------------------------------------------
// The models.

test('registry lists baseline, biasedmf and svdpp', () => {
  assert.equal(getModelSpec('baseline'), baselineSpec);
  assert.equal(getModelSpec('biasedmf'), biasedMfSpec);
  assert.equal(getModelSpec('svdpp'), svdppSpec);
});

test('baseline ALS: one epoch matches the hand computation', async () => {
  // Ratings (u0,i0,5), (u0,i1,3), (u1,i0,4): mu = 4. With reg_i = reg_u = 1, one epoch gives
  // b_i0 = (1 + 0)/(1+2) = 1/3, b_i1 = -1/(1+1) = -1/2, then
  // b_u0 = ((5-4-1/3) + (3-4+1/2))/(1+2) = 1/18, b_u1 = (0 - 1/3)/(1+1) = -1/6.
  const d = dataset(2, 2, [
    [0, 0, 5],
    [0, 1, 3],
    [1, 0, 4],
  ]);
  const model = create(baselineSpec, { epochs: 1, userL2: 1, itemL2: 1 });
  await model.fit(all(d));
  const p = model.predict(Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 1, 0, 1));
  close(p[0], 4 + 1 / 18 + 1 / 3);
  close(p[1], 4 + 1 / 18 - 1 / 2);
  close(p[2], 4 - 1 / 6 + 1 / 3);
  close(p[3], 4 - 1 / 6 - 1 / 2);
});

test('every MF model beats the global mean on planted low-rank data; biasedmf and svdpp beat the baseline', async () => {
  const { train, test: held } = plantedLowRank(11);
  const mean = new GlobalMean({});
  await mean.fit(train);
  const floor = rmse(mean, held);
  const scores: Record<string, number> = {};
  for (const spec of SPECS) {
    const model = create(spec, SMALL[spec.id]);
    const report = await model.fit(train);
    assert.equal(report.samplesProcessed, report.epochs * train.indices.length);
    scores[spec.id] = rmse(model, held);
    assert.ok(scores[spec.id] < floor, `${spec.id} ${scores[spec.id]} vs global mean ${floor}`);
  }
  assert.ok(scores.biasedmf < scores.baseline, `biasedmf ${scores.biasedmf} vs baseline ${scores.baseline}`);
  assert.ok(scores.svdpp < scores.baseline, `svdpp ${scores.svdpp} vs baseline ${scores.baseline}`);
  // The shipped defaults must work too (more epochs, smaller steps), not just the test settings.
  for (const spec of [biasedMfSpec, svdppSpec]) {
    const model = create(spec, { factors: 8 });
    await model.fit(train);
    const score = rmse(model, held);
    assert.ok(score < scores.baseline, `${spec.id} with defaults ${score} vs baseline ${scores.baseline}`);
  }
});

test('same seed gives identical predictions; another seed gives different ones', async () => {
  const { train, test: held } = plantedLowRank(12, 40, 30);
  for (const spec of SPECS) {
    const settings = { ...SMALL[spec.id], epochs: 5, ...(spec.id === 'baseline' ? { solver: 'sgd' } : {}) };
    const fit = async (seed: number): Promise<Float32Array> => {
      const model = create(spec, { ...settings, seed });
      await model.fit(train);
      return predictSubset(model, held);
    };
    const a = await fit(5);
    assert.deepEqual(await fit(5), a, spec.id);
    assert.notDeepEqual(await fit(6), a, spec.id);
  }
});

test('state() and restore() round-trip to identical predictions', async () => {
  const { dataset: d, train } = plantedLowRank(13, 40, 30);
  const users = Int32Array.from({ length: 40 * 30 }, (_, t) => Math.floor(t / 30));
  const items = Int32Array.from({ length: 40 * 30 }, (_, t) => t % 30);
  for (const spec of SPECS) {
    const model = create(spec, { ...SMALL[spec.id], epochs: 5 });
    await model.fit(train);
    const state = model.state();
    for (const a of Object.values(state.arrays)) assert.ok(ArrayBuffer.isView(a));
    // Through JSON and fresh typed arrays, as an artifact on disk would be.
    const copy: ModelState = {
      id: state.id,
      config: JSON.parse(JSON.stringify(state.config)) as ModelState['config'],
      meta: JSON.parse(JSON.stringify(state.meta)) as ModelState['meta'],
      arrays: Object.fromEntries(Object.entries(state.arrays).map(([k, a]) => [k, a.slice()])),
    };
    const restored = spec.restore(copy);
    assert.equal(restored.id, spec.id);
    assert.deepEqual(restored.predict(users, items), model.predict(users, items), spec.id);
    assert.equal(d.users.ids.length, 40);
  }
});

test('restore rejects a state whose arrays do not fit its metadata', async () => {
  const { train } = plantedLowRank(14, 20, 10);
  const model = create(biasedMfSpec, { ...SMALL.biasedmf, epochs: 1 });
  await model.fit(train);
  const state = model.state();
  const broken = { ...state, arrays: { ...state.arrays, itemBias: new Float32Array(3) } };
  assert.throws(() => biasedMfSpec.restore(broken), /array "itemBias" has 3 values, expected 10/);
});

test('users and items without training ratings get finite predictions from biases only', async () => {
  const { dataset: d, train } = plantedLowRank(15, 30, 20);
  const coldUser = 29;
  const coldItem = 19;
  for (const spec of SPECS) {
    const model = create(spec, { ...SMALL[spec.id], epochs: 5 });
    assert.equal(model.handlesColdStart, false);
    await model.fit(train);
    const p = model.predict(
      Int32Array.of(coldUser, coldUser, 0, -1, 1000),
      Int32Array.of(coldItem, 0, coldItem, 0, 1000),
    );
    assert.ok(p.every(Number.isFinite), `${spec.id}: ${Array.from(p)}`);
    // A cold user and a cold item meet at the global mean; a cold user's score is mu + b_i.
    const { rating } = d.ratings;
    const mu = Array.from(train.indices, (x) => rating[x]).reduce((s, r) => s + r, 0) / train.indices.length;
    close(p[0], mu, 1e-5);
    close(p[4], mu, 1e-5);
    const itemOnly = model.predict(Int32Array.of(coldUser), Int32Array.of(0))[0];
    const other = model.predict(Int32Array.of(coldUser), Int32Array.of(1))[0];
    assert.notEqual(itemOnly, other, `${spec.id}: item biases still apply for a cold user`);
  }
});

test('an aborted fit stops after the current epoch and leaves a usable model', async () => {
  const { train, test: held } = plantedLowRank(16, 30, 20);
  for (const model of [
    new BiasedMF(resolveConfig(biasedMfSpec, SMALL.biasedmf)),
    new SVDpp(resolveConfig(svdppSpec, SMALL.svdpp)),
    new BaselineOnly(resolveConfig(baselineSpec, {})),
  ]) {
    const controller = new AbortController();
    const events: number[] = [];
    const report = await model.fit(train, {
      validation: held,
      signal: controller.signal,
      onProgress: (e) => {
        events.push(e.epoch);
        assert.ok(e.validationRmse !== undefined && Number.isFinite(e.validationRmse));
        assert.ok(e.trainLoss !== undefined && e.trainLoss >= 0);
        if (e.epoch === 2) controller.abort();
      },
    });
    assert.equal(report.epochs, 2, model.id);
    assert.deepEqual(events, [1, 2]);
    assert.ok(predictSubset(model, held).every(Number.isFinite));
  }
});

test('bad settings fail naming the model and key', () => {
  assert.throws(
    () => create(biasedMfSpec, { factors: 0 }),
    (e: unknown) => e instanceof UsageError && /"biasedmf" setting "factors"/.test(e.message),
  );
  assert.throws(
    () => create(svdppSpec, { learningRate: -1 }),
    /model "svdpp" setting "learningRate" must be a number >= 0, got -1$/,
  );
  assert.throws(
    () => create(baselineSpec, { solver: 'newton' }),
    /model "baseline" setting "solver" must be one of als, sgd, got "newton"/,
  );
  assert.throws(() => create(biasedMfSpec, { epochs: 2.5 }), /"epochs" must be an integer >= 0, got 2.5/);
});

test('every X-wasm.ts (the MF, FM and RSAttAE kernels) is the current build of its X.wat', (t) => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  if (!existsSync(`${root}node_modules/wabt`)) {
    t.skip('devDependency wabt is not installed (npm install) - cannot rebuild the kernels to compare');
    return;
  }
  const out = execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.match(out, /mf-kernels-wasm\.ts is current/);
  assert.match(out, /fm-kernels-wasm\.ts is current/);
  assert.match(out, /sparse-kernels-wasm\.ts is current/);
});

test('a diverging fit fails with advice instead of leaving NaN predictions', async () => {
  const { train } = plantedLowRank(17, 30, 20);
  for (const spec of [biasedMfSpec, svdppSpec]) {
    const model = create(spec, { ...SMALL[spec.id], learningRate: 50, biasLearningRate: 50 });
    await assert.rejects(model.fit(train), /training diverged in epoch \d+ .*lower "learningRate"/);
  }
});

test('kernels: splitting an epoch into calls of any size gives identical numbers', () => {
  const rng = new Rng(21);
  const n = 3000;
  const user = Int32Array.from({ length: n }, () => rng.int(40));
  const item = Int32Array.from({ length: n }, () => rng.int(25));
  const rating = Float32Array.from({ length: n }, () => 1 + rng.int(5));
  const rates = { lr: 0.01, reg: 0.05, lrBias: 0.01, regBias: 0.02 };
  const run = <T extends BiasedTrainer | SvdppTrainer>(
    trainer: T,
    chunk: number,
    epoch: (t: T) => number,
  ) => {
    trainer.chunk = chunk;
    const init = new Rng(3);
    for (const a of [trainer.userFactors, trainer.itemFactors])
      for (let x = 0; x < a.length; x++) a[x] = x % 8 < 5 ? 0.1 * init.normal() : 0;
    if (trainer instanceof SvdppTrainer)
      for (let x = 0; x < trainer.implicitFactors.length; x++)
        trainer.implicitFactors[x] = x % 8 < 5 ? 0.1 * init.normal() : 0;
    const shuffler = new Rng(4);
    const sse: number[] = [];
    for (let e = 0; e < 2; e++) {
      trainer.shuffle(shuffler);
      sse.push(epoch(trainer));
    }
    return {
      sse,
      p: trainer.userFactors.slice(),
      q: trainer.itemFactors.slice(),
      bi: trainer.itemBias.slice(),
    };
  };
  const biased = (chunk: number) =>
    run(new BiasedTrainer(40, 25, 8, user, item, rating), chunk, (t) => t.epoch(3, rates));
  assert.deepEqual(biased(7), biased(1 << 20));
  const svdpp = (chunk: number) =>
    run(new SvdppTrainer(40, 25, 8, user, item, rating), chunk, (t) => t.epoch(3, rates, 0.01, 0.01));
  const whole = svdpp(1 << 20);
  assert.deepEqual(svdpp(100), whole);
  assert.deepEqual(svdpp(1), whole);
});

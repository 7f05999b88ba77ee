/**
 * AANMF and AANMF+P (src/models/aanmf/): the attention cell (Algorithm 1) and both poolings
 * against finite differences and hand-computed values, Eq. 6 against the explicit pair sum,
 * training on the synthetic data set, explanations, save/restore and config errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Dataset, RatingSubset, Split } from '../src/data/dataset.js';
import { generateSyntheticWithTruth } from '../src/data/loaders/synthetic.js';
import { ratioSplit } from '../src/data/split.js';
import { gradCheck, initEngine } from '../src/engine/index.js';
import { aanmfPSpec, aanmfSpec, AANMF_DEFAULTS } from '../src/models/aanmf/aanmf.js';
import { attentionCell, pairwisePooling, weightedPooling } from '../src/models/aanmf/attention-cell.js';
import { loadArtifact, saveArtifact } from '../src/models/artifact.js';
import { resolveConfig } from '../src/models/config.js';
import { getModelSpec } from '../src/models/index.js';
import type { RatingModel } from '../src/models/model.js';
import { trainingStats } from '../src/models/predictor.js';
import { normal, project } from '../test-helpers/gradcheck.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-aanmf-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

before(async () => {
  await initEngine({ backend: 'wasm' });
});

const [B, S, K] = [3, 3, 4];
const PRESENT = Float32Array.from([1, 1, 1, 1, 0, 1, 1, 1, 0]);

test('attention cell (Algorithm 1): gradients of a, q, W1, b1, W2, b2 match finite differences', () => {
  const inputs = [
    { name: 'a', shape: [B, S, K], value: normal(B * S * K, 1) },
    { name: 'q', shape: [B, K], value: normal(B * K, 2) },
    { name: 'w1', shape: [2 * K, K], value: normal(2 * K * K, 3, 0.7) },
    { name: 'b1', shape: [K], value: normal(K, 4, 0.3) },
    { name: 'w2', shape: [K, 1], value: normal(K, 5) },
    // b2 keeps the ReLU of step 3 away from its kink at 0 for most scores.
    { name: 'b2', shape: [1], value: Float32Array.of(0.8) },
  ];
  const result = gradCheck(
    (xs) => {
      const lambda = attentionCell(
        xs[0] as tf.Tensor3D,
        xs[1] as tf.Tensor2D,
        {
          w1: xs[2] as tf.Tensor2D,
          b1: xs[3] as tf.Tensor1D,
          w2: xs[4] as tf.Tensor2D,
          b2: xs[5] as tf.Tensor1D,
        },
        PRESENT,
      );
      return project(lambda, 6);
    },
    inputs,
    { samples: 16 },
  );
  assert.deepEqual(result.mismatches, []);
  assert.ok(result.checked >= 50, `only ${result.checked} coordinates checked`);
});

test('attention cell: λ by hand, ReLU before the softmax, padding gets 0', () => {
  // K = 1: v_j = tanh(w1a·a_j + w1q·q + b1), score_j = ReLU(w2·v_j + b2).
  const a = [0.5, -2, 1];
  const q = 1;
  const [w1a, w1q, b1, w2, b2] = [1, 0.5, 0.1, 2, 0];
  const lambda = tf.tidy(() =>
    Array.from(
      attentionCell(
        tf.tensor3d(a, [1, 3, 1]),
        tf.tensor2d([q], [1, 1]),
        {
          w1: tf.tensor2d([w1a, w1q], [2, 1]),
          b1: tf.tensor1d([b1]),
          w2: tf.tensor2d([w2], [1, 1]),
          b2: tf.tensor1d([b2]),
        },
        Float32Array.from([1, 1, 0]),
      ).dataSync(),
    ),
  );
  const score = a.slice(0, 2).map((x) => Math.max(0, w2 * Math.tanh(w1a * x + w1q * q + b1) + b2));
  assert.equal(score[1], 0); // a_2 = -2 gives a negative score: ReLU makes it 0
  const z = Math.exp(score[0]) + Math.exp(score[1]);
  assert.ok(Math.abs(lambda[0] - Math.exp(score[0]) / z) < 1e-6);
  assert.ok(Math.abs(lambda[1] - Math.exp(score[1]) / z) < 1e-6);
  assert.equal(lambda[2], 0);
});

test('pair-wise pooling (Eq. 6) equals the sum over all pairs of {p_u, λ_j a_j} (Eq. 5); both poolings pass gradient checks', () => {
  const p = normal(B * K, 7);
  const a = normal(B * S * K, 8);
  const lambda = Float32Array.from([0.2, 0.3, 0.5, 0.6, 0, 0.4, 1, 0, 0]);
  const got = tf.tidy(() =>
    Array.from(
      pairwisePooling(
        tf.tensor2d(p, [B, K]),
        tf.tensor3d(a, [B, S, K]),
        tf.tensor2d(lambda, [B, S]),
      ).dataSync(),
    ),
  );
  const sumPooled = tf.tidy(() =>
    Array.from(
      weightedPooling(
        tf.tensor2d(p, [B, K]),
        tf.tensor3d(a, [B, S, K]),
        tf.tensor2d(lambda, [B, S]),
      ).dataSync(),
    ),
  );
  for (let n = 0; n < B; n++) {
    for (let c = 0; c < K; c++) {
      const set = [
        p[n * K + c],
        ...Array.from({ length: S }, (_, j) => lambda[n * S + j] * a[(n * S + j) * K + c]),
      ];
      let pairs = 0;
      for (let x = 0; x < set.length; x++) for (let y = x + 1; y < set.length; y++) pairs += set[x] * set[y];
      assert.ok(
        Math.abs(got[n * K + c] - pairs) < 1e-5,
        `pairwise [${n}, ${c}]: ${got[n * K + c]} vs ${pairs}`,
      );
      const sum = set.reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(sumPooled[n * K + c] - sum) < 1e-5, `weighted [${n}, ${c}]`);
    }
  }
  for (const pool of [pairwisePooling, weightedPooling]) {
    const result = gradCheck(
      (xs) => project(pool(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor3D, xs[2] as tf.Tensor2D), 9),
      [
        { name: 'p', shape: [B, K], value: p.slice() },
        { name: 'a', shape: [B, S, K], value: a.slice() },
        { name: 'lambda', shape: [B, S], value: lambda.slice() },
      ],
      { samples: 12 },
    );
    assert.deepEqual(result.mismatches, [], pool.name);
  }
});

// One AANMF+P fit on the synthetic data, shared by the tests below (training is the slow part).
// 80 ratings per user: with 30, a user's favourite director or genres (the planted taste) is seen
// too rarely for the id embeddings to learn it, and AANMF+P sits at the biases-only error.
const synthetic = (() => {
  let fitted: Promise<{ model: RatingModel; dataset: Dataset; split: Split }> | undefined;
  return () =>
    (fitted ??= (async () => {
      const { dataset } = generateSyntheticWithTruth({ seed: 4, users: 200, items: 150, ratingsPerUser: 80 });
      const split = ratioSplit(dataset, { train: 0.8, validation: 0.1, test: 0.1 }, 2);
      const model = aanmfPSpec.create(
        resolveConfig(aanmfPSpec, { factors: '16', epochs: '12', learningRate: '0.005', batchSize: '128' }),
      );
      await model.fit(
        { dataset, indices: split.train },
        { validation: { dataset, indices: split.validation } },
      );
      return { model, dataset, split };
    })());
})();

test('AANMF+P learns the synthetic data (beats the global mean) and explains with weights over user attributes', async () => {
  const { model, dataset, split } = await synthetic();
  const train: RatingSubset = { dataset, indices: split.train };
  const r = dataset.ratings;
  const users = Int32Array.from(split.test, (i) => r.user[i]);
  const items = Int32Array.from(split.test, (i) => r.item[i]);
  const truth = Float32Array.from(split.test, (i) => r.rating[i]);
  const pred = model.predict(users, items);
  const stats = trainingStats(train);
  let sseModel = 0;
  let sseMean = 0;
  for (let k = 0; k < truth.length; k++) {
    const p = Math.min(5, Math.max(1, pred[k]));
    sseModel += (p - truth[k]) ** 2;
    sseMean += (stats.globalMean - truth[k]) ** 2;
  }
  const rmse = Math.sqrt(sseModel / truth.length);
  const rmseMean = Math.sqrt(sseMean / truth.length);
  assert.ok(rmse < rmseMean - 0.05, `AANMF+P RMSE ${rmse.toFixed(4)} vs global mean ${rmseMean.toFixed(4)}`);

  const e = model.explain?.(users[0], items[0]);
  assert.ok(e !== undefined);
  assert.equal(e.model, 'aanmf-p');
  assert.equal(e.groups[0].name, 'user attributes');
  const names = e.groups[0].weights.map((w) => w.feature);
  assert.equal(names.length, 2);
  assert.ok(names[0].startsWith('age=') && names[1].startsWith('taste='), names.join(', '));
  const sum = e.groups[0].weights.reduce((s, w) => s + w.weight, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5, `weights sum to ${sum}`);
});

// Issue 3 regression: λ used to be exactly uniform (0.5, 0.5) after training. Two causes, both
// fixed in src/models/aanmf/aanmf.ts: coupled L2 under Adam drove W1 and W2 to zero (their data
// gradient is tiny, and Adam turns the L2 term alone into steps of the full learning rate), and b2
// drifted below every score W2·v_j, so Algorithm 1's ReLU passed no gradient to the cell again.
test('AANMF+P attention depends on the item (Algorithm 1 conditions λ on q_i); the cell does not collapse', async () => {
  const { model, dataset } = await synthetic();
  const arrays = model.state().arrays;
  for (const name of ['cell.w1', 'cell.w2']) {
    const w = arrays[name];
    assert.ok(w !== undefined, name);
    let sum = 0;
    for (const x of w) sum += x * x;
    const rms = Math.sqrt(sum / w.length);
    assert.ok(rms > 0.05, `${name} collapsed: RMS ${rms}`);
  }
  const items = Math.min(30, dataset.items.ids.length);
  let widest = 0;
  for (let u = 0; u < 40; u++) {
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < items; i++) {
      const weights = model.explain?.(u, i).groups[0].weights ?? [];
      assert.equal(weights.length, 2);
      lo = Math.min(lo, weights[0].weight);
      hi = Math.max(hi, weights[0].weight);
    }
    widest = Math.max(widest, hi - lo);
  }
  // λ of some user's attributes moves with the item by more than float noise. (Which attribute
  // gets the weight is not fixed: under pair-wise pooling either vector can carry the taste group.)
  assert.ok(widest > 0.01, `λ(age) varies across items by at most ${widest}`);
});

test('AANMF+P prediction by hand from the saved arrays: Algorithm 1, Eq. 6, inner product with q_i, biases', async () => {
  const { dataset } = generateSyntheticWithTruth({ seed: 6, users: 30, items: 20, ratingsPerUser: 8 });
  const model = aanmfPSpec.create(resolveConfig(aanmfPSpec, { factors: '4', epochs: '1' }));
  await model.fit({ dataset, indices: Int32Array.from({ length: 200 }, (_, i) => i) });
  const st = model.state().arrays;
  const get = (name: string): Float32Array => {
    const a = st[name];
    assert.ok(a instanceof Float32Array, name);
    return a;
  };
  // fcLayers 0 with the product: no output unit, the score is the plain inner product.
  assert.equal(st['out.w'], undefined);
  const [p, q, attr, w1, b1, w2, b2] = [
    'p',
    'q',
    'attributes',
    'cell.w1',
    'cell.b1',
    'cell.w2',
    'cell.b2',
  ].map(get);
  const slots = st['userSlots'];
  assert.ok(slots instanceof Int32Array);
  const k = 4;
  const width = slots.length / dataset.users.ids.length;
  for (const [u, i] of [
    [3, 7],
    [11, 0],
  ]) {
    const codes = Array.from(slots.subarray(u * width, u * width + width)).filter((c) => c >= 0);
    const scores = codes.map((c) => {
      let s = b2[0];
      for (let h = 0; h < k; h++) {
        let z = b1[h];
        for (let d = 0; d < k; d++) z += attr[c * k + d] * w1[d * k + h] + q[i * k + d] * w1[(k + d) * k + h];
        s += Math.tanh(z) * w2[h];
      }
      return Math.exp(Math.max(0, s));
    });
    const total = scores.reduce((a, b) => a + b, 0);
    const lambda = scores.map((x) => x / total);
    let dot = 0;
    for (let d = 0; d < k; d++) {
      const set = [p[u * k + d], ...codes.map((c, j) => lambda[j] * attr[c * k + d])];
      let pairs = 0;
      for (let x = 0; x < set.length; x++) for (let y = x + 1; y < set.length; y++) pairs += set[x] * set[y];
      dot += pairs * q[i * k + d];
    }
    const expected = get('mu')[0] + get('userBias')[u] + get('itemBias')[i] + dot;
    const got = model.predict(Int32Array.of(u), Int32Array.of(i))[0];
    assert.ok(Math.abs(got - expected) < 1e-4, `(${u}, ${i}): ${got} vs ${expected}`);
    const weights = model.explain?.(u, i).groups[0].weights.map((w) => w.weight) ?? [];
    lambda.forEach((l, j) => assert.ok(Math.abs(weights[j] - l) < 1e-5, `λ_${j}: ${weights[j]} vs ${l}`));
  }
});

test('AANMF: save/restore through an artifact keeps predictions and explanations', async () => {
  const { dataset } = generateSyntheticWithTruth({ seed: 6, users: 40, items: 30, ratingsPerUser: 10 });
  const train: RatingSubset = { dataset, indices: Int32Array.from({ length: 300 }, (_, i) => i) };
  for (const spec of [aanmfSpec, aanmfPSpec]) {
    const model = spec.create(resolveConfig(spec, { factors: '8', epochs: '2' }));
    await model.fit(train);
    const users = dataset.ratings.user.slice(300, 400);
    const items = dataset.ratings.item.slice(300, 400);
    const before = model.predict(users, items);
    const dir = path.join(tmp, spec.id);
    saveArtifact(dir, { model, dataset, stats: trainingStats(train) });
    const loaded = loadArtifact(dir);
    assert.equal(loaded.model.id, spec.id);
    assert.deepEqual(Array.from(loaded.model.predict(users, items)), Array.from(before));
    assert.deepEqual(loaded.model.explain?.(users[1], items[1]), model.explain?.(users[1], items[1]));
  }
});

test('AANMF config: ids, defaults, and errors that name the setting', async () => {
  assert.equal(getModelSpec('aanmf'), aanmfSpec);
  assert.equal(getModelSpec('aanmf-p'), aanmfPSpec);
  assert.equal(aanmfSpec.defaults.pooling, 'sum');
  assert.equal(aanmfPSpec.defaults.pooling, 'pairwise');
  assert.throws(
    () => aanmfSpec.create({ ...AANMF_DEFAULTS, pooling: 'max' }),
    /"pooling" must be one of sum, pairwise/,
  );
  assert.throws(
    () => aanmfSpec.create({ ...AANMF_DEFAULTS, fcLayers: -1 }),
    /"fcLayers" must be an integer >= 0/,
  );
  const { dataset } = generateSyntheticWithTruth({ seed: 6, users: 20, items: 20, ratingsPerUser: 5 });
  const model = aanmfSpec.create({ ...AANMF_DEFAULTS, userFeatures: 'income' });
  await assert.rejects(
    model.fit({ dataset, indices: Int32Array.of(0, 1, 2) }),
    /setting "userFeatures": no feature field "income".*fields: age, taste/,
  );
  const none = aanmfSpec.create({ ...AANMF_DEFAULTS, userFeatures: 'none' });
  await assert.rejects(
    none.fit({ dataset, indices: Int32Array.of(0, 1, 2) }),
    /gives the users no attributes/,
  );
});

/**
 * The FM family's field layout (src/models/baselines/field-inputs.ts) checked by hand on a data set
 * small enough to write down, and the forward passes of NCF, NFM and xDeepFM against naive
 * references written with plain loops over the models' own weights (every weight set to a random value first, biases and linear
 * weights included), the Bi-Interaction identity ½((Σv)² − Σv²) = Σ_{i<j} vᵢ⊙vⱼ, the shape of
 * xDeepFM's CIN output, and xDeepFM's gradient against finite differences.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initEngine } from '../src/engine/backend.js';
import { gradCheck } from '../src/engine/gradcheck.js';
import type { Params } from '../src/engine/params.js';
import { StepContext } from '../src/engine/step.js';
import { IdMapBuilder, type Dataset } from '../src/data/dataset.js';
import { codedField, featureTable, multiField } from '../src/data/features.js';
import {
  batchSlots,
  buildFieldInputs,
  fieldInputsArrays,
  fieldInputsMeta,
  poolFields,
  restoreFieldInputs,
  type FieldInputs,
} from '../src/models/baselines/field-inputs.js';
import { selectFeatureFields } from '../src/models/feature-selection.js';
import { NCF_DEFAULTS, NeuMF } from '../src/models/baselines/ncf.js';
import { NFM_DEFAULTS, NfmNetwork } from '../src/models/baselines/nfm.js';
import { XDEEPFM_DEFAULTS, XDeepFmNetwork } from '../src/models/baselines/xdeepfm.js';
import { DataError, UsageError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

function ids(n: number, prefix: string): ReturnType<IdMapBuilder['build']> {
  const b = new IdMapBuilder();
  for (let i = 0; i < n; i++) b.intern(`${prefix}${i}`);
  return b.build();
}

/**
 * 2 users with a gender; 3 items with genres (multi) and a director:
 * item 0: genres {a, b}, director x; item 1: genres {b}, director y; item 2: no genre, no director.
 */
function tinyDataset(): Dataset {
  const user = Int32Array.from([0, 0, 1, 1, 1]);
  const item = Int32Array.from([0, 1, 0, 1, 2]);
  const rating = Float32Array.from([5, 3, 4, 2, 1]);
  return {
    id: 'tiny',
    users: ids(2, 'u'),
    items: ids(3, 'i'),
    ratings: { user, item, rating },
    scale: { min: 1, max: 5 },
    userFeatures: featureTable(2, [codedField('gender', ['F', 'M'], Int32Array.from([1, 0]))]),
    itemFeatures: featureTable(3, [
      multiField('genre', [['a', 'b'], ['b'], []], { vocabulary: ['a', 'b'] }),
      codedField('director', ['x', 'y'], Int32Array.from([0, 1, -1])),
    ]),
    predefinedSplits: {},
  };
}

test('field layout: ids, categorical and mean-pooled multi-valued fields by hand', () => {
  const d = tinyDataset();
  const inputs = buildFieldInputs(d, d.userFeatures, d.itemFeatures);
  assert.deepEqual(inputs.fields, ['user', 'user.gender', 'item', 'item.genre', 'item.director']);
  // Global index space: users 0-1, items 2-4, gender 5-6, genre 7-8, director 9-10.
  assert.equal(inputs.vocabulary, 11);
  assert.equal(inputs.user.width, 2);
  assert.equal(inputs.item.width, 4); // id, 2 genre slots, director
  assert.deepEqual([...inputs.fieldSlot], [0, 1, 2, 3, 5, 6]);
  assert.deepEqual([...inputs.user.codes], [0, 6, 1, 5]); // u0 is M (code 1), u1 is F
  assert.deepEqual([...inputs.user.weights], [1, 1, 1, 1]);
  assert.deepEqual([...inputs.item.codes], [2, 7, 8, 9, 3, 8, -1, 10, 4, -1, -1, -1]);
  assert.deepEqual([...inputs.item.weights], [1, 0.5, 0.5, 1, 1, 1, 0, 1, 1, 0, 0, 0]);

  const batch = batchSlots(inputs, Int32Array.from([1, 0]), Int32Array.from([1, 2]));
  assert.deepEqual([...batch.codes], [1, 5, 3, 8, -1, 10, 0, 6, 4, -1, -1, -1]);
  assert.deepEqual([...batch.weights], [1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0]);
  assert.throws(() => batchSlots(inputs, Int32Array.from([2]), Int32Array.from([0])), UsageError);
});

test('field layout: feature selection and its errors', () => {
  const d = tinyDataset();
  const inputs = buildFieldInputs(
    d,
    selectFeatureFields(d.userFeatures, 'none', 'userFeatures'),
    selectFeatureFields(d.itemFeatures, 'director', 'itemFeatures'),
  );
  assert.deepEqual(inputs.fields, ['user', 'item', 'item.director']);
  assert.equal(inputs.vocabulary, 2 + 3 + 2);
  assert.throws(
    () => selectFeatureFields(d.itemFeatures, 'genre,budget', 'itemFeatures'),
    (e: unknown) => e instanceof UsageError && /itemFeatures.*"budget".*genre, director/.test(e.message),
  );
});

test('poolFields: single-slot fields pass through, a multi-slot field is its weighted sum', () => {
  const d = tinyDataset();
  const inputs = buildFieldInputs(d, d.userFeatures, d.itemFeatures);
  const s = 6;
  const k = 2;
  // Slot vector j of row b is [10b + j, -(10b + j)].
  const v = new Float32Array(2 * s * k);
  for (let b = 0; b < 2; b++) for (let j = 0; j < s; j++) v.set([10 * b + j, -(10 * b + j)], (b * s + j) * k);
  const w = Float32Array.from([1, 1, 1, 0.5, 0.5, 1, 1, 1, 1, 1, 0, 1]);
  const out = tf.tidy(() =>
    poolFields(inputs, tf.tensor3d(v, [2, s, k]), tf.tensor2d(w, [2, s])).arraySync(),
  ) as number[][][];
  // Row 0: fields = slot 0, slot 1, slot 2, ½slot 3 + ½slot 4, slot 5.
  assert.deepEqual(out[0], [
    [0, -0],
    [1, -1],
    [2, -2],
    [3.5, -3.5],
    [5, -5],
  ]);
  // Row 1: the second genre slot is padding (weight 0).
  assert.deepEqual(out[1], [
    [10, -10],
    [11, -11],
    [12, -12],
    [13, -13],
    [15, -15],
  ]);
});

test('field layout: saved and restored through meta and arrays; broken pieces are named', () => {
  const d = tinyDataset();
  const inputs = buildFieldInputs(d, d.userFeatures, d.itemFeatures);
  const meta = JSON.parse(JSON.stringify(fieldInputsMeta(inputs))) as unknown;
  const arrays = fieldInputsArrays(inputs);
  const back = restoreFieldInputs(meta, arrays, 'm.json');
  assert.deepEqual(back.fields, inputs.fields);
  assert.deepEqual([...back.fieldSlot], [...inputs.fieldSlot]);
  assert.deepEqual([...back.item.codes], [...inputs.item.codes]);
  assert.deepEqual([...back.item.weights], [...inputs.item.weights]);
  assert.equal(back.vocabulary, inputs.vocabulary);
  assert.throws(
    () => restoreFieldInputs(meta, { ...arrays, 'inputs.itemCodes': new Int32Array(3) }, 'm.json'),
    (e: unknown) => e instanceof DataError && /m\.json.*inputs\.itemCodes/.test(e.message),
  );
  assert.throws(
    () => restoreFieldInputs({ ...(meta as object), vocabulary: -1 }, arrays, 'm.json'),
    (e: unknown) => e instanceof DataError && /meta\.vocabulary/.test(e.message),
  );
});

const USERS = Int32Array.from([0, 1, 1, 0]);
const ITEMS = Int32Array.from([0, 0, 2, 1]);

/** Every parameter (biases and zero-initialised tables too) gets N(0, scale²) values. */
function randomize(params: Params, seed: number, scale = 0.5): void {
  const rng = new Rng(seed);
  for (const p of params.list()) {
    for (let i = 0; i < p.value.length; i++) p.value[i] = rng.normal() * scale;
    if (p.kind === 'dense') p.sync();
  }
}

function value(params: Params, name: string): Float32Array {
  return params.get(name).value;
}

/** y = x·W + b for W [in, out] stored row-major. */
function denseRef(x: number[], w: Float32Array, b: Float32Array | undefined, out: number): number[] {
  const y: number[] = [];
  for (let o = 0; o < out; o++) {
    let s = b === undefined ? 0 : b[o];
    for (let i = 0; i < x.length; i++) s += x[i] * w[i * out + o];
    y.push(s);
  }
  return y;
}

const relu = (x: number[]): number[] => x.map((v) => Math.max(0, v));

function scoreOf(f: (ctx: StepContext) => tf.Tensor): number[] {
  return tf.tidy(() => [...(f(new StepContext(false, new Rng(0))).dataSync() as Float32Array)]);
}

function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, k) => {
    assert.ok(
      Math.abs(a - expected[k]) <= tol * (1 + Math.abs(expected[k])),
      `${what}[${k}]: ${a} vs ${expected[k]}`,
    );
  });
}

/**
 * The field vectors of pair (u, i) by the definition: each field's vector is the mean of its
 * values' embedding rows (one row for a single value, none for a missing one), and the linear term
 * w₀ + Σ over fields of the mean of their values' weights.
 */
function fieldsRef(
  inputs: FieldInputs,
  params: Params,
  k: number,
  u: number,
  i: number,
): { v: number[][]; linear: number[] } {
  const emb = value(params, 'embedding');
  const lin = value(params, 'linear');
  const codes = [
    ...inputs.user.codes.subarray(u * inputs.user.width, (u + 1) * inputs.user.width),
    ...inputs.item.codes.subarray(i * inputs.item.width, (i + 1) * inputs.item.width),
  ];
  const v: number[][] = [];
  let linear = value(params, 'bias')[0];
  for (let f = 0; f + 1 < inputs.fieldSlot.length; f++) {
    const present = codes.slice(inputs.fieldSlot[f], inputs.fieldSlot[f + 1]).filter((c) => c >= 0);
    const vec = new Array<number>(k).fill(0);
    for (const c of present) {
      for (let d = 0; d < k; d++) vec[d] += emb[c * k + d] / present.length;
      linear += lin[c] / present.length;
    }
    v.push(vec);
  }
  return { v, linear: [linear] };
}

test('Bi-Interaction pooling equals the sum of pairwise products Σ_{i<j} vᵢ⊙vⱼ', () => {
  const d = tinyDataset();
  const inputs = buildFieldInputs(d, d.userFeatures, d.itemFeatures);
  const config = { ...NFM_DEFAULTS, factors: 3, mlpLayers: 'none' };
  const net = new NfmNetwork(config, inputs);
  randomize(net.params, 3);
  // With no hidden layer f(x) = hᵀ f_BI, so hᵀ Σ_{i<j} vᵢ⊙vⱼ + linear is the whole score.
  const h = value(net.params, 'dnn.out.w');
  const expected = [...USERS].map((u, k) => {
    const { v, linear } = fieldsRef(inputs, net.params, 3, u, ITEMS[k]);
    let s = linear[0];
    for (let a = 0; a < v.length; a++)
      for (let b = a + 1; b < v.length; b++) for (let c = 0; c < 3; c++) s += h[c] * v[a][c] * v[b][c];
    return s;
  });
  assertClose(
    scoreOf((ctx) => net.score(USERS, ITEMS, ctx)),
    expected,
    1e-5,
    'NFM-0 score',
  );
});

test('NFM forward matches a naive reference (linear + MLP over ½((Σv)² − Σv²))', () => {
  const d = tinyDataset();
  const inputs = buildFieldInputs(d, d.userFeatures, d.itemFeatures);
  const k = 4;
  const net = new NfmNetwork({ ...NFM_DEFAULTS, factors: k, mlpLayers: '5,3' }, inputs);
  randomize(net.params, 5);
  const p = net.params;
  const expected = [...USERS].map((u, n) => {
    const { v, linear } = fieldsRef(inputs, p, k, u, ITEMS[n]);
    const bi: number[] = [];
    for (let c = 0; c < k; c++) {
      let sum = 0;
      let squares = 0;
      for (const x of v) {
        sum += x[c];
        squares += x[c] * x[c];
      }
      bi.push(0.5 * (sum * sum - squares));
    }
    const z1 = relu(denseRef(bi, value(p, 'dnn.0.w'), value(p, 'dnn.0.b'), 5));
    const z2 = relu(denseRef(z1, value(p, 'dnn.1.w'), value(p, 'dnn.1.b'), 3));
    return linear[0] + denseRef(z2, value(p, 'dnn.out.w'), undefined, 1)[0];
  });
  assertClose(
    scoreOf((ctx) => net.score(USERS, ITEMS, ctx)),
    expected,
    1e-5,
    'NFM score',
  );
});

test('NCF (NeuMF) forward matches a naive reference of Eq. 12', () => {
  const f = 3;
  const mf = 2;
  const net = new NeuMF({ ...NCF_DEFAULTS, factors: f, mlpFactors: mf, mlpLayers: '4,2' }, 2, 3);
  randomize(net.params, 7);
  const p = net.params;
  const row = (name: string, r: number, dim: number): number[] => [
    ...value(p, name).subarray(r * dim, (r + 1) * dim),
  ];
  const expected = [...USERS].map((u, n) => {
    const i = ITEMS[n];
    const pu = row('gmf.user', u, f);
    const qi = row('gmf.item', i, f);
    const gmf = pu.map((x, c) => x * qi[c]);
    const z0 = [...row('mlp.user', u, mf), ...row('mlp.item', i, mf)];
    const z1 = relu(denseRef(z0, value(p, 'mlp.layer.0.w'), value(p, 'mlp.layer.0.b'), 4));
    const z2 = relu(denseRef(z1, value(p, 'mlp.layer.1.w'), value(p, 'mlp.layer.1.b'), 2));
    return denseRef([...gmf, ...z2], value(p, 'predict.w'), value(p, 'predict.b'), 1)[0];
  });
  assertClose(
    scoreOf((ctx) => net.score(USERS, ITEMS, ctx)),
    expected,
    1e-5,
    'NeuMF score',
  );
});

/** CIN by its definition (xDeepFM Eq. 6-7) with bias, activation and split-half. */
function cinRef(x0: number[][], p: Params, sizes: number[], act: (x: number) => number): number[] {
  const m = x0.length;
  const dim = x0[0].length;
  let prev = x0;
  const pooled: number[] = [];
  sizes.forEach((size, k) => {
    const w = value(p, `cin.${k}.w`);
    const b = value(p, `cin.${k}.b`);
    const maps: number[][] = [];
    for (let h = 0; h < size; h++) {
      const row: number[] = [];
      for (let d = 0; d < dim; d++) {
        let s = b[h];
        for (let i = 0; i < prev.length; i++)
          for (let j = 0; j < m; j++) s += w[(i * m + j) * size + h] * prev[i][d] * x0[j][d];
        row.push(act(s));
      }
      maps.push(row);
    }
    const last = k === sizes.length - 1;
    const kept = last ? [] : maps.slice(0, size / 2);
    const out = last ? maps : maps.slice(size / 2);
    for (const r of out) pooled.push(r.reduce((a, c) => a + c, 0));
    prev = kept;
  });
  return pooled;
}

test('xDeepFM forward matches a naive reference (linear + DNN + CIN with split-half and ReLU)', () => {
  const d = tinyDataset();
  const inputs = buildFieldInputs(d, d.userFeatures, d.itemFeatures);
  const k = 3;
  const net = new XDeepFmNetwork(
    { ...XDEEPFM_DEFAULTS, factors: k, mlpLayers: '4', cinLayers: '4,3', cinActivation: 'relu' },
    inputs,
  );
  randomize(net.params, 9);
  const p = net.params;
  const expected = [...USERS].map((u, n) => {
    const { v, linear } = fieldsRef(inputs, p, k, u, ITEMS[n]);
    const h1 = relu(denseRef(v.flat(), value(p, 'dnn.0.w'), value(p, 'dnn.0.b'), 4));
    const dnn = denseRef(h1, value(p, 'dnn.out.w'), undefined, 1)[0];
    const pPlus = cinRef(v, p, [4, 3], (x) => Math.max(0, x));
    assert.equal(pPlus.length, 2 + 3);
    const cinLogit = denseRef(pPlus, value(p, 'cin.out.w'), undefined, 1)[0];
    return linear[0] + dnn + cinLogit;
  });
  assertClose(
    scoreOf((ctx) => net.score(USERS, ITEMS, ctx)),
    expected,
    1e-4,
    'xDeepFM score',
  );
});

test("xDeepFM's CIN output has Σ_{k<T} H_k/2 + H_T features per pair (SAIN's set-up: 64 + 128)", () => {
  const d = tinyDataset();
  const inputs = buildFieldInputs(d, d.userFeatures, d.itemFeatures);
  const net = new XDeepFmNetwork(XDEEPFM_DEFAULTS, inputs);
  const shape = tf.tidy(() => {
    const { fields } = net.embedding.lookup(USERS, ITEMS, new StepContext(false, new Rng(0)));
    assert.deepEqual(fields.shape, [4, 5, 16]);
    return net.cinFeatures(fields).shape;
  });
  assert.deepEqual(shape, [4, 64 + 128]);
  const whole = new XDeepFmNetwork({ ...XDEEPFM_DEFAULTS, cinSplitHalf: false, cinLayers: '6,4,2' }, inputs);
  const shape2 = tf.tidy(
    () =>
      whole.cinFeatures(whole.embedding.lookup(USERS, ITEMS, new StepContext(false, new Rng(0))).fields)
        .shape,
  );
  assert.deepEqual(shape2, [4, 12]);
});

test("xDeepFM's loss gradient with respect to the embeddings matches finite differences", () => {
  const d = tinyDataset();
  const inputs = buildFieldInputs(d, d.userFeatures, d.itemFeatures);
  const net = new XDeepFmNetwork(
    {
      ...XDEEPFM_DEFAULTS,
      factors: 3,
      mlpLayers: '4',
      cinLayers: '4,2',
      cinActivation: 'linear',
      initStd: 0.5,
    },
    inputs,
  );
  randomize(net.params, 13, 0.4);
  const target = tf.tidy(() => tf.keep(tf.tensor1d([5, 4, 1, 3])));
  const { vectors, weights } = net.embedding;
  const result = gradCheck(
    (_xs, ctx) => tf.mean(tf.squaredDifference(net.score(USERS, ITEMS, ctx), target)),
    [],
    { tables: [vectors, weights], samples: 30, seed: 3 },
  );
  target.dispose();
  assert.deepEqual(result.mismatches, [], 'gradients differ from finite differences');
  assert.ok(result.checked >= 30, `only ${result.checked} coordinates checked`);
});

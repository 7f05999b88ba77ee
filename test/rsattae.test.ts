/**
 * RSAttAE's building blocks on small in-memory data: preprocessing, the masked loss (Eq. 4), the
 * sparse kernels against their dense forms, the attention module (Eq. 2) against finite
 * differences and against the plain n × n attention, α, and the cold-start embeddings.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { categoricalField, featureTable, multiField, numericField } from '../src/data/features.js';
import { initEngine } from '../src/engine/backend.js';
import { gradCheck } from '../src/engine/gradcheck.js';
import { Params } from '../src/engine/params.js';
import { Rng } from '../src/util/rng.js';
import {
  attend,
  attentionInputs,
  attentionLayout,
  groupAttention,
  type AttentionWeights,
} from '../src/models/rsattae/attention.js';
import {
  alphaOf,
  declareAutoencoder,
  decode,
  decoderHidden,
  encode,
  encodeProduct,
  maskedRmse,
  mix,
  mixWith,
} from '../src/models/rsattae/autoencoder.js';
import { fillColdEmbeddings, groupMeans } from '../src/models/rsattae/cold-start.js';
import { entityFeatures, selectFeatures, type EntityFeatures } from '../src/models/rsattae/features.js';
import { cellsOf, droppedValues, sparseRows, toDense } from '../src/models/rsattae/rating-matrix.js';
import { SparseKernels } from '../src/models/rsattae/sparse-kernels.js';
import { observedRmse, sparseProduct } from '../src/models/rsattae/sparse-ops.js';
import { columnNames, packBytes, supervisedRows, unpackBytes } from '../src/models/rsattae/supervised.js';
import { trainAutoencoder } from '../src/models/rsattae/train-autoencoder.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

/** Runs `f` in a tidy scope and returns its tensor's values as a plain array. */
function values(f: () => tf.Tensor): number[] {
  const t = tf.tidy(f);
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: lengths differ`);
  for (let k = 0; k < actual.length; k++) {
    assert.ok(
      Math.abs(actual[k] - expected[k]) <= tol * (1 + Math.abs(expected[k])),
      `${what}[${k}]: ${actual[k]} vs ${expected[k]}`,
    );
  }
}

/** Users with age (numeric), gender; 7 users, two pairs with equal features. */
function smallUserTable() {
  return featureTable(7, [
    numericField('age', [7, 12, 13, 18, 45, 73, 13], { edges: [1, 18, 25, 35, 45, 50, 56, 100] }),
    categoricalField('gender', ['M', 'F', 'M', 'M', 'F', 'F', 'M']),
  ]);
}

test('preprocessing: the paper bins age at (0,12,18,30,50,90] like pd.cut, one-hot rows, groups of equal rows', () => {
  const f = entityFeatures(selectFeatures(smallUserTable(), 'all', true, 'userFields'));
  // 5 age bins + 2 genders.
  assert.equal(f.dimension, 7);
  assert.deepEqual(f.names.slice(0, 5), ['age=≤12', 'age=13-18', 'age=19-30', 'age=31-50', 'age=51+']);
  const ageBin = (e: number): number => f.matrix.subarray(e * 7, e * 7 + 5).indexOf(1);
  // 7 and 12 in (0, 12]; 13 and 18 in (12, 18]; 45 in (30, 50]; 73 in (50, 90].
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(ageBin), [0, 0, 1, 1, 3, 4, 1]);
  for (let e = 0; e < 7; e++) {
    const row = Array.from(f.matrix.subarray(e * 7, e * 7 + 7));
    assert.equal(
      row.reduce((a, b) => a + b, 0),
      2,
      `user ${e} has one age and one gender column`,
    );
  }
  // Users 2 and 6 (13, M) share a row and a group; 2 and 3 (13 vs 18 but same bin, both M) too.
  assert.equal(f.group[2], f.group[6]);
  assert.equal(f.group[2], f.group[3]);
  assert.notEqual(f.group[0], f.group[1]);
  assert.equal(f.groups, 5);
  // Without the paper's bins the loader's own bins stay (7 of them).
  assert.equal(entityFeatures(selectFeatures(smallUserTable(), 'all', false, 'userFields')).dimension, 9);
  assert.equal(entityFeatures(selectFeatures(smallUserTable(), 'gender', true, 'userFields')).dimension, 2);
  assert.throws(
    () => selectFeatures(smallUserTable(), 'zip', true, 'userFields'),
    /userFields.*no field "zip"/,
  );
  const none = entityFeatures(selectFeatures(smallUserTable(), 'none', true, 'userFields'));
  assert.equal(none.dimension, 1);
  assert.equal(none.groups, 1);
});

test('preprocessing: genres are multi-hot, a missing year sets no year column', () => {
  const table = featureTable(3, [
    numericField('year', [1935, NaN, 1998], { edges: [1920, 1930, 2000] }),
    multiField('genre', [['Action', 'Comedy'], ['Drama'], []], { vocabulary: ['Action', 'Comedy', 'Drama'] }),
  ]);
  const f = entityFeatures(selectFeatures(table, 'all', true, 'itemFields'));
  assert.equal(f.dimension, 4 + 3);
  const row = (e: number): number[] => Array.from(f.matrix.subarray(e * 7, e * 7 + 7));
  assert.deepEqual(row(0), [1, 0, 0, 0, 1, 1, 0]); // (1920,1940], Action, Comedy
  assert.deepEqual(row(1), [0, 0, 0, 0, 0, 0, 1]); // no year, Drama
  assert.deepEqual(row(2), [0, 0, 0, 1, 0, 0, 0]); // (1980,2000], no genre
});

test('masked RMSE (Eq. 4) counts observed ratings only: hand example, dense and sparse forms', () => {
  // R = [[5, ·, 3], [·, 4, ·]]; predictions [[4, 1, 3.5], [2, 2, 9]].
  // Observed errors -1, 0.5, -2 → √((1 + 0.25 + 4) / 3) = √1.75.
  const expected = Math.sqrt(1.75);
  const target = [5, 0, 3, 0, 4, 0];
  const mask = [1, 0, 1, 0, 1, 0];
  const predicted = [4, 1, 3.5, 2, 2, 9];
  const dense = values(() =>
    maskedRmse(tf.tensor2d(predicted, [2, 3]), tf.tensor2d(target, [2, 3]), tf.tensor2d(mask, [2, 3]), 3),
  );
  close(dense, [expected], 1e-6, 'dense masked RMSE');
  // Changing the unobserved predictions changes nothing, and they get no gradient.
  const other = [4, -7, 3.5, 100, 2, 0.5];
  close(
    values(() =>
      maskedRmse(tf.tensor2d(other, [2, 3]), tf.tensor2d(target, [2, 3]), tf.tensor2d(mask, [2, 3]), 3),
    ),
    [expected],
    1e-6,
    'unobserved predictions changed',
  );
  const grad = values(() =>
    tf.grad((p: tf.Tensor) =>
      maskedRmse(p as tf.Tensor2D, tf.tensor2d(target, [2, 3]), tf.tensor2d(mask, [2, 3]), 3),
    )(tf.tensor2d(predicted, [2, 3])),
  );
  // ∂L/∂p = (p − r) / (N L) on observed cells: -1/(3L), 0.5/(3L), -2/(3L); 0 elsewhere.
  const nl = 3 * expected;
  close(grad, [-1 / nl, 0, 0.5 / nl, 0, -2 / nl, 0], 1e-5, 'masked RMSE gradient');

  // The sparse form: hidden rows h_0 = e_0, h_1 = e_1 and w_j = (p_0j, p_1j, 0, 0), bias 0, so
  // σ(h_i · w_j + b_j) = p_ij (all positive: the LeakyReLU is the identity there).
  const rows = sparseRows(2, 3, Int32Array.of(0, 0, 1), Int32Array.of(0, 2, 1), Float32Array.of(5, 3, 4));
  const kernels = new SparseKernels({ cells: 3, rows: 3, width: 4 });
  const hidden = [1, 0, 0, 0, 0, 1, 0, 0];
  const weightT = [4, 2, 0, 0, 1, 2, 0, 0, 3.5, 9, 0, 0];
  close(
    values(() =>
      observedRmse(
        kernels,
        cellsOf(rows),
        tf.tensor2d(hidden, [2, 4]),
        tf.tensor2d(weightT, [3, 4]),
        tf.zeros([3]),
      ),
    ),
    [expected],
    1e-6,
    'sparse masked RMSE',
  );
});

test('sparse kernels: X·W, Xᵀ·G and cell dots equal the dense products (width 8, repeated cells)', () => {
  const rng = new Rng(5);
  const row = Int32Array.of(0, 2, 2, 1, 0, 2);
  const col = Int32Array.of(1, 0, 3, 3, 1, 2); // (0, 1) twice: contributions add
  const val = Float32Array.of(2, -1, 0, 0.5, 3, 1.5); // a zero (dropped) value contributes nothing
  const w = Float32Array.from({ length: 4 * 8 }, () => rng.normal());
  const k = new SparseKernels({ cells: 6, rows: 4, width: 8 });
  const x = new Float32Array(3 * 4);
  for (let c = 0; c < 6; c++) x[row[c] * 4 + col[c]] += val[c];
  const expected = values(() => tf.matMul(tf.tensor2d(x, [3, 4]), tf.tensor2d(w, [4, 8])));
  close(k.scatterRows(row, col, val, w, 4, 3), expected, 1e-5, 'X·W');
  const g = Float32Array.from({ length: 3 * 8 }, () => rng.normal());
  const expectedT = values(() => tf.matMul(tf.tensor2d(x, [3, 4]), tf.tensor2d(g, [3, 8]), true, false));
  close(k.scatterRows(col, row, val, g, 3, 4), expectedT, 1e-5, 'Xᵀ·G');
  const a = Float32Array.from({ length: 3 * 8 }, () => rng.normal());
  const full = values(() => tf.matMul(tf.tensor2d(a, [3, 8]), tf.tensor2d(w, [4, 8]), false, true));
  close(
    k.cellDots({ row, col }, a, 3, w, 4),
    Array.from(row, (r, c) => full[r * 4 + col[c]]),
    1e-5,
    'cell dots',
  );
  assert.throws(
    () => k.scatterRows(Int32Array.of(3), Int32Array.of(0), Float32Array.of(1), w, 4, 3),
    /outside 3 × 4/,
  );
  assert.throws(() => new SparseKernels({ cells: 1, rows: 1, width: 6 }), /multiple of 4/);
});

test('sparse encoder and decoder ops: values and gradients equal the dense Eq. 1-4 under autodiff', () => {
  const rng = new Rng(11);
  const n = 5;
  const m = 6;
  const triples: Array<[number, number, number]> = [];
  for (let u = 0; u < n; u++)
    for (let i = 0; i < m; i++) if (rng.next() < 0.5) triples.push([u, i, 1 + rng.int(5)]);
  const rows = sparseRows(
    n,
    m,
    Int32Array.from(triples, (t) => t[0]),
    Int32Array.from(triples, (t) => t[1]),
    Float32Array.from(triples, (t) => t[2]),
  );
  const cells = cellsOf(rows);
  const params = new Params(2);
  const layers = declareAutoencoder(params, 'ae', {
    inputDim: m,
    hidden: 8,
    dim: 4,
    featureDim: 1,
    attentionDim: 4,
    attention: false,
  });
  // Shift the last bias down so that some outputs are negative: the LeakyReLU slope is exercised.
  layers.decoder2.b.value.fill(-0.3);
  layers.decoder2.b.sync();
  const kernels = new SparseKernels({ cells: cells.row.length, rows: m, width: 8 });
  const dense = tf.tensor2d(toDense(rows), [n, m]);
  const mask = tf.tensor2d(toDense({ ...rows, value: new Float32Array(rows.value.length).fill(1) }), [n, m]);
  const vars = params.denseParams().map((p) => p.variable);
  const denseLoss = (): tf.Scalar =>
    maskedRmse(decode(layers, encode(layers, dense)), dense, mask, cells.row.length);
  const sparseLoss = (): tf.Scalar =>
    observedRmse(
      kernels,
      cells,
      decoderHidden(
        layers,
        encodeProduct(layers, sparseProduct(kernels, cells, n, layers.encoder1.w.variable)),
      ),
      layers.decoder2.w.variable as tf.Tensor2D,
      layers.decoder2.b.variable as tf.Tensor1D,
    );
  tf.tidy(() => {
    const a = tf.engine().gradients(denseLoss, vars);
    const b = tf.engine().gradients(sparseLoss, vars);
    close(b.value.dataSync(), a.value.dataSync(), 1e-5, 'loss');
    vars.forEach((v, j) =>
      close(b.grads[j].dataSync(), a.grads[j].dataSync(), 1e-4, `gradient of ${v.name}`),
    );
  });
  dense.dispose();
  mask.dispose();
  params.dispose();
});

/** Features of 7 entities in 3 groups, entity 6 not a key (no ratings). */
function attentionFixture(): { features: EntityFeatures; isKey: Uint8Array } {
  const table = featureTable(7, [
    categoricalField('gender', ['M', 'F', 'M', 'F', 'M', 'F', 'F']),
    categoricalField('job', ['a', 'a', 'a', 'b', 'a', 'b', 'a']),
  ]);
  return { features: entityFeatures(table), isKey: Uint8Array.of(1, 1, 1, 1, 1, 1, 0) };
}

test('attention (Eq. 2): grouped computation equals the plain n × n cross-attention over key entities', () => {
  const { features, isKey } = attentionFixture();
  const rng = new Rng(4);
  const f = features.dimension;
  const h = 5;
  const d = 3;
  const rand = (k: number): Float32Array => Float32Array.from({ length: k }, () => rng.normal());
  const w = { queryW: rand(f * h), queryB: rand(h), keyW: rand(f * h), keyB: rand(h) };
  const v = rand(7 * d);
  const weights = (): AttentionWeights => ({
    queryW: tf.tensor2d(w.queryW, [f, h]),
    queryB: tf.tensor1d(w.queryB),
    keyW: tf.tensor2d(w.keyW, [f, h]),
    keyB: tf.tensor1d(w.keyB),
  });
  const inputs = attentionInputs(attentionLayout(features, isKey));
  const grouped = values(() => attend(weights(), inputs, tf.tensor2d(v, [7, d])));
  // Plain form: every entity's normalised query against every key entity's normalised key.
  const project = (W: Float32Array, b: Float32Array, e: number): number[] => {
    const out: number[] = [];
    for (let j = 0; j < h; j++) {
      let s = b[j];
      for (let c = 0; c < f; c++) s += features.matrix[e * f + c] * W[c * h + j];
      out.push(s);
    }
    const norm = Math.sqrt(out.reduce((a, x) => a + x * x, 0));
    return out.map((x) => x / norm);
  };
  const expected: number[] = [];
  for (let e = 0; e < 7; e++) {
    const q = project(w.queryW, w.queryB, e);
    const logits: number[] = [];
    const keys: number[] = [];
    for (let k = 0; k < 7; k++) {
      if (isKey[k] === 0) continue;
      const kk = project(w.keyW, w.keyB, k);
      logits.push(q.reduce((a, x, j) => a + x * kk[j], 0));
      keys.push(k);
    }
    const mx = Math.max(...logits);
    const ex = logits.map((l) => Math.exp(l - mx));
    const z = ex.reduce((a, b) => a + b, 0);
    for (let j = 0; j < d; j++) expected.push(keys.reduce((a, k, t) => a + (ex[t] / z) * v[k * d + j], 0));
  }
  close(grouped, expected, 1e-5, 'A·V');
  // Rows of the group attention sum to 1; the group of the non-key entity alone gets weight 0.
  const a = values(() => groupAttention(weights(), inputs));
  const G = features.groups;
  for (let g = 0; g < G; g++)
    close([a.slice(g * G, g * G + G).reduce((x, y) => x + y, 0)], [1], 1e-5, `row ${g}`);
  inputs.dispose();
});

test('attention + α mixing + LayerNorm (Eq. 2): gradients of every weight match finite differences', () => {
  const { features, isKey } = attentionFixture();
  const inputs = attentionInputs(attentionLayout(features, isKey));
  const rng = new Rng(8);
  const f = features.dimension;
  const h = 4;
  const d = 3;
  const input = (
    name: string,
    shape: number[],
    scale = 1,
  ): { name: string; shape: number[]; value: Float32Array } => ({
    name,
    shape,
    value: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale),
  });
  const xs = [
    input('queryW', [f, h]),
    input('queryB', [h]),
    input('keyW', [f, h]),
    input('keyB', [h]),
    input('alphaLogit', [1], 0.5),
    input('normGain', [d]),
    input('normBias', [d]),
    input('embedding', [7, d]),
  ];
  const r = Float32Array.from({ length: 7 * d }, () => rng.normal());
  const result = gradCheck(
    (t) =>
      tf.sum(
        tf.mul(
          mixWith(
            {
              attention: { queryW: t[0], queryB: t[1], keyW: t[2], keyB: t[3] },
              alphaLogit: t[4],
              normGain: t[5],
              normBias: t[6],
            },
            inputs,
            t[7] as tf.Tensor2D,
          ),
          tf.tensor2d(r, [7, d]),
        ),
      ),
    xs,
    { samples: 10 },
  );
  inputs.dispose();
  assert.deepEqual(result.mismatches, [], 'gradients differ from finite differences');
  assert.ok(result.checked >= 40, `only ${result.checked} coordinates checked`);
});

/** A small rating matrix whose ratings depend on a user feature, for training tests. */
function featureDrivenRatings(seed: number): {
  rows: ReturnType<typeof sparseRows>;
  held: { row: Int32Array; col: Int32Array; rating: Float32Array };
  features: EntityFeatures;
} {
  const rng = new Rng(seed);
  const n = 30;
  const m = 20;
  const kind = Array.from({ length: n }, (_, u) => (u % 2 === 0 ? 'likes-even' : 'likes-odd'));
  const features = entityFeatures(featureTable(n, [categoricalField('kind', kind)]));
  const train: number[][] = [];
  const held: number[][] = [];
  for (let u = 0; u < n; u++) {
    for (let i = 0; i < m; i++) {
      if (rng.next() > 0.4) continue;
      const r = (u + i) % 2 === 0 ? 5 : 2;
      (rng.next() < 0.15 ? held : train).push([u, i, r]);
    }
  }
  const col = (a: number[][], j: number): Int32Array => Int32Array.from(a, (t) => t[j]);
  return {
    rows: sparseRows(
      n,
      m,
      col(train, 0),
      col(train, 1),
      Float32Array.from(train, (t) => t[2]),
    ),
    held: { row: col(held, 0), col: col(held, 1), rating: Float32Array.from(held, (t) => t[2]) },
    features,
  };
}

test('α is learnable, moves from 0.5 and stays in (0, 1); training is seeded and restores the best epoch', async () => {
  const { rows, held, features } = featureDrivenRatings(3);
  const settings = {
    hidden: 8,
    dim: 4,
    attentionDim: 4,
    attention: true,
    dropout: 0.2,
    epochs: 40,
    learningRate: 0.02,
    weightDecay: 1e-5,
    restoreBest: true,
    patience: 0,
    seed: 5,
  };
  const run = (restoreBest = true) =>
    trainAutoencoder({
      rows,
      validation: held,
      features,
      settings: { ...settings, restoreBest },
      name: 'user',
      clip: { min: 1, max: 5 },
    });
  const ae = await run();
  const alpha = ae.alpha;
  assert.ok(alpha !== undefined && alpha > 0 && alpha < 1, `α = ${alpha}`);
  assert.ok(Math.abs(alpha - 0.5) > 1e-3, `α did not move from 0.5: ${alpha}`);
  // The weights kept are those of the best validation epoch.
  const history = ae.report.history.map((e) => e.validationRmse ?? Infinity);
  const best = Math.min(...history);
  assert.equal(ae.report.bestValidationRmse, best);
  assert.equal(history[ae.report.bestEpoch - 1], best);
  assert.ok(history[0] > best, 'validation RMSE improved during training');
  assert.equal(ae.keptEpoch, ae.report.bestEpoch);
  // restoreBest false keeps the last epoch's weights (the authors' script does that).
  const lastKept = await run(false);
  assert.equal(lastKept.keptEpoch, 40);
  assert.equal(lastKept.report.bestEpoch, ae.report.bestEpoch);
  if (ae.report.bestEpoch !== 40) assert.notDeepEqual(lastKept.embed(rows), ae.embed(rows));
  lastKept.dispose();
  // Same seed, same numbers.
  const again = await run();
  assert.equal(again.alpha, alpha);
  assert.deepEqual(
    again.report.history,
    ae.report.history.map((e, k) => ({ ...e, seconds: again.report.history[k].seconds })),
  );
  // α is sigmoid(a): however far the optimiser pushes a, α stays a convex weight.
  const params = new Params(1);
  const layers = declareAutoencoder(params, 'x', {
    inputDim: 3,
    hidden: 4,
    dim: 2,
    featureDim: 1,
    attentionDim: 2,
    attention: true,
  });
  const alphaLogit = layers.attention?.alphaLogit;
  assert.ok(alphaLogit !== undefined);
  assert.equal(alphaOf(layers), 0.5);
  alphaLogit.value[0] = 40;
  assert.ok((alphaOf(layers) ?? 2) <= 1);
  alphaLogit.value[0] = -40;
  assert.ok((alphaOf(layers) ?? -1) >= 0);
  // The vanilla autoencoder has no α.
  const vanilla = await trainAutoencoder({
    rows,
    features,
    settings: { ...settings, attention: false, epochs: 2 },
    name: 'item',
  });
  assert.equal(vanilla.alpha, undefined);
  ae.dispose();
  again.dispose();
  vanilla.dispose();
  params.dispose();
});

test('α gets a gradient: the loss depends on it through the attention mix', () => {
  const { rows, features } = featureDrivenRatings(4);
  const params = new Params(2);
  const layers = declareAutoencoder(params, 'user', {
    inputDim: rows.cols,
    hidden: 8,
    dim: 4,
    featureDim: features.dimension,
    attentionDim: 4,
    attention: true,
  });
  const inputs = attentionInputs(attentionLayout(features, new Uint8Array(rows.rows).fill(1)));
  const cells = cellsOf(rows);
  const kernels = new SparseKernels({ cells: cells.row.length, rows: rows.cols + rows.rows, width: 8 });
  const alphaVar = layers.attention?.alphaLogit.variable;
  assert.ok(alphaVar !== undefined);
  const g = values(() => {
    const { grads } = tf
      .engine()
      .gradients(
        () =>
          observedRmse(
            kernels,
            cells,
            decoderHidden(
              layers,
              mix(
                layers,
                inputs,
                encodeProduct(layers, sparseProduct(kernels, cells, rows.rows, layers.encoder1.w.variable)),
              ),
            ),
            layers.decoder2.w.variable as tf.Tensor2D,
            layers.decoder2.b.variable as tf.Tensor1D,
          ),
        [alphaVar],
      );
    return grads[0];
  });
  assert.ok(Number.isFinite(g[0]) && g[0] !== 0, `∂L/∂a = ${g[0]}`);
  inputs.dispose();
  params.dispose();
});

test('input dropout: observed values kept and scaled by 1/(1 − rate) or zeroed, seeded', () => {
  const rows = sparseRows(
    2,
    3,
    Int32Array.of(0, 0, 1, 1),
    Int32Array.of(0, 2, 1, 2),
    Float32Array.of(5, 3, 4, 1),
  );
  const out = new Float32Array(4);
  droppedValues(rows, 0.5, new Rng(1), out);
  for (let k = 0; k < 4; k++)
    assert.ok(out[k] === 0 || out[k] === rows.value[k] * 2, `value ${k}: ${out[k]}`);
  const again = droppedValues(rows, 0.5, new Rng(1), new Float32Array(4));
  assert.deepEqual(again, out);
  assert.deepEqual(droppedValues(rows, 0, new Rng(1), new Float32Array(4)), rows.value);
  // Over many draws about half are kept.
  let kept = 0;
  const rng = new Rng(2);
  for (let t = 0; t < 500; t++) kept += droppedValues(rows, 0.5, rng, out).filter((v) => v !== 0).length;
  assert.ok(Math.abs(kept / 2000 - 0.5) < 0.05, `kept ${kept / 2000}`);
  assert.deepEqual(Array.from(toDense(rows)), [5, 0, 3, 0, 4, 1]);
});

test('cold start: entities without ratings get the attention output of their features; vanilla: group means', () => {
  const { features, isKey } = attentionFixture();
  const d = 3;
  const rng = new Rng(6);
  const embeddings = Float32Array.from({ length: 7 * d }, () => rng.normal());
  const fake = {
    features,
    attended: (e: Float32Array, keys: Uint8Array): Float32Array | undefined => {
      assert.deepEqual(keys, isKey);
      return Float32Array.from(e, (x, k) => x * 0 + 100 + k);
    },
  };
  const filled = embeddings.slice();
  const count = fillColdEmbeddings(
    filled,
    isKey,
    fake as unknown as Parameters<typeof fillColdEmbeddings>[2],
  );
  assert.equal(count, 1);
  // Entity 6 (no ratings) takes the attention output; the others are unchanged.
  assert.deepEqual(Array.from(filled.subarray(18, 21)), [118, 119, 120]);
  assert.deepEqual(filled.subarray(0, 18), embeddings.subarray(0, 18));
  // Vanilla: entity 6 is (F, a), like entity 1 only → entity 1's embedding.
  const means = groupMeans(embeddings, d, isKey, features);
  close(means.subarray(18, 21), embeddings.subarray(3, 6), 1e-6, 'group mean of (F, a)');
  // (M, a) are entities 0, 2, 4.
  const m0 = [0, 1, 2].map((j) => (embeddings[j] + embeddings[6 + j] + embeddings[12 + j]) / 3);
  close(means.subarray(0, 3), m0, 1e-6, 'group mean of (M, a)');
});

test('supervised rows: concat[E_u, E_m, F_u, F_m] per pair, from the table each pair names; packed bytes round-trip', () => {
  const user = (v: number) => ({
    embedding: Float32Array.of(v, v + 1, v + 10, v + 11),
    features: Float32Array.of(1, 0, 0, 1),
    count: 2,
    dim: 2,
    featureDim: 2,
  });
  const item = (v: number) => ({
    embedding: Float32Array.of(v, v + 20, v + 40),
    features: Float32Array.of(1, 1, 0),
    count: 3,
    dim: 1,
    featureDim: 1,
  });
  const rows = supervisedRows(
    Int32Array.of(1, 0),
    Int32Array.of(2, 0),
    [user(0), user(100)],
    [item(0), item(100)],
    Int32Array.of(1, 0),
  );
  assert.deepEqual(Array.from(rows), [110, 111, 140, 0, 1, 0, 0, 1, 0, 1, 0, 1]);
  assert.deepEqual(columnNames(['g=M', 'g=F'], ['x'], 2, 1), [
    'E_u[0]',
    'E_u[1]',
    'E_m[0]',
    'F_u:g=M',
    'F_u:g=F',
    'F_m:x',
  ]);
  for (const length of [0, 1, 5, 8, 13]) {
    const bytes = Uint8Array.from({ length }, (_, k) => (k * 37 + 200) & 0xff);
    assert.deepEqual(unpackBytes(packBytes(bytes), length), bytes);
  }
  assert.throws(() => unpackBytes(new Int32Array(2), 3), /3 bytes cannot come from 2 words/);
});

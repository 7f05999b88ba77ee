/**
 * Every engine layer's gradients against central finite differences (float32 tolerances; see
 * src/engine/gradcheck.ts), on the wasm backend with Heed's kernels, plus hand-computed values.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initEngine } from '../src/engine/backend.js';
import { gradCheck, type GradCheckInput } from '../src/engine/gradcheck.js';
import { selfAttention, declareSelfAttention } from '../src/engine/layers/attention.js';
import { batchNorm, declareBatchNorm } from '../src/engine/layers/batch-norm.js';
import { cin, cinOutputSize, declareCin } from '../src/engine/layers/cin.js';
import { dense, mlp, declareMlp } from '../src/engine/layers/dense.js';
import { dropout } from '../src/engine/layers/dropout.js';
import { embed, embedBag } from '../src/engine/layers/embedding.js';
import { biInteraction, fmSecondOrder } from '../src/engine/layers/fm.js';
import { gatedAttention } from '../src/engine/layers/gated-attention.js';
import { declareLayerNorm, layerNorm } from '../src/engine/layers/layer-norm.js';
import { topKMask } from '../src/engine/layers/topk-mask.js';
import { Params, type DenseParam } from '../src/engine/params.js';
import { StepContext } from '../src/engine/step.js';
import { Rng } from '../src/util/rng.js';
import { assertPasses, input, project } from '../test-helpers/gradcheck.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

/** Dense params as check inputs; the loss reads them back from xs. */
function asInputs(params: DenseParam[]): GradCheckInput[] {
  return params.map((p) => ({ name: p.name, value: p.value, shape: p.shape.slice() }));
}

test('embedding lookups: row-sparse gradients (repeats, padding -1) match finite differences', () => {
  const params = new Params(3);
  const table = params.table('emb', 6, 4, { init: { kind: 'normal', std: 1 } });
  const ids = new Int32Array([0, 2, 2, -1, 5, 0]);
  const bag = new Int32Array([1, 2, -1, 2, -1, -1]);
  const result = gradCheck(
    (_xs, ctx) =>
      tf.add(project(embed(ctx, table, ids, [2, 3]), 1), project(embedBag(ctx, table, bag, 3, 'mean'), 2)),
    [],
    { tables: [table], samples: 24 },
  );
  assertPasses(result, 'embedding');
});

test('lookup: -1 gives a zero vector, and inference copies the rows', () => {
  const params = new Params(3);
  const table = params.table('emb', 3, 2, { init: { kind: 'uniform', limit: 1 } });
  for (const training of [true, false]) {
    const out = tf.tidy(() =>
      embed(new StepContext(training, new Rng(1)), table, new Int32Array([2, -1])).dataSync(),
    );
    assert.deepEqual(Array.from(out), [table.value[4], table.value[5], 0, 0]);
  }
  assert.throws(
    () => embed(new StepContext(false, new Rng(1)), table, new Int32Array([3])),
    /outside \[0, 3\)/,
  );
});

test('dense layer and MLP gradients match finite differences', () => {
  const params = new Params(4);
  const layers = declareMlp(params, 'mlp', [5, 6, 3]);
  const x = input('x', [4, 2, 5], 5);
  const ws = params.denseParams();
  const result = gradCheck(
    (xs) => {
      // Rebuild the MLP from the checked tensors (same order as params.denseParams()).
      const [xin, w0, b0, w1, b1] = xs;
      const h = dense(xin, w0, b0, 'tanh');
      return project(dense(h, w1, b1, 'linear'), 3);
    },
    [x, ...asInputs(ws)],
    { samples: 10 },
  );
  assertPasses(result, 'mlp');
  // mlp() over the declared layers computes the same thing as the manual composition.
  const viaMlp = tf.tidy(() => mlp(tf.tensor(x.value, x.shape), layers, { activation: 'tanh' }).dataSync());
  const manual = tf.tidy(() => {
    const [w0, b0, w1, b1] = ws.map((p) => p.variable);
    return dense(dense(tf.tensor(x.value, x.shape), w0, b0, 'tanh'), w1, b1).dataSync();
  });
  assert.deepEqual(Array.from(viaMlp), Array.from(manual));
});

test('self-attention (2 heads, padding mask) gradients match finite differences', () => {
  const params = new Params(6);
  const layer = declareSelfAttention(params, 'att', 8, 2, 3, { outDim: 5 });
  const x = input('x', [3, 4, 8], 7);
  const mask = new Float32Array([1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1]);
  const result = gradCheck(
    (xs) => {
      const [xin, wqkv, bqkv, wo, bo] = xs;
      const l = {
        ...layer,
        qkv: { w: { variable: wqkv } as DenseParam, b: { variable: bqkv } as DenseParam },
        out: { w: { variable: wo } as DenseParam, b: { variable: bo } as DenseParam },
      };
      return project(
        selfAttention(xin as tf.Tensor3D, l, { tokenMask: mask, projectionActivation: 'tanh' }).output,
        8,
      );
    },
    [x, ...asInputs(params.denseParams())],
    { samples: 10 },
  );
  assertPasses(result, 'attention');
});

test('self-attention with top-K (mask computed outside the gradient) matches finite differences', () => {
  const params = new Params(9);
  const layer = declareSelfAttention(params, 'att', 6, 2, 4);
  const x = input('x', [2, 6, 6], 10);
  let pattern = '';
  const result = gradCheck(
    (xs) => {
      const [xin, wqkv, bqkv] = xs;
      const l = {
        ...layer,
        qkv: { w: { variable: wqkv } as DenseParam, b: { variable: bqkv } as DenseParam },
      };
      const { output, weights } = selfAttention(xin as tf.Tensor3D, l, { topK: 3 });
      pattern = Array.from(weights.dataSync(), (w) => (w > 0 ? '1' : '0')).join('');
      return project(output, 11);
    },
    [x, ...asInputs(params.denseParams())],
    { samples: 12, regime: () => pattern },
  );
  assertPasses(result, 'top-K attention', 20);
});

test('self-attention weights: rows sum to 1, top-K keeps exactly K keys, padding gets none', () => {
  const params = new Params(12);
  const layer = declareSelfAttention(params, 'att', 4, 2, 2);
  const mask = new Float32Array([1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
  const w = tf.tidy(() =>
    selfAttention(tf.tensor3d(input('x', [2, 5, 4], 13).value, [2, 5, 4]), layer, {
      topK: 2,
      tokenMask: mask,
    }).weights.dataSync(),
  );
  for (let row = 0; row < 2 * 2 * 5; row++) {
    const r = Array.from(w.subarray(row * 5, row * 5 + 5));
    assert.ok(Math.abs(r.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.equal(r.filter((v) => v > 0).length, 2);
    if (row < 10) assert.equal(r[4], 0); // sample 0: key 4 is padding
  }
});

test('topKMask keeps the K largest allowed scores, lower index on ties', () => {
  const scores = new Float32Array([0.5, 2, 2, -1, 3, /* row 2 */ 1, 1, 1, 1, 1]);
  // Two samples of one row each; sample 0 may not attend to key 4.
  const m = topKMask(scores, 2, 5, 2, {
    mask: new Uint8Array([1, 1, 1, 1, 0, 1, 1, 1, 1, 1]),
    rowsPerSample: 1,
  });
  assert.deepEqual(
    Array.from(m.subarray(0, 5), (v) => (v === 0 ? 1 : 0)),
    [0, 1, 1, 0, 0],
  );
  assert.deepEqual(
    Array.from(m.subarray(5, 10), (v) => (v === 0 ? 1 : 0)),
    [1, 1, 0, 0, 0],
  );
});

test('gated attention unit (AFM eq. 2-3): gradients and masked slots', () => {
  const u = input('u', [3, 4], 14);
  const wa = input('wa', [4, 5], 15);
  const x = input('x', [3, 5, 4], 16);
  const present = new Float32Array([1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0]);
  const result = gradCheck(
    (xs) => {
      const r = gatedAttention(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor2D, xs[2] as tf.Tensor3D, present);
      return tf.add(project(r.output, 17), project(r.weights, 18));
    },
    [u, wa, x],
    { samples: 12 },
  );
  assertPasses(result, 'GAU');
  const weights = tf.tidy(() =>
    gatedAttention(
      tf.tensor2d(u.value, [3, 4]),
      tf.tensor2d(wa.value, [4, 5]),
      tf.tensor3d(x.value, [3, 5, 4]),
      present,
    ).weights.dataSync(),
  );
  assert.equal(weights[1 * 5 + 1], 0);
  assert.equal(weights[1 * 5 + 3], 0);
  assert.ok(Math.abs(weights[5] + weights[7] + weights[9] - 1) < 1e-6);
});

test('batch norm: training gradients match finite differences; running statistics follow PyTorch', () => {
  const params = new Params(19);
  const bn = declareBatchNorm(params, 'bn', 3, { momentum: 0.1 });
  const x = input('x', [5, 3], 20, 2);
  const result = gradCheck(
    (xs, ctx) => {
      const l = { ...bn, gamma: { variable: xs[1] } as DenseParam, beta: { variable: xs[2] } as DenseParam };
      return project(tf.tanh(batchNorm(xs[0], l, ctx)), 21);
    },
    [x, ...asInputs([bn.gamma, bn.beta])],
    { samples: 15 },
  );
  assertPasses(result, 'batch norm');
  // One training step's statistics, by hand: mean and unbiased variance of each column.
  const ctx = new StepContext(true, new Rng(1));
  tf.tidy(() => batchNorm(tf.tensor2d(x.value, [5, 3]), bn, ctx));
  const [meanUpdate, varUpdate] = ctx.bufferUpdates;
  for (let c = 0; c < 3; c++) {
    const col = [0, 1, 2, 3, 4].map((r) => x.value[r * 3 + c]);
    const mean = col.reduce((a, b) => a + b, 0) / 5;
    const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
    assert.ok(Math.abs(meanUpdate.value[c] - 0.1 * mean) < 1e-5);
    assert.ok(Math.abs(varUpdate.value[c] - (0.9 + 0.1 * variance)) < 1e-5);
  }
  // Inference uses the running statistics (here the initial 0 and 1): y = gamma·x/√(1+eps) + beta.
  const y = tf.tidy(() =>
    batchNorm(tf.tensor2d(x.value, [5, 3]), bn, new StepContext(false, new Rng(1))).dataSync(),
  );
  assert.ok(Math.abs(y[4] - x.value[4] / Math.sqrt(1 + 1e-5)) < 1e-5);
});

test('dropout: seeded, scaled by 1/(1-rate), identity at inference; gradient through the mask', () => {
  const x = input('x', [50, 20], 22);
  const run = (training: boolean, seed: number): Float32Array =>
    tf.tidy(
      () =>
        dropout(
          new StepContext(training, new Rng(seed)),
          tf.tensor2d(x.value, [50, 20]),
          0.25,
        ).dataSync() as Float32Array,
    );
  assert.deepEqual(run(true, 5), run(true, 5));
  assert.notDeepEqual(run(true, 5), run(true, 6));
  assert.deepEqual(Array.from(run(false, 5)), Array.from(x.value));
  const y = run(true, 5);
  let zeros = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 0) zeros++;
    else assert.ok(Math.abs(y[i] - x.value[i] / 0.75) < 1e-5);
  }
  assert.ok(zeros > 180 && zeros < 320, `${zeros} of 1000 dropped at rate 0.25`);
  assertPasses(
    gradCheck((xs, ctx) => project(dropout(ctx, xs[0], 0.5), 23), [input('x', [6, 5], 24)]),
    'dropout',
  );
});

test('FM bi-interaction equals the pairwise sum; gradients match finite differences', () => {
  const v = input('v', [2, 4, 3], 25);
  const out = tf.tidy(() => biInteraction(tf.tensor3d(v.value, [2, 4, 3])).dataSync());
  for (let b = 0; b < 2; b++) {
    for (let k = 0; k < 3; k++) {
      let pairwise = 0;
      for (let i = 0; i < 4; i++)
        for (let j = i + 1; j < 4; j++)
          pairwise += v.value[(b * 4 + i) * 3 + k] * v.value[(b * 4 + j) * 3 + k];
      assert.ok(Math.abs(out[b * 3 + k] - pairwise) < 1e-5);
    }
  }
  const fm = tf.tidy(() => fmSecondOrder(tf.tensor3d(v.value, [2, 4, 3])).dataSync());
  assert.ok(Math.abs(fm[0] - (out[0] + out[1] + out[2])) < 1e-5);
  assertPasses(
    gradCheck((xs) => project(biInteraction(xs[0] as tf.Tensor3D), 26), [v]),
    'bi-interaction',
  );
});

test('CIN (xDeepFM eq. 6-7): matches a direct loop, gradients match finite differences', () => {
  const params = new Params(27);
  const layer = declareCin(params, 'cin', 3, [4, 2], { bias: false });
  assert.equal(cinOutputSize(layer), 6);
  const x0 = input('x0', [2, 3, 5], 28);
  const w = layer.layers.map((l) => l.w.value);
  // Direct evaluation of eq. 6-7.
  const direct: number[] = [];
  for (let b = 0; b < 2; b++) {
    const X0 = (j: number, d: number): number => x0.value[(b * 3 + j) * 5 + d];
    let prev: number[][] = [0, 1, 2].map((j) => [0, 1, 2, 3, 4].map((d) => X0(j, d)));
    const pooled: number[] = [];
    [4, 2].forEach((size, k) => {
      const next: number[][] = [];
      for (let h = 0; h < size; h++) {
        const row: number[] = [];
        for (let d = 0; d < 5; d++) {
          let s = 0;
          for (let i = 0; i < prev.length; i++)
            for (let j = 0; j < 3; j++) s += w[k][(i * 3 + j) * size + h] * prev[i][d] * X0(j, d);
          row.push(s);
        }
        next.push(row);
        pooled.push(row.reduce((a, c) => a + c, 0));
      }
      prev = next;
    });
    direct.push(...pooled);
  }
  const out = tf.tidy(() => cin(tf.tensor3d(x0.value, [2, 3, 5]), layer).dataSync());
  direct.forEach((v, i) =>
    assert.ok(Math.abs(out[i] - v) < 1e-4 * (1 + Math.abs(v)), `p+[${i}] ${out[i]} vs ${v}`),
  );
  const result = gradCheck(
    (xs) => {
      const l = {
        ...layer,
        layers: layer.layers.map((_, k) => ({ w: { variable: xs[1 + k] } as DenseParam })),
      };
      return project(cin(xs[0] as tf.Tensor3D, l), 29);
    },
    [x0, ...asInputs(params.denseParams())],
    { samples: 12 },
  );
  assertPasses(result, 'CIN');
  // splitHalf: the first layer's maps are halved between the next layer and the output.
  const half = declareCin(new Params(1), 'h', 3, [4, 2], { splitHalf: true });
  assert.equal(cinOutputSize(half), 4);
  assert.deepEqual(
    tf.tidy(() => cin(tf.tensor3d(x0.value, [2, 3, 5]), half).shape),
    [2, 4],
  );
});

test('gradCheck catches a wrong gradient', () => {
  // y = x² with a gradient claimed to be 3x instead of 2x.
  const wrong = tf.customGrad((...args) => {
    const x = args[0] as tf.Tensor;
    return { value: tf.square(x), gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.mul(x, 3)) };
  });
  const result = gradCheck((xs) => tf.sum(wrong(xs[0])), [input('x', [5], 30)]);
  assert.equal(result.mismatches.length, 5);
  assert.ok(result.worstRatio > 1);
});

test('layer norm: normalises each vector; gradients match finite differences', () => {
  const params = new Params(31);
  const ln = declareLayerNorm(params, 'ln', 4);
  const x = input('x', [3, 4], 32, 2);
  const y = tf.tidy(() => layerNorm(tf.tensor2d(x.value, [3, 4]), ln).dataSync());
  for (let r = 0; r < 3; r++) {
    const row = Array.from(x.value.subarray(r * 4, r * 4 + 4));
    const mean = row.reduce((a, b) => a + b, 0) / 4;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
    row.forEach((v, c) => assert.ok(Math.abs(y[r * 4 + c] - (v - mean) / Math.sqrt(variance + 1e-5)) < 1e-5));
  }
  const result = gradCheck(
    (xs) => {
      const l = { ...ln, gamma: { variable: xs[1] } as DenseParam, beta: { variable: xs[2] } as DenseParam };
      return project(tf.tanh(layerNorm(xs[0], l)), 33);
    },
    [x, ...asInputs([ln.gamma, ln.beta])],
  );
  assertPasses(result, 'layer norm');
});

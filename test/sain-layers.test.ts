/**
 * SAIN's own layers on tiny inputs: the feature tokens of a pair, the feature-level interaction
 * layer's top-K attention (Eq. 1-2), the masked batch norm, the information integration layer
 * (Eq. 7-8, a hand example), and every gradient against finite differences (the engine's
 * gradCheck), up to the whole loss of Eq. 9.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { featureTable, codedField, multiField } from '../src/data/features.js';
import { initEngine } from '../src/engine/backend.js';
import { gradCheck } from '../src/engine/gradcheck.js';
import { declareBatchNorm } from '../src/engine/layers/batch-norm.js';
import { Params, type DenseParam } from '../src/engine/params.js';
import { StepContext } from '../src/engine/step.js';
import { declareFeatureInteraction, featureInteraction } from '../src/models/sain/feature-interaction.js';
import { selfAttention } from '../src/engine/layers/attention.js';
import { activate } from '../src/engine/layers/dense.js';
import { attentionCore } from '../src/models/sain/attention-core.js';
import { featureTokens, tokenBatch } from '../src/models/sain/feature-tokens.js';
import { frequencyL2, rowWeights } from '../src/models/sain/frequency-l2.js';
import { declareIntegration, integrate } from '../src/models/sain/integration.js';
import { maskedBatchNorm } from '../src/models/sain/masked-batch-norm.js';
import { fusedSainLoss } from '../src/models/sain/fused-loss.js';
import { declareSainNetwork, sainForward, sainLoss } from '../src/models/sain/sain-network.js';
import { Rng } from '../src/util/rng.js';
import { assertPasses, input, project } from '../test-helpers/gradcheck.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

/** A weight the loss reads from a gradCheck input tensor instead of its own variable. */
function stub(t: tf.Tensor): DenseParam {
  return { variable: t } as unknown as DenseParam;
}

/** Two users (age, gender) and three items (genre multi-valued, director possibly missing). */
function tinyTables() {
  const users = featureTable(2, [
    codedField('age', ['young', 'old'], [0, 1]),
    codedField('gender', ['M', 'F'], [1, 0]),
  ]);
  const items = featureTable(3, [
    multiField('genre', [['Action', 'Drama', 'War'], ['Drama'], []], {
      vocabulary: ['Action', 'Drama', 'War'],
    }),
    codedField('director', ['Lynch', 'Nolan'], [1, -1, 0]),
  ]);
  return { users, items };
}

test('feature tokens: one token per value, multi fields padded to the batch, names by feature', () => {
  const { users, items } = tinyTables();
  const tokens = featureTokens(users, items);
  assert.equal(tokens.vocabularySize, 2 + 2 + 3 + 2);
  assert.deepEqual(tokens.names.slice(0, 4), ['age=young', 'age=old', 'gender=M', 'gender=F']);
  assert.equal(tokens.itemWidth, 3 + 1);

  // Item 0 has three genres, so the genre slot takes three columns in this batch.
  const both = tokenBatch(tokens, Int32Array.of(0, 1), Int32Array.of(0, 1));
  assert.equal(both.length, 2 + 3 + 1);
  assert.deepEqual(
    Array.from(both.ids.subarray(0, 6), (id) => tokens.names[id]),
    ['age=young', 'gender=F', 'genre=Action', 'genre=Drama', 'genre=War', 'director=Nolan'],
  );
  // Pair 2: item 1 has one genre and no director: padding is -1 with mask 0.
  assert.deepEqual(Array.from(both.ids.subarray(6)), [1, 2, 5, -1, -1, -1]);
  assert.deepEqual(Array.from(both.mask.subarray(6)), [1, 1, 1, 0, 0, 0]);
  // A multi field's tokens share its slot equally; single fields weigh 1.
  assert.deepEqual(
    Array.from(both.poolWeight.subarray(0, 6), (w) => +w.toFixed(4)),
    [1, 1, 0.3333, 0.3333, 0.3333, 1],
  );
  assert.deepEqual(
    both.slots.map((slot) => [slot.field, slot.side, slot.start, slot.count]),
    [
      ['age', 'user', 0, 1],
      ['gender', 'user', 1, 1],
      ['genre', 'item', 2, 3],
      ['director', 'item', 5, 1],
    ],
  );

  // Slots of Eq. 5-6 (`mean`: one per field): user slot s of pair k is k·2 + s, item slots follow
  // the 2·2 user slots, padding goes to the extra slot 2·(2 + 2) = 8.
  assert.deepEqual(Array.from(both.segments), [0, 1, 4, 4, 4, 5, 2, 3, 6, 8, 8, 8]);
  // `value`: one item slot per genre plus the director's: 4 item slots, padding to 2·(2 + 4) = 12,
  // and every token weighs 1.
  const perValue = tokenBatch(featureTokens(users, items, 'value'), Int32Array.of(0, 1), Int32Array.of(0, 1));
  assert.deepEqual([perValue.userSlots, perValue.itemSlots], [2, 4]);
  assert.deepEqual(Array.from(perValue.segments), [0, 1, 4, 5, 6, 7, 2, 3, 9, 12, 12, 12]);
  assert.deepEqual(Array.from(perValue.poolWeight), [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);

  // Without item 0 the genre slot shrinks to one column; an item with no genres is all padding there.
  const narrow = tokenBatch(tokens, Int32Array.of(1, 0), Int32Array.of(1, 2));
  assert.equal(narrow.length, 4);
  assert.deepEqual(Array.from(narrow.mask), [1, 1, 1, 0, 1, 1, 0, 1]);
  assert.throws(() => tokenBatch(tokens, Int32Array.of(2), Int32Array.of(0)), /user index 2/);
});

test('interaction layer: top-K keeps exactly the K largest scores per row, zero weight elsewhere', () => {
  const params = new Params(4);
  const layer = declareFeatureInteraction(params, 'fi', 8, 2);
  const b = 3;
  const t = 6;
  const x = input('x', [b, t, 8], 5);
  // Sample 1 has two padding tokens; sample 2 has only two real tokens (fewer than K).
  const mask = Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0]);
  const K = 3;
  const run = (topK: number | undefined): Float32Array =>
    tf.tidy(() => {
      const ctx = new StepContext(false, new Rng(1));
      const { weights } = featureInteraction(tf.tensor3d(x.value, [b, t, 8]), layer, {
        mask,
        topK,
        dropout: 0.1,
        projection: 'relu',
        ctx,
      });
      return weights.dataSync() as Float32Array;
    });
  const full = run(undefined);
  const kept = run(K);
  for (let s = 0; s < b; s++) {
    const real = Array.from({ length: t }, (_, j) => j).filter((j) => mask[s * t + j] !== 0);
    for (let h = 0; h < 2; h++) {
      for (const q of real) {
        const row = ((s * 2 + h) * t + q) * t;
        const f = Array.from(full.subarray(row, row + t));
        const k = Array.from(kept.subarray(row, row + t));
        const nonzero = k.map((w, j) => (w > 0 ? j : -1)).filter((j) => j >= 0);
        assert.equal(nonzero.length, Math.min(K, real.length), `sample ${s} head ${h} row ${q}`);
        // The kept keys are the K largest of the full softmax (which is monotone in the scores) ...
        const largest = real
          .slice()
          .sort((i, j) => f[j] - f[i] || i - j)
          .slice(0, Math.min(K, real.length))
          .sort((i, j) => i - j);
        assert.deepEqual(nonzero, largest);
        // ... renormalised over the kept keys; padding and dropped keys get exactly 0.
        const z = largest.reduce((a, j) => a + f[j], 0);
        for (let j = 0; j < t; j++) {
          if (largest.includes(j)) assert.ok(Math.abs(k[j] - f[j] / z) < 1e-5);
          else assert.equal(k[j], 0);
        }
      }
    }
  }
});

test('fused attention core: the engine self-attention output and weights on real queries, and its gradient', () => {
  const params = new Params(9);
  const layer = declareFeatureInteraction(params, 'fa', 8, 2).attention;
  const b = 3;
  const t = 5;
  const mask = Float32Array.from([1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0]);
  const x = tf.tensor3d(input('x', [b, t, 8], 31).value, [b, t, 8]);
  const isReal = (s: number, q: number): boolean => mask[s * t + q] !== 0;
  for (const training of [false, true]) {
    const run = (core: boolean): { out: Float32Array; w: Float32Array; g: Float32Array } =>
      tf.tidy(() => {
        const f = (input: tf.Tensor): { output: tf.Tensor; weights: tf.Tensor } => {
          const ctx = new StepContext(training, new Rng(5));
          const options = { topK: 3, dropout: 0.3, ctx };
          if (!core) {
            return selfAttention(input as tf.Tensor3D, layer, {
              topK: 3,
              tokenMask: mask,
              projectionActivation: 'relu',
              attentionDropout: 0.3,
              ctx,
            });
          }
          let proj = tf.add(
            tf.matMul(tf.reshape(input, [b * t, 8]), layer.qkv.w.variable as tf.Tensor2D),
            (layer.qkv.b as DenseParam).variable,
          );
          proj = activate(proj, 'relu');
          return attentionCore(proj as tf.Tensor2D, {
            batch: b,
            tokens: t,
            heads: 2,
            headDim: 4,
            mask,
            ...options,
          });
        };
        // A loss that reads real query rows only (padding queries are not computed by the core).
        const weight = Float32Array.from({ length: b * t * 8 }, (_, k) =>
          isReal(Math.floor(k / (t * 8)), Math.floor(k / 8) % t) ? Math.sin(k) : 0,
        );
        const loss = (input: tf.Tensor): tf.Scalar =>
          tf.sum(tf.mul(f(input).output, tf.tensor3d(weight, [b, t, 8])));
        const r = f(x);
        return {
          out: r.output.dataSync() as Float32Array,
          w: r.weights.dataSync() as Float32Array,
          g: tf.grad(loss)(x).dataSync() as Float32Array,
        };
      });
    const a = run(false);
    const c = run(true);
    for (let s = 0; s < b; s++) {
      for (let q = 0; q < t; q++) {
        if (!isReal(s, q)) continue;
        for (let k = 0; k < 8; k++) {
          const i = (s * t + q) * 8 + k;
          assert.ok(Math.abs(a.out[i] - c.out[i]) < 1e-5, `output ${s},${q},${k} (training ${training})`);
        }
        for (let h = 0; h < 2; h++) {
          for (let j = 0; j < t; j++) {
            const i = ((s * 2 + h) * t + q) * t + j;
            assert.ok(Math.abs(a.w[i] - c.w[i]) < 1e-6, `weight ${s},${h},${q},${j}`);
          }
        }
      }
    }
    for (let i = 0; i < a.g.length; i++)
      assert.ok(Math.abs(a.g[i] - c.g[i]) < 1e-4, `gradient ${i} (training ${training})`);
  }
  x.dispose();
});

test('masked batch norm: statistics over real tokens only, padding does not move them', () => {
  const params = new Params(1);
  const bn = declareBatchNorm(params, 'bn', 2);
  const x = tf.tensor3d([1, 10, 3, 20, 1000, -1000, 5, 30], [2, 2, 2]);
  const mask = Float32Array.from([1, 1, 0, 1]);
  const ctx = new StepContext(true, new Rng(1));
  const y = maskedBatchNorm(x, mask, bn, ctx).arraySync();
  // Real rows: (1, 10), (3, 20), (5, 30): means 3 and 20, biased variances 8/3 and 200/3.
  const z = (v: number, mean: number, variance: number): number => (v - mean) / Math.sqrt(variance + 1e-5);
  assert.ok(Math.abs(y[0][0][0] - z(1, 3, 8 / 3)) < 1e-4);
  assert.ok(Math.abs(y[1][1][1] - z(30, 20, 200 / 3)) < 1e-4);
  assert.ok(
    Math.abs(y[1][0][0] - z(1000, 3, 8 / 3)) < 1e-1,
    'padding is normalised with the real statistics',
  );
  // Running statistics (momentum 0.1) use the unbiased variance of the 3 real rows.
  const [mean, variance] = ctx.bufferUpdates.map((u) => Array.from(u.value));
  assert.ok(Math.abs(mean[0] - 0.3) < 1e-6 && Math.abs(mean[1] - 2) < 1e-6);
  assert.ok(Math.abs(variance[0] - (0.9 + 0.1 * 4)) < 1e-5);
  assert.ok(Math.abs(variance[1] - (0.9 + 0.1 * 100)) < 1e-4);
  x.dispose();
});

test('integration layer: α_CF = σ(g(X_CF) − g(X̄)) in (0, 1), X = α·X_CF + (1 − α)·X̄ (hand example)', () => {
  const params = new Params(1);
  const layer = declareIntegration(params, 'integration', 2, 0.01);
  layer.g.w.value.set([2, -1]);
  layer.g.w.sync();
  const { combined, alpha } = tf.tidy(() => {
    const r = integrate(
      tf.tensor2d([
        [1, 0],
        [0, 0],
      ]),
      tf.tensor2d([
        [0, 1],
        [0, 0],
      ]),
      layer,
    );
    return { combined: r.combined.arraySync(), alpha: r.alpha.arraySync() };
  });
  // g(cf) = 2, g(content) = -1: α = e²/(e² + e⁻¹) = σ(3).
  const a = Math.exp(2) / (Math.exp(2) + Math.exp(-1));
  assert.ok(Math.abs(alpha[0][0] - a) < 1e-6);
  assert.ok(Math.abs(combined[0][0] - a) < 1e-6 && Math.abs(combined[0][1] - (1 - a)) < 1e-6);
  // Equal scores: α = 1/2.
  assert.ok(Math.abs(alpha[1][0] - 0.5) < 1e-7);
  for (const [v] of alpha) assert.ok(v > 0 && v < 1);
});

test('gradients: masked batch norm, integration and the interaction layer (top-K) match finite differences', () => {
  const params = new Params(2);
  const bn = declareBatchNorm(params, 'bn', 4);
  const bnMask = Float32Array.from([1, 1, 0, 1, 1, 1]);
  assertPasses(
    gradCheck(
      (xs, ctx) => {
        const layer = { ...bn, gamma: stub(xs[1]), beta: stub(xs[2]) };
        return project(maskedBatchNorm(xs[0] as tf.Tensor3D, bnMask, layer, ctx), 3);
      },
      [input('x', [2, 3, 4], 4), input('gamma', [4], 5), input('beta', [4], 6)],
      { samples: 10 },
    ),
    'masked batch norm',
  );

  const integration = declareIntegration(params, 'integration', 3, 0.5);
  assertPasses(
    gradCheck(
      (xs) => {
        const r = integrate(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor2D, { g: { w: stub(xs[2]) } });
        return tf.add(project(r.combined, 7), project(r.alpha, 8));
      },
      [input('cf', [4, 3], 9), input('content', [4, 3], 10), input('g', [3, 1], 11, 0.5)],
      { samples: 10 },
    ),
    'integration',
  );
  assert.equal(integration.g.b, undefined, "g's bias would cancel in Eq. 7");

  const fi = declareFeatureInteraction(params, 'fi', 4, 2);
  const mask = Float32Array.from([1, 1, 1, 1, 1, 1, 1, 0, 1, 1]);
  let pattern = '';
  const [w, b] = params.denseParams().filter((p) => p.name.startsWith('fi.attention'));
  assertPasses(
    gradCheck(
      (xs, ctx) => {
        const layer = {
          attention: { ...fi.attention, qkv: { w: stub(xs[1]), b: stub(xs[2]) } },
          norm: { ...fi.norm, gamma: stub(xs[3]), beta: stub(xs[4]) },
        };
        const { output, weights } = featureInteraction(xs[0] as tf.Tensor3D, layer, {
          mask,
          topK: 3,
          dropout: 0.1,
          projection: 'linear',
          ctx,
        });
        pattern = Array.from(weights.dataSync(), (v) => (v > 0 ? '1' : '0')).join('');
        return project(output, 12);
      },
      [
        input('x', [2, 5, 4], 13),
        { name: w.name, value: w.value, shape: w.shape.slice() },
        { name: b.name, value: b.value, shape: b.shape.slice() },
        input('gamma', [4], 14),
        input('beta', [4], 15),
      ],
      { samples: 10, regime: () => pattern },
    ),
    'interaction layer',
    30,
  );
});

test('gradients: the whole SAIN loss (Eq. 9) reaches every embedding table correctly', () => {
  const { users, items } = tinyTables();
  const tokens = featureTokens(users, items);
  const params = new Params(7);
  const net = declareSainNetwork(params, {
    users: 2,
    items: 3,
    vocabulary: tokens.vocabularySize,
    userSlots: 2,
    itemSlots: 2,
    dim: 4,
    featureDim: 4,
    heads: 2,
    layers: 1,
    initStd: 0.5,
    featureInitStd: 0.5,
    featureL2: 2,
    globalMean: 3,
    tableL2: 2,
    tables: 'sparse',
  });
  const us = Int32Array.of(0, 1, 1, 0, 1);
  const is = Int32Array.of(0, 1, 2, 2, 0);
  const batch = tokenBatch(tokens, us, is);
  const target = [5, 3, 1, 4, 2];
  let pattern = '';
  // Linear Q/K/V projections: with ReLU ones a ±eps step can cross a kink and the finite difference
  // is meaningless there (the ReLUs of Eq. 4 and of the maps f are still in the loss).
  const result = gradCheck(
    (_xs, ctx) => {
      const out = sainForward(
        net,
        { users: us, items: is, tokens: batch },
        { topK: 4, dropout: 0.1, projection: 'linear' },
        ctx,
      );
      pattern = out.attention
        .map((a) => Array.from(a.dataSync(), (v) => (v > 0 ? '1' : '0')).join(''))
        .join('|');
      return sainLoss(out, tf.tensor1d(target));
    },
    [],
    { tables: params.tables(), samples: 8, regime: () => pattern },
  );
  assertPasses(result, 'SAIN loss', 25);
});

test('fused loss: the same value and gradients as integration + scores + sainLoss (Eq. 7-9)', () => {
  const b = 6;
  const d = 5;
  const xs = [
    input('cfUser', [b, d], 21),
    input('cfItem', [b, d], 22),
    input('contentUser', [b, d], 23),
    input('contentItem', [b, d], 24),
    input('g', [d, 1], 25, 0.7),
    input('bias', [b], 26),
  ];
  const targets = Float32Array.from([5, 3, 1, 4, 2, 3]);
  const tensors = xs.map((x) => tf.tensor(x.value, x.shape));
  const reference = (v: tf.Tensor[]): tf.Scalar => {
    const [cu, ci, xu, xi, g, bias] = v as [
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor,
      tf.Tensor1D,
    ];
    const layer = { g: { w: stub(g) } };
    const user = integrate(cu, xu, layer);
    const item = integrate(ci, xi, layer);
    const score = (p: tf.Tensor2D, q: tf.Tensor2D): tf.Tensor1D => tf.add(tf.sum(tf.mul(p, q), 1), bias);
    const out = {
      content: score(xu, xi),
      preference: score(cu, ci),
      combined: score(user.combined, item.combined),
    } as Parameters<typeof sainLoss>[0];
    return sainLoss(out, tf.tensor1d(targets));
  };
  const fused = (v: tf.Tensor[]): tf.Scalar =>
    fusedSainLoss(
      {
        cfUser: v[0] as tf.Tensor2D,
        cfItem: v[1] as tf.Tensor2D,
        contentUser: v[2] as tf.Tensor2D,
        contentItem: v[3] as tf.Tensor2D,
        g: v[4],
        bias: v[5] as tf.Tensor1D,
      },
      targets,
    );
  const a = tf.grads((...v: tf.Tensor[]) => reference(v))(tensors);
  const f = tf.grads((...v: tf.Tensor[]) => fused(v))(tensors);
  const valueRef = reference(tensors).dataSync()[0];
  const valueFused = fused(tensors).dataSync()[0];
  assert.ok(Math.abs(valueRef - valueFused) < 1e-4 * Math.abs(valueRef), `${valueFused} vs ${valueRef}`);
  a.forEach((ga, k) => {
    const x = ga.dataSync();
    const y = f[k].dataSync();
    for (let i = 0; i < x.length; i++) {
      assert.ok(
        Math.abs(x[i] - y[i]) < 1e-4 + 1e-3 * Math.abs(x[i]),
        `${xs[k].name}[${i}]: ${y[i]} vs ${x[i]}`,
      );
    }
  });
  // The same input used twice (a side without features uses X_CF as X̄) sums both gradients.
  const twice = tf.grad((cu: tf.Tensor) => fused([cu, tensors[1], cu, tensors[3], tensors[4], tensors[5]]))(
    tensors[0],
  );
  const once = tf.grad((cu: tf.Tensor) =>
    reference([cu, tensors[1], cu, tensors[3], tensors[4], tensors[5]]),
  )(tensors[0]);
  const tw = twice.dataSync();
  const on = once.dataSync();
  for (let i = 0; i < tw.length; i++) assert.ok(Math.abs(tw[i] - on[i]) < 1e-4 + 1e-3 * Math.abs(on[i]));
  tf.dispose([...tensors, ...a, ...f, twice, once]);
});

test('frequency-weighted L2: weights N/n_r, and over all one-example batches it averages to λ·Σ‖e‖² of whole tables', () => {
  const { users, items } = tinyTables();
  const tokens = featureTokens(users, items);
  // Four examples: user 0 rates items 0 and 1, user 1 rates items 0 and 0 again (item 2 unused).
  const us = Int32Array.of(0, 0, 1, 1);
  const is = Int32Array.of(0, 1, 0, 0);
  const w = rowWeights(us, is, { users: 2, items: 3, tokens: tokens.vocabularySize }, tokens);
  assert.deepEqual(Array.from(w.user), [2, 2]);
  assert.deepEqual(Array.from(w.item), [Math.fround(4 / 3), 4, 0]);
  // genre=Drama (id 5) is in items 0 and 1: all 4 examples; director=Lynch (id 7) only in unused item 2.
  assert.equal(w.token[5], 1);
  assert.equal(w.token[7], 0);
  assert.equal(w.token[4], Math.fround(4 / 3)); // genre=Action: item 0 only

  const params = new Params(1);
  const U = params.table('u', 2, 3, { init: { kind: 'normal', std: 1 } });
  const V = params.table('v', 3, 3, { init: { kind: 'normal', std: 1 } });
  const F = params.table('f', tokens.vocabularySize, 3, { init: { kind: 'normal', std: 1 } });
  const lambda = 0.5;
  let average = 0;
  for (let k = 0; k < us.length; k++) {
    average +=
      tf.tidy(() => {
        const ctx = new StepContext(false, new Rng(1));
        const u = us.subarray(k, k + 1);
        const i = is.subarray(k, k + 1);
        const batch = tokenBatch(tokens, u, i);
        const penalty = frequencyL2(lambda, w, {
          users: u,
          items: i,
          tokenIds: batch.ids,
          user: ctx.lookup(U, u) as tf.Tensor2D,
          item: ctx.lookup(V, i) as tf.Tensor2D,
          tokens: ctx.lookup(F, batch.ids, [1, batch.length]) as tf.Tensor3D,
        });
        return penalty.dataSync()[0];
      }) / us.length;
  }
  // λ·Σ‖e_r‖² over the rows the examples use (item 2 and director=Lynch have none).
  const used = (table: Float32Array, rows: number[]): number =>
    rows.reduce((a, r) => a + table.subarray(r * 3, r * 3 + 3).reduce((b, x) => b + x * x, 0), 0);
  const usedTokens = Array.from({ length: tokens.vocabularySize }, (_, t) => t).filter((t) => w.token[t] > 0);
  const expected = lambda * (used(U.value, [0, 1]) + used(V.value, [0, 1]) + used(F.value, usedTokens));
  assert.ok(Math.abs(average - expected) < 1e-4 * expected, `${average} vs ${expected}`);
});

/**
 * Adam with L2 and the row-sparse (lazy) update of embedding tables.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initEngine } from '../src/engine/backend.js';
import { Adam, mergeRows } from '../src/engine/optimizer.js';
import { Params } from '../src/engine/params.js';
import { Rng } from '../src/util/rng.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

test('Adam first step by hand: w=1, g=0.5, lr=0.1 gives w = 1 - 0.1 = 0.9', () => {
  const params = new Params(1);
  const w = params.dense('w', [1], { init: { kind: 'constant', value: 1 } });
  const adam = new Adam({ learningRate: 0.1 });
  adam.step([[w, new Float32Array([0.5])]], []);
  // m̂ = 0.5, v̂ = 0.25: the first step moves by lr·sign(g) (up to ε).
  assert.ok(Math.abs(w.value[0] - 0.9) < 1e-6);
  assert.ok(Math.abs(w.variable.dataSync()[0] - 0.9) < 1e-6, 'the variable follows the value');
  // With L2 λ = 0.2 the gradient is 0.5 + 0.2·w; the first step still moves by lr.
  const v = params.dense('v', [1], { init: { kind: 'constant', value: 1 } });
  const decayed = new Adam({ learningRate: 0.1, l2: 0.2 });
  decayed.step([[v, new Float32Array([0.5])]], []);
  const mo = decayed.momentsOf('v', 1);
  assert.ok(Math.abs(mo.m[0] - 0.1 * 0.7) < 1e-7);
  assert.ok(Math.abs(mo.v[0] - 0.001 * 0.49) < 1e-9);
});

test('dense Adam matches tf.train.adam over several steps', () => {
  const rng = new Rng(2);
  const init = Float32Array.from({ length: 12 }, () => rng.normal());
  const target = tf.tensor2d(
    Float32Array.from({ length: 12 }, () => rng.normal()),
    [3, 4],
  );
  const loss = (w: tf.Tensor): tf.Scalar =>
    tf.sum(tf.mul(tf.square(tf.sub(w, target)), tf.reshape(tf.range(1, 13), [3, 4])));
  // Reference: tfjs's own Adam.
  const ref = tf.variable(tf.tensor2d(init, [3, 4]));
  const refOpt = tf.train.adam(0.05, 0.9, 0.999, 1e-8);
  // Ours.
  const params = new Params(1);
  const w = params.dense('w', [3, 4]);
  w.value.set(init);
  w.sync();
  const adam = new Adam({ learningRate: 0.05 });
  for (let s = 0; s < 5; s++) {
    refOpt.minimize(() => loss(ref));
    const g = tf.tidy(() => tf.grad(loss)(w.variable).dataSync() as Float32Array);
    adam.step([[w, g]], []);
  }
  const r = ref.dataSync();
  for (let i = 0; i < 12; i++)
    assert.ok(Math.abs(w.value[i] - r[i]) < 1e-5, `w[${i}] ${w.value[i]} vs ${r[i]}`);
  refOpt.dispose();
  ref.dispose();
  target.dispose();
});

test('sparse Adam: touched rows equal a dense Adam step, untouched rows and moments stay put', () => {
  const rng = new Rng(3);
  const values = Float32Array.from({ length: 8 * 3 }, () => rng.normal());
  const params = new Params(4);
  const table = params.table('emb', 8, 3);
  table.value.set(values);
  const dense = params.dense('dense', [8, 3]);
  dense.value.set(values);
  const lr = 0.01;
  const l2 = 0.1;
  // Two lookups in one batch: rows 2, 5 and rows 5, 7 (row 5 is summed).
  const g1 = Float32Array.from({ length: 6 }, () => rng.normal());
  const g2 = Float32Array.from({ length: 6 }, () => rng.normal());
  const sparse = new Adam({ learningRate: lr, l2 });
  sparse.step(
    [],
    [
      { table, ids: new Int32Array([2, 5]), grads: g1 },
      { table, ids: new Int32Array([5, 7]), grads: g2 },
    ],
  );
  // The dense reference sees the same gradient as a full [8, 3] array, zero elsewhere.
  const full = new Float32Array(24);
  for (let c = 0; c < 3; c++) {
    full[2 * 3 + c] = g1[c];
    full[5 * 3 + c] = g1[3 + c] + g2[c];
    full[7 * 3 + c] = g2[3 + c];
  }
  new Adam({ learningRate: lr, l2 }).step([[dense, full]], []);
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 3; c++) {
      const i = r * 3 + c;
      if (r === 2 || r === 5 || r === 7)
        assert.ok(Math.abs(table.value[i] - dense.value[i]) < 1e-7, `row ${r}`);
      else assert.equal(table.value[i], values[i], `untouched row ${r} changed`);
    }
  }
  // Step 2 touches only row 0: rows 2, 5, 7 keep their weights and moments (lazy), and row 0
  // takes a first-touch step with the global t = 2 in the bias corrections.
  const before2 = table.value.slice();
  const m5 = sparse.momentsOf('emb', 24).m[15];
  const g0 = new Float32Array([0.3, -0.2, 0.1]);
  sparse.step([], [{ table, ids: new Int32Array([0]), grads: g0 }]);
  for (let i = 3; i < 24; i++) assert.equal(table.value[i], before2[i]);
  assert.equal(sparse.momentsOf('emb', 24).m[15], m5);
  for (let c = 0; c < 3; c++) {
    const w = values[c];
    const g = g0[c] + l2 * w;
    const m = 0.1 * g;
    const v = 0.001 * g * g;
    const expected = w - (lr * (m / (1 - 0.9 ** 2))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    assert.ok(Math.abs(table.value[c] - expected) < 1e-6, `row 0 col ${c}: ${table.value[c]} vs ${expected}`);
  }
});

test('mergeRows sums gradients of repeated rows across lookups of one table', () => {
  const params = new Params(1);
  const t = params.table('t', 4, 2);
  const u = params.table('u', 4, 2);
  const merged = mergeRows([
    { table: t, ids: new Int32Array([1, 3]), grads: new Float32Array([1, 2, 3, 4]) },
    { table: u, ids: new Int32Array([1]), grads: new Float32Array([9, 9]) },
    { table: t, ids: new Int32Array([3, 0]), grads: new Float32Array([10, 20, 30, 40]) },
  ]);
  assert.equal(merged.length, 2);
  const mt = merged.find((m) => m.table === t);
  assert.deepEqual(Array.from(mt?.ids ?? []), [1, 3, 0]);
  assert.deepEqual(Array.from(mt?.grads ?? []), [1, 2, 13, 24, 30, 40]);
});

test('Adam rejects bad settings, naming them', () => {
  assert.throws(() => new Adam({ learningRate: 0 }), /learningRate/);
  assert.throws(() => new Adam({ learningRate: 0.1, beta2: 1 }), /beta2/);
  assert.throws(() => new Adam({ learningRate: 0.1, l2: -1 }), /l2/);
});

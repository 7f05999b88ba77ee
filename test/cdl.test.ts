import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RatingSubset } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { Cdl, cdlSpec } from '../src/models/cdl/cdl.js';
import { choleskySolve, groupRatings, solveRows } from '../src/models/cdl/pmf-updates.js';
import {
  accumulateGradient,
  forward,
  initSdae,
  newActivations,
  type SdaeWeights,
} from '../src/models/cdl/sdae.js';
import { resolveConfig } from '../src/models/config.js';
import { UsageError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';

test('cdl: choleskySolve solves a symmetric positive-definite system', () => {
  const rng = new Rng(1);
  const k = 5;
  const M = Float64Array.from({ length: k * k }, () => rng.normal());
  const A = new Float64Array(k * k);
  for (let p = 0; p < k; p++)
    for (let q = 0; q < k; q++) {
      let s = p === q ? 0.5 : 0;
      for (let r = 0; r < k; r++) s += M[r * k + p] * M[r * k + q];
      A[p * k + q] = s;
    }
  const b = Float64Array.from({ length: k }, () => rng.normal());
  const x = b.slice();
  choleskySolve(A.slice(), x, k);
  for (let p = 0; p < k; p++) {
    let s = 0;
    for (let q = 0; q < k; q++) s += A[p * k + q] * x[q];
    assert.ok(Math.abs(s - b[p]) < 1e-9, `row ${p}: ${s} != ${b[p]}`);
  }
});

test('cdl: each v_j update is the minimiser of its terms of ℒ (the gradient there is 0, nearby points are worse)', () => {
  const rng = new Rng(2);
  const k = 3;
  const users = 6;
  const items = 4;
  const user = Int32Array.of(0, 1, 2, 3, 4, 5, 0, 2, 4, 1);
  const item = Int32Array.of(0, 0, 0, 1, 1, 2, 2, 3, 3, 3);
  const rating = Float32Array.of(5, 3, 4, 1, 2, 5, 4, 3, 3, 2);
  const mean = 3.2;
  const U = Float64Array.from({ length: users * k }, () => rng.normal());
  const theta = Float64Array.from({ length: items * k }, () => rng.normal());
  const V = new Float64Array(items * k);
  const lambda = 0.7;
  solveRows(V, U, groupRatings(item, user, rating, mean, items), k, lambda, theta);
  // ℒ's terms with v_j: Σ_i (r_ij − μ − u_iᵀ v_j)² + λ_v ‖v_j − θ_j‖² (times ½).
  const objective = (j: number, v: ArrayLike<number>): number => {
    let s = 0;
    for (let t = 0; t < user.length; t++) {
      if (item[t] !== j) continue;
      let dot = 0;
      for (let p = 0; p < k; p++) dot += U[user[t] * k + p] * v[p];
      s += (rating[t] - mean - dot) ** 2;
    }
    for (let p = 0; p < k; p++) s += lambda * (v[p] - theta[j * k + p]) ** 2;
    return s / 2;
  };
  const h = 1e-5;
  for (let j = 0; j < items; j++) {
    const v = Array.from(V.subarray(j * k, (j + 1) * k));
    for (let p = 0; p < k; p++) {
      const plus = v.slice();
      const minus = v.slice();
      plus[p] += h;
      minus[p] -= h;
      assert.ok(Math.abs((objective(j, plus) - objective(j, minus)) / (2 * h)) < 1e-6);
      plus[p] += 0.01;
      assert.ok(objective(j, plus) > objective(j, v));
    }
  }
});

test('cdl: an item without ratings gets v_j = θ_j, a user without ratings u_i = 0', () => {
  const k = 2;
  const theta = Float64Array.of(1, 2, -3, 0.5);
  const V = new Float64Array(4);
  const U = Float64Array.of(0.3, -0.1);
  solveRows(V, U, groupRatings(Int32Array.of(0), Int32Array.of(0), Float32Array.of(4), 3, 2), k, 2, theta);
  V.subarray(2).forEach((v, p) => assert.ok(Math.abs(v - theta[2 + p]) < 1e-12, `${v} != ${theta[2 + p]}`));
  const users = new Float64Array(4).fill(9);
  solveRows(
    users,
    V,
    groupRatings(Int32Array.of(0), Int32Array.of(0), Float32Array.of(4), 3, 2),
    k,
    2,
    undefined,
  );
  assert.deepEqual(Array.from(users.subarray(2)), [0, 0]);
});

test('cdl: the SDAE gradient matches central differences of its loss', () => {
  const rng = new Rng(3);
  const w: SdaeWeights = initSdae(rng, 5, 4, 3);
  // Give W_2 (zero at initialisation) values, so every path carries gradient.
  w.tensors[2].forEach((_, p, a) => (a[p] = rng.normal() * 0.5));
  const input = Float64Array.of(1, 0, 1, 0, 0);
  const clean = Float64Array.of(1, 1, 1, 0, 0);
  const target = Float64Array.of(0.5, -1, 2);
  const loss = { lambdaN: 3, lambdaV: 0.7 };
  const value = (): number => {
    const a = newActivations(w);
    forward(w, input, a);
    let s = 0;
    for (let o = 0; o < 5; o++) s += 0.5 * loss.lambdaN * (a.output[o] - clean[o]) ** 2;
    for (let c = 0; c < 3; c++) s += 0.5 * loss.lambdaV * (a.theta[c] - target[c]) ** 2;
    return s;
  };
  const grads = w.tensors.map((x) => new Float64Array(x.length));
  const reported = accumulateGradient(w, input, clean, target, loss, grads, newActivations(w));
  assert.ok(Math.abs(reported - value()) < 1e-12);
  const h = 1e-6;
  w.tensors.forEach((x, l) => {
    for (let p = 0; p < x.length; p++) {
      const keep = x[p];
      x[p] = keep + h;
      const plus = value();
      x[p] = keep - h;
      const minus = value();
      x[p] = keep;
      const numeric = (plus - minus) / (2 * h);
      assert.ok(
        Math.abs(numeric - grads[l][p]) < 1e-6,
        `tensor ${l} entry ${p}: ${grads[l][p]} != ${numeric}`,
      );
    }
  });
});

test('cdl: fitting lowers the training error; no item content is refused, naming the setting', async () => {
  const data = generateSynthetic({ users: 30, items: 20, ratingsPerUser: 10, seed: 4 });
  const train: RatingSubset = { dataset: data, indices: Int32Array.from(data.ratings.rating.keys()) };
  const u = Int32Array.from(train.indices, (x) => data.ratings.user[x]);
  const i = Int32Array.from(train.indices, (x) => data.ratings.item[x]);
  const mse = (model: Cdl): number => {
    const pred = model.predict(u, i);
    let s = 0;
    train.indices.forEach((x, t) => (s += (pred[t] - data.ratings.rating[x]) ** 2));
    return s / train.indices.length;
  };
  const settings = { factors: 4, hidden: 6, pretrainEpochs: 1, sdaeEpochs: 1, lambdaU: 1, lambdaV: 1 };
  const one = new Cdl(resolveConfig(cdlSpec, { ...settings, epochs: 1 }));
  await one.fit(train);
  const five = new Cdl(resolveConfig(cdlSpec, { ...settings, epochs: 5 }));
  await five.fit(train);
  assert.ok(mse(five) < mse(one), `${mse(five)} !< ${mse(one)}`);
  const none = new Cdl(resolveConfig(cdlSpec, { ...settings, itemFeatures: 'none' }));
  await assert.rejects(
    none.fit(train),
    (e: Error) => e instanceof UsageError && /itemFeatures/.test(e.message),
  );
});

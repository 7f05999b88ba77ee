import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset, FeatureField } from '../src/data/dataset.js';
import { predictRow, type FmParams } from '../src/models/classic/fm-core.js';
import { buildFmLayout, toSortedRows } from '../src/models/classic/fm-design.js';
import type { RunOrder } from '../src/models/classic/fm-coordinate-kernels.js';
import { createHyper, FmCoordinateState, type FmHyper } from '../src/models/classic/fm-mcmc.js';
import { fmTrainingData, type FmTrainingData } from '../src/models/classic/fm-solver.js';
import { liveFmWorkers } from '../src/models/classic/fm-sweep-pool.js';
import { Rng } from '../src/util/rng.js';
import { featureField, idMap } from '../test-helpers/datasets.js';

/**
 * The optimised coordinate kernels must perform the same floating-point operations in the same
 * order as the plain libFM loops below (Rendle 2012 Sec. 4.3), so that a seed gives bit-identical
 * draws. The reference walks each column's rows (CSC) for every parameter and accumulates q_f
 * column by column, exactly as the sampler did before it was optimised.
 */
function referenceResiduals(params: FmParams, data: FmTrainingData, eq: Float64Array): void {
  const { rows, target } = data;
  for (let r = 0; r < target.length; r++) {
    eq[2 * r] =
      predictRow(params, rows.columns, rows.values, rows.offsets[r], rows.offsets[r + 1]) - target[r];
  }
}

function referenceW0(params: FmParams, eq: Float64Array, hyper: FmHyper, rng: Rng): void {
  const n = eq.length / 2;
  const old = params.w0;
  let sum = 0;
  for (let r = 0; r < n; r++) sum += eq[2 * r] - old;
  const variance = 1 / (hyper.reg0 + hyper.alpha * n);
  const next = -variance * hyper.alpha * sum + Math.sqrt(variance) * rng.normal();
  params.w0 = next;
  for (let r = 0; r < n; r++) eq[2 * r] += next - old;
}

function referenceW(
  params: FmParams,
  data: FmTrainingData,
  active: Uint8Array,
  eq: Float64Array,
  hyper: FmHyper,
  draw: boolean,
  rng: Rng,
): void {
  const { offsets, rows, values } = data.byColumn;
  for (let j = 0; j < data.columnCount; j++) {
    if (!active[j]) continue;
    const old = params.w[j];
    let she = 0;
    let shh = 0;
    for (let p = offsets[j]; p < offsets[j + 1]; p++) {
      const x = values[p];
      she += x * (eq[2 * rows[p]] - old * x);
      shh += x * x;
    }
    const g = data.columnGroup[j];
    const variance = 1 / (hyper.wLambda[g] + hyper.alpha * shh);
    const mean = -variance * (hyper.alpha * she - hyper.wMu[g] * hyper.wLambda[g]);
    const next = draw ? mean + Math.sqrt(variance) * rng.normal() : mean;
    params.w[j] = next;
    for (let p = offsets[j]; p < offsets[j + 1]; p++) eq[2 * rows[p]] += (next - old) * values[p];
  }
}

function referenceV(
  params: FmParams,
  data: FmTrainingData,
  active: Uint8Array,
  eq: Float64Array,
  hyper: FmHyper,
  draw: boolean,
  rng: Rng,
): void {
  const { offsets, rows, values } = data.byColumn;
  const { factors, v } = params;
  const n = eq.length / 2;
  for (let f = 0; f < factors; f++) {
    const base = f * data.columnCount;
    for (let r = 0; r < n; r++) eq[2 * r + 1] = 0;
    for (let j = 0; j < data.columnCount; j++) {
      const vj = v[base + j];
      if (vj === 0) continue;
      for (let p = offsets[j]; p < offsets[j + 1]; p++) eq[2 * rows[p] + 1] += vj * values[p];
    }
    for (let j = 0; j < data.columnCount; j++) {
      if (!active[j]) continue;
      const old = v[base + j];
      let she = 0;
      let shh = 0;
      for (let p = offsets[j]; p < offsets[j + 1]; p++) {
        const x = values[p];
        const h = x * (eq[2 * rows[p] + 1] - old * x);
        she += h * eq[2 * rows[p]];
        shh += h * h;
      }
      she -= old * shh;
      const gf = data.columnGroup[j] * factors + f;
      const variance = 1 / (hyper.vLambda[gf] + hyper.alpha * shh);
      const mean = -variance * (hyper.alpha * she - hyper.vMu[gf] * hyper.vLambda[gf]);
      const next = draw ? mean + Math.sqrt(variance) * rng.normal() : mean;
      v[base + j] = next;
      for (let p = offsets[j]; p < offsets[j + 1]; p++) {
        const x = values[p];
        const r2 = 2 * rows[p];
        const h = x * (eq[r2 + 1] - old * x);
        eq[r2 + 1] += x * (next - old);
        eq[r2] += h * (next - old);
      }
    }
  }
}

/** A field whose `size` values are labelled c0, c1, …, with each entity's codes as given. */
function field(name: string, kind: FeatureField['kind'], size: number, perEntity: number[][]): FeatureField {
  return featureField(
    name,
    kind,
    Array.from({ length: size }, (_, k) => `c${k}`),
    perEntity,
  );
}

/**
 * Random ratings in random order (so a row's non-zeros are not in column order), users and items
 * without ratings and unused codes (inactive columns), users missing a field, and a multi-valued
 * field with weights 1/|values| (rows with several non-zeros in one group).
 */
function randomData(seed: number): FmTrainingData {
  const rng = new Rng(seed);
  const users = 40;
  const items = 25;
  const user: number[] = [];
  const item: number[] = [];
  const rating: number[] = [];
  for (let k = 0; k < 500; k++) {
    user.push(rng.int(users - 3)); // the last 3 users never rate
    item.push(rng.int(items - 2)); // nor do the last 2 items
    rating.push(1 + rng.int(5));
  }
  const dataset: Dataset = {
    id: 'random',
    users: idMap('u', users),
    items: idMap('i', items),
    ratings: { user: Int32Array.from(user), item: Int32Array.from(item), rating: Float32Array.from(rating) },
    scale: { min: 1, max: 5 },
    userFeatures: {
      count: users,
      fields: [
        field(
          'age',
          'categorical',
          5,
          Array.from({ length: users }, (_, u) => (u % 7 === 0 ? [] : [rng.int(4)])),
        ),
        field(
          'gender',
          'categorical',
          2,
          Array.from({ length: users }, () => [rng.int(2)]),
        ),
      ],
    },
    itemFeatures: {
      count: items,
      fields: [
        field(
          'genre',
          'multi',
          6,
          Array.from({ length: items }, () => [...new Set([rng.int(6), rng.int(6), rng.int(6)])]),
        ),
        field(
          'year',
          'categorical',
          3,
          Array.from({ length: items }, () => [rng.int(3)]),
        ),
      ],
    },
    predefinedSplits: {},
  };
  const layout = buildFmLayout(dataset, { features: 'all', multiWeight: 'mean' });
  return fmTrainingData(layout, dataset.ratings, dataset.scale);
}

/** Hyperparameters that differ per group and factor, so a wrong index shows. */
function someHyper(data: FmTrainingData, factors: number, rng: Rng): FmHyper {
  const hyper = createHyper(data.groupCount, factors);
  hyper.alpha = 0.5 + rng.next();
  for (let g = 0; g < data.groupCount; g++) {
    hyper.wMu[g] = rng.normal() * 0.1;
    hyper.wLambda[g] = 1 + 5 * rng.next();
  }
  for (let k = 0; k < hyper.vMu.length; k++) {
    hyper.vMu[k] = rng.normal() * 0.1;
    hyper.vLambda[k] = 1 + 5 * rng.next();
  }
  return hyper;
}

const bits = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

test('fm kernels: sorted rows list each row’s non-zeros in ascending column order', () => {
  const data = randomData(1);
  const sorted = toSortedRows(data.byColumn, data.target.length);
  assert.deepEqual(sorted.offsets, data.rows.offsets);
  for (let r = 0; r < data.target.length; r++) {
    const start = data.rows.offsets[r];
    const end = data.rows.offsets[r + 1];
    const expected = Array.from(data.rows.columns.subarray(start, end), (c, k) => ({
      c,
      x: data.rows.values[start + k],
    })).sort((a, b) => a.c - b.c);
    assert.deepEqual(
      Array.from(sorted.columns.subarray(start, end)),
      expected.map((e) => e.c),
    );
    assert.deepEqual(
      Array.from(sorted.values.subarray(start, end)),
      expected.map((e) => e.x),
    );
  }
});

/**
 * Four sweeps of `state` (built from `data` with `seed`), one of them ALS, checked bit for bit
 * against the plain loops after every step.
 */
async function assertSweepsMatchReference(
  state: FmCoordinateState,
  data: FmTrainingData,
  seed: number,
  factors: number,
): Promise<void> {
  const params: FmParams = { ...state.params, w: state.params.w.slice(), v: state.params.v.slice() };
  const eq = new Float64Array(state.eq.length);
  referenceResiduals(params, data, eq);
  assert.deepEqual(bits(state.eq), bits(eq), 'initial residuals');
  const hyperRng = new Rng(100 + seed);
  const fast = new Rng(7);
  const slow = new Rng(7);
  for (let sweep = 0; sweep < 4; sweep++) {
    const hyper = someHyper(data, factors, hyperRng);
    const draw = sweep !== 2; // one ALS sweep (conditional means) among the draws
    state.recomputeResiduals();
    referenceResiduals(params, data, eq);
    assert.deepEqual(bits(state.eq), bits(eq), `residuals, sweep ${sweep}`);
    state.updateW0(hyper, true, fast);
    referenceW0(params, eq, hyper, slow);
    await state.updateW(hyper, draw, fast);
    referenceW(params, data, state.active, eq, hyper, draw, slow);
    assert.deepEqual(bits(state.params.w), bits(params.w), `w, sweep ${sweep}`);
    await state.updateV(hyper, draw, fast);
    referenceV(params, data, state.active, eq, hyper, draw, slow);
    if (sweep === 1) {
      // A second factor sweep without new residuals: q_f must come from the changed V.
      await state.updateV(hyper, draw, fast);
      referenceV(params, data, state.active, eq, hyper, draw, slow);
    }
    assert.equal(state.params.w0, params.w0);
    assert.deepEqual(bits(state.params.v), bits(params.v), `v, sweep ${sweep}`);
    assert.deepEqual(bits(state.eq), bits(eq), `e and q caches, sweep ${sweep}`);
  }
  assert.equal(fast.next(), slow.next(), 'both consumed the same random numbers');
}

test('fm kernels: Gibbs and ALS sweeps are bit-identical to the plain column-wise loops', async () => {
  // k = 3 and 9 leave padding lanes in the row pass's eight-factor chunks; 8 does not. One-hot
  // column runs (ids, categorical fields) are walked by rows, by columns, or timed (both).
  const cases: Array<[number, number, RunOrder]> = [
    [1, 3, 'rows'],
    [2, 8, 'columns'],
    [3, 9, 'timed'],
    [4, 4, 'rows'],
  ];
  for (const [seed, factors, order] of cases) {
    const data = randomData(seed);
    await assertSweepsMatchReference(
      new FmCoordinateState(data, factors, 0.1, new Rng(seed), order),
      data,
      seed,
      factors,
    );
  }
});

test('fm kernels: sweeps on 2 and 3 threads are bit-identical to the plain loops, and leave no thread', async () => {
  // Each one-hot run (user ids, item ids, age, gender, year) is cut into one part per thread; the
  // multi-valued genre field stays on the fit's thread. 3 threads leave some parts of the small
  // categorical runs empty or one column wide.
  const cases: Array<[number, number, RunOrder, number]> = [
    [5, 3, 'rows', 2],
    [6, 8, 'columns', 2],
    [7, 9, 'timed', 3],
  ];
  for (const [seed, factors, order, threads] of cases) {
    const data = randomData(seed);
    const state = new FmCoordinateState(data, factors, 0.1, new Rng(seed), order, threads);
    try {
      await state.start();
      assert.equal(liveFmWorkers(), threads - 1);
      await assertSweepsMatchReference(state, data, seed, factors);
    } finally {
      await state.close();
    }
    assert.equal(liveFmWorkers(), 0);
  }
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import type { Dataset } from '../src/data/dataset.js';
import { resolveConfig } from '../src/models/config.js';
import type { ConfigValue, ModelState, ProgressEvent, RatingModel } from '../src/models/model.js';
import { createParams, pairwiseTerm, predictRow } from '../src/models/classic/fm-core.js';
import { buildFmLayout, designRows, toColumns } from '../src/models/classic/fm-design.js';
import { fitFmAls } from '../src/models/classic/fm-als.js';
import type { FmSamples } from '../src/models/classic/fm-core.js';
import { fitFmMcmc, keptSweeps } from '../src/models/classic/fm-mcmc.js';
import { fmTrainingData, type FmSolverHooks } from '../src/models/classic/fm-solver.js';
import { fmFitThreads, liveFmWorkers, MIN_NONZEROS_PER_THREAD } from '../src/models/classic/fm-sweep-pool.js';
import { sgdStep } from '../src/models/classic/fm-sgd.js';
import { FactorizationMachine, fmSpec } from '../src/models/classic/fm.js';
import { UsageError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';
import { featureField, idMap } from '../test-helpers/datasets.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

/**
 * Planted data: user u has a side s_u = ±1 (field "side"), item i a kind t_i = ±1 (field "kind"),
 * and r(u, i) = 3 + 1.5 s_u t_i + noise: only the feature interaction explains the ratings. Users
 * 0..warmUsers-1 rate `perUser` random items; the other users have no ratings at all (cold).
 */
function plantedData(seed: number, users = 100, warmUsers = 80, items = 30, perUser = 10) {
  const rng = new Rng(seed);
  const side = Array.from({ length: users }, () => (rng.next() < 0.5 ? 0 : 1));
  const kind = Array.from({ length: items }, () => (rng.next() < 0.5 ? 0 : 1));
  const rate = (u: number, i: number): number =>
    3 + 1.5 * (side[u] === kind[i] ? 1 : -1) + 0.1 * rng.normal();
  const user: number[] = [];
  const item: number[] = [];
  const rating: number[] = [];
  const train: number[] = [];
  const test: number[] = [];
  for (let u = 0; u < users; u++) {
    const chosen =
      u < warmUsers
        ? Array.from(rng.permutation(items).subarray(0, perUser))
        : Array.from({ length: items }, (_, i) => i);
    for (const i of chosen) {
      (u < warmUsers ? train : test).push(user.length);
      user.push(u);
      item.push(i);
      rating.push(rate(u, i));
    }
  }
  const dataset: Dataset = {
    id: 'planted',
    users: idMap('u', users),
    items: idMap('i', items),
    ratings: { user: Int32Array.from(user), item: Int32Array.from(item), rating: Float32Array.from(rating) },
    scale: { min: 1, max: 5 },
    userFeatures: {
      count: users,
      fields: [
        featureField(
          'side',
          'categorical',
          ['left', 'right'],
          side.map((s) => [s]),
        ),
      ],
    },
    itemFeatures: {
      count: items,
      fields: [
        featureField(
          'kind',
          'categorical',
          ['left', 'right'],
          kind.map((t) => [t]),
        ),
      ],
    },
    predefinedSplits: {},
  };
  return { dataset, train: Int32Array.from(train), test: Int32Array.from(test) };
}

function rmseOn(model: RatingModel, dataset: Dataset, indices: Int32Array): number {
  const users = Int32Array.from(indices, (k) => dataset.ratings.user[k]);
  const items = Int32Array.from(indices, (k) => dataset.ratings.item[k]);
  const pred = model.predict(users, items);
  let se = 0;
  for (let k = 0; k < indices.length; k++) {
    assert.ok(Number.isFinite(pred[k]), 'prediction is finite');
    const p = Math.min(5, Math.max(1, pred[k]));
    se += (p - dataset.ratings.rating[indices[k]]) ** 2;
  }
  return Math.sqrt(se / indices.length);
}

function globalMeanRmse(dataset: Dataset, train: Int32Array, test: Int32Array): number {
  let mean = 0;
  for (const k of train) mean += dataset.ratings.rating[k];
  mean /= train.length;
  let se = 0;
  for (const k of test) se += (mean - dataset.ratings.rating[k]) ** 2;
  return Math.sqrt(se / test.length);
}

function fm(overrides: Record<string, ConfigValue>): FactorizationMachine {
  return fmSpec.create(resolveConfig(fmSpec, overrides)) as FactorizationMachine;
}

const FAST_MCMC = { factors: 4, iterations: 60, burnIn: 10, samples: 20 };

test('fm: the O(kn) pairwise term (Eq. 5) equals the naive O(k n^2) sum of Eq. 1', () => {
  const rng = new Rng(3);
  const columns = 40;
  const factors = 7;
  const v = Float64Array.from({ length: columns * factors }, () => rng.normal());
  const cols = Int32Array.from(rng.permutation(columns).subarray(0, 12));
  const vals = Float64Array.from(cols, () => rng.normal());
  let naive = 0;
  for (let a = 0; a < cols.length; a++) {
    for (let b = a + 1; b < cols.length; b++) {
      let dot = 0;
      for (let f = 0; f < factors; f++) dot += v[f * columns + cols[a]] * v[f * columns + cols[b]];
      naive += dot * vals[a] * vals[b];
    }
  }
  close(pairwiseTerm(v, columns, factors, cols, vals, 0, cols.length), naive, 1e-9);
  // A sub-range of the arrays is a row on its own.
  close(pairwiseTerm(v, columns, factors, cols, vals, 3, 4), 0);
});

test('fm: one SGD step matches a hand computation', () => {
  const params = createParams(3, 2);
  params.w0 = 3;
  params.w.set([0.1, 0.2, -0.3]);
  params.v.set([0.1, 0.3, 0.2, /* f = 1 */ -0.2, 0.1, 0.4]);
  const cols = Int32Array.of(0, 2);
  const vals = Float64Array.of(1, 0.5);
  const step = { learnRate: 0.1, regBias: 0, regLinear: 0.1, regPair: 0.2, min: 1, max: 5 };
  // ŷ = 3 + 0.1·1 − 0.3·0.5 + <v_0, v_2>·1·0.5 = 3 + 0.1 − 0.15 + (0.02 − 0.08)·0.5 = 2.92; ŷ − y = −1.08.
  // Sums before the update: q_0 = 0.1 + 0.2·0.5 = 0.2, q_1 = −0.2 + 0.4·0.5 = 0.
  const pred = sgdStep(params, cols, vals, 0, 2, 4, step, new Float64Array(2));
  close(pred, 2.92);
  close(params.w0, 3.108); // 3 − 0.1·(−1.08)
  close(params.w[0], 0.207); // 0.1 − 0.1·(−1.08·1 + 0.1·0.1)
  close(params.w[1], 0.2); // not in the row
  close(params.w[2], -0.243); // −0.3 − 0.1·(−1.08·0.5 + 0.1·(−0.3))
  close(params.v[0], 0.1088); // 0.1 − 0.1·(−1.08·1·(0.2 − 0.1) + 0.2·0.1)
  close(params.v[1], 0.3);
  close(params.v[2], 0.2014); // 0.2 − 0.1·(−1.08·0.5·(0.2 − 0.1) + 0.2·0.2)
  close(params.v[3], -0.1744); // −0.2 − 0.1·(−1.08·1·(0 + 0.2) + 0.2·(−0.2))
  close(params.v[4], 0.1);
  close(params.v[5], 0.3812); // 0.4 − 0.1·(−1.08·0.5·(0 − 0.2) + 0.2·0.4)
  // The prediction is clipped to the scale before the gradient, as libFM does: above 5, ŷ − y uses 5.
  const big = createParams(1, 0);
  big.w0 = 9;
  close(sgdStep(big, Int32Array.of(0), Float64Array.of(1), 0, 1, 5, step, new Float64Array(0)), 5);
  close(big.w0, 9); // clipped ŷ = y: zero error, no regularisation of w0
});

test('fm: design rows are one-hot ids plus feature codes, multi-valued fields weighted 1/|values|', () => {
  const users = idMap('u', 2);
  const items = idMap('m', 2);
  const dataset: Dataset = {
    id: 'tiny',
    users,
    items,
    ratings: { user: Int32Array.of(0, 1), item: Int32Array.of(1, 0), rating: Float32Array.of(4, 2) },
    scale: { min: 1, max: 5 },
    userFeatures: { count: 2, fields: [featureField('gender', 'categorical', ['M', 'F'], [[1], []])] },
    itemFeatures: {
      count: 2,
      fields: [
        featureField('genre', 'multi', ['Action', 'Comedy', 'Drama'], [[0], [0, 1, 2]]),
        featureField('year', 'numeric', ['<1990', '1990+'], [[1], [0]]),
      ],
    },
    predefinedSplits: {},
  };
  const layout = buildFmLayout(dataset, { features: 'all', multiWeight: 'mean' });
  assert.deepEqual(layout.columnNames, [
    'user=u0',
    'user=u1',
    'item=m0',
    'item=m1',
    'gender=M',
    'gender=F',
    'genre=Action',
    'genre=Comedy',
    'genre=Drama',
    'year=<1990',
    'year=1990+',
  ]);
  assert.deepEqual(layout.groupNames, ['user', 'item', 'gender', 'genre', 'year']);
  const rows = designRows(layout, Int32Array.of(0, 1), Int32Array.of(1, 0));
  assert.deepEqual(Array.from(rows.offsets), [0, 7, 11]);
  assert.deepEqual(Array.from(rows.columns), [0, 5, 3, 6, 7, 8, 9, 1, 2, 6, 10]);
  assert.deepEqual(Array.from(rows.values), [1, 1, 1, 1 / 3, 1 / 3, 1 / 3, 1, 1, 1, 1, 1]);
  const byColumn = toColumns(rows, layout.columnCount);
  assert.deepEqual(Array.from(byColumn.rows.subarray(byColumn.offsets[6], byColumn.offsets[7])), [0, 1]); // Action in both rows
  assert.deepEqual(Array.from(byColumn.values.subarray(byColumn.offsets[6], byColumn.offsets[7])), [
    1 / 3,
    1,
  ]);

  const ids = buildFmLayout(dataset, { features: 'ids', multiWeight: 'mean' });
  assert.equal(ids.columnCount, 4);
  const some = buildFmLayout(dataset, { features: 'genre', multiWeight: 'one' });
  assert.deepEqual(some.groupNames, ['user', 'item', 'genre']);
  assert.deepEqual(Array.from(designRows(some, Int32Array.of(0), Int32Array.of(1)).values), [1, 1, 1, 1, 1]);
  assert.throws(
    () => buildFmLayout(dataset, { features: 'genre,age', multiWeight: 'mean' }),
    (e: unknown) => e instanceof UsageError && /"age"/.test(e.message) && /gender/.test(e.message),
  );
});

test('fm: MCMC learns a planted feature interaction, beating the global mean and an ids-only FM on cold users', async () => {
  const { dataset, train, test: coldTest } = plantedData(11);
  const withFeatures = fm({ ...FAST_MCMC, seed: 5 });
  await withFeatures.fit({ dataset, indices: train });
  const idsOnly = fm({ ...FAST_MCMC, seed: 5, features: 'ids' });
  await idsOnly.fit({ dataset, indices: train });
  const meanRmse = globalMeanRmse(dataset, train, coldTest);
  const featureRmse = rmseOn(withFeatures, dataset, coldTest);
  const idsRmse = rmseOn(idsOnly, dataset, coldTest);
  assert.ok(featureRmse < 0.5 * meanRmse, `features ${featureRmse} vs global mean ${meanRmse}`);
  assert.ok(featureRmse < 0.5 * idsRmse, `features ${featureRmse} vs ids only ${idsRmse}`);
  // The warm training pairs are fitted too.
  assert.ok(rmseOn(withFeatures, dataset, train) < 0.5 * meanRmse);
});

test('fm: SGD and ALS also learn the planted interaction', async () => {
  const { dataset, train, test: coldTest } = plantedData(12);
  const base = globalMeanRmse(dataset, train, coldTest);
  const solvers: Array<Record<string, ConfigValue>> = [
    { solver: 'sgd', factors: 4, epochs: 40, learningRate: 0.02, linearL2: 0.001, pairL2: 0.001 },
    { solver: 'als', factors: 4, iterations: 15, alsL2: 1 },
  ];
  for (const overrides of solvers) {
    const model = fm({ ...overrides, seed: 2 });
    const report = await model.fit({ dataset, indices: train });
    assert.equal(report.epochs, overrides.solver === 'sgd' ? overrides.epochs : overrides.iterations);
    const rmse = rmseOn(model, dataset, coldTest);
    assert.ok(rmse < 0.5 * base, `${String(overrides.solver)}: ${rmse} vs a bias-only model ${base}`);
  }
});

test('fm: the same seed gives the same predictions, another seed different ones', async () => {
  const { dataset, train, test: coldTest } = plantedData(13, 40, 30, 12, 6);
  const users = Int32Array.from(coldTest, (k) => dataset.ratings.user[k]);
  const items = Int32Array.from(coldTest, (k) => dataset.ratings.item[k]);
  const run = async (seed: number, solver: string): Promise<Float32Array> => {
    const model = fm({ ...FAST_MCMC, iterations: 20, burnIn: 5, epochs: 10, solver, seed });
    await model.fit({ dataset, indices: train });
    return model.predict(users, items);
  };
  for (const solver of ['mcmc', 'sgd']) {
    const a = await run(7, solver);
    assert.deepEqual(a, await run(7, solver));
    assert.notDeepEqual(a, await run(8, solver));
  }
});

test('fm: state() and restore round-trip exactly, and explanations add up', async () => {
  const { dataset, train, test: coldTest } = plantedData(14, 40, 30, 12, 6);
  const model = fm({ ...FAST_MCMC, iterations: 20, burnIn: 5, samples: 7 });
  await model.fit({ dataset, indices: train });
  const state = model.state();
  assert.equal(state.id, 'fm');
  // 15 sweeps after burn-in, at most 7 kept: every 3rd, sweeps 8, 11, 14, 17, 20.
  assert.equal((state.arrays.w0 as Float64Array).length, 5);
  // What an artifact writer does: config and meta through JSON, arrays copied as binary.
  const json = JSON.parse(JSON.stringify({ id: state.id, config: state.config, meta: state.meta })) as Pick<
    ModelState,
    'id' | 'config' | 'meta'
  >;
  const again = fmSpec.restore({ ...json, arrays: structuredClone(state.arrays) });
  const users = Int32Array.from(coldTest, (k) => dataset.ratings.user[k]);
  const items = Int32Array.from(coldTest, (k) => dataset.ratings.item[k]);
  assert.deepEqual(again.predict(users, items), model.predict(users, items));
  assert.deepEqual(again.state().arrays, state.arrays);
  assert.throws(
    () => FactorizationMachine.restore({ ...state, arrays: { ...state.arrays, v: new Float32Array(3) } }),
    /do not match/,
  );

  // Unclipped, the contributions (bias + one per active feature) sum to the prediction.
  const unclipped = fm({ ...FAST_MCMC, iterations: 20, burnIn: 5, clipSamples: false });
  await unclipped.fit({ dataset, indices: train });
  const why = unclipped.explain(users[0], items[0]);
  const total = why.groups[0].weights.reduce((s, w) => s + w.weight, 0);
  close(total, why.prediction, 1e-4);
  assert.ok(why.groups[0].weights.some((w) => w.feature.startsWith('side=')));
});

test('fm: cold users and items are predicted from features, never NaN; bad settings name the key', async () => {
  const { dataset, train } = plantedData(15, 30, 20, 10, 5);
  const model = fm({ ...FAST_MCMC, iterations: 10, burnIn: 2 });
  assert.throws(() => model.predict(Int32Array.of(0), Int32Array.of(0)), UsageError);
  await model.fit({ dataset, indices: train });
  const users = Int32Array.from({ length: 30 * 10 }, (_, k) => Math.floor(k / 10));
  const items = Int32Array.from({ length: 30 * 10 }, (_, k) => k % 10);
  for (const p of model.predict(users, items)) assert.ok(Number.isFinite(p));
  assert.throws(() => model.predict(Int32Array.of(30), Int32Array.of(0)), /user index 30/);
  assert.throws(() => fm({ solver: 'adam' }), /"solver"/);
  assert.throws(() => fm({ burnIn: 300 }), /"burnIn"/);
  // MCMC has no early stopping: a patience would only hold back validation ratings for nothing.
  assert.throws(() => fm({ patience: 2 }), /"patience" \(2\) applies to the sgd and als solvers/);
  assert.doesNotThrow(() => fm({ patience: 2, solver: 'sgd' }));
  assert.throws(() => fm({ factors: 2.5 }), /"factors"/);
  assert.throws(() => fm({ multiWeight: 'half' }), /"multiWeight"/);
});

test("fm: predictions are the mean over stored draws of each draw's Eq. 1, clipped per draw", async () => {
  const { dataset, train, test: coldTest } = plantedData(16, 40, 30, 12, 6);
  for (const clipSamples of [true, false]) {
    const model = fm({ ...FAST_MCMC, iterations: 12, burnIn: 2, samples: 5, clipSamples });
    await model.fit({ dataset, indices: train });
    const { arrays, meta } = model.state();
    const {
      columns,
      factors,
      samples: count,
    } = meta as { columns: number; factors: number; samples: number };
    const layout = buildFmLayout(dataset, { features: 'all', multiWeight: 'mean' });
    const pairs = Int32Array.from([...coldTest.subarray(0, 20), ...train.subarray(0, 20)]);
    const users = Int32Array.from(pairs, (k) => dataset.ratings.user[k]);
    const items = Int32Array.from(pairs, (k) => dataset.ratings.item[k]);
    const rows = designRows(layout, users, items);
    const got = model.predict(users, items);
    for (let r = 0; r < pairs.length; r++) {
      let sum = 0;
      for (let s = 0; s < count; s++) {
        const p = createParams(columns, factors);
        p.w0 = (arrays.w0 as Float64Array)[s];
        p.w.set((arrays.w as Float32Array).subarray(s * columns, (s + 1) * columns));
        p.v.set((arrays.v as Float32Array).subarray(s * columns * factors, (s + 1) * columns * factors));
        const y = predictRow(p, rows.columns, rows.values, rows.offsets[r], rows.offsets[r + 1]);
        sum += clipSamples ? Math.min(5, Math.max(1, y)) : y;
      }
      close(got[r], sum / count, 1e-5);
    }
  }
});

test('fm: progress reports validation RMSE after burn-in; aborting keeps a usable model', async () => {
  const { dataset, train, test: coldTest } = plantedData(17, 40, 30, 12, 6);
  const controller = new AbortController();
  const events: ProgressEvent[] = [];
  const model = fm({ ...FAST_MCMC, iterations: 50, burnIn: 2 });
  const report = await model.fit(
    { dataset, indices: train },
    {
      validation: { dataset, indices: coldTest },
      signal: controller.signal,
      onProgress: (e) => {
        events.push(e);
        if (e.epoch === 4) controller.abort();
      },
    },
  );
  assert.equal(report.epochs, 4);
  assert.deepEqual(
    events.map((e) => e.epoch),
    [1, 2, 3, 4],
  );
  assert.equal(events[1].validationRmse, undefined); // still burning in
  assert.ok(events[3].validationRmse !== undefined && events[3].validationRmse > 0);
  for (const p of model.predict(Int32Array.of(0, 39), Int32Array.of(0, 11))) assert.ok(Number.isFinite(p));
});

test('fm: MCMC keeps evenly thinned draws that end at the last sweep', () => {
  assert.deepEqual(keptSweeps(200, 20, 50), { thin: 4, first: 21 }); // sweeps 24, 28, ..., 200: 45 draws
  assert.deepEqual(keptSweeps(100, 0, 200), { thin: 1, first: 1 });
  const p = createParams(2, 1);
  p.w0 = 1;
  p.w[1] = 2;
  close(predictRow(p, Int32Array.of(1), Float64Array.of(0.5), 0, 1), 2);
});

test('fm: MCMC draws and ALS parameters are bit for bit the same on 1, 2 and 3 threads', async () => {
  // Ids plus the categorical fields "side" and "kind": four one-hot runs, each cut per thread.
  const { dataset, train, test: coldTest } = plantedData(15);
  const pick = (indices: Int32Array) => ({
    user: Int32Array.from(indices, (k) => dataset.ratings.user[k]),
    item: Int32Array.from(indices, (k) => dataset.ratings.item[k]),
    rating: Float64Array.from(indices, (k) => dataset.ratings.rating[k]),
  });
  const layout = buildFmLayout(dataset, { features: 'all', multiWeight: 'mean' });
  const data = fmTrainingData(layout, pick(train), dataset.scale);
  const held = pick(coldTest);
  const validation = { rows: designRows(layout, held.user, held.item), target: held.rating };
  const digest = (samples: FmSamples): string =>
    createHash('sha256')
      .update(new Uint8Array(samples.w0.buffer))
      .update(new Uint8Array(samples.w.buffer))
      .update(new Uint8Array(samples.v.buffer))
      .digest('hex');
  // Train and validation RMSE of every sweep, from the float64 state: a low bit that the float32
  // samples would round away still shows here.
  const run = async (solver: 'mcmc' | 'als', threads: number): Promise<string[]> => {
    const trace: string[] = [];
    const hooks: FmSolverHooks = {
      validation,
      onProgress: (e: ProgressEvent) => trace.push(`${e.epoch} ${e.trainLoss} ${e.validationRmse}`),
    };
    const common = { factors: 5, iterations: 12, initStd: 0.1, seed: 3, threads };
    const result =
      solver === 'mcmc'
        ? await fitFmMcmc(data, { ...common, burnIn: 4, samples: 4, clipSamples: true }, hooks)
        : await fitFmAls(data, { ...common, regBias: 0, regLinear: 2, regPair: 2, patience: 0 }, hooks);
    return [digest(result.samples), ...trace];
  };
  for (const solver of ['mcmc', 'als'] as const) {
    const one = await run(solver, 1);
    assert.equal(one.length, 13);
    assert.deepEqual(await run(solver, 2), one, `${solver}, 2 threads`);
    assert.deepEqual(await run(solver, 3), one, `${solver}, 3 threads`);
  }
  assert.equal(liveFmWorkers(), 0);
});

test('fm: threads = 0 means every core, capped at one thread per MIN_NONZEROS_PER_THREAD non-zeros', () => {
  assert.equal(fmFitThreads(2, MIN_NONZEROS_PER_THREAD - 1), 1);
  assert.equal(fmFitThreads(2, 2 * MIN_NONZEROS_PER_THREAD), 2);
  assert.equal(fmFitThreads(1, 10 * MIN_NONZEROS_PER_THREAD), 1);
  assert.equal(fmFitThreads(0, 1000 * MIN_NONZEROS_PER_THREAD), availableParallelism());
});

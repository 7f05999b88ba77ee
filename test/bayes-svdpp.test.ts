import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../src/data/dataset.js';
import { resolveConfig } from '../src/models/config.js';
import { copyParams, packSamples, predictPairs, type FmParams } from '../src/models/classic/fm-core.js';
import { createHyper, fitFmMcmc } from '../src/models/classic/fm-mcmc.js';
import { fmTrainingData } from '../src/models/classic/fm-solver.js';
import { BayesSvdpp, bayesSvdppSpec } from '../src/models/bayes-svdpp/bayes-svdpp.js';
import { buildSvdppLayout, type ImplicitWeight } from '../src/models/bayes-svdpp/layout.js';
import { fitRelationalMcmc, RelationalState } from '../src/models/bayes-svdpp/relational-gibbs.js';
import { predictMean, SampleCollector } from '../src/models/bayes-svdpp/samples.js';
import { Rng } from '../src/util/rng.js';
import { featureField, idMap, ratingsDataset } from '../test-helpers/datasets.js';

/**
 * Random ratings with one categorical user field and one multi-valued item field; the users from
 * `warmUsers` on have only test ratings (cold).
 */
function randomData(seed: number, users = 12, warmUsers = 10, items = 9) {
  const rng = new Rng(seed);
  const user: number[] = [];
  const item: number[] = [];
  const rating: number[] = [];
  const train: number[] = [];
  const test: number[] = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      if (rng.next() < 0.5) continue;
      (u < warmUsers && rng.next() < 0.8 ? train : test).push(user.length);
      user.push(u);
      item.push(i);
      rating.push(1 + Math.floor(rng.next() * 5));
    }
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
        featureField(
          'age',
          'categorical',
          ['young', 'old'],
          Array.from({ length: users }, (_, u) => [u % 2]),
        ),
      ],
    },
    itemFeatures: {
      count: items,
      fields: [
        featureField(
          'genre',
          'multi',
          ['a', 'b', 'c'],
          Array.from({ length: items }, (_, i) => (i % 3 === 0 ? [0, 1] : [i % 3])),
        ),
      ],
    },
    predefinedSplits: {},
  };
  return { dataset, train: Int32Array.from(train), test: Int32Array.from(test) };
}

function ratingsOf(dataset: Dataset, indices: Int32Array) {
  return {
    user: Int32Array.from(indices, (k) => dataset.ratings.user[k]),
    item: Int32Array.from(indices, (k) => dataset.ratings.item[k]),
    rating: Float64Array.from(indices, (k) => dataset.ratings.rating[k]),
  };
}

for (const implicitWeight of ['mean', 'sqrt'] as ImplicitWeight[]) {
  test(`bayes-svdpp: the relational sampler draws the chain of the FM with every block expanded per row (${implicitWeight})`, async () => {
    const { dataset, train } = randomData(3);
    const r = ratingsOf(dataset, train);
    const layout = buildSvdppLayout(dataset, r, {
      features: 'all',
      multiWeight: 'mean',
      implicit: 'both',
      implicitWeight,
    });
    const settings = {
      factors: 3,
      iterations: 8,
      burnIn: 2,
      samples: 3,
      initStd: 0.1,
      seed: 7,
      clipSamples: true,
    };
    const expanded = await fitFmMcmc(fmTrainingData(layout, r, dataset.scale), settings);

    const kept: FmParams[] = [];
    const collector = new SampleCollector(layout.users, layout.items, settings.factors);
    await fitRelationalMcmc(
      { layout, user: r.user, item: r.item, target: r.rating, scale: dataset.scale },
      settings,
      (params) => {
        kept.push(copyParams(params));
        collector.add(params);
      },
    );
    const relational = packSamples(kept, layout.columnCount, settings.factors);
    assert.equal(relational.count, expanded.samples.count);
    // Same draws up to rounding: the two samplers sum the same terms in different orders.
    const near = (a: ArrayLike<number>, b: ArrayLike<number>, what: string): void => {
      assert.equal(a.length, b.length, what);
      for (let k = 0; k < a.length; k++)
        assert.ok(
          Math.abs(a[k] - b[k]) <= 1e-5 * Math.max(1, Math.abs(b[k])),
          `${what}[${k}]: ${a[k]} vs ${b[k]}`,
        );
    };
    near(relational.w0, expanded.samples.w0, 'w0');
    near(relational.w, expanded.samples.w, 'w');
    near(relational.v, expanded.samples.v, 'v');
    // The chain moves (a chain stuck at its start would agree too): first and last kept draws differ.
    const perDraw = layout.columnCount * settings.factors;
    assert.ok(
      kept[0].v.some((x, k) => Math.abs(x - relational.v[(relational.count - 1) * perDraw + k]) > 1e-3),
    );

    const users = Int32Array.from({ length: 12 * 9 }, (_, k) => Math.floor(k / 9));
    const items = Int32Array.from({ length: 12 * 9 }, (_, k) => k % 9);
    const clip = dataset.scale;
    near(
      predictMean(collector.pack(), users, items, clip),
      predictPairs(expanded.samples, layout.users, layout.items, users, items, clip),
      'prediction',
    );
  });
}

test('bayes-svdpp: one factor draw equals the Gaussian conditional worked out by hand', () => {
  // u0 rated i0 (5) and i1 (3), u1 rated i0 (4); implicit blocks weighted 1/|N|.
  const dataset = ratingsDataset([
    ['u0', 'i0', 5],
    ['u0', 'i1', 3],
    ['u1', 'i0', 4],
  ]);
  const all = Int32Array.of(0, 1, 2);
  const r = ratingsOf(dataset, all);
  const layout = buildSvdppLayout(dataset, r, {
    features: 'ids',
    multiWeight: 'mean',
    implicit: 'both',
    implicitWeight: 'mean',
  });
  // Columns: user=u0, user=u1, rated=i0, rated=i1 | item=i0, item=i1, ratedBy=u0, ratedBy=u1.
  assert.deepEqual(layout.columnNames, [
    'user=u0',
    'user=u1',
    'rated=i0',
    'rated=i1',
    'item=i0',
    'item=i1',
    'ratedBy=u0',
    'ratedBy=u1',
  ]);
  const state = new RelationalState(
    { layout, user: r.user, item: r.item, target: r.rating, scale: dataset.scale },
    1,
    0.1,
    new Rng(1),
  );
  state.params.v.set([0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.2]);
  state.recomputeResiduals();
  // q(u0) = 0.1 + 0.3/2 + 0.4/2 = 0.45, q(u1) = -0.2 + 0.3 = 0.1, q(i0) = 0.5 + 0.7/2 + 0.2/2 = 0.95,
  // q(i1) = -0.6 + 0.7 = 0.1; a(e) = (q(e)² − Σ v²x²)/2: a(u0) = 0.065, a(u1) = -0.06, a(i0) = 0.26,
  // a(i1) = -0.42. ŷ = a(u) + a(i) + q(u) q(i): 0.7525, -0.31, 0.295, so e = ŷ − y:
  const e = [0.7525 - 5, -0.31 - 3, 0.295 - 4];
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(state.e[k] - e[k]) < 1e-12, `e[${k}]`);

  const hyper = createHyper(layout.groupNames.length, 1);
  hyper.vLambda.fill(1);
  // A zero normal makes the draw the conditional mean.
  state.drawNormals({ normal: () => 0 } as unknown as Rng);
  state.sweepFactor(state.users, state.items, 0, hyper, 0);
  // v(user=u0) = 0.1 is on rows 0 and 1 with x = 1: h = q(row) − 0.1 = 1.3 and 0.45;
  // mean = α Σ h (θ h − e) / (α Σ h² + λ) = (1.3 (0.13 + 4.2475) + 0.45 (0.045 + 3.31)) / (1.69 + 0.2025 + 1).
  const expected = (1.3 * (0.13 + 4.2475) + 0.45 * (0.045 + 3.31)) / (1.69 + 0.2025 + 1);
  assert.ok(Math.abs(state.params.v[0] - expected) < 1e-12, `${state.params.v[0]} vs ${expected}`);
  // The residuals kept up in closed form equal the residuals recomputed from the new parameters.
  const kept = Array.from(state.e);
  state.recomputeResiduals();
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(state.e[k] - kept[k]) < 1e-12, `e[${k}] after the sweep`);
});

const small = { ...bayesSvdppSpec.defaults, ...bayesSvdppSpec.testSettings, features: 'all' };

test('bayes-svdpp: changing test ratings changes no prediction (implicit blocks come from training only)', async () => {
  const { dataset, train, test: testIdx } = randomData(5);
  const changed: Dataset = {
    ...dataset,
    ratings: {
      user: dataset.ratings.user,
      item: Int32Array.from(dataset.ratings.item),
      rating: Float32Array.from(dataset.ratings.rating),
    },
  };
  // Other values, and other items: a test rating moved to an item the user had not rated.
  for (const k of testIdx) {
    changed.ratings.rating[k] = 6 - dataset.ratings.rating[k];
    changed.ratings.item[k] = (dataset.ratings.item[k] + 4) % 9;
  }
  const fitted = async (d: Dataset): Promise<BayesSvdpp> => {
    const model = new BayesSvdpp(resolveConfig(bayesSvdppSpec, small));
    await model.fit({ dataset: d, indices: train });
    return model;
  };
  const a = await fitted(dataset);
  const b = await fitted(changed);
  const users = Int32Array.from({ length: 12 * 9 }, (_, k) => Math.floor(k / 9));
  const items = Int32Array.from({ length: 12 * 9 }, (_, k) => k % 9);
  assert.deepEqual(b.predict(users, items), a.predict(users, items));

  // And the check can fail: a training rating changed does change predictions.
  const leaked: Dataset = {
    ...changed,
    ratings: { ...changed.ratings, rating: Float32Array.from(changed.ratings.rating) },
  };
  leaked.ratings.rating[train[0]] = leaked.ratings.rating[train[0]] === 1 ? 5 : 1;
  const c = await fitted(leaked);
  assert.notDeepEqual(c.predict(users, items), a.predict(users, items));
});

test('bayes-svdpp: save → restore predicts and explains the same; bad states are refused', async () => {
  const { dataset, train } = randomData(2);
  const model = new BayesSvdpp(resolveConfig(bayesSvdppSpec, small));
  await model.fit({ dataset, indices: train });
  const users = Int32Array.from({ length: 12 * 9 }, (_, k) => Math.floor(k / 9));
  const items = Int32Array.from({ length: 12 * 9 }, (_, k) => k % 9);
  const state = model.state();
  const restored = BayesSvdpp.restore(state);
  const predictions = model.predict(users, items);
  assert.ok(predictions.every((p) => Number.isFinite(p)));
  assert.deepEqual(restored.predict(users, items), predictions);
  const explanation = model.explain(3, 4);
  assert.deepEqual(restored.explain(3, 4), explanation);
  // The parts sum to the unclipped mean prediction.
  const sum = explanation.groups[0].weights.reduce((s, w) => s + w.weight, 0);
  const unclipped = new BayesSvdpp(resolveConfig(bayesSvdppSpec, { ...small, clipSamples: false }));
  await unclipped.fit({ dataset, indices: train });
  const parts = unclipped.explain(3, 4);
  assert.ok(Math.abs(parts.groups[0].weights.reduce((s, w) => s + w.weight, 0) - parts.prediction) < 1e-5);
  assert.ok(Number.isFinite(sum));

  const short = { ...state, arrays: { ...state.arrays, userA: new Float32Array(1) } };
  assert.throws(() => BayesSvdpp.restore(short), /do not match/);
  assert.throws(() => BayesSvdpp.restore({ ...state, id: 'fm' }), /cannot restore/);
  assert.throws(() => model.predict(Int32Array.of(99), Int32Array.of(0)), /user index 99/);
});

test('bayes-svdpp: settings are checked by name', () => {
  assert.throws(
    () => new BayesSvdpp(resolveConfig(bayesSvdppSpec, { burnIn: 300 })),
    /"burnIn" \(300\) must be below "iterations"/,
  );
  assert.throws(() => new BayesSvdpp(resolveConfig(bayesSvdppSpec, { implicit: 'all' })), /implicit/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyFeatures, gatherRatings, type Dataset } from '../src/data/dataset.js';
import { resolveConfig } from '../src/models/config.js';
import { BayesSvdpp, bayesSvdppSpec } from '../src/models/bayes-svdpp/bayes-svdpp.js';
import { chainSeed, resolveChains } from '../src/models/bayes-svdpp/chains.js';
import { buildSvdppLayout } from '../src/models/bayes-svdpp/layout.js';
import { fitRelationalMcmc } from '../src/models/bayes-svdpp/relational-gibbs.js';
import { predictMean, SampleCollector } from '../src/models/bayes-svdpp/samples.js';
import type { ProgressEvent } from '../src/models/model.js';
import { Rng } from '../src/util/rng.js';
import { idMap } from '../test-helpers/datasets.js';

/** Random ratings of 14 users on 10 items; a fifth of them held out. */
function randomData(seed: number) {
  const rng = new Rng(seed);
  const user: number[] = [];
  const item: number[] = [];
  const rating: number[] = [];
  const train: number[] = [];
  const held: number[] = [];
  for (let u = 0; u < 14; u++) {
    for (let i = 0; i < 10; i++) {
      if (rng.next() < 0.4) continue;
      (rng.next() < 0.8 ? train : held).push(user.length);
      user.push(u);
      item.push(i);
      rating.push(1 + Math.floor(rng.next() * 5));
    }
  }
  const dataset: Dataset = {
    id: 'random',
    users: idMap('u', 14),
    items: idMap('i', 10),
    ratings: { user: Int32Array.from(user), item: Int32Array.from(item), rating: Float32Array.from(rating) },
    scale: { min: 1, max: 5 },
    userFeatures: emptyFeatures(14),
    itemFeatures: emptyFeatures(10),
    predefinedSplits: {},
  };
  return { dataset, train: Int32Array.from(train), held: Int32Array.from(held) };
}

const small = { ...bayesSvdppSpec.defaults, ...bayesSvdppSpec.testSettings };
const allPairs = {
  users: Int32Array.from({ length: 140 }, (_, k) => Math.floor(k / 10)),
  items: Int32Array.from({ length: 140 }, (_, k) => k % 10),
};

/** The single-chain sampler called directly, as the model did before chains existed. */
async function oneChainDirect(dataset: Dataset, train: Int32Array, seed: number) {
  const ratings = gatherRatings({ dataset, indices: train });
  const layout = buildSvdppLayout(dataset, ratings, {
    features: 'ids',
    multiWeight: 'mean',
    implicit: 'both',
    implicitWeight: 'sqrt',
  });
  const collector = new SampleCollector(layout.users, layout.items, small.factors as number);
  await fitRelationalMcmc(
    {
      layout,
      user: ratings.user,
      item: ratings.item,
      target: Float64Array.from(ratings.rating),
      scale: dataset.scale,
    },
    {
      factors: small.factors as number,
      iterations: small.iterations as number,
      burnIn: small.burnIn as number,
      samples: small.samples as number,
      initStd: small.initStd as number,
      seed,
      clipSamples: true,
    },
    (p) => collector.add(p),
  );
  return collector.pack();
}

test('bayes-svdpp chains=1 is the single-chain sampler bit for bit', async () => {
  const { dataset, train } = randomData(3);
  const model = new BayesSvdpp(resolveConfig(bayesSvdppSpec, { ...small, chains: 1 }));
  await model.fit({ dataset, indices: train });
  const direct = await oneChainDirect(dataset, train, 1);
  const state = model.state();
  assert.deepEqual(state.arrays.userQ, direct.userQ);
  assert.deepEqual(state.arrays.itemA, direct.itemA);
  assert.deepEqual(state.arrays.w0, direct.w0);
  assert.deepEqual(
    model.predict(allPairs.users, allPairs.items),
    Float32Array.from(predictMean(direct, allPairs.users, allPairs.items, dataset.scale)),
  );
});

test('bayes-svdpp chains=3 pools chain 0 (the seed) and chains with derived seeds, run in workers', async () => {
  const { dataset, train, held } = randomData(4);
  const events: ProgressEvent[] = [];
  const model = new BayesSvdpp(resolveConfig(bayesSvdppSpec, { ...small, chains: 3 }));
  const report = await model.fit(
    { dataset, indices: train },
    { validation: { dataset, indices: held }, onProgress: (e) => events.push(e) },
  );
  const chains = await Promise.all([0, 1, 2].map((c) => oneChainDirect(dataset, train, chainSeed(1, c))));
  const S = chains[0].count;
  const state = model.state();
  assert.equal((state.meta as { samples: number }).samples, 3 * S);
  assert.equal((state.meta as { chains: number }).chains, 3);
  assert.equal(report.samplesProcessed, 3 * (small.iterations as number) * train.length);
  // Each worker's draws are exactly what the sampler draws on this thread with that chain's seed.
  const w0 = state.arrays.w0 as Float64Array;
  for (let c = 0; c < 3; c++) assert.deepEqual(w0.subarray(c * S, (c + 1) * S), chains[c].w0);
  assert.notDeepEqual(chains[1].w0, chains[0].w0);
  // The prediction is the mean over all pooled draws, each clipped: the chains' means averaged.
  const predicted = model.predict(allPairs.users, allPairs.items);
  const perChain = chains.map((s) => predictMean(s, allPairs.users, allPairs.items, dataset.scale));
  for (let k = 0; k < predicted.length; k++) {
    const mean = (perChain[0][k] + perChain[1][k] + perChain[2][k]) / 3;
    assert.ok(Math.abs(predicted[k] - mean) < 1e-5, `pair ${k}: ${predicted[k]} vs ${mean}`);
  }
  // One progress line per sweep, after burn-in with the validation RMSE of the pooled mean.
  assert.deepEqual(
    events.map((e) => e.epoch),
    Array.from({ length: small.iterations as number }, (_, k) => k + 1),
  );
  assert.equal(events.at(-1)?.validationRmse !== undefined, true);
  assert.equal(events[0].validationRmse, undefined);

  // Save → restore keeps every chain's draws.
  const restored = BayesSvdpp.restore(state);
  assert.deepEqual(restored.predict(allPairs.users, allPairs.items), predicted);
});

test('bayes-svdpp chains: seeds and the automatic count', () => {
  assert.equal(chainSeed(7, 0), 7);
  assert.notEqual(chainSeed(7, 1), chainSeed(7, 2));
  assert.equal(chainSeed(7, 2), chainSeed(7, 2));
  assert.equal(resolveChains(3), 3);
  assert.ok(resolveChains(0) >= 1 && resolveChains(0) <= 4);
});

/**
 * `fm`'s MCMC on per-user and per-item blocks (src/models/classic/fm-blocks.ts), the layout that
 * lets it train on ML-25M-sized data: the same chain, up to rounding, as the per-rating row
 * kernels on the same column numbering; the model with `mcmcLayout=blocks` predicts what those
 * draws predict, saves and restores; and `auto` keeps rows for data that fits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatherRatings } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { buildSvdppLayout } from '../src/models/bayes-svdpp/layout.js';
import { resolveConfig } from '../src/models/config.js';
import type { ModelState } from '../src/models/model.js';
import { fitFmBlocks, rowLayoutBytes, useBlocks } from '../src/models/classic/fm-blocks.js';
import { predictPairs } from '../src/models/classic/fm-core.js';
import { buildFmLayout } from '../src/models/classic/fm-design.js';
import { fitFmMcmc } from '../src/models/classic/fm-mcmc.js';
import { fmTrainingData } from '../src/models/classic/fm-solver.js';
import { fmSpec } from '../src/models/classic/fm.js';

/** Synthetic ratings with a numeric user field, a categorical, a multi-valued and a binned item field. */
function data() {
  const dataset = generateSynthetic({ seed: 5, users: 40, items: 25, ratingsPerUser: 8 });
  const train = Int32Array.from({ length: dataset.ratings.user.length }, (_, k) => k).filter(
    (k) => k % 5 !== 0,
  );
  const heldOut = Int32Array.from({ length: dataset.ratings.user.length }, (_, k) => k).filter(
    (k) => k % 5 === 0,
  );
  return { dataset, train, heldOut };
}

const SETTINGS = {
  factors: 3,
  iterations: 8,
  burnIn: 2,
  samples: 3,
  initStd: 0.1,
  seed: 11,
  clipSamples: true,
};

function near(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let k = 0; k < a.length; k++)
    assert.ok(
      Math.abs(a[k] - b[k]) <= 1e-5 * Math.max(1, Math.abs(b[k])),
      `${what}[${k}]: ${a[k]} vs ${b[k]}`,
    );
}

test('fm blocks: the same draws as the row kernels on the same column numbering, up to rounding', async () => {
  const { dataset, train } = data();
  const ratings = gatherRatings({ dataset, indices: train });
  const design = { features: 'all', multiWeight: 'mean' as const };
  const blocks = await fitFmBlocks(dataset, ratings, design, SETTINGS);
  const layout = buildSvdppLayout(dataset, ratings, { ...design, implicit: 'none', implicitWeight: 'mean' });
  assert.deepEqual(blocks.layout.columnNames, layout.columnNames);
  const rows = await fitFmMcmc(fmTrainingData(layout, ratings, dataset.scale), SETTINGS);
  assert.equal(blocks.iterations, rows.iterations);
  assert.equal(blocks.samples.count, rows.samples.count);
  near(blocks.samples.w0, rows.samples.w0, 'w0');
  near(blocks.samples.w, rows.samples.w, 'w');
  near(blocks.samples.v, rows.samples.v, 'v');
  // The chain moves: the first and last kept draws differ.
  const perDraw = layout.columnCount * SETTINGS.factors;
  const last = (blocks.samples.count - 1) * perDraw;
  assert.ok(
    blocks.samples.v.subarray(0, perDraw).some((x, k) => Math.abs(x - blocks.samples.v[last + k]) > 1e-3),
  );
});

test('fm with mcmcLayout=blocks predicts the mean of its draws and restores exactly', async () => {
  const { dataset, train, heldOut } = data();
  const model = fmSpec.create(resolveConfig(fmSpec, { ...SETTINGS, mcmcLayout: 'blocks' }));
  await model.fit({ dataset, indices: train });
  const ratings = gatherRatings({ dataset, indices: train });
  const direct = await fitFmBlocks(dataset, ratings, { features: 'all', multiWeight: 'mean' }, SETTINGS);
  const test = gatherRatings({ dataset, indices: heldOut });
  const expected = predictPairs(
    direct.samples,
    direct.layout.users,
    direct.layout.items,
    test.user,
    test.item,
    dataset.scale,
  );
  assert.deepEqual(model.predict(test.user, test.item), Float32Array.from(expected));

  const state = model.state();
  const json = JSON.parse(JSON.stringify({ id: state.id, config: state.config, meta: state.meta })) as Pick<
    ModelState,
    'id' | 'config' | 'meta'
  >;
  const again = fmSpec.restore({ ...json, arrays: structuredClone(state.arrays) });
  assert.deepEqual(again.predict(test.user, test.item), model.predict(test.user, test.item));
});

test('fm mcmcLayout=auto picks blocks only when the row layout would not fit in 4 GiB', () => {
  const { dataset, train } = data();
  const ratings = gatherRatings({ dataset, indices: train });
  const layout = buildFmLayout(dataset, { features: 'all', multiWeight: 'mean' });
  // Per rating: 32 + 8k bytes, plus 36 per non-zero of its user's and its item's block.
  let nonZeros = 0;
  for (let r = 0; r < ratings.user.length; r++) {
    const u = ratings.user[r];
    const i = ratings.item[r];
    nonZeros +=
      layout.users.offsets[u + 1] -
      layout.users.offsets[u] +
      layout.items.offsets[i + 1] -
      layout.items.offsets[i];
  }
  assert.equal(rowLayoutBytes(layout, ratings, 8), ratings.user.length * 96 + 36 * nonZeros);
  assert.equal(useBlocks('auto', layout, ratings, 8), false);
  assert.equal(useBlocks('blocks', layout, ratings, 8), true);
  assert.equal(useBlocks('rows', layout, ratings, 8), false);
  // 25 M ratings of 6 non-zeros each need about 6.4 GiB as rows.
  const big = {
    user: new Int32Array(25_000_000),
    item: new Int32Array(25_000_000),
    rating: new Float32Array(0),
  };
  const oneEach = { offsets: Int32Array.of(0, 3), columns: new Int32Array(3), values: new Float64Array(3) };
  assert.equal(useBlocks('auto', { users: oneEach, items: oneEach }, big, 8), true);
});

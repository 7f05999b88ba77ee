/**
 * `featureInit: fm` (SAIN's code starts its feature token embeddings from a pre-trained FM): every
 * token whose name is an FM design column takes that column's factor vector, and the model then
 * trains from there.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { ratioSplit } from '../src/data/split.js';
import { initEngine } from '../src/engine/backend.js';
import { fmSpec } from '../src/models/classic/fm.js';
import { resolveConfig } from '../src/models/config.js';
import { featureTokens } from '../src/models/sain/feature-tokens.js';
import { startTokensFromFm } from '../src/models/sain/fm-token-init.js';
import { Sain, sainSpec } from '../src/models/sain/sain.js';
import { UsageError } from '../src/util/errors.js';

let data: Dataset;
let train: RatingSubset;

before(async () => {
  await initEngine({ backend: 'wasm' });
  data = generateSynthetic({ seed: 2, users: 60, items: 40, ratingsPerUser: 20 });
  train = { dataset: data, indices: ratioSplit(data, { train: 0.8, validation: 0.1, test: 0.1 }, 1).train };
});

test('every token takes the factor vector of the FM design column with its name', async () => {
  const tokens = featureTokens(data.userFeatures, data.itemFeatures, 'value');
  const dim = 4;
  const table = new Float32Array(tokens.vocabularySize * dim).fill(NaN);
  const copied = await startTokensFromFm(train, tokens, table, dim, 7);
  assert.equal(copied, tokens.vocabularySize, 'the synthetic set has no token without a design column');
  // The same FM, fitted again with the same seed, gives the reference factors.
  const fm = fmSpec.create({ ...fmSpec.defaults, solver: 'sgd', factors: dim, seed: 7 });
  await fm.fit(train);
  const state = fm.state();
  const names = (state.meta as { columnNames: string[] }).columnNames;
  const v = state.arrays['v'];
  for (const t of [0, Math.floor(tokens.vocabularySize / 2), tokens.vocabularySize - 1]) {
    const j = names.indexOf(tokens.names[t]);
    assert.ok(j >= 0, tokens.names[t]);
    for (let f = 0; f < dim; f++) assert.equal(table[t * dim + f], Math.fround(v[f * names.length + j]));
  }
});

test('sain trains from FM-started tokens, and refuses an unknown featureInit', async () => {
  const settings = { factors: 8, featureDim: 8, topK: 4, epochs: 2, batchSize: 64, seed: 3 };
  const model = new Sain(resolveConfig(sainSpec, { ...settings, featureInit: 'fm' }));
  const report = await model.fit(train);
  assert.equal(report.epochs, 2);
  assert.throws(() => new Sain(resolveConfig(sainSpec, { ...settings, featureInit: 'glove' })), UsageError);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { canonicalJson, ratingsFingerprint, runKey, type RunIdentity } from '../src/experiment/run-key.js';
import { fmSpec } from '../src/models/classic/fm.js';
import { resolveConfig } from '../src/models/config.js';
import { runIdentityConfig, withExecutionDefaults } from '../src/models/settings-schema.js';

const BASE: RunIdentity = {
  dataset: 'ml-100k',
  ratingsFingerprint: 'abc',
  split: 'u1',
  fold: 0,
  seed: 1,
  model: 'biasedmf',
  config: { factors: 100, epochs: 60, lr: 0.01 },
  reviewProtocol: 'clean',
  scoredOn: 'test',
  metrics: ['mae', 'rmse'],
};

test('the same inputs give the same key, whatever the order of config keys', () => {
  const reordered: RunIdentity = { ...BASE, config: { lr: 0.01, epochs: 60, factors: 100 } };
  assert.equal(runKey(reordered), runKey(BASE));
  assert.match(runKey(BASE), /^[0-9a-f]{64}$/);
  assert.equal(canonicalJson({ b: [1, { d: 2, c: 3 }], a: 'x' }), '{"a":"x","b":[1,{"c":3,"d":2}]}');
});

test('any change to what determines a run gives a new key', () => {
  const changes: Partial<RunIdentity>[] = [
    { dataset: 'ml-1m' },
    { ratingsFingerprint: 'abd' },
    { split: 'u2' },
    { fold: 1 },
    { seed: 2 },
    { model: 'svdpp' },
    { config: { ...BASE.config, epochs: 61 } },
    { config: { ...BASE.config, extra: true } },
    { reviewProtocol: 'paper' },
    { scoredOn: 'validation' },
    { metrics: ['mae', 'ndcg@10', 'rmse'] },
  ];
  const keys = new Set([runKey(BASE), ...changes.map((c) => runKey({ ...BASE, ...c }))]);
  assert.equal(keys.size, changes.length + 1);
});

test("the ratings fingerprint follows the data, not the data set's id", () => {
  const a = generateSynthetic({ users: 30, items: 40, ratingsPerUser: 10, seed: 1 });
  const b = generateSynthetic({ users: 30, items: 40, ratingsPerUser: 10, seed: 1 });
  const c = generateSynthetic({ users: 30, items: 40, ratingsPerUser: 10, seed: 2 });
  assert.equal(ratingsFingerprint(a), ratingsFingerprint(b));
  assert.notEqual(ratingsFingerprint(a), ratingsFingerprint(c));
});

test('a keyUnlessDefault setting (fm mcmcLayout) is out of the run key at its default and in it otherwise', () => {
  const identity = (settings: Record<string, string>) =>
    runIdentityConfig(fmSpec.settings, resolveConfig(fmSpec, settings));
  assert.equal('mcmcLayout' in identity({}), false);
  assert.deepEqual(identity({ mcmcLayout: 'auto' }), identity({}));
  assert.equal(identity({ mcmcLayout: 'blocks' }).mcmcLayout, 'blocks');
  assert.equal(identity({ mcmcLayout: 'rows' }).mcmcLayout, 'rows');
  const savedBeforeTheSetting = { ...resolveConfig(fmSpec, {}) };
  delete savedBeforeTheSetting.mcmcLayout;
  assert.equal(withExecutionDefaults(fmSpec.settings, savedBeforeTheSetting).mcmcLayout, 'auto');
});

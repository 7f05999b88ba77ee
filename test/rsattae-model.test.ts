/**
 * The RSAttAE model end to end on a small synthetic data set (real XGBoost; skipped with a clear
 * message when libxgboost is missing): fit, seeded determinism, save/restore, cold start,
 * explanations, the vanilla ablation, and the checks of its settings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { initEngine } from '../src/engine/backend.js';
import { loadArtifact, saveArtifact } from '../src/models/artifact.js';
import { resolveConfig } from '../src/models/config.js';
import { getModelSpec } from '../src/models/index.js';
import { Predictor, trainingStats } from '../src/models/predictor.js';
import { RSAttAE, rsattaeSpec, rsattaeVanillaSpec } from '../src/models/rsattae/model.js';
import { needsXGBoost, SMALL_RSATTAE as SMALL } from '../test-helpers/rsattae-fixture.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

interface Fixture {
  readonly dataset: Dataset;
  readonly train: RatingSubset;
  /** Items whose ratings were all removed from training. */
  readonly coldItems: number[];
  readonly pairs: { users: Int32Array; items: Int32Array };
}

/** Synthetic data with items 0 and 1 kept out of training (cold), and some pairs to predict. */
function fixture(): Fixture {
  const dataset = generateSynthetic({ seed: 4, users: 40, items: 30, ratingsPerUser: 10 });
  const coldItems = [0, 1];
  const keep: number[] = [];
  for (let k = 0; k < dataset.ratings.rating.length; k++) {
    if (!coldItems.includes(dataset.ratings.item[k])) keep.push(k);
  }
  const users = Int32Array.from({ length: 60 }, (_, k) => k % 40);
  const items = Int32Array.from({ length: 60 }, (_, k) => (k * 7) % 30);
  return { dataset, train: { dataset, indices: Int32Array.from(keep) }, coldItems, pairs: { users, items } };
}

function create(overrides: Record<string, number | string | boolean> = {}, vanilla = false): RSAttAE {
  const spec = vanilla ? rsattaeVanillaSpec : rsattaeSpec;
  return spec.create(resolveConfig(spec, { ...SMALL, ...overrides })) as RSAttAE;
}

test('rsattae: fits, predicts finite ratings, reports α in (0, 1) and per-stage timings; same seed, same predictions', async (t) => {
  if (!needsXGBoost(t)) return;
  const f = fixture();
  const model = create();
  const report = await model.fit(f.train);
  assert.ok(report.epochs >= 2);
  const p = model.predict(f.pairs.users, f.pairs.items);
  assert.equal(p.length, 60);
  for (const v of p) assert.ok(Number.isFinite(v), `prediction ${v}`);
  const details = model.details;
  assert.ok(details !== null);
  for (const a of [details.alpha.user, details.alpha.item])
    assert.ok(a !== null && a > 0 && a < 1, `α = ${a}`);
  for (const s of Object.values(details.seconds)) assert.ok(s >= 0);
  assert.equal(details.coldItems, 2);
  assert.equal(details.xgboost.roundsTrained, 25);
  // 10% of the training ratings were held out for validation.
  assert.equal(details.nValidation, Math.round(f.train.indices.length * 0.1));
  assert.equal(details.nTrain + details.nValidation, f.train.indices.length);

  const again = create();
  await again.fit(f.train);
  assert.deepEqual(again.predict(f.pairs.users, f.pairs.items), p);
  const otherSeed = create({ seed: 2 });
  await otherSeed.fit(f.train);
  assert.notDeepEqual(otherSeed.predict(f.pairs.users, f.pairs.items), p);
});

test('rsattae: state() → restore gives identical predictions and explanations, also through a saved artifact', async (t) => {
  if (!needsXGBoost(t)) return;
  const f = fixture();
  const model = create();
  await model.fit(f.train);
  const expected = model.predict(f.pairs.users, f.pairs.items);
  const restored = rsattaeSpec.restore(model.state());
  assert.deepEqual(restored.predict(f.pairs.users, f.pairs.items), expected);
  assert.deepEqual(restored.explain?.(3, 5), model.explain(3, 5));

  const dir = mkdtempSync(join(tmpdir(), 'heed-rsattae-'));
  try {
    const target = join(dir, 'model');
    saveArtifact(target, { model, dataset: f.dataset, stats: trainingStats(f.train) });
    const loaded = loadArtifact(target);
    assert.equal(loaded.model.id, 'rsattae');
    assert.deepEqual(loaded.model.predict(f.pairs.users, f.pairs.items), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(getModelSpec('rsattae'), rsattaeSpec);
  assert.equal(getModelSpec('rsattae-vanilla'), rsattaeVanillaSpec);
});

test('rsattae cold start: items without training ratings are answered by the model from their features', async (t) => {
  if (!needsXGBoost(t)) return;
  const f = fixture();
  const model = create();
  await model.fit(f.train);
  assert.equal(model.handlesColdStart, true);
  const predictor = new Predictor(model, trainingStats(f.train), f.dataset.scale);
  for (const item of f.coldItems) {
    const answer = predictor.predictOne(5, item);
    assert.equal(answer.coldStart, 'item');
    assert.equal(answer.source, 'model');
    assert.ok(Number.isFinite(answer.rating) && answer.rating >= 1 && answer.rating <= 5);
  }
  // The cold items' embeddings are the attention output of their own features: items with the
  // same feature row get the same embedding, and it is not the encoder's output for an empty row
  // (which would be the same vector for both cold items whatever their features).
  const state = model.state();
  const dim = 4;
  const itemEmbedding = state.arrays['item.embedding'] as Float32Array;
  const itemGroup = state.arrays['item.group'] as Int32Array;
  const row = (i: number): number[] => Array.from(itemEmbedding.subarray(i * dim, (i + 1) * dim));
  const [a, b] = f.coldItems;
  if (itemGroup[a] !== itemGroup[b])
    assert.notDeepEqual(row(a), row(b), 'different features, different embeddings');
  for (const v of [...row(a), ...row(b)]) assert.ok(Number.isFinite(v));
  // A warm item sharing a cold item's features does not share its embedding (it has ratings).
  const warmTwin = Array.from({ length: 30 }, (_, i) => i).find(
    (i) => !f.coldItems.includes(i) && itemGroup[i] === itemGroup[a],
  );
  if (warmTwin !== undefined) assert.notDeepEqual(row(warmTwin), row(a));
});

test('rsattae explain: attention over feature groups of users and of items, weights in (0, 1]', async (t) => {
  if (!needsXGBoost(t)) return;
  const f = fixture();
  const model = create();
  await model.fit(f.train);
  const e = model.explain(3, 7);
  assert.equal(e.model, 'rsattae');
  assert.equal(e.prediction, model.predict(Int32Array.of(3), Int32Array.of(7))[0]);
  assert.equal(e.groups.length, 2);
  for (const g of e.groups) {
    assert.ok(g.weights.length >= 1);
    for (const w of g.weights) assert.ok(w.weight > 0 && w.weight <= 1, `${w.feature}: ${w.weight}`);
    const sum = g.weights.reduce((s, w) => s + w.weight, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `${g.name}: the whole distribution, summing to ${sum}`);
    for (let k = 1; k < g.weights.length; k++) assert.ok(g.weights[k - 1].weight >= g.weights[k].weight);
  }
  assert.match(e.groups[0].weights[0].feature, /\(\d+ users\)$/);
  assert.match(e.groups[1].weights[0].feature, /genre=|director=|year=/);
});

test('rsattae-vanilla: the no-attention ablation fits, has no α and explains with no attention groups', async (t) => {
  if (!needsXGBoost(t)) return;
  const f = fixture();
  const model = create({}, true);
  assert.equal(model.id, 'rsattae-vanilla');
  await model.fit(f.train);
  assert.deepEqual(model.details?.alpha, { user: null, item: null });
  const p = model.predict(f.pairs.users, f.pairs.items);
  for (const v of p) assert.ok(Number.isFinite(v));
  assert.deepEqual(model.explain(3, 7).groups, []);
  assert.deepEqual(rsattaeVanillaSpec.restore(model.state()).predict(f.pairs.users, f.pairs.items), p);
  // Cold items: the mean embedding of warm items with the same features (or of all warm items).
  const answer = new Predictor(model, trainingStats(f.train), f.dataset.scale).predictOne(2, f.coldItems[0]);
  assert.equal(answer.source, 'model');
});

test('rsattae settings: bad values fail naming the setting; the paper defaults are the defaults', () => {
  assert.throws(() => create({ hidden: 6 }), /"hidden" must be a multiple of 4/);
  assert.throws(() => create({ baseScore: 'median' }), /"baseScore" must be "mean" or a number/);
  assert.throws(
    () => create({ validationFraction: 1 }),
    /model "rsattae" setting "validationFraction" must be a number in \[0, 1\), got 1/,
  );
  assert.throws(() => create({ subsample: 0 }), /"subsample"/);
  const d = rsattaeSpec.defaults;
  assert.deepEqual(
    [
      d.factors,
      d.rounds,
      d.maxDepth,
      d.xgbLearningRate,
      d.subsample,
      d.colsampleBytree,
      d.regLambda,
      d.regAlpha,
    ],
    [64, 1900, 9, 0.01, 1, 0.2, 1, 3],
  );
  assert.throws(
    () => new RSAttAE(resolveConfig(rsattaeSpec, {})).predict(Int32Array.of(0), Int32Array.of(0)),
    /not fitted/,
  );
});

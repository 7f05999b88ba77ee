/**
 * RSAttAE's two autoencoders on two threads (`autoencoderThreads`, `both-autoencoders.ts`): the
 * fit is bit for bit the one-thread fit, a failing worker ends training with a HeedError instead
 * of a hang, no worker outlives a fit, and the setting is checked and left out of run keys.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, test } from 'node:test';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { initEngine } from '../src/engine/backend.js';
import { resolveConfig } from '../src/models/config.js';
import { liveAutoencoderWorkers, trainBothAutoencoders } from '../src/models/rsattae/both-autoencoders.js';
import { entityFeatures, selectFeatures } from '../src/models/rsattae/features.js';
import { RSAttAE, rsattaeSpec, rsattaeVanillaSpec } from '../src/models/rsattae/model.js';
import { sparseRows } from '../src/models/rsattae/rating-matrix.js';
import type { AutoencoderSettings } from '../src/models/rsattae/train-autoencoder.js';
import { runIdentityConfig } from '../src/models/settings-schema.js';
import { HeedError, UsageError } from '../src/util/errors.js';
import { needsXGBoost, SMALL_RSATTAE as SMALL } from '../test-helpers/rsattae-fixture.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

function data(): { dataset: Dataset; train: RatingSubset } {
  const dataset = generateSynthetic({ seed: 4, users: 40, items: 30, ratingsPerUser: 10 });
  return { dataset, train: { dataset, indices: Int32Array.from(dataset.ratings.rating, (_, k) => k) } };
}

/** SHA-256 of the model's predictions for every user-item pair and of both embedding tables. */
function fingerprint(model: RSAttAE, dataset: Dataset): string {
  const nUsers = dataset.users.ids.length;
  const nItems = dataset.items.ids.length;
  const users = Int32Array.from({ length: nUsers * nItems }, (_, k) => Math.floor(k / nItems));
  const items = Int32Array.from({ length: nUsers * nItems }, (_, k) => k % nItems);
  const hash = createHash('sha256');
  const arrays = model.state().arrays;
  for (const a of [model.predict(users, items), arrays['user.embedding'], arrays['item.embedding']])
    hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return hash.digest('hex');
}

/**
 * `fingerprint` of the fits below as Heed computed them before the autoencoders could train on two
 * threads (main at 7cc339a, the same fixture and settings, one after the other).
 */
const BEFORE: Record<string, string> = {
  rsattae: 'e9e7993c7cad76ef2c3022ed8d13dc54a41c096c63b2de73f26dbc11cce03d9f',
  'rsattae-vanilla': '9c540479f733444bd906fefe6e629a50ad19829b568cb9ef2bd22f445b03790f',
};

test('rsattae: the autoencoders on one and on two threads give the earlier fit bit for bit (both variants)', async (t) => {
  if (!needsXGBoost(t)) return;
  const { dataset, train } = data();
  for (const spec of [rsattaeSpec, rsattaeVanillaSpec]) {
    const prints: string[] = [];
    const details = [];
    for (const autoencoderThreads of [1, 2]) {
      const model = spec.create(resolveConfig(spec, { ...SMALL, autoencoderThreads })) as RSAttAE;
      await model.fit(train);
      prints.push(fingerprint(model, dataset));
      const d = model.details;
      assert.ok(d !== null);
      details.push({ alpha: d.alpha, autoencoders: d.autoencoders, xgboost: d.xgboost });
      assert.ok(d.seconds.autoencoders > 0);
    }
    assert.equal(prints[0], BEFORE[spec.id], spec.id);
    assert.equal(prints[1], prints[0], spec.id);
    assert.deepEqual(details[1], details[0], spec.id);
    assert.equal(liveAutoencoderWorkers(), 0);
  }
});

test('rsattae: an aborted fit on two threads stops both autoencoders and stays usable', async (t) => {
  if (!needsXGBoost(t)) return;
  const { train } = data();
  const model = rsattaeSpec.create(
    resolveConfig(rsattaeSpec, { ...SMALL, epochs: 1_000_000, autoencoderThreads: 2 }),
  ) as RSAttAE;
  const abort = new AbortController();
  let events = 0;
  const onProgress = (): void => {
    if (++events === 20) abort.abort();
  };
  await model.fit(train, { signal: abort.signal, onProgress });
  const d = model.details;
  assert.ok(d !== null);
  assert.ok(d.autoencoders.user.epochs < 1_000_000, `user epochs ${d.autoencoders.user.epochs}`);
  assert.ok(d.autoencoders.item.epochs < 1_000_000, `item epochs ${d.autoencoders.item.epochs}`);
  for (const v of model.predict(Int32Array.of(0, 1), Int32Array.of(2, 3))) assert.ok(Number.isFinite(v));
  assert.equal(liveAutoencoderWorkers(), 0);

  // Aborted before the fit starts: the worker gets the abort too, before it listens.
  await model.fit(train, { signal: AbortSignal.abort() });
  assert.ok((model.details?.autoencoders.user.epochs ?? Infinity) <= 1);
  assert.equal(liveAutoencoderWorkers(), 0);
});

test('a worker thread that throws ends the training with a HeedError naming it, without a hang', async () => {
  const { dataset } = data();
  const nUsers = dataset.users.ids.length;
  const nItems = dataset.items.ids.length;
  const { user, item, rating } = dataset.ratings;
  const settings: AutoencoderSettings = {
    hidden: 8,
    dim: 4,
    attentionDim: 4,
    attention: true,
    dropout: 0.5,
    epochs: 1_000_000,
    learningRate: 0.01,
    weightDecay: 1e-5,
    restoreBest: false,
    patience: 0,
    seed: 1,
  };
  const none = new Int32Array(0);
  let itemEpochs = 0;
  await assert.rejects(
    trainBothAutoencoders(
      {
        name: 'user',
        // No ratings at all: the worker's training throws at once.
        rows: sparseRows(nUsers, nItems, none, none, new Float32Array(0)),
        features: entityFeatures(selectFeatures(dataset.userFeatures, 'all', true, 'userFeatures')),
        settings,
      },
      {
        name: 'item',
        rows: sparseRows(nItems, nUsers, item, user, rating),
        features: entityFeatures(selectFeatures(dataset.itemFeatures, 'all', true, 'itemFeatures')),
        settings,
        onProgress: () => itemEpochs++,
      },
      2,
    ),
    (e: unknown) =>
      e instanceof HeedError &&
      e.message ===
        `rsattae: the user autoencoder's worker thread failed: autoencoder "user": no training ratings`,
  );
  // The item autoencoder on the fit's thread was stopped, not trained for its million epochs.
  assert.ok(itemEpochs < 1_000_000, `${itemEpochs} item epochs`);
  assert.equal(liveAutoencoderWorkers(), 0);
});

test('autoencoderThreads: 1 or 2, default 2, refused by name otherwise, not part of run keys', () => {
  assert.equal(rsattaeSpec.defaults['autoencoderThreads'], 2);
  for (const bad of [0, 3, 1.5]) {
    assert.throws(
      () => rsattaeSpec.create(resolveConfig(rsattaeSpec, { autoencoderThreads: bad })),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === `model "rsattae" setting "autoencoderThreads" must be an integer in [1, 2], got ${bad}`,
    );
  }
  const config = resolveConfig(rsattaeSpec, { autoencoderThreads: 1 });
  assert.equal(config['autoencoderThreads'], 1);
  assert.ok(!('autoencoderThreads' in runIdentityConfig(rsattaeSpec.settings, config)));
});

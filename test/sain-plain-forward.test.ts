/**
 * SAIN's plain-JavaScript inference pass (src/models/sain/plain-forward.ts) against the tensor
 * forward pass `sainForward` it replaces at prediction time: the same combined scores to float
 * tolerance, over every pair of small random networks (padding in the batch, missing values, a
 * side without features, one and two layers, top-K on and off, every projection activation,
 * both slot layouts, sparse and dense tables, batch norm with non-trivial running statistics);
 * and a fitted Sain's `predict` (the plain pass) against its `explain` (the tensor pass).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { FeatureTable } from '../src/data/dataset.js';
import { codedField, featureTable, multiField } from '../src/data/features.js';
import { initEngine } from '../src/engine/backend.js';
import type { Activation } from '../src/engine/layers/dense.js';
import { Params } from '../src/engine/params.js';
import { StepContext } from '../src/engine/step.js';
import { featureTokens, tokenBatch, type MultiSlots } from '../src/models/sain/feature-tokens.js';
import { plainSainPredictor } from '../src/models/sain/plain-forward.js';
import { Sain } from '../src/models/sain/sain.js';
import { declareSainNetwork, sainForward, type SainNetwork } from '../src/models/sain/sain-network.js';
import { Rng } from '../src/util/rng.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { ratioSplit } from '../src/data/split.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

const USERS = 7;
const ITEMS = 9;

/** Users with an age (sometimes missing) and a gender; items with 0-4 genres and a director (sometimes missing). */
function randomTables(rng: Rng, userFields: boolean): { users: FeatureTable; items: FeatureTable } {
  const code = (values: number, missing: number): number[] =>
    Array.from({ length: USERS }, () => (rng.next() < missing ? -1 : Math.floor(rng.next() * values)));
  const genres = ['Action', 'Drama', 'War', 'Comedy', 'Horror'];
  const users = featureTable(
    USERS,
    userFields
      ? [
          codedField('age', ['young', 'mid', 'old'], code(3, 0.2)),
          codedField('gender', ['M', 'F'], code(2, 0)),
        ]
      : [],
  );
  const items = featureTable(ITEMS, [
    multiField(
      'genre',
      Array.from({ length: ITEMS }, () => genres.filter(() => rng.next() < 0.4)),
      { vocabulary: genres },
    ),
    codedField(
      'director',
      ['Lynch', 'Nolan', 'Varda'],
      Array.from({ length: ITEMS }, () => (rng.next() < 0.3 ? -1 : Math.floor(rng.next() * 3))),
    ),
  ]);
  return { users, items };
}

/** Every weight and buffer drawn at random, so no part of the pass is trivially zero or one. */
function randomise(params: Params, rng: Rng): void {
  for (const p of params.list()) {
    const positive = p.name.endsWith('runningVar') || p.name.endsWith('gamma');
    for (let k = 0; k < p.value.length; k++) {
      p.value[k] = positive ? 0.5 + rng.next() : rng.normal() * 0.7;
    }
    if (p.kind === 'dense') p.sync();
  }
}

interface Case {
  readonly layers: number;
  readonly topK?: number;
  readonly projection: Activation;
  readonly multiSlots: MultiSlots;
  readonly tables: 'sparse' | 'dense';
  readonly userFields: boolean;
}

const CASES: Case[] = [
  { layers: 1, topK: 3, projection: 'relu', multiSlots: 'value', tables: 'sparse', userFields: true },
  { layers: 1, projection: 'linear', multiSlots: 'mean', tables: 'sparse', userFields: true },
  { layers: 2, topK: 2, projection: 'tanh', multiSlots: 'value', tables: 'dense', userFields: true },
  { layers: 1, topK: 4, projection: 'sigmoid', multiSlots: 'mean', tables: 'dense', userFields: false },
  { layers: 2, projection: 'leakyRelu', multiSlots: 'value', tables: 'sparse', userFields: false },
  { layers: 1, topK: 5, projection: 'elu', multiSlots: 'mean', tables: 'sparse', userFields: true },
];

for (const [n, c] of CASES.entries()) {
  test(`plain forward equals sainForward: ${JSON.stringify(c)}`, () => {
    const rng = new Rng(100 + n);
    const { users, items } = randomTables(rng, c.userFields);
    const tokens = featureTokens(users, items, c.multiSlots);
    const params = new Params(n);
    const net: SainNetwork = declareSainNetwork(params, {
      users: USERS,
      items: ITEMS,
      vocabulary: tokens.vocabularySize,
      userSlots: tokens.userSlotCount,
      itemSlots: tokens.itemSlotCount,
      dim: 6,
      featureDim: 4,
      heads: 2,
      layers: c.layers,
      initStd: 0.5,
      featureInitStd: 1,
      featureL2: 0,
      globalMean: 3.5,
      tableL2: 0,
      tables: c.tables,
    });
    assert.equal(net.userMap === undefined, !c.userFields);
    randomise(params, rng);

    // Every pair in one tensor batch: rows are padded to the item with the most genres.
    const us = Int32Array.from({ length: USERS * ITEMS }, (_, k) => Math.floor(k / ITEMS));
    const is = Int32Array.from({ length: USERS * ITEMS }, (_, k) => k % ITEMS);
    const settings = { topK: c.topK, dropout: 0.2, projection: c.projection };
    const ctx = new StepContext(false, new Rng(0));
    const batch = tokenBatch(tokens, us, is);
    const out = sainForward(net, { users: us, items: is, tokens: batch }, settings, ctx);
    const expected = out.combined.dataSync() as Float32Array;
    const plain = plainSainPredictor(net, tokens, settings)(us, is);

    assert.equal(plain.length, expected.length);
    let spread = 0;
    for (let k = 0; k < expected.length; k++) {
      const tolerance = 1e-4 * Math.max(1, Math.abs(expected[k]));
      assert.ok(
        Math.abs(plain[k] - expected[k]) <= tolerance,
        `pair (${us[k]}, ${is[k]}): plain ${plain[k]}, tensors ${expected[k]}`,
      );
      spread = Math.max(spread, Math.abs(expected[k] - expected[0]));
    }
    // The scores differ between pairs, so the comparison above is not of constants.
    assert.ok(spread > 0.1, `scores barely vary (${spread})`);
  });
}

test('plain forward: an index outside the trained data is refused, naming the pair', () => {
  const rng = new Rng(5);
  const { users, items } = randomTables(rng, true);
  const tokens = featureTokens(users, items);
  const net = declareSainNetwork(new Params(1), {
    users: USERS,
    items: ITEMS,
    vocabulary: tokens.vocabularySize,
    userSlots: tokens.userSlotCount,
    itemSlots: tokens.itemSlotCount,
    dim: 4,
    featureDim: 4,
    heads: 2,
    layers: 1,
    initStd: 0.1,
    featureInitStd: 1,
    featureL2: 0,
    globalMean: 3,
    tableL2: 0,
    tables: 'sparse',
  });
  const predict = plainSainPredictor(net, tokens, { projection: 'relu' });
  assert.throws(
    () => predict(Int32Array.of(0, USERS), Int32Array.of(0, 0)),
    /pair 1 \(user index 7, item index 0\)/,
  );
  assert.throws(() => predict(Int32Array.of(0), Int32Array.of(-1)), /item index -1/);
});

test('a fitted Sain predicts (plain pass) what it explains (tensor pass)', async () => {
  const dataset = generateSynthetic({ seed: 2, users: 30, items: 40, ratingsPerUser: 15 });
  const split = ratioSplit(dataset, { train: 0.8, validation: 0, test: 0.2 }, 1);
  const model = new Sain({
    factors: 8,
    featureDim: 4,
    topK: 3,
    epochs: 2,
    batchSize: 64,
    learningRate: 0.01,
  });
  await model.fit({ dataset, indices: split.train });
  const users = Int32Array.from({ length: 60 }, (_, k) => (k * 7) % 30);
  const items = Int32Array.from({ length: 60 }, (_, k) => (k * 11) % 40);
  const predicted = model.predict(users, items);
  for (let k = 0; k < users.length; k++) {
    const explained = model.explain(users[k], items[k]).prediction;
    const clipped = Math.min(dataset.scale.max, Math.max(dataset.scale.min, predicted[k]));
    assert.ok(
      Math.abs(clipped - explained) <= 1e-4 * Math.max(1, Math.abs(explained)),
      `pair (${users[k]}, ${items[k]}): predict ${clipped}, explain ${explained}`,
    );
  }
});

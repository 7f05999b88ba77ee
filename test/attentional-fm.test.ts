/**
 * The Attentional Factorization Machine (`attentional-fm`): gradients of its attention-pooled pair
 * layer against finite differences, attention weights that sum to 1 over the pairs of present
 * fields, the reduction to an FM with projection p when every attention logit is equal (a hand
 * check), a short fit that beats the global mean, explanations that name feature pairs, and
 * save/restore round trips.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { gatherRatings, type Dataset, type RatingSubset } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { initEngine } from '../src/engine/backend.js';
import { gradCheck } from '../src/engine/gradcheck.js';
import { StepContext } from '../src/engine/step.js';
import {
  attentionLogits,
  attentionPooling,
  fieldPairs,
  pairProducts,
  presentPairs,
} from '../src/models/attentional-fm/attention-pooling.js';
import { AttentionalFm } from '../src/models/attentional-fm/attentional-fm.js';
import { fieldPresence } from '../src/models/attentional-fm/network.js';
import { loadArtifact, saveArtifact } from '../src/models/artifact.js';
import { buildFieldInputs, fieldValueLabels } from '../src/models/baselines/field-inputs.js';
import { resolveConfig } from '../src/models/config.js';
import { getModelSpec } from '../src/models/index.js';
import type { ConfigValue, ModelState } from '../src/models/model.js';
import { trainingStats } from '../src/models/predictor.js';
import { Rng } from '../src/util/rng.js';
import { featureField, idMap } from '../test-helpers/datasets.js';
import { assertPasses, input, project } from '../test-helpers/gradcheck.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

const spec = getModelSpec('attentional-fm');

function create(overrides: Record<string, ConfigValue> = {}): AttentionalFm {
  return spec.create(resolveConfig(spec, overrides)) as AttentionalFm;
}

/**
 * Three users with a gender (one without), four items with genres (multi) and a director (one
 * without): fields user, gender, item, genre, director, and rows where a field is absent.
 */
function tinyData(): Dataset {
  const user = [0, 0, 1, 1, 2, 2, 0, 1];
  const item = [0, 1, 1, 2, 3, 0, 3, 3];
  return {
    id: 'tiny',
    users: idMap('u', 3),
    items: idMap('m', 4),
    ratings: {
      user: Int32Array.from(user),
      item: Int32Array.from(item),
      rating: Float32Array.from([5, 3, 4, 2, 1, 4, 2, 3]),
    },
    scale: { min: 1, max: 5 },
    userFeatures: { count: 3, fields: [featureField('gender', 'categorical', ['F', 'M'], [[0], [1], []])] },
    itemFeatures: {
      count: 4,
      fields: [
        featureField('genre', 'multi', ['Action', 'Comedy', 'Drama'], [[0], [0, 2], [1], [2]]),
        featureField('director', 'categorical', ['Lynch', 'Varda'], [[0], [1], [], [0]]),
      ],
    },
    predefinedSplits: {},
  };
}

/** A seeded 80/10/10 split of a small synthetic data set (as the other baselines' tests). */
function parts(): { data: Dataset; train: RatingSubset; validation: RatingSubset; test: RatingSubset } {
  const data = generateSynthetic({ seed: 4, users: 120, items: 90, ratingsPerUser: 25 });
  const order = new Rng(9).permutation(data.ratings.rating.length);
  const a = Math.floor(order.length * 0.8);
  const b = Math.floor(order.length * 0.9);
  return {
    data,
    train: { dataset: data, indices: order.slice(0, a) },
    validation: { dataset: data, indices: order.slice(a, b) },
    test: { dataset: data, indices: order.slice(b) },
  };
}

const QUICK = {
  factors: 8,
  attentionFactor: 8,
  dropout: 0,
  epochs: 15,
  batchSize: 64,
  learningRate: 0.01,
  patience: 3,
  initStd: 0.01,
};

test('attentional-fm: gradients of the attention-pooled pair layer match finite differences', () => {
  const [batch, m, k, t] = [3, 4, 3, 5];
  // Row 1 lacks field 2: its pairs with field 2 are outside R_x (masked out of the softmax).
  const present = Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
  const keep = presentPairs(present, m);
  const inputs = [
    input('fields', [batch, m, k], 1),
    input('w', [k, t], 2),
    input('b', [t], 3, 0.5),
    input('h', [t, 1], 4),
    input('p', [k, 1], 5),
  ];
  const result = gradCheck(
    ([fields, w, b, h, p]) => {
      const pairs = pairProducts(fields as tf.Tensor3D);
      const logits = attentionLogits(pairs, w as tf.Tensor2D, b as tf.Tensor1D, h as tf.Tensor2D);
      const { pooled, weights } = attentionPooling(pairs, logits, keep);
      // The score term pᵀ f_Att and the weights themselves (they feed the explanations).
      return tf.add(project(tf.matMul(pooled, p as tf.Tensor2D), 6), project(weights, 7));
    },
    inputs,
    // Every coordinate: 36 + 15 + 5 + 5 + 3.
    { samples: 36 },
  );
  assertPasses(result, 'attention pooling', 64);
});

test('attentional-fm: pair products are vᵢ ⊙ vⱼ for i < j in order, and R_x keeps pairs of present fields', () => {
  const fields = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 3, 2]);
  assert.deepEqual(Array.from(pairProducts(fields).dataSync()), [3, 8, 5, 12, 15, 24]);
  assert.deepEqual(fieldPairs(3), [
    [0, 1],
    [0, 2],
    [1, 2],
  ]);
  assert.deepEqual(Array.from(presentPairs(Uint8Array.from([1, 0, 1, 1, 1, 1]), 3)), [0, 1, 0, 1, 1, 1]);
});

test('attentional-fm: feature labels follow the global index layout of the field inputs', () => {
  const data = tinyData();
  const inputs = buildFieldInputs(data, data.userFeatures, data.itemFeatures);
  const labels = fieldValueLabels(data, data.userFeatures, data.itemFeatures);
  assert.equal(labels.length, inputs.vocabulary);
  const side = (slots: typeof inputs.user, e: number): string[] => {
    const out: string[] = [];
    for (let s = 0; s < slots.width; s++) {
      const code = slots.codes[e * slots.width + s];
      if (code >= 0) out.push(labels[code]);
    }
    return out;
  };
  assert.deepEqual(side(inputs.user, 0), ['u0', 'F']);
  assert.deepEqual(side(inputs.user, 2), ['u2']);
  assert.deepEqual(side(inputs.item, 1), ['m1', 'Action', 'Drama', 'Varda']);
  assert.deepEqual(side(inputs.item, 2), ['m2', 'Comedy']);
});

test('attentional-fm: attention weights sum to 1 over the present pairs; equal logits give an FM with projection p', async () => {
  const data = tinyData();
  const model = create({ ...QUICK, epochs: 2, batchSize: 4, initStd: 0.5, seed: 2 });
  await model.fit({ dataset: data, indices: Int32Array.from({ length: 8 }, (_, k) => k) });
  const net = model.network;
  assert.ok(net !== undefined);
  const users = data.ratings.user;
  const items = data.ratings.item;
  const m = net.embedding.fields;
  assert.equal(m, 5);
  const keep = presentPairs(fieldPresence(net.embedding.inputs, users, items), m);
  const weights = tf.tidy(() =>
    net.forward(users, items, new StepContext(false, new Rng(0))).weights.dataSync(),
  );
  const p = (m * (m - 1)) / 2;
  for (let r = 0; r < users.length; r++) {
    let sum = 0;
    for (let q = 0; q < p; q++) {
      if (keep[r * p + q] === 0) assert.equal(weights[r * p + q], 0, `row ${r} pair ${q} is outside R_x`);
      sum += weights[r * p + q];
    }
    assert.ok(Math.abs(sum - 1) < 1e-5, `row ${r}: weights sum to ${sum}`);
  }

  // h = 0 makes every logit hᵀReLU(·) = 0, so aᵢⱼ = 1/|R_x|: ŷ = w₀ + Σᵢ wᵢ + pᵀ Σ_{R_x} vᵢ⊙vⱼ / |R_x|.
  net.attention.h.value.fill(0);
  net.attention.h.sync();
  const scores = model.predict(users, items);
  const {
    vectors,
    weights: linear,
    bias,
    dim,
  } = {
    vectors: net.embedding.vectors.value,
    weights: net.embedding.weights.value,
    bias: net.embedding.bias.value[0],
    dim: net.embedding.dim,
  };
  const projection = net.projection.value;
  const { fieldSlot, user: us, item: is } = net.embedding.inputs;
  for (let r = 0; r < users.length; r++) {
    // Field vectors: the pooling-weighted sum of each field's slot vectors; the first-order term alike.
    const field: Float64Array[] = [];
    let first = bias;
    const present: boolean[] = [];
    for (let f = 0; f < m; f++) {
      const v = new Float64Array(dim);
      let any = false;
      for (let s = fieldSlot[f]; s < fieldSlot[f + 1]; s++) {
        const [slots, e, at] = s < us.width ? [us, users[r], s] : [is, items[r], s - us.width];
        const code = slots.codes[e * slots.width + at];
        const w = slots.weights[e * slots.width + at];
        if (code < 0 || w === 0) continue;
        any = true;
        first += w * linear[code];
        for (let c = 0; c < dim; c++) v[c] += w * vectors[code * dim + c];
      }
      field.push(v);
      present.push(any);
    }
    let pairs = 0;
    let interaction = 0;
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) {
        if (!present[i] || !present[j]) continue;
        pairs++;
        for (let c = 0; c < dim; c++) interaction += projection[c] * field[i][c] * field[j][c];
      }
    }
    const expected = first + interaction / pairs;
    assert.ok(Math.abs(scores[r] - expected) < 1e-4, `row ${r}: ${scores[r]} vs FM ${expected}`);
  }
});

test('attentional-fm: beats the global mean on held-out synthetic ratings; explanations name feature pairs; save and restore keep both', async (t) => {
  const { data, train, validation, test: testSet } = parts();
  const model = create({ ...QUICK, seed: 3 });
  const report = await model.fit(train, { validation });
  const { user, item, rating } = gatherRatings(testSet);
  const before = model.predict(user, item);
  assert.ok(before.every(Number.isFinite));
  let se = 0;
  for (let k = 0; k < rating.length; k++) se += (Math.min(5, Math.max(1, before[k])) - rating[k]) ** 2;
  const rmse = Math.sqrt(se / rating.length);
  const trainRatings = gatherRatings(train).rating;
  const mean = trainRatings.reduce((s, r) => s + r, 0) / trainRatings.length;
  const floor = Math.sqrt(rating.reduce((s, r) => s + (r - mean) ** 2, 0) / rating.length);
  t.diagnostic(
    `attentional-fm: test RMSE ${rmse.toFixed(4)}, global mean ${floor.toFixed(4)}, ${report.epochs} epochs`,
  );
  assert.ok(rmse < 0.95 * floor, `test RMSE ${rmse} does not beat the global mean's ${floor}`);

  const explanation = model.explain(user[0], item[0]);
  assert.equal(explanation.model, 'attentional-fm');
  assert.ok(Math.abs(explanation.prediction - before[0]) < 1e-5);
  assert.equal(explanation.groups.length, 1);
  const pairs = explanation.groups[0].weights;
  const m = model.network?.embedding.fields ?? 0;
  assert.equal(pairs.length, (m * (m - 1)) / 2);
  assert.ok(Math.abs(pairs.reduce((s, w) => s + w.weight, 0) - 1) < 1e-5);
  const u = data.users.ids[user[0]];
  const i = data.items.ids[item[0]];
  assert.ok(
    pairs.some((w) => w.feature === `user=${u} × item=${i}`),
    pairs.map((w) => w.feature).join('; '),
  );
  assert.ok(pairs.some((w) => /^item=\S+ × genre=\w+(\|\w+)*$/.test(w.feature)));
  assert.throws(() => model.explain(data.users.ids.length, 0), /user .* outside \[0, 120\)/);

  // Through the in-memory state, with JSON meta round-tripped.
  const state = model.state();
  const copy: ModelState = { ...state, meta: JSON.parse(JSON.stringify(state.meta)) as ModelState['meta'] };
  const restored = spec.restore(copy);
  assert.deepEqual(restored.predict(user, item), before);
  assert.deepEqual(restored.explain?.(user[0], item[0]), explanation);

  // Through an artifact directory on disk.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-attentional-fm-'));
  try {
    saveArtifact(path.join(dir, 'model'), { model, dataset: data, stats: trainingStats(train) });
    const loaded = loadArtifact(path.join(dir, 'model'));
    assert.equal(loaded.model.id, 'attentional-fm');
    assert.deepEqual(loaded.model.predict(user, item), before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // A saved state whose labels do not match its layout is refused by name.
  const broken: ModelState = { ...copy, meta: { ...(copy.meta as object), valueLabels: ['x'] } };
  assert.throws(() => spec.restore(broken), /meta\.valueLabels/);
});

test('attentional-fm: refuses to predict before fit and rejects bad settings by name', async () => {
  const { train } = parts();
  assert.throws(() => create().predict(Int32Array.of(0), Int32Array.of(0)), /call fit\(\) before predict/);
  // Plain range checks are the settings schema's, made when the model is created.
  assert.throws(() => create({ attentionFactor: 0 }), /"attentionFactor" must be an integer >= 1, got 0/);
  assert.throws(() => create({ dropout: 1 }), /"dropout" must be .*got 1/);
  await assert.rejects(create({ itemFeatures: 'budget' }).fit(train), /itemFeatures.*"budget"/);
});

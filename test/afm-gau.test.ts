/**
 * AFM with Gated Attention Units (src/models/afm-gau/): the GAU's gradients against finite
 * differences, a forward pass computed by hand (Eq. 2-5), the attention it learns on the synthetic
 * data set with planted tastes, explanations, save/restore and config errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { featureTable, multiField, codedField } from '../src/data/features.js';
import { generateSyntheticWithTruth } from '../src/data/loaders/synthetic.js';
import { ratioSplit } from '../src/data/split.js';
import { gradCheck, initEngine } from '../src/engine/index.js';
import { afmGauSpec, AFM_GAU_DEFAULTS, AfmGau } from '../src/models/afm-gau/afm-gau.js';
import { featureSlots } from '../src/models/afm-gau/feature-slots.js';
import { slotGatedAttention } from '../src/models/afm-gau/gau.js';
import { loadArtifact, saveArtifact } from '../src/models/artifact.js';
import { resolveConfig } from '../src/models/config.js';
import { getModelSpec } from '../src/models/index.js';
import type { ModelConfig, ModelState } from '../src/models/model.js';
import { trainingStats } from '../src/models/predictor.js';
import { UsageError } from '../src/util/errors.js';
import { normal, project } from '../test-helpers/gradcheck.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-afm-gau-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

before(async () => {
  await initEngine({ backend: 'wasm' });
});

test('GAU (Eq. 2-3): gradients of u, W_a rows and slot vectors match finite differences, padding included', () => {
  const [b, s, k] = [3, 4, 5];
  const present = Float32Array.from([1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1]);
  const inputs = [
    { name: 'u', shape: [b, k], value: normal(b * k, 1) },
    { name: 'waRows', shape: [b, s, k], value: normal(b * s * k, 2) },
    { name: 'x', shape: [b, s, k], value: normal(b * s * k, 3) },
  ];
  const result = gradCheck(
    (xs) => {
      const r = slotGatedAttention(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor3D, xs[2] as tf.Tensor3D, present);
      return tf.add(project(r.output, 4), project(r.weights, 5));
    },
    inputs,
    { samples: 20 },
  );
  assert.deepEqual(result.mismatches, []);
  assert.ok(result.checked >= 50, `only ${result.checked} coordinates checked`);
});

test('GAU: weights are softmax(u · W_a row) over the present slots, zero on padding', () => {
  const u = [1, 2];
  const wa = [
    [0.5, 0],
    [0, 0.25],
    [3, 3], // padding: ignored
  ];
  const x = [
    [1, 0],
    [0, 1],
    [9, 9],
  ];
  const { weights, output } = tf.tidy(() => {
    const r = slotGatedAttention(
      tf.tensor2d([u]),
      tf.tensor3d([wa]),
      tf.tensor3d([x]),
      Float32Array.from([1, 1, 0]),
    );
    return { weights: Array.from(r.weights.dataSync()), output: Array.from(r.output.dataSync()) };
  });
  // logits 0.5 and 0.5: equal weights.
  assert.ok(Math.abs(weights[0] - 0.5) < 1e-6 && Math.abs(weights[1] - 0.5) < 1e-6);
  assert.equal(weights[2], 0);
  assert.ok(Math.abs(output[0] - 0.5) < 1e-6 && Math.abs(output[1] - 0.5) < 1e-6);
});

/** Two users, two items; item 0 has genres A and B, item 1 has genre B and director D. */
function tinyDataset(): Dataset {
  const ids = (n: number, p: string): { ids: string[]; index: Map<string, number> } => {
    const list = Array.from({ length: n }, (_, i) => `${p}${i}`);
    return { ids: list, index: new Map(list.map((id, i) => [id, i])) };
  };
  return {
    id: 'tiny-afm',
    users: ids(2, 'u'),
    items: ids(2, 'i'),
    ratings: {
      user: Int32Array.from([0, 0, 1, 1]),
      item: Int32Array.from([0, 1, 0, 1]),
      rating: Float32Array.from([5, 1, 2, 4]),
    },
    scale: { min: 1, max: 5 },
    userFeatures: featureTable(2, []),
    itemFeatures: featureTable(2, [
      codedField('director', ['D'], [-1, 0]),
      multiField('genre', [['A', 'B'], ['B']], { vocabulary: ['A', 'B'] }),
    ]),
    predefinedSplits: {},
  };
}

test('feature slots: one slot per one-hot value, padded with -1, named field=value', () => {
  const slots = featureSlots(tinyDataset().itemFeatures, 'all', 'itemFeatures');
  assert.equal(slots.width, 2);
  assert.deepEqual(slots.names, ['director=D', 'genre=A', 'genre=B']);
  assert.deepEqual(Array.from(slots.codes), [1, 2, 0, 2]);
  const genres = featureSlots(tinyDataset().itemFeatures, 'genre', 'itemFeatures');
  assert.deepEqual(Array.from(genres.codes), [0, 1, 1, -1]);
  assert.throws(
    () => featureSlots(tinyDataset().itemFeatures, 'genre,actor', 'itemFeatures'),
    /setting "itemFeatures": no feature field "actor".*fields: director, genre/,
  );
});

/** A state with chosen weights, to check a forward pass by hand. */
function handState(config: ModelConfig, arrays: Record<string, Float32Array>): ModelState {
  const slots = featureSlots(tinyDataset().itemFeatures, 'all', 'itemFeatures');
  return {
    id: 'afm-gau',
    config,
    meta: { users: 2, items: 2, slots: { count: 2, width: slots.width, names: [...slots.names] } },
    arrays: { ...arrays, itemSlots: slots.codes },
  };
}

test('forward pass by hand: Eq. 2-4 (inner product) and Eq. 5 (one sigmoid layer) with biases', () => {
  const k = 2;
  const user = Float32Array.from([1, 0, 0, 2]); // u0 = (1, 0), u1 = (0, 2)
  // rows: item0, item1, director=D, genre=A, genre=B
  const vectors = Float32Array.from([1, 1, 2, 0, 3, -1, 0, 4, -2, 1]);
  // W_a rows: item id, director=D, genre=A, genre=B
  const wa = Float32Array.from([0, 0, 1, 0, 0, 1, -1, 0]);
  const inner = resolveConfig(afmGauSpec, { factors: String(k), interaction: 'inner', biases: 'false' });
  const model = AfmGau.restore(handState(inner, { user, vectors, wa }));
  const softmax = (zs: number[]): number[] => {
    const m = Math.max(...zs);
    const e = zs.map((z) => Math.exp(z - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  const dot = (a: number[], b: number[]): number => a[0] * b[0] + a[1] * b[1];
  const rows = [
    [1, 1],
    [2, 0],
    [3, -1],
    [0, 4],
    [-2, 1],
  ];
  const waRows = [
    [0, 0],
    [1, 0],
    [0, 1],
    [-1, 0],
  ];
  const expected = (u: number[], item: number): { pred: number; alpha: number[]; v: number[] } => {
    // slots: item id, then the codes of the item's features (director=D 0, genre=A 1, genre=B 2)
    const features = item === 0 ? [1, 2] : [0, 2];
    const xs = [rows[item], ...features.map((f) => rows[2 + f])];
    const logits = [dot(u, waRows[0]), ...features.map((f) => dot(u, waRows[1 + f]))];
    const alpha = softmax(logits);
    const v = [0, 1].map((c) => xs.reduce((s, x, l) => s + alpha[l] * x[c], 0));
    return { pred: dot(u, v), alpha, v };
  };
  const users = Int32Array.from([0, 0, 1, 1]);
  const items = Int32Array.from([0, 1, 0, 1]);
  const got = model.predict(users, items);
  const us = [
    [1, 0],
    [0, 2],
  ];
  for (let n = 0; n < 4; n++) {
    const want = expected(us[users[n]], items[n]).pred;
    assert.ok(Math.abs(got[n] - want) < 1e-5, `pair ${n}: ${got[n]} vs ${want}`);
  }
  const e = model.explain(1, 1);
  assert.deepEqual(
    e.groups[0].weights.map((w) => w.feature),
    ['item id', 'director=D', 'genre=B'],
  );
  const alpha = expected(us[1], 1).alpha;
  e.groups[0].weights.forEach((w, l) => assert.ok(Math.abs(w.weight - alpha[l]) < 1e-6));

  // Eq. 5 with one sigmoid layer of 1 unit on u ⊙ v, plus μ + b_u + b_i.
  const mlp = resolveConfig(afmGauSpec, {
    factors: String(k),
    interaction: 'mlp',
    hidden: '1',
    biases: 'true',
  });
  const model2 = AfmGau.restore(
    handState(mlp, {
      user,
      vectors,
      wa,
      'mlp.hidden.w': Float32Array.from([0.5, -1]),
      'mlp.hidden.b': Float32Array.from([0.1]),
      'mlp.out.w': Float32Array.from([2]),
      'mlp.out.b': Float32Array.from([-0.3]),
      mu: Float32Array.from([3.5]),
      userBias: Float32Array.from([0.2, -0.1]),
      itemBias: Float32Array.from([0.05, 0.4]),
    }),
  );
  const got2 = model2.predict(users, items);
  for (let n = 0; n < 4; n++) {
    const u = us[users[n]];
    const { v } = expected(u, items[n]);
    const h = 1 / (1 + Math.exp(-(0.5 * u[0] * v[0] - 1 * u[1] * v[1] + 0.1)));
    const want = 2 * h - 0.3 + 3.5 + [0.2, -0.1][users[n]] + [0.05, 0.4][items[n]];
    assert.ok(Math.abs(got2[n] - want) < 1e-5, `pair ${n}: ${got2[n]} vs ${want}`);
  }
});

test('synthetic data: the attention points at the planted feature (director fans → director, genre fans → genres)', async () => {
  const { dataset, truth } = generateSyntheticWithTruth({ seed: 3, exposeTaste: false });
  const split = ratioSplit(dataset, { train: 0.9, validation: 0.1, test: 0 }, 1);
  const model = new AfmGau(
    resolveConfig(afmGauSpec, {
      itemFeatures: 'director,genre',
      factors: '16',
      epochs: '25',
      learningRate: '0.005',
      batchSize: '128',
    }),
  );
  const report = await model.fit(
    { dataset, indices: split.train },
    { validation: { dataset, indices: split.validation } },
  );
  assert.ok(report.epochs >= 1);
  // Mean attention on each feature group over every (user, item) pair a user rated.
  const sums = {
    director: { director: 0, genre: 0, id: 0, n: 0 },
    genre: { director: 0, genre: 0, id: 0, n: 0 },
  };
  const r = dataset.ratings;
  for (let k = 0; k < r.user.length; k++) {
    const u = r.user[k];
    const e = model.explain(u, r.item[k]);
    const acc = sums[truth.userCaresAbout[u]];
    for (const w of e.groups[0].weights) {
      if (w.feature.startsWith('director=')) acc.director += w.weight;
      else if (w.feature.startsWith('genre=')) acc.genre += w.weight;
      else acc.id += w.weight;
    }
    acc.n++;
  }
  const mean = (x: { director: number; genre: number; id: number; n: number }): string =>
    `director ${(x.director / x.n).toFixed(3)}, genres ${(x.genre / x.n).toFixed(3)}, item id ${(x.id / x.n).toFixed(3)}`;
  const d = sums.director;
  const g = sums.genre;
  assert.ok(d.director > d.genre && d.director > d.id, `director fans: ${mean(d)}`);
  assert.ok(g.genre > g.director && g.genre > g.id, `genre fans: ${mean(g)}`);
});

test('explanations sum to 1 and name the item id and every feature; save/restore through an artifact keeps predictions', async () => {
  const { dataset } = generateSyntheticWithTruth({ seed: 5, users: 60, items: 50, ratingsPerUser: 15 });
  const train: RatingSubset = { dataset, indices: Int32Array.from({ length: 800 }, (_, i) => i) };
  const model = afmGauSpec.create(resolveConfig(afmGauSpec, { factors: '8', hidden: '8', epochs: '2' }));
  await model.fit(train);
  const users = dataset.ratings.user.slice(800, 900);
  const items = dataset.ratings.item.slice(800, 900);
  const before = model.predict(users, items);
  assert.ok(before.every((v) => Number.isFinite(v)));

  const e = model.explain?.(users[0], items[0]);
  assert.ok(e !== undefined);
  assert.equal(e.model, 'afm-gau');
  assert.equal(e.groups.length, 1);
  const weights = e.groups[0].weights;
  const sum = weights.reduce((s, w) => s + w.weight, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5, `weights sum to ${sum}`);
  assert.equal(weights[0].feature, 'item id');
  const names = weights.slice(1).map((w) => w.feature);
  assert.ok(
    names.some((n) => n.startsWith('director=D')),
    names.join(', '),
  );
  assert.ok(
    names.some((n) => n.startsWith('genre=')),
    names.join(', '),
  );
  assert.ok(
    names.some((n) => n.startsWith('year=')),
    names.join(', '),
  );
  assert.ok(Math.abs(e.prediction - before[0]) < 1e-5);

  const dir = path.join(tmp, 'afm');
  saveArtifact(dir, { model, dataset, stats: trainingStats(train) });
  const loaded = loadArtifact(dir);
  assert.equal(loaded.model.id, 'afm-gau');
  assert.deepEqual(Array.from(loaded.model.predict(users, items)), Array.from(before));
  assert.deepEqual(loaded.model.explain?.(users[0], items[0]), e);
  assert.equal(getModelSpec('afm-gau'), afmGauSpec);
});

test('config: defaults follow the paper; bad settings and saved states are errors that name them', () => {
  assert.equal(AFM_GAU_DEFAULTS.factors, 64);
  assert.equal(AFM_GAU_DEFAULTS.interaction, 'inner');
  assert.throws(
    () => afmGauSpec.create({ ...AFM_GAU_DEFAULTS, interaction: 'dot' }),
    /"interaction" must be one of inner, mlp/,
  );
  assert.throws(
    () => afmGauSpec.create({ ...AFM_GAU_DEFAULTS, factors: 0 }),
    /model "afm-gau" setting "factors" must be an integer >= 1, got 0/,
  );
  assert.throws(() => afmGauSpec.create({ ...AFM_GAU_DEFAULTS, dropout: 1 }), UsageError);
  const model = afmGauSpec.create(AFM_GAU_DEFAULTS);
  assert.throws(() => model.predict(Int32Array.of(0), Int32Array.of(0)), /call fit\(\)/);
  const good = handState(resolveConfig(afmGauSpec, { factors: '2', interaction: 'inner', biases: 'false' }), {
    user: new Float32Array(4),
    vectors: new Float32Array(10),
    wa: new Float32Array(8),
  });
  assert.throws(
    () => afmGauSpec.restore({ ...good, arrays: { ...good.arrays, wa: new Float32Array(6) } }),
    /"wa": expected 8 values, found 6/,
  );
  assert.throws(
    () => afmGauSpec.restore({ ...good, arrays: { ...good.arrays, itemSlots: Int32Array.of(0, 1, 2, 7) } }),
    /slot code 7/,
  );
  assert.throws(() => afmGauSpec.restore({ ...good, id: 'aanmf' }), /cannot restore a saved "aanmf"/);
});

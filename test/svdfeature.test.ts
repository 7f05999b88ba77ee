import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RatingSubset } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { resolveConfig } from '../src/models/config.js';
import { featureRows, type FeatureRows } from '../src/models/svdfeature/feature-rows.js';
import { newSums, predictPair, sgdStep, type SvdFeatureParams } from '../src/models/svdfeature/sgd-step.js';
import { SvdFeature, svdFeatureSpec } from '../src/models/svdfeature/svdfeature.js';
import { UsageError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';

const rows = (
  offsets: number[],
  r: number[],
  values: number[],
  count: number,
  tableRows: number,
): FeatureRows => ({
  count,
  tableRows,
  offsets: Int32Array.from(offsets),
  rows: Int32Array.from(r),
  values: Float32Array.from(values),
});

/** Two users (ids only) and two items: item 1 has its id and two side features of value 1/√2. */
const users = rows([0, 1, 2], [0, 1], [1, 1], 2, 2);
const items = rows([0, 1, 4], [0, 1, 2, 3], [1, 1, Math.SQRT1_2, Math.SQRT1_2], 2, 4);

function randomParams(seed: number): SvdFeatureParams {
  const rng = new Rng(seed);
  const draw = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal() * 0.5);
  return {
    mean: 3.5,
    factors: 3,
    userFactors: draw(2 * 3),
    itemFactors: draw(4 * 3),
    userBias: draw(2),
    itemBias: draw(4),
  };
}

const copy = (p: SvdFeatureParams): SvdFeatureParams => ({
  ...p,
  userFactors: p.userFactors.slice(),
  itemFactors: p.itemFactors.slice(),
  userBias: p.userBias.slice(),
  itemBias: p.itemBias.slice(),
});

const tables = (p: SvdFeatureParams): Float32Array[] => [
  p.userFactors,
  p.itemFactors,
  p.userBias,
  p.itemBias,
];

test('svdfeature: the prediction is JMLR 2012 Eq. 1 written out by hand', () => {
  const p = randomParams(1);
  const k = 3;
  const w = Math.SQRT1_2;
  let dot = 0;
  for (let c = 0; c < k; c++) {
    const su = p.userFactors[1 * k + c];
    const si = p.itemFactors[1 * k + c] + w * p.itemFactors[2 * k + c] + w * p.itemFactors[3 * k + c];
    dot += su * si;
  }
  const expected = 3.5 + p.userBias[1] + p.itemBias[1] + w * p.itemBias[2] + w * p.itemBias[3] + dot;
  assert.ok(Math.abs(predictPair(p, users, items, 1, 1, newSums(k)) - expected) < 1e-5);
});

test('svdfeature: one SGD step moves every parameter by -η ∂(½e²)/∂θ (central differences)', () => {
  const lr = 0.05;
  const rating = 4;
  const before = randomParams(2);
  const after = copy(before);
  sgdStep(after, users, items, 1, 1, rating, { lr, l2: 0, biasL2: 0 }, newSums(3));
  const loss = (p: SvdFeatureParams): number =>
    0.5 * (rating - predictPair(p, users, items, 1, 1, newSums(3))) ** 2;
  const h = 1e-2;
  tables(before).forEach((table, t) => {
    for (let x = 0; x < table.length; x++) {
      const plus = copy(before);
      const minus = copy(before);
      tables(plus)[t][x] += h;
      tables(minus)[t][x] -= h;
      const gradient = (loss(plus) - loss(minus)) / (2 * h);
      const expected = table[x] - lr * gradient;
      assert.ok(
        Math.abs(tables(after)[t][x] - expected) < 2e-4,
        `table ${t} entry ${x}: ${tables(after)[t][x]} != ${expected}`,
      );
    }
  });
});

test('svdfeature: weight decay shrinks each touched row by (1 − ηλ) after the step, untouched rows stay', () => {
  const lr = 0.05;
  const step = { lr, l2: 0.5, biasL2: 0.2 };
  const start = randomParams(3);
  const plain = copy(start);
  sgdStep(plain, users, items, 0, 1, 2, { lr, l2: 0, biasL2: 0 }, newSums(3));
  const decayed = copy(start);
  sgdStep(decayed, users, items, 0, 1, 2, step, newSums(3));
  const k = 3;
  for (let c = 0; c < k; c++) {
    assert.ok(Math.abs(decayed.userFactors[c] - plain.userFactors[c] * (1 - lr * 0.5)) < 1e-6);
    assert.equal(decayed.userFactors[k + c], start.userFactors[k + c]);
    for (const row of [1, 2, 3]) {
      assert.ok(
        Math.abs(decayed.itemFactors[row * k + c] - plain.itemFactors[row * k + c] * (1 - lr * 0.5)) < 1e-6,
      );
    }
    assert.equal(decayed.itemFactors[c], start.itemFactors[c]);
  }
  assert.ok(Math.abs(decayed.itemBias[2] - plain.itemBias[2] * (1 - lr * 0.2)) < 1e-6);
});

test('svdfeature: feature rows hold the id with value 1 and each side value with 1/√n', () => {
  const data = generateSynthetic({ users: 10, items: 12, ratingsPerUser: 5, seed: 3 });
  const f = featureRows(data.itemFeatures, 'genre', 'itemFeatures');
  const genre = data.itemFeatures.fields.find((field) => field.name === 'genre');
  assert.ok(genre);
  assert.equal(f.tableRows, 12 + genre.vocabulary.length);
  for (let e = 0; e < 12; e++) {
    const n: number = genre.offsets[e + 1] - genre.offsets[e];
    const start = f.offsets[e];
    assert.equal(f.offsets[e + 1] - start, 1 + n);
    assert.equal(f.rows[start], e);
    assert.equal(f.values[start], 1);
    for (let a = start + 1; a < f.offsets[e + 1]; a++) {
      assert.ok(f.rows[a] >= 12);
      assert.ok(Math.abs(f.values[a] - 1 / Math.sqrt(n)) < 1e-7);
    }
  }
  assert.throws(() => featureRows(data.itemFeatures, 'genre,colour', 'itemFeatures'), UsageError);
});

test('svdfeature: training lowers the training error, and the item features reach cold items', async () => {
  const data = generateSynthetic({ users: 40, items: 30, ratingsPerUser: 12, seed: 9 });
  const all = Int32Array.from(data.ratings.rating.keys());
  const coldItem = 29;
  const train: RatingSubset = {
    dataset: data,
    indices: all.filter((x) => data.ratings.item[x] !== coldItem),
  };
  const mse = (model: SvdFeature): number => {
    const u = Int32Array.from(train.indices, (x) => data.ratings.user[x]);
    const i = Int32Array.from(train.indices, (x) => data.ratings.item[x]);
    const pred = model.predict(u, i);
    let s = 0;
    train.indices.forEach((x, t) => (s += (pred[t] - data.ratings.rating[x]) ** 2));
    return s / train.indices.length;
  };
  const config = (epochs: number) =>
    resolveConfig(svdFeatureSpec, { factors: 4, epochs, learningRate: 0.02 });
  const short = new SvdFeature(config(1));
  await short.fit(train);
  const long = new SvdFeature(config(30));
  await long.fit(train);
  assert.ok(mse(long) < mse(short), `${mse(long)} !< ${mse(short)}`);
  // The cold item's id row is zero, so its score differs from μ + b_u + p_uᵀ·0 only through its features.
  const fromFeatures = long.predict(Int32Array.of(0, 1), Int32Array.of(coldItem, coldItem));
  const noFeatures = new SvdFeature(
    resolveConfig(svdFeatureSpec, { factors: 4, epochs: 30, learningRate: 0.02, itemFeatures: 'none' }),
  );
  await noFeatures.fit(train);
  const idOnly = noFeatures.predict(Int32Array.of(0, 1), Int32Array.of(coldItem, coldItem));
  assert.notDeepEqual(Array.from(fromFeatures), Array.from(idOnly));
});

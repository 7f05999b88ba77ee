import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../src/data/dataset.js';
import { kFoldSplits, ratioSplit } from '../src/data/split.js';
import { evaluate, standardDeviation, type EvaluationProgress } from '../src/eval/protocol.js';
import type { FitReport, ModelSpec, RatingModel } from '../src/models/model.js';
import { FALLBACK_SHRINKAGE, Predictor, trainingStats } from '../src/models/predictor.js';
import { ratingsDataset } from '../test-helpers/datasets.js';
import { integer } from '../src/models/settings-schema.js';

const close = (actual: number, expected: number, eps = 1e-6): void =>
  assert.ok(Math.abs(actual - expected) <= eps, `${actual} is not ${expected}`);

/** A model that answers from a table ("u,i" → value), with 0 for anything else. */
class TableModel implements RatingModel {
  readonly id = 'table';
  readonly config = {};
  calls: Array<[number, number]> = [];
  constructor(
    private readonly table: Record<string, number>,
    readonly handlesColdStart: boolean,
  ) {}
  async fit(): Promise<FitReport> {
    return { epochs: 1, samplesProcessed: 0 };
  }
  predict(users: Int32Array, items: Int32Array): Float32Array {
    return Float32Array.from(users, (u, k) => {
      this.calls.push([u, items[k]]);
      return this.table[`${u},${items[k]}`] ?? 0;
    });
  }
  state(): never {
    throw new Error('not saved');
  }
}

// Users u0, u1, u2 and items i0, i1, i2; u2 and i2 have ratings only outside the training rows.
const data = ratingsDataset([
  ['u0', 'i0', 5],
  ['u0', 'i1', 4],
  ['u1', 'i0', 1],
  ['u2', 'i2', 3],
]);
const train = { dataset: data, indices: Int32Array.of(0, 1, 2) };

test('trainingStats counts and sums per user and item over the training ratings only', () => {
  const s = trainingStats(train);
  close(s.globalMean, 10 / 3, 1e-12);
  assert.equal(s.ratings, 3);
  assert.deepEqual([...s.userCount], [2, 1, 0]);
  assert.deepEqual([...s.itemCount], [2, 1, 0]);
  assert.deepEqual([...s.userSum], [9, 1, 0]);
  assert.deepEqual([...s.itemSum], [6, 4, 0]);
  assert.equal(s.shrinkage, FALLBACK_SHRINKAGE);
  assert.throws(
    () => trainingStats({ dataset: data, indices: new Int32Array(0) }),
    /training set .* is empty/,
  );
});

test('Predictor clips to the scale and answers cold pairs with the documented fallback', () => {
  const model = new TableModel({ '0,0': 7, '0,1': -2, '1,1': 3.25 }, false);
  const p = new Predictor(model, trainingStats(train), data.scale);
  const mu = 10 / 3;
  const beta = FALLBACK_SHRINKAGE;
  const users = Int32Array.of(0, 0, 1, 2, 0, 2, -1, 0);
  const items = Int32Array.of(0, 1, 1, 0, 2, 2, 1, -1);
  const { values, coldStart } = p.predict(users, items);
  close(values[0], 5); // 7 clipped to max
  close(values[1], 1); // −2 clipped to min
  close(values[2], 3.25); // warm pair, in range: the model's value
  close(values[3], (6 + beta * mu) / (2 + beta)); // user unseen: item i0's mean shrunk toward μ
  close(values[4], (9 + beta * mu) / (2 + beta)); // item unseen: user u0's mean shrunk toward μ
  close(values[5], mu); // both unseen: μ
  close(values[6], (4 + beta * mu) / (1 + beta)); // unknown raw user (−1), item i1 seen
  close(values[7], (9 + beta * mu) / (2 + beta)); // unknown raw item (−1), user u0 seen
  assert.deepEqual(coldStart, { user: 2, item: 2, both: 1, fallback: 5 });
  // The model saw only the three warm pairs.
  assert.deepEqual(model.calls, [
    [0, 0],
    [0, 1],
    [1, 1],
  ]);
  assert.deepEqual(p.predictOne(2, 0), { rating: values[3], coldStart: 'user', source: 'fallback' });
  assert.deepEqual(p.predictOne(1, 1), { rating: 3.25, coldStart: 'none', source: 'model' });
});

test('Predictor lets a cold-start model answer cold pairs of known entities, never unknown ids', () => {
  const model = new TableModel({ '2,0': 2.5, '2,2': 4.5 }, true);
  const p = new Predictor(model, trainingStats(train), data.scale);
  const { values, coldStart } = p.predict(Int32Array.of(2, 2, -1), Int32Array.of(0, 2, 0));
  close(values[0], 2.5);
  close(values[1], 4.5);
  close(values[2], (6 + FALLBACK_SHRINKAGE * (10 / 3)) / (2 + FALLBACK_SHRINKAGE));
  assert.deepEqual(coldStart, { user: 2, item: 0, both: 1, fallback: 1 });
  assert.deepEqual(model.calls, [
    [2, 0],
    [2, 2],
  ]);
});

test('Predictor refuses NaN and infinite model outputs, naming the model and pair', () => {
  const nan = new TableModel({ '0,0': NaN }, false);
  assert.throws(
    () => new Predictor(nan, trainingStats(train), data.scale).predict(Int32Array.of(0), Int32Array.of(0)),
    /model "table" predicted NaN for user index 0, item index 0/,
  );
  const inf = new TableModel({ '1,0': Infinity }, false);
  assert.throws(
    () => new Predictor(inf, trainingStats(train), data.scale).predict(Int32Array.of(1), Int32Array.of(0)),
    /predicted Infinity/,
  );
});

/** 30 users x 12 items, ratings from a fixed formula (no randomness needed). */
function grid(): Dataset {
  const rows: Array<[string, string, number]> = [];
  for (let u = 0; u < 30; u++) {
    for (let i = 0; i < 12; i++)
      if ((u * 7 + i * 3) % 4 !== 0) rows.push([`u${u}`, `i${i}`, 1 + ((u + 2 * i) % 5)]);
  }
  return ratingsDataset(rows, 'grid');
}

test('evaluate (globalmean, ratio split): metrics equal the hand computation on the same split', async () => {
  const g = grid();
  const events: EvaluationProgress[] = [];
  const result = await evaluate({
    modelId: 'globalmean',
    dataset: g,
    split: 'ratio:0.8,0.1,0.1',
    seed: 5,
    onProgress: (e) => events.push(e),
  });
  const split = ratioSplit(g, { train: 0.8, validation: 0.1, test: 0.1 }, 5);
  let sum = 0;
  for (const k of split.train) sum += g.ratings.rating[k];
  const mean = sum / split.train.length;
  let se = 0;
  let ae = 0;
  for (const k of split.test) {
    const e = Math.fround(mean) - g.ratings.rating[k];
    se += e * e;
    ae += Math.abs(e);
  }
  close(result.mse, se / split.test.length, 1e-9);
  close(result.rmse, Math.sqrt(se / split.test.length), 1e-9);
  close(result.mae, ae / split.test.length, 1e-9);
  assert.equal(result.model, 'globalmean');
  assert.equal(result.dataset, 'grid');
  assert.equal(result.split, 'ratio:0.8,0.1,0.1');
  assert.equal(result.seed, 5);
  assert.equal(result.nTrain, split.train.length);
  assert.equal(result.nValidation, split.validation.length);
  assert.equal(result.nTest, split.test.length);
  assert.ok(result.fitSeconds >= 0 && result.predictSeconds >= 0);
  if (result.fitSeconds > 0) close(result.samplesPerSecond, split.train.length / result.fitSeconds, 1e-3);
  assert.equal(result.folds, undefined);
  // All predictions tie, so NDCG reduces to the item-index order; it is a number in (0, 1].
  assert.ok(result.ndcg10 !== null && result.ndcg10 > 0 && result.ndcg10 <= 1);
  assert.deepEqual(
    events.map((e) => e.phase),
    ['fit', 'predict', 'done'],
  );
  // Same seed, same numbers.
  const again = await evaluate({ modelId: 'globalmean', dataset: g, split: 'ratio:0.8,0.1,0.1', seed: 5 });
  assert.equal(again.rmse, result.rmse);
});

test('evaluate (k-fold): per-fold results, their means and standard deviations', async () => {
  const g = grid();
  const result = await evaluate({ modelId: 'globalmean', dataset: g, split: 'kfold:3', seed: 2 });
  assert.equal(result.split, 'kfold:3');
  assert.ok(result.folds !== undefined && result.folds.length === 3);
  const folds = result.folds;
  close(result.rmse, folds.reduce((s, f) => s + f.rmse, 0) / 3, 1e-12);
  close(result.mae, folds.reduce((s, f) => s + f.mae, 0) / 3, 1e-12);
  close(result.sd?.rmse ?? NaN, standardDeviation(folds.map((f) => f.rmse)), 1e-12);
  assert.equal(
    folds.reduce((s, f) => s + f.nTest, 0),
    g.ratings.rating.length,
  );
  const expected = kFoldSplits(g, 3, 2);
  assert.deepEqual(
    folds.map((f) => f.split),
    expected.map((s) => s.name),
  );
  close(standardDeviation([1, 2, 3, 4]), Math.sqrt(5 / 3), 1e-12);
});

test('evaluate passes the validation part to fit, the seed to a model with a seed setting', async () => {
  const seen: Array<{ validation: number; seed: unknown }> = [];
  const spec: ModelSpec = {
    id: 'probe',
    summary: 'records what fit receives',
    reference: '-',
    settings: { seed: integer(0, 'seed'), level: integer(3, 'level') },
    defaults: { seed: 0, level: 3 },
    create: (config) => ({
      id: 'probe',
      config,
      handlesColdStart: true,
      async fit(_train, options) {
        const validation = options?.validation?.indices.length ?? 0;
        seen.push({ validation, seed: config.seed });
        // Like the neural models: the epoch kept and its validation RMSE, when there was a validation set.
        return {
          epochs: 2,
          samplesProcessed: 10,
          ...(validation > 0 ? { bestEpoch: 1, bestValidationRmse: 0.5 } : {}),
        };
      },
      predict: (users) => new Float32Array(users.length).fill(Number(config.level)),
      state: () => {
        throw new Error('unused');
      },
    }),
    restore: () => {
      throw new Error('unused');
    },
  };
  const g = grid();
  const r = await evaluate({ modelId: 'probe', spec, dataset: g, split: 'ratio:0.8,0.1,0.1', seed: 9 });
  assert.deepEqual(seen[0], { validation: r.nValidation, seed: 9 });
  assert.ok(r.nValidation > 0);
  assert.equal(r.epochs, 2);
  assert.equal(r.bestEpoch, 1);
  assert.equal(r.bestValidationRmse, 0.5);
  const noValidation = await evaluate({
    modelId: 'probe',
    spec,
    dataset: g,
    split: 'ratio:0.9,0,0.1',
    seed: 9,
    config: { seed: '4' },
  });
  assert.deepEqual(seen[1], { validation: 0, seed: 4 });
  assert.equal('bestEpoch' in noValidation, false);
  assert.equal('bestValidationRmse' in noValidation, false);
  const folds = await evaluate({ modelId: 'probe', spec, dataset: g, split: 'kfold:2,0.1', seed: 9 });
  assert.deepEqual(
    folds.folds?.map((f) => [f.bestEpoch, f.bestValidationRmse]),
    [
      [1, 0.5],
      [1, 0.5],
    ],
  );
  assert.equal(folds.bestEpoch, 1);
  assert.equal(folds.bestValidationRmse, 0.5);
  await assert.rejects(
    evaluate({ modelId: 'probe', spec, dataset: g, split: 'ratio:0.9,0,0.1', config: { depth: '4' } }),
    /model "probe" has no setting "depth"/,
  );
  await assert.rejects(evaluate({ modelId: 'nope', dataset: g, split: 'kfold:2' }), /unknown model "nope"/);
});

test('the public API (src/index.ts) runs the README example on synthetic data', async () => {
  const heed = await import('../src/index.js');
  const dataset = heed.loadDataset('synthetic:users=40,items=50,ratingsPerUser=10');
  const result = await heed.evaluate({ modelId: 'globalmean', dataset, split: 'kfold:2', seed: 3 });
  assert.equal(result.folds?.length, 2);
  assert.equal(result.nTest, dataset.ratings.rating.length / 2);
  assert.ok(heed.MODELS.some((m) => m.id === 'globalmean'));
  assert.equal(typeof heed.saveArtifact, 'function');
  assert.equal(typeof heed.loadArtifact, 'function');
});

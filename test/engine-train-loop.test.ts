/**
 * The training loop end to end, through a toy neural model written the way Heed's neural models
 * are: a biased matrix factorisation whose embeddings and biases are engine tables, trained by
 * `train` with sparse Adam, validated, stopped early, saved and restored.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { gatherRatings } from '../src/data/dataset.js';
import { initEngine } from '../src/engine/backend.js';
import { takeFloat32, takeInt32 } from '../src/engine/batch.js';
import { loadState, toModelState } from '../src/models/neural-state.js';
import { Params, type DenseParam, type TableParam } from '../src/engine/params.js';
import type { StepContext } from '../src/engine/step.js';
import { predictInBatches, train, type TrainReport } from '../src/engine/train-loop.js';
import type { FitOptions, ModelConfig, ModelState, ProgressEvent, RatingModel } from '../src/models/model.js';
import { trainSettingsOf } from '../src/models/train-settings.js';
import { DataError, UsageError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

/** r̂ = μ + b_u + b_i + p_u·q_i, every term trained by the engine. */
class ToyNeuralMF implements RatingModel {
  readonly id = 'toy-neural-mf';
  readonly handlesColdStart = false;
  readonly params: Params;
  private readonly p: TableParam;
  private readonly q: TableParam;
  private readonly bu: TableParam;
  private readonly bi: TableParam;
  private readonly mu: DenseParam;
  lastReport: TrainReport | undefined;

  constructor(
    readonly config: ModelConfig,
    users: number,
    items: number,
  ) {
    const k = config['factors'] as number;
    this.params = new Params(config['seed'] as number);
    this.p = this.params.table('p', users, k, { init: { kind: 'normal', std: 0.1 } });
    this.q = this.params.table('q', items, k, { init: { kind: 'normal', std: 0.1 } });
    this.bu = this.params.table('bu', users, 1, { init: { kind: 'zeros' }, l2: 0 });
    this.bi = this.params.table('bi', items, 1, { init: { kind: 'zeros' }, l2: 0 });
    this.mu = this.params.dense('mu', [1], { init: { kind: 'constant', value: 3 }, l2: 0 });
  }

  private score(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor1D {
    const dot = tf.sum(tf.mul(ctx.lookup(this.p, users), ctx.lookup(this.q, items)), 1);
    const biases = tf.add(
      ctx.lookup(this.bu, users, [users.length, 1]),
      ctx.lookup(this.bi, items, [items.length, 1]),
    );
    return tf.add(tf.add(dot, tf.reshape(biases, [-1])), this.mu.variable);
  }

  async fit(trainSet: RatingSubset, options: FitOptions & { allowCpu?: boolean } = {}): Promise<TrainReport> {
    const { user, item, rating } = gatherRatings(trainSet);
    const v = options.validation === undefined ? undefined : gatherRatings(options.validation);
    this.lastReport = await train(
      {
        params: this.params,
        size: rating.length,
        loss: (batch, ctx) => {
          const target = tf.tensor1d(takeFloat32(rating, batch));
          return tf.mean(
            tf.squaredDifference(this.score(takeInt32(user, batch), takeInt32(item, batch), ctx), target),
          );
        },
        validation:
          v === undefined
            ? undefined
            : {
                size: v.rating.length,
                targets: v.rating,
                predict: (batch, ctx) => this.score(takeInt32(v.user, batch), takeInt32(v.item, batch), ctx),
                clip: trainSet.dataset.scale,
              },
      },
      trainSettingsOf(this.config),
      options,
    );
    return this.lastReport;
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    return predictInBatches(users.length, 1024, (batch, ctx) =>
      this.score(takeInt32(users, batch), takeInt32(items, batch), ctx),
    );
  }

  state(): ModelState {
    return toModelState(this.id, this.config, this.params, { users: this.p.rows, items: this.q.rows });
  }

  static restore(state: ModelState): ToyNeuralMF {
    const meta = state.meta as { users: number; items: number };
    const model = new ToyNeuralMF(state.config, meta.users, meta.items);
    loadState(model.params, state);
    return model;
  }
}

const CONFIG: ModelConfig = {
  factors: 4,
  epochs: 25,
  batchSize: 128,
  learningRate: 0.02,
  l2: 1e-4,
  lrDecay: 0.97,
  plateauDecay: 1,
  weightAverage: 0,
  patience: 3,
  seed: 11,
};

/** Ratings from planted rank-2 factors and biases plus noise, on a 1-5 scale. */
function plantedDataset(users = 120, items = 80, n = 5000, seed = 1): Dataset {
  const rng = new Rng(seed);
  const P = Float32Array.from({ length: users * 2 }, () => rng.normal());
  const Q = Float32Array.from({ length: items * 2 }, () => rng.normal());
  const bu = Float32Array.from({ length: users }, () => 0.3 * rng.normal());
  const bi = Float32Array.from({ length: items }, () => 0.3 * rng.normal());
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const rating = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const u = rng.int(users);
    const i = rng.int(items);
    user[k] = u;
    item[k] = i;
    const r =
      3 + bu[u] + bi[i] + 0.5 * (P[u * 2] * Q[i * 2] + P[u * 2 + 1] * Q[i * 2 + 1]) + 0.1 * rng.normal();
    rating[k] = Math.min(5, Math.max(1, r));
  }
  const ids = (count: number, prefix: string): { ids: string[]; index: Map<string, number> } => {
    const list = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
    return { ids: list, index: new Map(list.map((id, i) => [id, i])) };
  };
  return {
    id: 'planted',
    users: ids(users, 'u'),
    items: ids(items, 'i'),
    ratings: { user, item, rating },
    scale: { min: 1, max: 5 },
    userFeatures: { count: users, fields: [] },
    itemFeatures: { count: items, fields: [] },
    predefinedSplits: {},
  };
}

function subsets(data: Dataset): { trainSet: RatingSubset; validation: RatingSubset } {
  const n = data.ratings.rating.length;
  const cut = Math.floor(n * 0.8);
  return {
    trainSet: { dataset: data, indices: Int32Array.from({ length: cut }, (_, i) => i) },
    validation: { dataset: data, indices: Int32Array.from({ length: n - cut }, (_, i) => cut + i) },
  };
}

function rmse(p: Float32Array, subset: RatingSubset): number {
  const { rating } = gatherRatings(subset);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (Math.min(5, Math.max(1, p[i])) - rating[i]) ** 2;
  return Math.sqrt(s / p.length);
}

test('toy neural MF trained by the loop beats the global mean; same seed, same numbers', async (t) => {
  const data = plantedDataset();
  const { trainSet, validation } = subsets(data);
  const events: ProgressEvent[] = [];
  const tensorsPerEpoch: number[] = [];
  const a = new ToyNeuralMF(CONFIG, 120, 80);
  const report = await a.fit(trainSet, {
    validation,
    onProgress: (e) => {
      events.push(e);
      tensorsPerEpoch.push(tf.memory().numTensors);
    },
  });
  // Global-mean baseline.
  const tr = gatherRatings(trainSet).rating;
  const mean = tr.reduce((s, r) => s + r, 0) / tr.length;
  const vr = gatherRatings(validation);
  const baseline = rmse(new Float32Array(vr.rating.length).fill(mean), validation);
  const pred = a.predict(vr.user, vr.item);
  const model = rmse(pred, validation);
  t.diagnostic(
    `validation RMSE ${model.toFixed(4)} (global mean ${baseline.toFixed(4)}), best epoch ${report.bestEpoch} of ${report.epochs}`,
  );
  assert.ok(model < 0.5 * baseline, `validation RMSE ${model} vs global mean ${baseline}`);
  assert.equal(report.bestValidationRmse, model, 'the kept weights are the best epoch');
  // Progress: one event per epoch, in order, with the validation RMSE.
  assert.equal(events.length, report.epochs);
  events.forEach((e, i) => {
    assert.equal(e.epoch, i + 1);
    assert.equal(e.epochs, CONFIG['epochs']);
    assert.ok(e.validationRmse !== undefined && e.trainLoss !== undefined);
    if (i > 0) assert.ok(e.seconds >= events[i - 1].seconds);
  });
  assert.equal(report.samplesProcessed, report.epochs * trainSet.indices.length);
  // No tensor leaks across epochs.
  assert.ok(
    tensorsPerEpoch.every((n) => n === tensorsPerEpoch[0]),
    `tensors per epoch: ${tensorsPerEpoch.join(', ')}`,
  );
  // Determinism: the same seed gives bit-identical predictions; another seed does not.
  const b = new ToyNeuralMF(CONFIG, 120, 80);
  await b.fit(trainSet, { validation });
  assert.deepEqual(b.predict(vr.user, vr.item), pred);
  const c = new ToyNeuralMF({ ...CONFIG, seed: 12, epochs: 2 }, 120, 80);
  await c.fit(trainSet, { validation });
  assert.notDeepEqual(c.predict(vr.user, vr.item), pred);
});

test('early stopping: stops after `patience` epochs without improvement and restores the best epoch', async () => {
  // A large model on few ratings overfits: the validation RMSE rises after a few epochs.
  const data = plantedDataset(60, 40, 600, 2);
  const { trainSet, validation } = subsets(data);
  const model = new ToyNeuralMF(
    { ...CONFIG, factors: 16, l2: 0, lrDecay: 1, learningRate: 0.05, epochs: 60, patience: 2 },
    60,
    40,
  );
  const events: ProgressEvent[] = [];
  const report = await model.fit(trainSet, { validation, onProgress: (e) => events.push(e) });
  assert.equal(report.stoppedEarly, true);
  assert.ok(report.epochs < 60);
  assert.equal(report.epochs, report.bestEpoch + 2);
  const best = Math.min(...events.map((e) => e.validationRmse ?? Infinity));
  assert.equal(report.bestValidationRmse, best);
  assert.equal(events[report.bestEpoch - 1].validationRmse, best);
  const vr = gatherRatings(validation);
  assert.ok(
    Math.abs(rmse(model.predict(vr.user, vr.item), validation) - best) < 1e-6,
    'best weights restored',
  );
});

test('plateau decay: each epoch without a new best validation RMSE multiplies later learning rates', async () => {
  const data = plantedDataset(60, 40, 600, 2);
  const { trainSet, validation } = subsets(data);
  const config = {
    ...CONFIG,
    factors: 16,
    l2: 0,
    lrDecay: 0.9,
    plateauDecay: 0.5,
    learningRate: 0.05,
    epochs: 12,
    patience: 0,
  };
  const events: ProgressEvent[] = [];
  await new ToyNeuralMF(config, 60, 40).fit(trainSet, { validation, onProgress: (e) => events.push(e) });
  let best = Infinity;
  let scale = 1;
  let plateaus = 0;
  for (const e of events) {
    const expected = 0.05 * Math.pow(0.9, e.epoch - 1) * scale;
    assert.ok(
      Math.abs((e.learningRate ?? NaN) - expected) < 1e-12,
      `epoch ${e.epoch}: ${e.learningRate} vs ${expected}`,
    );
    if ((e.validationRmse ?? Infinity) < best) best = e.validationRmse ?? Infinity;
    else {
      scale *= 0.5;
      plateaus++;
    }
  }
  assert.ok(plateaus >= 2, `the overfitting toy should plateau at least twice in 12 epochs (${plateaus})`);
  await assert.rejects(
    new ToyNeuralMF({ ...CONFIG, plateauDecay: 1.5 }, 60, 40).fit(trainSet, { validation }),
    /plateauDecay.*\(0, 1\]/,
  );
});

test('weight average: validation scores the averaged weights, and the best average is what the model keeps', async () => {
  const data = plantedDataset();
  const { trainSet, validation } = subsets(data);
  const model = new ToyNeuralMF({ ...CONFIG, weightAverage: 0.99, epochs: 8, patience: 0 }, 120, 80);
  const report = await model.fit(trainSet, { validation });
  const vr = gatherRatings(validation);
  const kept = rmse(model.predict(vr.user, vr.item), validation);
  assert.ok(
    Math.abs(kept - (report.bestValidationRmse ?? NaN)) < 1e-6,
    `${kept} vs ${report.bestValidationRmse}`,
  );
  const plain = new ToyNeuralMF({ ...CONFIG, epochs: 8, patience: 0 }, 120, 80);
  const plainReport = await plain.fit(trainSet, { validation });
  assert.notEqual(
    report.bestValidationRmse,
    plainReport.bestValidationRmse,
    'the average is not the raw weights',
  );
  await assert.rejects(
    new ToyNeuralMF({ ...CONFIG, weightAverage: 1 }, 60, 40).fit(trainSet, { validation }),
    /weightAverage.*\[0, 1\)/,
  );
});

test('cancellation: aborting stops at the next batch and keeps the model usable', async () => {
  const data = plantedDataset();
  const { trainSet, validation } = subsets(data);
  const controller = new AbortController();
  const model = new ToyNeuralMF({ ...CONFIG, patience: 0 }, 120, 80);
  const report = await model.fit(trainSet, {
    validation,
    signal: controller.signal,
    onProgress: (e) => {
      if (e.epoch === 2) controller.abort();
    },
  });
  assert.equal(report.cancelled, true);
  assert.equal(report.epochs, 2);
  const vr = gatherRatings(validation);
  assert.ok(model.predict(vr.user, vr.item).every((x) => Number.isFinite(x)));
});

test('save and restore through ModelState give identical predictions; missing arrays are named', async () => {
  const data = plantedDataset();
  const { trainSet } = subsets(data);
  const model = new ToyNeuralMF({ ...CONFIG, epochs: 2, patience: 0 }, 120, 80);
  await model.fit(trainSet);
  const state = model.state();
  assert.deepEqual(Object.keys(state.arrays).sort(), ['bi', 'bu', 'mu', 'p', 'q']);
  const restored = ToyNeuralMF.restore(state);
  const users = new Int32Array([0, 5, 119]);
  const items = new Int32Array([3, 79, 0]);
  assert.deepEqual(restored.predict(users, items), model.predict(users, items));
  const broken: ModelState = { ...state, arrays: { ...state.arrays, q: new Float32Array(3) } };
  assert.throws(
    () => ToyNeuralMF.restore(broken),
    (e: unknown) => e instanceof DataError && /field "q": expected 320 values, found 3/.test(e.message),
  );
});

test('training settings are checked, and training on the cpu backend is refused', async () => {
  const data = plantedDataset(10, 10, 50, 3);
  const { trainSet } = subsets(data);
  await assert.rejects(
    new ToyNeuralMF({ ...CONFIG, batchSize: 0 }, 10, 10).fit(trainSet),
    /training setting "batchSize"/,
  );
  await initEngine({ backend: 'cpu' });
  try {
    await assert.rejects(
      new ToyNeuralMF({ ...CONFIG, epochs: 1 }, 10, 10).fit(trainSet),
      (e: unknown) => e instanceof UsageError && /cpu/.test(e.message),
    );
    const report = await new ToyNeuralMF({ ...CONFIG, epochs: 1 }, 10, 10).fit(trainSet, { allowCpu: true });
    assert.equal(report.epochs, 1);
  } finally {
    await initEngine({ backend: 'wasm' });
  }
});

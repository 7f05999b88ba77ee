/**
 * How the neural baselines (NCF, NFM, xDeepFM) train: the shared settings and the glue between a
 * model's scoring function and the engine's one training loop.
 *
 * The settings are SAIN's for every model it compared (SAIN §3.3: "The Adam optimizer with a
 * learning rate of 1e-3 and l2-regularization rate of 1e-4 is used for all the models"), with the
 * batch size (128) and epoch budget (25) of SAIN's official code (`src/main.py`). Training stops
 * early after `patience` epochs without a lower validation RMSE and keeps the best epoch's weights.
 * Loss: mean squared error on explicit ratings (the papers' rating-regression set-up).
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import { engineStarted, initEngine, type EngineInfo } from '../../engine/backend.js';
import { takeFloat32, takeInt32 } from '../../engine/batch.js';
import type { Params } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { predictInBatches, train, type TrainOptions, type TrainReport } from '../../engine/train-loop.js';
import { HeedError, UsageError } from '../../util/errors.js';
import { num } from '../config.js';
import { trainSettingsOf } from '../train-settings.js';
import type { FitOptions, ModelConfig } from '../model.js';
import { ratingValidation } from '../rating-validation.js';

/** Scores (unclipped rating predictions) of the pairs (users[k], items[k]). */
export type PairScorer = (users: Int32Array, items: Int32Array, ctx: StepContext) => tf.Tensor1D;

export interface NeuralFitReport extends TrainReport {
  readonly backend: EngineInfo['backend'];
}

/**
 * Trains `params` so that `score` fits the ratings of `trainSet` (MSE), validating on
 * `options.validation` when given. Starts the tensor engine when needed (tfjs-node when installed,
 * else wasm).
 */
export async function fitPairScorer(
  params: Params,
  score: PairScorer,
  trainSet: RatingSubset,
  config: ModelConfig,
  options: FitOptions & Pick<TrainOptions, 'allowCpu'> = {},
): Promise<NeuralFitReport> {
  const engine = await initEngine();
  const { user, item, rating } = gatherRatings(trainSet);
  if (rating.length === 0) throw new UsageError('cannot fit a neural model on zero ratings');
  const report = await train(
    {
      params,
      size: rating.length,
      loss: (batch, ctx) =>
        tf.mean(
          tf.squaredDifference(
            score(takeInt32(user, batch), takeInt32(item, batch), ctx),
            tf.tensor1d(takeFloat32(rating, batch)),
          ),
        ),
      validation: ratingValidation(options.validation, trainSet.dataset.scale, score),
    },
    trainSettingsOf(config),
    options,
  );
  return { ...report, backend: engine.backend };
}

/**
 * Predictions for the pairs (users[k], items[k]) in inference mode, in batches. Prediction is
 * synchronous, so a restored model needs the engine started beforehand (`await initEngine()`).
 */
export function predictPairs(score: PairScorer, users: Int32Array, items: Int32Array): Float32Array {
  if (!engineStarted()) {
    throw new HeedError(
      'the tensor engine is not started: await initEngine() before predicting with a neural model',
    );
  }
  if (users.length !== items.length) {
    throw new UsageError(`predict: ${users.length} users but ${items.length} items`);
  }
  return predictInBatches(users.length, 4096, (batch, ctx) =>
    score(takeInt32(users, batch), takeInt32(items, batch), ctx),
  );
}

/** The mean rating of a training subset (the output bias starts there). */
export function meanRating(trainSet: RatingSubset): number {
  const { rating } = trainSet.dataset.ratings;
  let sum = 0;
  for (const i of trainSet.indices) sum += rating[i];
  return trainSet.indices.length > 0 ? sum / trainSet.indices.length : 0;
}

/**
 * Hidden-layer sizes from a setting such as "128,64" (empty or "none": no hidden layer). `key` is
 * named in errors.
 */
export function layerSizes(config: ModelConfig, key: string): number[] {
  const v = config[key];
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (typeof v === 'boolean')
    throw new UsageError(`setting "${key}" must be a list of layer sizes such as "128,64"`);
  if (text === '' || text === 'none') return [];
  return text.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n <= 0) {
      throw new UsageError(
        `setting "${key}": "${part.trim()}" is not a positive integer layer size (in "${text}")`,
      );
    }
    return n;
  });
}

/** A positive integer setting. */
export function positiveInt(config: ModelConfig, key: string): number {
  const n = num(config, key);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`setting "${key}" must be a positive integer, got ${n}`);
  return n;
}

/** A rate in [0, 1). */
export function rate(config: ModelConfig, key: string): number {
  const n = num(config, key);
  if (!(n >= 0 && n < 1)) throw new UsageError(`setting "${key}" must be in [0, 1), got ${n}`);
  return n;
}

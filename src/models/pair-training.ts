/**
 * Training and predicting a neural model that scores (user, item) pairs, on the engine's one
 * training loop: mean squared error against the ratings (the loss of every such model in Heed:
 * AFM, Sec. 4.1.3 "optimizing the square loss"; AANMF, Eq. 7; NCF, NFM and xDeepFM in SAIN's
 * rating-regression set-up), plus the model's own regulariser when it has one; Adam with L2,
 * validation RMSE after every epoch with early stopping and the best weights kept. Shared by
 * AFM-GAU, AANMF, the neural baselines, and (prediction) the review models.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherRatings, type RatingSubset } from '../data/dataset.js';
import {
  engineStarted,
  initEngine,
  predictInBatches,
  takeFloat32,
  takeInt32,
  train,
  type EngineInfo,
  type Params,
  type StepContext,
  type TrainOptions,
  type TrainReport,
} from '../engine/index.js';
import { HeedError, UsageError } from '../util/errors.js';
import type { FitOptions, ModelConfig } from './model.js';
import { ratingValidation } from './rating-validation.js';
import { trainSettingsOf } from './train-settings.js';

/**
 * Predicted ratings [B] (unclipped) of the pairs (users[b], items[b]), and optionally the model's
 * own regulariser of the batch (a scalar added to the mean squared error in training).
 */
export type PairScore = (
  users: Int32Array,
  items: Int32Array,
  ctx: StepContext,
) => { readonly prediction: tf.Tensor1D; readonly penalty?: tf.Scalar };

export interface PairFitReport extends TrainReport {
  /** The backend the fit ran on. */
  readonly backend: EngineInfo['backend'];
}

/**
 * Fits `score` on the training ratings with MSE, with the training settings of `config`
 * (`train-settings.ts`), validating on `options.validation`. Starts the tensor engine when nobody
 * has yet (tfjs-node when installed, else wasm).
 */
export async function fitPairs(
  params: Params,
  score: PairScore,
  trainSet: RatingSubset,
  config: ModelConfig,
  options: FitOptions & Pick<TrainOptions, 'allowCpu'> = {},
): Promise<PairFitReport> {
  const engine = await initEngine();
  const t = gatherRatings(trainSet);
  if (t.rating.length === 0) throw new UsageError('cannot fit a neural model on zero ratings');
  const report = await train(
    {
      params,
      size: t.rating.length,
      loss: (batch, ctx) => {
        const target = tf.tensor1d(takeFloat32(t.rating, batch));
        const { prediction, penalty } = score(takeInt32(t.user, batch), takeInt32(t.item, batch), ctx);
        const mse: tf.Scalar = tf.mean(tf.squaredDifference(prediction, target));
        return penalty === undefined ? mse : tf.add(mse, penalty);
      },
      validation: ratingValidation(
        options.validation,
        trainSet.dataset.scale,
        (users, items, ctx) => score(users, items, ctx).prediction,
      ),
    },
    trainSettingsOf(config),
    options,
  );
  return { ...report, backend: engine.backend };
}

/** Throws unless the engine runs: `predict` is synchronous and cannot start it. */
export function requireEngine(model: string): void {
  if (!engineStarted()) {
    throw new HeedError(
      `${model}: the tensor engine is not started; call "await initEngine()" (src/engine) before predicting with a restored model`,
    );
  }
}

/** Inference over many pairs, in batches of 4096. */
export function predictPairs(
  model: string,
  score: PairScore,
  users: Int32Array,
  items: Int32Array,
): Float32Array {
  requireEngine(model);
  if (users.length !== items.length)
    throw new UsageError(`${model} predict: ${users.length} users but ${items.length} items`);
  return predictInBatches(
    users.length,
    4096,
    (batch, ctx) => score(takeInt32(users, batch), takeInt32(items, batch), ctx).prediction,
  );
}

/** The mean of the training ratings (where a global-bias term starts). */
export function meanRating(subset: RatingSubset): number {
  const r = subset.dataset.ratings.rating;
  let sum = 0;
  for (const i of subset.indices) sum += r[i];
  return subset.indices.length > 0 ? sum / subset.indices.length : 0;
}

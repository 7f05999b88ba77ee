/**
 * Training and predicting a neural rating model that scores (user, item) pairs, on the engine's
 * one training loop: mean squared error against the ratings (the loss AFM (Sec. 4.1.3: "optimizing
 * the square loss") and AANMF (Eq. 7) train with), Adam with L2, validation RMSE after every epoch
 * with early stopping and the best weights kept. Shared by AFM-GAU and AANMF.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import {
  engineStarted,
  initEngine,
  predictInBatches,
  takeFloat32,
  takeInt32,
  train,
  type DenseParam,
  type Params,
  type StepContext,
  type TableParam,
  type TrainReport,
  type TrainSettings,
} from '../../engine/index.js';
import { HeedError } from '../../util/errors.js';
import type { FitOptions } from '../model.js';
import { ratingValidation } from '../rating-validation.js';

/**
 * Predicted ratings [B] of the pairs (users[b], items[b]), and optionally the model's own
 * regulariser of the batch (a scalar added to the mean squared error in training).
 */
export type PairScore = (
  users: Int32Array,
  items: Int32Array,
  ctx: StepContext,
) => { readonly prediction: tf.Tensor1D; readonly penalty?: tf.Scalar };

/** Starts the tensor engine (tfjs-node when installed, else wasm) if nobody has yet. */
export async function ensureEngine(): Promise<void> {
  if (!engineStarted()) await initEngine();
}

/** Throws unless the engine runs: `predict` is synchronous and cannot start it. */
export function requireEngine(model: string): void {
  if (!engineStarted()) {
    throw new HeedError(
      `${model}: the tensor engine is not started; call "await initEngine()" (src/engine) before predicting with a restored model`,
    );
  }
}

/** Fits `score` on the training ratings with MSE, validating on `options.validation`. */
export async function fitPairs(
  params: Params,
  score: PairScore,
  trainSet: RatingSubset,
  settings: TrainSettings,
  options: FitOptions = {},
): Promise<TrainReport> {
  await ensureEngine();
  const t = gatherRatings(trainSet);
  return await train(
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
    settings,
    options,
  );
}

/** Inference over many pairs in batches. */
export function predictPairs(
  score: PairScore,
  users: Int32Array,
  items: Int32Array,
  batchSize = 4096,
): Float32Array {
  if (users.length !== items.length)
    throw new HeedError(`predict: ${users.length} users but ${items.length} items`);
  return predictInBatches(
    users.length,
    batchSize,
    (batch, ctx) => score(takeInt32(users, batch), takeInt32(items, batch), ctx).prediction,
  );
}

/** The mean of the training ratings (the starting point of a global-bias term). */
export function meanRating(subset: RatingSubset): number {
  const r = subset.dataset.ratings.rating;
  let sum = 0;
  for (const i of subset.indices) sum += r[i];
  return subset.indices.length > 0 ? sum / subset.indices.length : 0;
}

/**
 * Starting values of the global, user and item bias terms: the damped-mean baseline estimates of
 * Koren (TKDD 2010, Eq. 2-3), b_i = Σ(r − μ) / (β + n_i), then b_u = Σ(r − μ − b_i) / (β + n_u).
 * Bias terms trained from zero by Adam at a small learning rate move only ~lr per touched step, so
 * they need many epochs to reach these values while the factors start to overfit; starting from
 * them lets the factors learn the residual from the first epoch. Users and items without training
 * ratings get 0.
 */
export function baselineBiases(
  subset: RatingSubset,
  users: number,
  items: number,
  shrinkage = 10,
): { mean: number; user: Float32Array; item: Float32Array } {
  const { user, item, rating } = gatherRatings(subset);
  const mean = meanRating(subset);
  const itemSum = new Float64Array(items);
  const itemCount = new Float64Array(items);
  for (let k = 0; k < rating.length; k++) {
    itemSum[item[k]] += rating[k] - mean;
    itemCount[item[k]]++;
  }
  const bi = new Float32Array(items);
  for (let i = 0; i < items; i++) bi[i] = itemSum[i] / (shrinkage + itemCount[i]);
  const userSum = new Float64Array(users);
  const userCount = new Float64Array(users);
  for (let k = 0; k < rating.length; k++) {
    userSum[user[k]] += rating[k] - mean - bi[item[k]];
    userCount[user[k]]++;
  }
  const bu = new Float32Array(users);
  for (let u = 0; u < users; u++) bu[u] = userSum[u] / (shrinkage + userCount[u]);
  return { mean, user: bu, item: bi };
}

/** The optional μ, b_u and b_i terms of a pair model's network, and the table sizes. */
export interface BiasTerms {
  readonly users: number;
  readonly items: number;
  readonly mu?: DenseParam;
  readonly userBias?: TableParam;
  readonly itemBias?: TableParam;
}

/** Sets a network's bias terms, when it has them, to the `baselineBiases` of the training ratings. */
export function startBiasesAtBaseline(net: BiasTerms, trainSet: RatingSubset): void {
  if (net.mu === undefined || net.userBias === undefined || net.itemBias === undefined) return;
  const start = baselineBiases(trainSet, net.users, net.items);
  net.mu.value[0] = start.mean;
  net.mu.sync();
  net.userBias.value.set(start.user);
  net.itemBias.value.set(start.item);
}

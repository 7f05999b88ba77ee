/**
 * The validation set that the engine's training loop scores after every epoch (early stopping, the
 * best epoch, plateau decay), built the same way for every neural model that rates (user, item)
 * pairs: SAIN, AFM-GAU, AANMF and the neural baselines.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { gatherRatings, type RatingSubset } from '../data/dataset.js';
import { takeInt32, type StepContext, type ValidationSet } from '../engine/index.js';

/**
 * The ratings of `subset`, to be predicted by `predict` (in inference mode) with the predictions
 * clipped to `scale`, as the predictor clips them; none when there is no subset or it is empty.
 */
export function ratingValidation(
  subset: RatingSubset | undefined,
  scale: { readonly min: number; readonly max: number },
  predict: (users: Int32Array, items: Int32Array, ctx: StepContext) => tf.Tensor1D,
): ValidationSet | undefined {
  if (subset === undefined) return undefined;
  const v = gatherRatings(subset);
  if (v.rating.length === 0) return undefined;
  return {
    size: v.rating.length,
    targets: v.rating,
    predict: (batch, ctx) => predict(takeInt32(v.user, batch), takeInt32(v.item, batch), ctx),
    clip: scale,
  };
}

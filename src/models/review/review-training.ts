/**
 * How every review model trains: the engine's one training loop over the training pairs that
 * pass the lowest-review-count rule, with the model's own loss, validation RMSE after every epoch,
 * and the best epoch's weights kept (SAFMR §6.3: "the Mean Square Error was calculated once for
 * the validation set. If a smaller MSE is found, it is saved").
 */
import type * as tf from '@tensorflow/tfjs-core';
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import { initEngine } from '../../engine/backend.js';
import { takeFloat32, takeInt32 } from '../../engine/batch.js';
import type { Params } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { train, type TrainOptions } from '../../engine/train-loop.js';
import { UsageError } from '../../util/errors.js';
import type { PairFitReport } from '../pair-training.js';
import type { FitOptions, ModelConfig } from '../model.js';
import { ratingValidation } from '../rating-validation.js';
import { trainSettingsOf } from '../train-settings.js';
import { ReviewContext } from './review-context.js';
import type { ReviewNetwork } from './review-network.js';

/** One batch of training pairs as the loss sees it. */
export interface ReviewBatch {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  /** Each pair's own review in the context corpus (the target review of TransNets). */
  readonly targets: Int32Array;
}

export interface ReviewFitReport extends PairFitReport {
  readonly notes: readonly string[];
}

export async function fitReviewNetwork(options: {
  readonly model: string;
  readonly context: ReviewContext;
  readonly train: RatingSubset;
  readonly config: ModelConfig;
  readonly lowestReviewCount: number;
  readonly loss: (batch: ReviewBatch, ctx: StepContext) => tf.Scalar;
  readonly network: ReviewNetwork & { readonly params: Params };
  readonly fit: FitOptions & Pick<TrainOptions, 'allowCpu'>;
}): Promise<ReviewFitReport> {
  const engine = await initEngine();
  const { user, item, rating } = gatherRatings(options.train);
  // Review r of a training context is the training rating at position r (ReviewCorpus.build).
  const kept = options.context.trainablePairs(user, item, options.lowestReviewCount);
  const notes: string[] = [];
  const dropped = user.length - kept.length;
  if (dropped > 0) {
    notes.push(
      `${options.model}: ${dropped} of ${user.length} training pairs not trained on: their user or item has fewer ` +
        `than lowestReviewCount=${options.lowestReviewCount} other training reviews (predictions are still made for every pair)`,
    );
  }
  if (kept.length === 0)
    throw new UsageError(
      `${options.model}: no training pair has lowestReviewCount=${options.lowestReviewCount} other reviews`,
    );
  const report = await train(
    {
      params: options.network.params,
      size: kept.length,
      loss: (batch, ctx) => {
        const positions = takeInt32(kept, batch);
        return options.loss(
          {
            users: takeInt32(user, positions),
            items: takeInt32(item, positions),
            ratings: takeFloat32(rating, positions),
            targets: positions,
          },
          ctx,
        );
      },
      validation: ratingValidation(
        options.fit.validation,
        options.train.dataset.scale,
        validationScorer(options),
      ),
    },
    trainSettingsOf(options.config),
    options.fit,
  );
  return { ...report, backend: engine.backend, notes };
}

/**
 * How validation pairs are scored: from the training reviews (the clean protocol), or, when
 * `fit.reviewContexts` is 'own-file' (the paper protocol), from the validation ratings' own reviews.
 */
function validationScorer(options: {
  readonly network: ReviewNetwork;
  readonly context: ReviewContext;
  readonly fit: FitOptions;
}): (users: Int32Array, items: Int32Array, ctx: StepContext) => tf.Tensor1D {
  const { network, fit } = options;
  const validation = fit.validation;
  if (fit.reviewContexts !== 'own-file' || validation === undefined)
    return (u, i, ctx) => network.score(u, i, ctx);
  const own = options.context.readingOf(validation);
  return (u, i, ctx) => network.withContext(own, () => network.score(u, i, ctx));
}

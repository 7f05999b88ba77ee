/**
 * The part of every review model that is not its network: fitting with the review models' loop,
 * predicting (from the training reviews, or from another set of reviews for the paper protocol),
 * saving the weights with the review context, and restoring them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RatingSubset } from '../../data/dataset.js';
import { loadState } from '../neural-state.js';
import type { Params } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { HeedError } from '../../util/errors.js';
import { meanRating, predictPairs } from '../pair-training.js';
import type { FitOptions, ModelConfig, ModelState, RatingModel } from '../model.js';
import { ReviewContext } from './review-context.js';
import type { ReviewNetwork } from './review-network.js';
import { reviewTextSettings, type ReviewTextSettings } from './review-settings.js';
import { fitReviewNetwork, type ReviewBatch, type ReviewFitReport } from './review-training.js';

/** A review model's network: its weights, notes from building it, and the context it reads. */
export interface BuiltNetwork extends ReviewNetwork {
  readonly params: Params;
  readonly notes: readonly string[];
}

/**
 * A network over `context` for a model's config: `mean` starts the output bias; `loadVectors`
 * reads the `wordVectors` file (false when restoring, as the saved weights replace the start).
 */
export type NetworkBuilder<N> = (
  config: ModelConfig,
  settings: ReviewTextSettings,
  context: ReviewContext,
  mean: number,
  loadVectors: boolean,
) => N;

export abstract class ReviewRatingModel<N extends BuiltNetwork> implements RatingModel {
  readonly handlesColdStart = false;
  network: N | undefined;
  lastReport: ReviewFitReport | undefined;

  constructor(
    readonly id: string,
    readonly config: ModelConfig,
    /** Builds the network over a context (`NetworkBuilder`). */
    private readonly build: NetworkBuilder<N>,
  ) {}

  /** The mean training loss of a batch: squared error (DeepCoNN Eq. 7, NARRE Eq. 10) unless overridden. */
  protected loss(net: N, batch: ReviewBatch, ctx: StepContext): tf.Scalar {
    return tf.mean(
      tf.squaredDifference(net.score(batch.users, batch.items, ctx), tf.tensor1d(batch.ratings)),
    );
  }

  async fit(
    train: RatingSubset,
    options: FitOptions & { allowCpu?: boolean } = {},
  ): Promise<ReviewFitReport> {
    const settings = reviewTextSettings(this.config);
    const context = ReviewContext.forTraining(train, settings);
    const net = this.build(this.config, settings, context, meanRating(train), true);
    this.network?.params.dispose();
    this.network = net;
    const report = await fitReviewNetwork({
      model: this.id,
      network: net,
      context,
      train,
      config: this.config,
      lowestReviewCount: settings.lowestReviewCount,
      loss: (batch, ctx) => this.loss(net, batch, ctx),
      fit: options,
    });
    this.lastReport = { ...report, notes: [...net.notes, ...report.notes] };
    return this.lastReport;
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const net = this.fitted();
    return predictPairs(this.id, (u, i, ctx) => ({ prediction: net.score(u, i, ctx) }), users, items);
  }

  /**
   * Predictions whose documents come from the reviews of `subset` (with the model's vocabulary)
   * instead of the training reviews: the paper protocol's test contexts. Each pair's own review is
   * still left out of its documents.
   */
  predictInContext(subset: RatingSubset, users: Int32Array, items: Int32Array): Float32Array {
    const net = this.fitted();
    return net.withContext(net.context.readingOf(subset), () => this.predict(users, items));
  }

  state(): ModelState {
    const net = this.fitted();
    const context = net.context.state();
    return {
      id: this.id,
      config: { ...this.config },
      meta: { context: context.meta },
      arrays: { ...net.params.arrays(), ...context.arrays },
    };
  }

  /** Rebuilds the network from a saved state (`this` was made with the saved config). */
  restoreFrom(state: ModelState): this {
    const meta = state.meta as { context?: unknown } | null;
    const context = ReviewContext.restore(state, (meta?.context ?? null) as never);
    this.network = this.build(this.config, reviewTextSettings(this.config), context, 0, false);
    loadState(this.network.params, state);
    return this;
  }

  fitted(): N {
    if (this.network === undefined) throw new HeedError(`${this.id}: call fit() before predict() or state()`);
    return this.network;
  }
}

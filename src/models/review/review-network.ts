/**
 * What every review model's network shares: the context it reads documents from, and the means to
 * read them from another context for a while (the paper protocol's validation and test contexts).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { StepContext } from '../../engine/step.js';
import type { ReviewContext } from './review-context.js';
import { SlotEncoder } from './slot-encoder.js';

export abstract class ReviewNetwork {
  private current: { context: ReviewContext; encoder: SlotEncoder };
  /**
   * One encoder per context read: `withContext` runs once per validation batch under the paper
   * protocol, and an encoder's scratch arrays are as long as the vocabulary and the corpus.
   */
  private readonly encoders = new WeakMap<ReviewContext, SlotEncoder>();

  constructor(context: ReviewContext) {
    this.current = { context, encoder: this.encoderOf(context) };
  }

  /** The reviews documents are read from (the training reviews, unless inside `withContext`). */
  get context(): ReviewContext {
    return this.current.context;
  }

  get encoder(): SlotEncoder {
    return this.current.encoder;
  }

  /** Runs `fn` with documents read from `context`. */
  withContext<T>(context: ReviewContext, fn: () => T): T {
    const saved = this.current;
    this.current = { context, encoder: this.encoderOf(context) };
    try {
      return fn();
    } finally {
      this.current = saved;
    }
  }

  private encoderOf(context: ReviewContext): SlotEncoder {
    let encoder = this.encoders.get(context);
    if (encoder === undefined) this.encoders.set(context, (encoder = new SlotEncoder(context.corpus)));
    return encoder;
  }

  /** The rating predictions for pairs (validation and test). */
  abstract score(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor1D;
}

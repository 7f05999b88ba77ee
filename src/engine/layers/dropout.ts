/**
 * Inverted dropout (Srivastava et al., 2014): in training each value is kept with probability
 * 1 − rate and scaled by 1 / (1 − rate); at inference it is the identity. The mask comes from the
 * step's seeded Rng, so training is reproducible.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { StepContext } from '../step.js';

export function dropout<T extends tf.Tensor>(ctx: StepContext, x: T, rate: number): T {
  return ctx.dropout(x, rate);
}

/**
 * Softmax over the last axis that ignores masked entries: they get -1e9 added before the softmax
 * (weight exactly 0 in float32, and no gradient), as `masked_fill(mask == 0, -1e9)` does in the
 * papers' PyTorch code. The mask is plain data (computed outside the gradient).
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../util/errors.js';

export const MASKED = -1e9;

/** `keep` has one entry per logit: non-zero keeps it. */
export function maskedSoftmax<T extends tf.Tensor>(logits: T, keep: Float32Array | Uint8Array): T {
  if (keep.length !== logits.size)
    throw new UsageError(`maskedSoftmax: mask has ${keep.length} entries for ${logits.size} logits`);
  const add = new Float32Array(keep.length);
  for (let i = 0; i < keep.length; i++) add[i] = keep[i] !== 0 ? 0 : MASKED;
  return tf.softmax(tf.add(logits, tf.tensor(add, logits.shape))) as T;
}

/**
 * The Gated Attention Unit of AFM (Chen et al., SIGIR 2018, "Attention-driven Factor Model for
 * Explainable Personalized Recommendation"):
 *
 *   αᵢ = softmax(W_a uᵢ)          (eq. 2; W_a ∈ R^{(n+1)×k} shared by all users)
 *   vᵢⱼ = Σₗ αᵢₗ xⱼₗ              (eq. 3)
 *
 * `wa` is stored as W_aᵀ [k, slots] so the logits are one product u·W_aᵀ. An optional mask marks
 * slots an example lacks (a movie without a director): their weight is zero and the others share
 * the attention (a masked softmax), which the paper leaves open.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../util/errors.js';
import { maskedSoftmax } from './masked-softmax.js';

export interface GatedAttentionResult {
  /** [B, k]: the attention-weighted sum of the slot vectors. */
  readonly output: tf.Tensor2D;
  /** [B, slots]: the attention distribution (for explanations). */
  readonly weights: tf.Tensor2D;
}

/**
 * @param u    [B, k] the user vectors
 * @param wa   [k, slots] W_aᵀ
 * @param x    [B, slots, k] the item's slot vectors (slot 0: the item id embedding in the paper)
 * @param present optional [B·slots] 1 where the slot has a value, 0 where it is missing
 */
export function gatedAttention(
  u: tf.Tensor2D,
  wa: tf.Tensor2D,
  x: tf.Tensor3D,
  present?: Float32Array,
): GatedAttentionResult {
  const [b, k] = u.shape;
  const slots = wa.shape[1];
  if (wa.shape[0] !== k || x.shape[0] !== b || x.shape[1] !== slots || x.shape[2] !== k) {
    throw new UsageError(
      `gatedAttention: shapes u [${u.shape.join(', ')}], W_a [${wa.shape.join(', ')}], x [${x.shape.join(', ')}] do not fit`,
    );
  }
  const logits: tf.Tensor2D = tf.matMul(u, wa);
  const weights: tf.Tensor2D = present === undefined ? tf.softmax(logits) : maskedSoftmax(logits, present);
  const output = tf.sum(tf.mul(tf.expandDims(weights, 2), x), 1) as tf.Tensor2D;
  return { output, weights };
}

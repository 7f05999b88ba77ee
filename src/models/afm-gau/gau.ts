/**
 * The Gated Attention Unit of AFM (Chen et al., SIGIR 2018, Sec. 3.1), for items whose features
 * differ from item to item:
 *
 *   α_i = softmax(W_a u_i)           (Eq. 2, W_a ∈ R^{(n+1)×k} shared by all users)
 *   v_ij = Σ_l α_il x_jl             (Eq. 3)
 *
 * Row 0 of W_a belongs to the item-id vector x_j0 of every item, row l ≥ 1 to the l-th one-hot
 * feature. An item has only a few of the n features (its genres, its director), so rather than
 * computing all n + 1 logits and masking most of them away (the engine's `gatedAttention`, which
 * takes a dense W_a and dense slots), each example gathers the W_a rows of its own slots:
 * logit_s = u · W_a[slot s]. Over the present slots this is exactly Eq. 2 restricted to the item's
 * features, i.e. a softmax over the item's feature vectors; padded slots get weight 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import { maskedSoftmax } from '../../engine/index.js';
import { UsageError } from '../../util/errors.js';

export interface SlotAttention {
  /** [B, k]: v_ij of Eq. 3. */
  readonly output: tf.Tensor2D;
  /** [B, S]: α over the slots (0 on padding), for explanations. */
  readonly weights: tf.Tensor2D;
}

/**
 * @param u       [B, k] user vectors u_i
 * @param waRows  [B, S, k] the W_a rows of each example's slots (zeros on padding)
 * @param x       [B, S, k] the slot vectors x_jl (slot 0: the item-id vector)
 * @param present [B · S] 1 where the slot holds a feature, 0 on padding
 */
export function slotGatedAttention(
  u: tf.Tensor2D,
  waRows: tf.Tensor3D,
  x: tf.Tensor3D,
  present: Float32Array,
): SlotAttention {
  const [b, k] = u.shape;
  const [b2, s, k2] = waRows.shape;
  if (b2 !== b || k2 !== k || x.shape[0] !== b || x.shape[1] !== s || x.shape[2] !== k) {
    throw new UsageError(
      `GAU: shapes u [${u.shape.join(', ')}], W_a rows [${waRows.shape.join(', ')}], x [${x.shape.join(', ')}] do not fit`,
    );
  }
  const logits = tf.sum(tf.mul(tf.expandDims(u, 1), waRows), 2) as tf.Tensor2D;
  const weights = maskedSoftmax(logits, present);
  const output = tf.sum(tf.mul(tf.expandDims(weights, 2), x), 1) as tf.Tensor2D;
  return { output, weights };
}

/**
 * The attention-based pooling of the Attentional Factorization Machine: Xiao, Ye, He, Zhang, Wu &
 * Chua, "Attentional Factorization Machines: Learning the Weight of Feature Interactions via
 * Attention Networks", IJCAI 2017, §3.1. Over the m (already value-scaled) feature vectors xᵢvᵢ of
 * an example:
 *
 *   f_PI(E) = {(vᵢ ⊙ vⱼ) xᵢxⱼ}_{(i,j) ∈ R_x}                     (Eq. 2, pair-wise interaction layer)
 *   a'ᵢⱼ    = hᵀ ReLU(W (vᵢ ⊙ vⱼ) xᵢxⱼ + b),  W ∈ ℝ^{t×k}, b, h ∈ ℝ^t   (Eq. 5, attention network)
 *   aᵢⱼ     = exp(a'ᵢⱼ) / Σ_{(i,j) ∈ R_x} exp(a'ᵢⱼ)                  (Eq. 5, softmax over the pairs)
 *   f_Att   = Σ_{(i,j) ∈ R_x} aᵢⱼ (vᵢ ⊙ vⱼ) xᵢxⱼ                   (Eq. 4, attention-based pooling)
 *
 * R_x is the set of pairs of non-zero features, so a pair with an absent field (an item with no
 * director) is masked out of the softmax instead of taking attention for a zero vector.
 */
import * as tf from '@tensorflow/tfjs-core';
import { maskedSoftmax } from '../../engine/layers/masked-softmax.js';
import type { DenseParam, Params } from '../../engine/params.js';

/** The attention network of Eq. 5 (W stored as [k, t], its transpose, for a row-vector product). */
export interface AttentionNetwork {
  readonly w: DenseParam;
  readonly b: DenseParam;
  readonly h: DenseParam;
}

/**
 * Declares `attention.w` [k, t] and `attention.h` [t, 1] (Glorot-uniform; DeepCTR's AFMLayer draws
 * Glorot-normal) and the bias `attention.b` [t] (zeros, no L2).
 */
export function declareAttentionNetwork(params: Params, k: number, t: number): AttentionNetwork {
  return {
    w: params.dense('attention.w', [k, t]),
    b: params.dense('attention.b', [t], { init: { kind: 'zeros' }, l2: 0 }),
    h: params.dense('attention.h', [t, 1]),
  };
}

/** Number of pairs i < j of m fields. */
export function pairCount(m: number): number {
  return (m * (m - 1)) / 2;
}

/** The pairs (i, j), i < j, in the order `pairProducts` lays them out: (0,1), (0,2), …, (m−2,m−1). */
export function fieldPairs(m: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) pairs.push([i, j]);
  return pairs;
}

/**
 * Eq. 2: [B, m, k] → [B, m(m−1)/2, k], the element-wise products of every pair of field vectors.
 * Field i times the slice of fields i+1…m−1 (broadcast), concatenated: m−1 products, no gather.
 */
export function pairProducts(fields: tf.Tensor3D): tf.Tensor3D {
  const m = fields.shape[1];
  const parts: tf.Tensor3D[] = [];
  for (let i = 0; i < m - 1; i++) {
    const left = tf.slice(fields, [0, i, 0], [-1, 1, -1]);
    const right = tf.slice(fields, [0, i + 1, 0], [-1, m - i - 1, -1]);
    parts.push(tf.mul(left, right) as tf.Tensor3D);
  }
  if (parts.length === 0) return tf.zeros([fields.shape[0], 0, fields.shape[2]]);
  return parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as tf.Tensor3D);
}

/**
 * Which pairs are in R_x: `present` [B · m] says which fields of each row have a value; the result
 * [B · m(m−1)/2] keeps a pair when both of its fields do.
 */
export function presentPairs(present: Uint8Array, m: number): Uint8Array {
  const rows = present.length / m;
  const p = pairCount(m);
  const keep = new Uint8Array(rows * p);
  for (let r = 0; r < rows; r++) {
    let q = r * p;
    for (let i = 0; i < m; i++)
      for (let j = i + 1; j < m; j++) keep[q++] = present[r * m + i] & present[r * m + j];
  }
  return keep;
}

/** Eq. 5 before the softmax: a'ᵢⱼ = hᵀ ReLU(W pᵢⱼ + b) for the pair vectors [B, P, k] → [B, P]. */
export function attentionLogits(
  pairs: tf.Tensor3D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  h: tf.Tensor2D,
): tf.Tensor2D {
  const [batch, p, k] = pairs.shape;
  // One plain 2-D product over all B·P pairs (the fast matMul path of the wasm backend).
  const hidden = tf.relu(tf.add(tf.matMul(tf.reshape(pairs, [batch * p, k]), w), b));
  return tf.reshape(tf.matMul(hidden, h), [batch, p]);
}

/**
 * Eq. 5's softmax over the pairs of R_x (`keep`, from `presentPairs`) and Eq. 4's weighted sum:
 * the pooled vector f_Att [B, k] and the attention weights aᵢⱼ [B, P]. A row with no pair in R_x
 * (fewer than two fields present) pools to zero.
 */
export function attentionPooling(
  pairs: tf.Tensor3D,
  logits: tf.Tensor2D,
  keep: Uint8Array,
): { pooled: tf.Tensor2D; weights: tf.Tensor2D } {
  // maskedSoftmax spreads a fully masked row evenly over its (zero) pairs: zero them explicitly.
  const weights = tf.mul(
    maskedSoftmax(logits, keep),
    tf.tensor(Float32Array.from(keep), logits.shape),
  ) as tf.Tensor2D;
  const pooled = tf.sum(tf.mul(pairs, tf.expandDims(weights, 2)), 1) as tf.Tensor2D;
  return { pooled, weights };
}

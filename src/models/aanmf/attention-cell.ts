/**
 * AANMF's attention cell and pooling layers (Attribute-aware Attentional Neural Matrix
 * Factorization; the paper is in ../shared/papers/aanmf.txt, its code at
 * github.com/Holy-Shine/AANMF).
 *
 * Algorithm 1 (the attention cell), for the user's attributes a_j ∈ I_u and the item vector q_i:
 *   1. V_j = [a_j, q_i]
 *   2. v_j = tanh(W1 V_j + b1)                 (W1: 2K → K)
 *   3. λ_j = exp(ReLU(W2 v_j + b2)) / Σ_k exp(ReLU(W2 v_k + b2))    (W2: K → 1)
 *
 * Since V_j is a concatenation, W1 V_j = W1ᵃ a_j + W1^q q_i with W1 = [W1ᵃ; W1^q] split by rows:
 * the item's half is computed once per example instead of once per attribute.
 *
 * Pooling (Sec. 4.1-4.2) over the weighted attributes ã_j = λ_j a_j and the user vector p_u:
 *   attribute-weighted (AANMF, Eq. 4):  p'_u = p_u + Σ_j ã_j
 *   pair-wise (AANMF+P, Eq. 5-6):       p'_u = ½[(p_u + Σ_j ã_j)² − p_u² − Σ_j ã_j²]
 *                                             = Σ over pairs of {p_u, ã_1, …} of their products,
 * computed in O(K |I_u|) as Eq. 6 does (squares are element-wise).
 */
import * as tf from '@tensorflow/tfjs-core';
import { maskedSoftmax } from '../../engine/index.js';
import { UsageError } from '../../util/errors.js';

export interface AttentionCellWeights {
  /** W1 as [2K, K]: rows 0..K-1 act on a_j, rows K..2K-1 on q_i. */
  readonly w1: tf.Tensor2D;
  readonly b1: tf.Tensor1D;
  /** W2 as [K, 1]. */
  readonly w2: tf.Tensor2D;
  readonly b2: tf.Tensor1D;
}

/**
 * λ [B, S] of Algorithm 1.
 * @param a       [B, S, K] attribute vectors (zeros on padding)
 * @param q       [B, K] item vectors
 * @param present [B · S] 1 for an attribute, 0 for padding (weight 0)
 */
export function attentionCell(
  a: tf.Tensor3D,
  q: tf.Tensor2D,
  cell: AttentionCellWeights,
  present: Float32Array,
): tf.Tensor2D {
  const [b, s, k] = a.shape;
  if (
    q.shape[0] !== b ||
    q.shape[1] !== k ||
    cell.w1.shape[0] !== 2 * k ||
    cell.w2.shape[0] !== cell.w1.shape[1]
  ) {
    throw new UsageError(
      `attention cell: shapes a [${a.shape.join(', ')}], q [${q.shape.join(', ')}], W1 [${cell.w1.shape.join(', ')}], W2 [${cell.w2.shape.join(', ')}] do not fit`,
    );
  }
  const h = cell.w1.shape[1];
  const w1a = tf.slice(cell.w1, [0, 0], [k, h]);
  const w1q = tf.slice(cell.w1, [k, 0], [k, h]);
  const fromA = tf.reshape(tf.matMul(tf.reshape(a, [b * s, k]), w1a), [b, s, h]);
  const fromQ = tf.expandDims(tf.add(tf.matMul(q, w1q), cell.b1), 1);
  const v = tf.tanh(tf.add(fromA, fromQ)); // step 2
  const score = tf.relu(tf.add(tf.matMul(tf.reshape(v, [b * s, h]), cell.w2), cell.b2)); // step 3
  return maskedSoftmax(tf.reshape(score, [b, s]) as tf.Tensor2D, present);
}

/** p'_u = p_u + Σ_j λ_j a_j (Eq. 4). */
export function weightedPooling(p: tf.Tensor2D, a: tf.Tensor3D, lambda: tf.Tensor2D): tf.Tensor2D {
  return tf.add(p, tf.sum(tf.mul(tf.expandDims(lambda, 2), a), 1));
}

/** p'_u = ½[(p_u + Σ ã_j)² − p_u² − Σ ã_j²] with ã_j = λ_j a_j (Eq. 6). */
export function pairwisePooling(p: tf.Tensor2D, a: tf.Tensor3D, lambda: tf.Tensor2D): tf.Tensor2D {
  const weighted = tf.mul(tf.expandDims(lambda, 2), a);
  const total = tf.add(p, tf.sum(weighted, 1));
  const squares = tf.add(tf.square(p), tf.sum(tf.square(weighted), 1));
  return tf.mul(tf.sub(tf.square(total), squares), 0.5);
}

/**
 * Factorization-machine interactions (Rendle, ICDM 2010, eq. 1 and the O(kn) form of Lemma 3.1).
 *
 * Bi-interaction pooling (He & Chua, SIGIR 2017, NFM eq. 3-4):
 *   f_BI(V) = Σ_{i<j} vᵢ ⊙ vⱼ = ½ [ (Σᵢ vᵢ)² − Σᵢ vᵢ² ]
 * over a set of (already value-scaled) feature vectors. Padding vectors must be zero, which is
 * what a lookup of -1 returns, so they add nothing.
 */
import * as tf from '@tensorflow/tfjs-core';

/** [B, n, k] → [B, k]: the pairwise element-wise products of the n vectors, summed. */
export function biInteraction(v: tf.Tensor3D): tf.Tensor2D {
  const sum = tf.sum(v, 1);
  const sumOfSquares = tf.sum(tf.square(v), 1);
  return tf.mul(tf.sub(tf.square(sum), sumOfSquares), 0.5) as tf.Tensor2D;
}

/** [B, n, k] → [B]: the FM second-order term Σ_{i<j} ⟨vᵢ, vⱼ⟩. */
export function fmSecondOrder(v: tf.Tensor3D): tf.Tensor1D {
  return tf.sum(biInteraction(v), 1) as tf.Tensor1D;
}

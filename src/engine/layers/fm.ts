/**
 * Factorization-machine interactions (Rendle, ICDM 2010, eq. 1 and the O(kn) form of Lemma 3.1).
 *
 * Bi-interaction pooling (He & Chua, SIGIR 2017, NFM eq. 3-4):
 *   f_BI(V) = Σ_{i<j} vᵢ ⊙ vⱼ = ½ [ (Σᵢ vᵢ)² − Σᵢ vᵢ² ]
 * over a set of (already value-scaled) feature vectors. Padding vectors must be zero, which is
 * what a lookup of -1 returns, so they add nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DenseParam, Params } from '../params.js';

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

/** A factorization machine over a dense input vector: bias w₀, weights w [n], factors V [n, k]. */
export interface FmLayer {
  readonly w0: DenseParam;
  readonly w: DenseParam;
  readonly v: DenseParam;
}

/**
 * Declares `name.w0`, `name.w`, `name.v`. TransNets' FM starts V small and equal (TransNets' code
 * and its PyTorch re-implementation use 0.001) and w from N(0, 0.001²); the bias starts at
 * `bias` (Heed: the mean training rating, so early epochs need not learn it).
 */
export function declareFm(params: Params, name: string, n: number, k: number, bias = 0): FmLayer {
  return {
    w0: params.dense(`${name}.w0`, [1], { init: { kind: 'constant', value: bias }, l2: 0 }),
    w: params.dense(`${name}.w`, [n, 1], { init: { kind: 'normal', std: 0.001 } }),
    v: params.dense(`${name}.v`, [n, k], { init: { kind: 'constant', value: 0.001 } }),
  };
}

/**
 * [B, n] → [B]: ŷ = w₀ + Σᵢ wᵢxᵢ + Σ_{i<j} ⟨vᵢ, vⱼ⟩ xᵢxⱼ (Rendle 2010, Eq. 1), the pairwise term in
 * its O(nk) form ½ Σ_f [(x·V)_f² − (x²·V²)_f] (Lemma 3.1).
 */
export function fm(x: tf.Tensor2D, layer: FmLayer): tf.Tensor1D {
  const v = layer.v.variable as tf.Tensor2D;
  const linear = tf.reshape(tf.matMul(x, layer.w.variable as tf.Tensor2D), [-1]);
  const xv = tf.matMul(x, v);
  const x2v2 = tf.matMul(tf.square(x), tf.square(v));
  const pairwise = tf.mul(tf.sum(tf.sub(tf.square(xv), x2v2), 1), 0.5);
  return tf.add(tf.add(linear, pairwise), layer.w0.variable) as tf.Tensor1D;
}

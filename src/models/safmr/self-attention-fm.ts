/**
 * SAFMR's rating head: a factorization machine whose pairwise term is replaced by self-attention
 * over the features (SAFMR §4, Eq. 6-8).
 *
 * The text vector x ∈ ℝⁿ (the CNN output, n = 50) is read as n features. As in an FM, feature i
 * carries a factor vector vᵢ ∈ ℝᵏ, so its input to the attention is eᵢ = xᵢvᵢ. Queries, keys and
 * values are linear maps of the eᵢ (Eq. 6: R = W_r·E, H = W_h·E, S = W_s·E); the attention of
 * feature i over features j is softmax_j(h_jᵀr_i / √k) (Eq. 7); the attended value of feature i is
 * x̂ᵢ = Σⱼ a_ij s_j, and the prediction keeps the FM's bias and linear terms and replaces its equal
 * pairwise weights by the attended interactions (Eq. 8):
 *
 *   ŷ = w₀ + Σᵢ wᵢxᵢ + Σᵢ ⟨eᵢ, x̂ᵢ⟩
 *
 * The paper leaves the shapes implicit; this reading is the one under which Eq. 8 generalises the
 * FM of Eq. 5 (with aᵢⱼ uniform and W_s the identity, Σᵢ⟨eᵢ, x̂ᵢ⟩ is the FM's pairwise sum up to the
 * diagonal and a constant). k is the FM factor size (8, TransNets' FM), so the scale is √k.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DenseParam, Params } from '../../engine/params.js';
import type { RatingHead } from '../transnet/transnet-network.js';

export interface SelfAttentionFmLayer {
  readonly w0: DenseParam;
  readonly w: DenseParam;
  readonly v: DenseParam;
  readonly query: DenseParam;
  readonly key: DenseParam;
  readonly value: DenseParam;
}

export function declareSelfAttentionFm(
  params: Params,
  name: string,
  n: number,
  k: number,
  mean: number,
): SelfAttentionFmLayer {
  return {
    w0: params.dense(`${name}.w0`, [1], { init: { kind: 'constant', value: mean }, l2: 0 }),
    w: params.dense(`${name}.w`, [n, 1], { init: { kind: 'normal', std: 0.001 } }),
    v: params.dense(`${name}.v`, [n, k], { init: { kind: 'normal', std: 0.01 } }),
    query: params.dense(`${name}.query`, [k, k]),
    key: params.dense(`${name}.key`, [k, k]),
    value: params.dense(`${name}.value`, [k, k]),
  };
}

/** The attention [B, n, n] (row i: feature i's distribution over features j) and the embeddings. */
export function selfAttentionFmAttention(
  x: tf.Tensor2D,
  layer: SelfAttentionFmLayer,
): { attention: tf.Tensor3D; e: tf.Tensor3D } {
  const [B, n] = x.shape;
  const k = layer.v.shape[1];
  const e = tf.mul(tf.reshape(x, [B, n, 1]), layer.v.variable) as tf.Tensor3D; // [B, n, k]
  const flat = tf.reshape(e, [B * n, k]) as tf.Tensor2D;
  const r = tf.reshape(tf.matMul(flat, layer.query.variable as tf.Tensor2D), [B, n, k]) as tf.Tensor3D;
  const h = tf.reshape(tf.matMul(flat, layer.key.variable as tf.Tensor2D), [B, n, k]) as tf.Tensor3D;
  const scores = tf.div(tf.matMul(r, h, false, true), Math.sqrt(k)); // [B, n(query), n(key)]
  return { attention: tf.softmax(scores) as tf.Tensor3D, e };
}

/** Eq. 8 for each row of x [B, n]. */
export function selfAttentionFm(x: tf.Tensor2D, layer: SelfAttentionFmLayer): tf.Tensor1D {
  const [B, n] = x.shape;
  const k = layer.v.shape[1];
  const { attention, e } = selfAttentionFmAttention(x, layer);
  const s = tf.reshape(
    tf.matMul(tf.reshape(e, [B * n, k]) as tf.Tensor2D, layer.value.variable as tf.Tensor2D),
    [B, n, k],
  );
  const attended = tf.matMul(attention, s as tf.Tensor3D); // [B, n, k]
  const interactions = tf.sum(tf.mul(e, attended), [1, 2]);
  const linear = tf.reshape(tf.matMul(x, layer.w.variable as tf.Tensor2D), [-1]);
  return tf.add(tf.add(linear, interactions), layer.w0.variable) as tf.Tensor1D;
}

export function selfAttentionFmHead(layer: SelfAttentionFmLayer): RatingHead {
  return {
    score: (x) => selfAttentionFm(x, layer),
    attention: (x) => selfAttentionFmAttention(x, layer).attention,
  };
}

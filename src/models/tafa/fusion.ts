/**
 * TAFA's two attention steps (Zhou et al., RecSys 2020; `models/TAFA.py`), as functions of
 * tensors so that their gradients can be checked on their own:
 *
 * - early fusion, the review attention conditioned on the interaction code x:
 *   score_j = w₂ᵀ tanh(W₁ h_j + b₁ + W_x x) + b₂, α = softmax over the present reviews,
 *   t = Σ_j α_j h_j;
 * - late fusion (`ModalityFusion`): a = W_a x + b_a, c = W_c t + b_c; weights = softmax of
 *   (k(tanh a), k(tanh c)) with one shared k; z = w_a tanh(W_q a) + w_c tanh(W_q c).
 */
import * as tf from '@tensorflow/tfjs-core';
import { dense } from '../../engine/layers/dense.js';

export interface ReviewAttentionWeights {
  readonly reviewW: tf.Tensor;
  readonly reviewB: tf.Tensor;
  readonly stateW: tf.Tensor;
  readonly outW: tf.Tensor;
  readonly outB: tf.Tensor;
}

/** t [B, F] from the review vectors h [B, S, F], the code x [B, rank] and `present` [B·S] (1/0). */
export function reviewAttention(
  h: tf.Tensor3D,
  x: tf.Tensor2D,
  present: Float32Array,
  weights: ReviewAttentionWeights,
): tf.Tensor2D {
  const [B, S] = h.shape;
  const state = tf.expandDims(dense(x, weights.stateW), 1);
  const hidden = tf.tanh(tf.add(dense(h, weights.reviewW, weights.reviewB), state));
  const scores = tf.reshape(dense(hidden, weights.outW, weights.outB), [B, S]);
  const mask = tf.tensor2d(
    Float32Array.from(present, (p) => (p !== 0 ? 0 : -1e9)),
    [B, S],
  );
  const alpha = tf.softmax(tf.add(scores, mask));
  return tf.sum(tf.mul(h, tf.expandDims(alpha, 2)), 1) as tf.Tensor2D;
}

export interface ModalityFusionWeights {
  readonly xW: tf.Tensor;
  readonly xB: tf.Tensor;
  readonly tW: tf.Tensor;
  readonly tB: tf.Tensor;
  readonly keyW: tf.Tensor;
  readonly keyB: tf.Tensor;
  readonly valueW: tf.Tensor;
}

/** z [B, attention] from the interaction code x and the text vector t. */
export function modalityFusion(x: tf.Tensor2D, t: tf.Tensor2D, weights: ModalityFusionWeights): tf.Tensor2D {
  const a = dense(x, weights.xW, weights.xB);
  const c = dense(t, weights.tW, weights.tB);
  const scores = tf.concat(
    [dense(tf.tanh(a), weights.keyW, weights.keyB), dense(tf.tanh(c), weights.keyW, weights.keyB)],
    1,
  );
  const [wa, wc] = tf.split(tf.softmax(scores), 2, 1);
  return tf.add(
    tf.mul(wa, tf.tanh(dense(a, weights.valueW))),
    tf.mul(wc, tf.tanh(dense(c, weights.valueW))),
  ) as tf.Tensor2D;
}

/**
 * Batch normalisation (Ioffe & Szegedy, 2015) over feature tokens that ignores padding tokens.
 *
 * SAIN puts a batch-norm layer after the self-attention layer (§3.3). Its batches of token rows
 * are padded (a movie with fewer genres than the batch's most), and padding rows must not shift
 * the statistics: the mean and (biased) variance are taken over real tokens only,
 *
 *   μ = Σ m·x / Σ m,  σ² = Σ m·(x − μ)² / Σ m  (per channel, over batch and token axes),
 *
 * with m the token mask. Everything else is the engine's `batchNorm` (same parameters from
 * `declareBatchNorm`, PyTorch-style running statistics with the unbiased variance, updated outside
 * the gradient, used at inference). The engine's layer has no mask, hence this one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BatchNormLayer } from '../../engine/layers/batch-norm.js';
import type { StepContext } from '../../engine/step.js';
import { UsageError } from '../../util/errors.js';

/** x: [B, T, d]; mask: [B·T], 1 for real tokens. Padding rows are normalised too (with the real rows' statistics). */
export function maskedBatchNorm(
  x: tf.Tensor3D,
  mask: Float32Array,
  layer: BatchNormLayer,
  ctx: StepContext,
): tf.Tensor3D {
  const [b, t, d] = x.shape;
  if (mask.length !== b * t)
    throw new UsageError(`maskedBatchNorm: ${mask.length} mask entries for ${b}x${t} tokens`);
  const { gamma, beta, epsilon } = layer;
  if (!ctx.training) {
    const scale = tf.mul(gamma.variable, tf.rsqrt(tf.add(layer.runningVar.variable, epsilon)));
    return tf.add(tf.mul(tf.sub(x, layer.runningMean.variable), scale), beta.variable) as tf.Tensor3D;
  }
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  n = Math.max(n, 1);
  const rows = tf.reshape(x, [b * t, d]) as tf.Tensor2D;
  const m = tf.tensor2d(mask, [1, b * t]);
  // Masked sums as [1, B·T]·[B·T, d] products: one fast matMul each instead of mul + sum.
  const mean = tf.div(tf.matMul(m, rows), n) as tf.Tensor2D; // [1, d]
  const centred = tf.sub(rows, mean);
  const variance = tf.div(tf.matMul(m, tf.square(centred)), n) as tf.Tensor2D; // [1, d]
  const y = tf.add(
    tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, epsilon))), gamma.variable),
    beta.variable,
  );

  // Running statistics: plain numbers, outside the gradient.
  const mv = mean.dataSync() as Float32Array;
  const vv = variance.dataSync() as Float32Array;
  const mom = layer.momentum;
  const unbias = n > 1 ? n / (n - 1) : 1;
  const rm = layer.runningMean.value;
  const rv = layer.runningVar.value;
  const newMean = new Float32Array(d);
  const newVar = new Float32Array(d);
  for (let i = 0; i < d; i++) {
    newMean[i] = (1 - mom) * rm[i] + mom * mv[i];
    newVar[i] = (1 - mom) * rv[i] + mom * vv[i] * unbias;
  }
  ctx.updateBuffer(layer.runningMean, newMean);
  ctx.updateBuffer(layer.runningVar, newVar);
  return tf.reshape(y, [b, t, d]) as tf.Tensor3D;
}

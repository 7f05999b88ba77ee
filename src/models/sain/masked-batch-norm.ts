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
 * the gradient, used at inference). The engine's layer has no mask, hence this one. In training
 * it is one operation with its gradient written out (test/sain-layers checks it against finite
 * differences); inference uses plain tensor ops with the running statistics.
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
  const rows = b * t;
  // One fused operation with its gradient written out: as tensor ops the masked statistics, the
  // normalisation and their gradients were ~20 small kernels per step (a tenth of SAIN's step).
  let mean: Float64Array = new Float64Array(d);
  let variance: Float64Array = new Float64Array(d);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xv = (args[0] as tf.Tensor).dataSync() as Float32Array;
    const g = (args[1] as tf.Tensor).dataSync() as Float32Array;
    const be = (args[2] as tf.Tensor).dataSync() as Float32Array;
    const stats = maskedMoments(xv, mask, rows, d, n);
    mean = stats.mean;
    variance = stats.variance;
    const inv = new Float64Array(d);
    for (let c = 0; c < d; c++) inv[c] = 1 / Math.sqrt(variance[c] + epsilon);
    const y = new Float32Array(rows * d);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < d; c++) y[r * d + c] = (xv[r * d + c] - mean[c]) * inv[c] * g[c] + be[c];
    }
    return {
      value: tf.tensor3d(y, [b, t, d]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        // x̂ = (x − μ)·s; dβ = Σ dy, dγ = Σ dy·x̂ (all rows);
        // dx_r = γ·s·(dy_r − (m_r/n)·(Σ dy + x̂_r·Σ dy·x̂)) (μ and σ² are over the real rows only).
        const dyv = (dy as tf.Tensor).dataSync() as Float32Array;
        const dBeta = new Float64Array(d);
        const dGamma = new Float64Array(d);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < d; c++) {
            const k = r * d + c;
            dBeta[c] += dyv[k];
            dGamma[c] += dyv[k] * (xv[k] - mean[c]) * inv[c];
          }
        }
        const dx = new Float32Array(rows * d);
        for (let r = 0; r < rows; r++) {
          const m = mask[r] / n;
          for (let c = 0; c < d; c++) {
            const k = r * d + c;
            const xh = (xv[k] - mean[c]) * inv[c];
            dx[k] = g[c] * inv[c] * (dyv[k] - m * (dBeta[c] + xh * dGamma[c]));
          }
        }
        return [
          tf.tensor3d(dx, [b, t, d]),
          tf.tensor1d(Float32Array.from(dGamma)),
          tf.tensor1d(Float32Array.from(dBeta)),
        ];
      },
    };
  });
  const y = op(x, gamma.variable, beta.variable) as tf.Tensor3D;

  // Running statistics: plain numbers, outside the gradient.
  const mom = layer.momentum;
  const unbias = n > 1 ? n / (n - 1) : 1;
  const rm = layer.runningMean.value;
  const rv = layer.runningVar.value;
  const newMean = new Float32Array(d);
  const newVar = new Float32Array(d);
  for (let i = 0; i < d; i++) {
    newMean[i] = (1 - mom) * rm[i] + mom * mean[i];
    newVar[i] = (1 - mom) * rv[i] + mom * variance[i] * unbias;
  }
  ctx.updateBuffer(layer.runningMean, newMean);
  ctx.updateBuffer(layer.runningVar, newVar);
  return y;
}

/** Per-channel mean and biased variance of the rows with a non-zero mask (n of them). */
function maskedMoments(
  x: Float32Array,
  mask: Float32Array,
  rows: number,
  d: number,
  n: number,
): { mean: Float64Array; variance: Float64Array } {
  const mean: Float64Array = new Float64Array(d);
  const variance: Float64Array = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const m = mask[r];
    if (m === 0) continue;
    for (let c = 0; c < d; c++) mean[c] += m * x[r * d + c];
  }
  for (let c = 0; c < d; c++) mean[c] /= n;
  for (let r = 0; r < rows; r++) {
    const m = mask[r];
    if (m === 0) continue;
    for (let c = 0; c < d; c++) {
      const z = x[r * d + c] - mean[c];
      variance[c] += m * z * z;
    }
  }
  for (let c = 0; c < d; c++) variance[c] /= n;
  return { mean, variance };
}

/**
 * SAIN's training loss (Yun et al., SIGIR 2019, Eq. 9) from the per-side vectors, in one fused
 * operation with its gradient written out: the information integration layer (Eq. 7-8, shared g)
 * on both sides, the content, preference and combined scores (§2.2-2.3, biases added), and the
 * sum of their RMSEs.
 *
 *   α = σ((X_CF − X̄)·w),  X = X̄ + α·(X_CF − X̄)                          (Eq. 7-8)
 *   L = RMSE(X̄^u·X̄^v + b) + RMSE(X_CF^u·X_CF^v + b) + RMSE(X^u·X^v + b)   (Eq. 9)
 *
 * It computes what `integrate` + `sainForward`'s scores + `sainLoss` compute (test/sain-layers
 * checks the value and gradients against them), in loops over [B, d] rows. Why: as tensor ops
 * these are ~40 small kernels forward and ~80 backward per step, and on the wasm backend each
 * costs more in dispatch than in arithmetic at B = 128.
 *
 * Gradients, with e_s = (s − y) / (B·RMSE_s) for each score s:
 *   ∂b = e_content + e_preference + e_combined;  ∂X̄^u += e_content·X̄^v (and symmetric);
 *   ∂X^u = e_combined·X^v;  ∂α = ∂X·δ with δ = X_CF − X̄;  ∂z = ∂α·α(1 − α);
 *   ∂X_CF += α·∂X + ∂z·w;  ∂X̄ += (1 − α)·∂X − ∂z·w;  ∂w += ∂z·δ (both sides).
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../util/errors.js';

export interface SainLossInputs {
  /** [B, d] feedback vectors X_CF of users and items. */
  readonly cfUser: tf.Tensor2D;
  readonly cfItem: tf.Tensor2D;
  /** [B, d] content vectors X̄ of users and items. */
  readonly contentUser: tf.Tensor2D;
  readonly contentItem: tf.Tensor2D;
  /** [d, 1] the weight of g (Eq. 7). */
  readonly g: tf.Tensor;
  /** [B] global + user + item bias. */
  readonly bias: tf.Tensor1D;
}

export function fusedSainLoss(inputs: SainLossInputs, targets: Float32Array): tf.Scalar {
  const [b, d] = inputs.cfUser.shape;
  if (targets.length !== b) throw new UsageError(`sain loss: ${targets.length} targets for ${b} pairs`);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const read = (k: number): Float32Array => (args[k] as tf.Tensor).dataSync() as Float32Array;
    const fu = read(0);
    const fi = read(1);
    const cu = read(2);
    const ci = read(3);
    const w = read(4);
    const bias = read(5);
    const alphaU = new Float64Array(b);
    const alphaI = new Float64Array(b);
    const xu = new Float64Array(b * d);
    const xi = new Float64Array(b * d);
    const err = [new Float64Array(b), new Float64Array(b), new Float64Array(b)];
    const sq = [0, 0, 0];
    for (let k = 0; k < b; k++) {
      const o = k * d;
      let zu = 0;
      let zi = 0;
      for (let c = 0; c < d; c++) {
        zu += (fu[o + c] - cu[o + c]) * w[c];
        zi += (fi[o + c] - ci[o + c]) * w[c];
      }
      const au = 1 / (1 + Math.exp(-zu));
      const ai = 1 / (1 + Math.exp(-zi));
      alphaU[k] = au;
      alphaI[k] = ai;
      let content = 0;
      let preference = 0;
      let combined = 0;
      for (let c = 0; c < d; c++) {
        const u = cu[o + c] + au * (fu[o + c] - cu[o + c]);
        const v = ci[o + c] + ai * (fi[o + c] - ci[o + c]);
        xu[o + c] = u;
        xi[o + c] = v;
        content += cu[o + c] * ci[o + c];
        preference += fu[o + c] * fi[o + c];
        combined += u * v;
      }
      const scores = [content, preference, combined];
      for (let s = 0; s < 3; s++) {
        const e = scores[s] + bias[k] - targets[k];
        err[s][k] = e;
        sq[s] += e * e;
      }
    }
    const rmse = sq.map((v) => Math.sqrt(v / b));
    return {
      value: tf.scalar(rmse[0] + rmse[1] + rmse[2]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const upstream = ((dy as tf.Tensor).dataSync() as Float32Array)[0];
        const scale = rmse.map((r) => (r > 0 ? upstream / (b * r) : 0));
        const dfu = new Float32Array(b * d);
        const dfi = new Float32Array(b * d);
        const dcu = new Float32Array(b * d);
        const dci = new Float32Array(b * d);
        const dw = new Float64Array(d);
        const db = new Float32Array(b);
        for (let k = 0; k < b; k++) {
          const o = k * d;
          const ec = err[0][k] * scale[0];
          const ep = err[1][k] * scale[1];
          const ex = err[2][k] * scale[2];
          db[k] = ec + ep + ex;
          const au = alphaU[k];
          const ai = alphaI[k];
          let dau = 0;
          let dai = 0;
          for (let c = 0; c < d; c++) {
            dau += ex * xi[o + c] * (fu[o + c] - cu[o + c]);
            dai += ex * xu[o + c] * (fi[o + c] - ci[o + c]);
          }
          const dzu = dau * au * (1 - au);
          const dzi = dai * ai * (1 - ai);
          for (let c = 0; c < d; c++) {
            const dxu = ex * xi[o + c];
            const dxi = ex * xu[o + c];
            dfu[o + c] = ep * fi[o + c] + au * dxu + dzu * w[c];
            dfi[o + c] = ep * fu[o + c] + ai * dxi + dzi * w[c];
            dcu[o + c] = ec * ci[o + c] + (1 - au) * dxu - dzu * w[c];
            dci[o + c] = ec * cu[o + c] + (1 - ai) * dxi - dzi * w[c];
            dw[c] += dzu * (fu[o + c] - cu[o + c]) + dzi * (fi[o + c] - ci[o + c]);
          }
        }
        return [
          tf.tensor2d(dfu, [b, d]),
          tf.tensor2d(dfi, [b, d]),
          tf.tensor2d(dcu, [b, d]),
          tf.tensor2d(dci, [b, d]),
          tf.tensor(Float32Array.from(dw), (args[4] as tf.Tensor).shape),
          tf.tensor1d(db),
        ];
      },
    };
  });
  const { cfUser, cfItem, contentUser, contentItem, g, bias } = inputs;
  return op(cfUser, cfItem, contentUser, contentItem, g, bias) as tf.Scalar;
}

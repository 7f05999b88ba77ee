/**
 * The core of SAIN's multi-head self-attention (Yun et al., SIGIR 2019, Eq. 1-3) as one fused
 * operation with a hand-written gradient, from the fused Q/K/V projection to the concatenated
 * heads:
 *
 *   S = Q·Kᵀ/√d'   per sample and head                                  (Eq. 1)
 *   A = softmax over the K largest allowed scores of each row, 0 elsewhere (Eq. 1, top-K)
 *   out = (A ⊙ D)·V, heads concatenated                                   (Eq. 2-3)
 *
 * with D the inverted-dropout mask of the attention weights (training only). It computes exactly
 * what the engine's `selfAttention` computes from the same projection, but in plain loops over
 * the [B, H, T, T] blocks in JavaScript.
 *
 * Why: the pair's token set is small (T ≈ 11 on sain-ml100k) and each (sample, head) is a tiny
 * matrix product. As tensor ops the attention is six batched products that the wasm backend runs
 * in a scalar loop with per-batch overhead (~0.15 GFLOP/s measured), plus head transposes,
 * splits, a concat in the backward pass, the top-K scores read back, an additive mask, softmax
 * and dropout kernels: about a quarter of a SAIN training step. Fused, it is one read of the
 * projection, one write of the output, and a backward pass that writes the projection's gradient
 * in the projection's own layout (no split/concat, no transposes).
 *
 * Top-K (§3.5.2): a row keeps its K largest scores among the keys that are real tokens; ties keep
 * the lower index (as the engine's `topKMask`); when a row has at most K real keys, all are kept.
 * The selection is outside the gradient, which flows through the kept scores, as PyTorch's
 * `masked_fill` in SAIN's code. A sample without real tokens attends uniformly (as a softmax of
 * equal −1e9 logits would).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StepContext } from '../../engine/step.js';
import { UsageError } from '../../util/errors.js';

export interface AttentionCoreOptions {
  readonly batch: number;
  readonly tokens: number;
  readonly heads: number;
  readonly headDim: number;
  /** [B·T]: 1 for real tokens, 0 for padding (padding keys get no attention). */
  readonly mask: Float32Array;
  /** K of the top-K selection; undefined keeps every real key. */
  readonly topK?: number;
  /** Dropout rate of the attention weights (applied only when `ctx.training`). */
  readonly dropout: number;
  readonly ctx: StepContext;
}

export interface AttentionCoreResult {
  /** [B, T, H·d']: the heads' outputs, concatenated. */
  readonly output: tf.Tensor3D;
  /** [B, H, T, T]: the attention weights before dropout (row q over keys j); not differentiable. */
  readonly weights: tf.Tensor4D;
}

/** Attention of `proj` [B·T, 3·H·d'] (per row: Q of every head, then K, then V). */
export function attentionCore(proj: tf.Tensor2D, o: AttentionCoreOptions): AttentionCoreResult {
  const { batch: b, tokens: t, heads: h, headDim: dk } = o;
  const width = 3 * h * dk;
  if (proj.shape[0] !== b * t || proj.shape[1] !== width) {
    throw new UsageError(
      `attentionCore: projection has shape [${proj.shape.join(', ')}], expected [${b * t}, ${width}]`,
    );
  }
  if (o.mask.length !== b * t) {
    throw new UsageError(`attentionCore: token mask has ${o.mask.length} entries for ${b}x${t} tokens`);
  }
  const keepRate = 1 - o.dropout;
  const drop = o.ctx.training && o.dropout > 0 ? dropoutMask(b * h * t * t, keepRate, o.ctx) : undefined;
  let weights: Float32Array | undefined;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const p = (args[0] as tf.Tensor).dataSync() as Float32Array;
    const forward = attend(p, o, drop);
    weights = forward.attention;
    return {
      value: tf.tensor3d(forward.output, [b, t, h * dk]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const grad = attendBackward(
          p,
          forward.attention,
          drop,
          (dy as tf.Tensor).dataSync() as Float32Array,
          o,
        );
        return [tf.tensor2d(grad, [b * t, width])];
      },
    };
  });
  const output = op(proj) as tf.Tensor3D;
  return { output, weights: tf.tensor4d(weights as Float32Array, [b, h, t, t]) };
}

/** Inverted-dropout multipliers (1/keep or 0), from one draw of the step's Rng (mulberry32). */
function dropoutMask(n: number, keep: number, ctx: StepContext): Float32Array {
  const mask = new Float32Array(n);
  const scale = 1 / keep;
  const threshold = Math.floor(keep * 4294967296);
  let state = ctx.rng.nextUint32();
  for (let i = 0; i < n; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let z = Math.imul(state ^ (state >>> 15), 1 | state);
    z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
    mask[i] = (z ^ (z >>> 14)) >>> 0 < threshold ? scale : 0;
  }
  return mask;
}

/**
 * Forward pass: the attention weights A [B, H, T, T] and the output [B, T, H·d']. Rows of padding
 * queries are left at 0: nothing reads them (padding keys are masked, and padding tokens have
 * pooling weight 0), so skipping them changes no real token's value or gradient.
 */
function attend(
  p: Float32Array,
  o: AttentionCoreOptions,
  drop: Float32Array | undefined,
): { attention: Float32Array; output: Float32Array } {
  const { batch: b, tokens: t, heads: h, headDim: dk, mask } = o;
  const width = 3 * h * dk;
  const hd = h * dk;
  const scale = 1 / Math.sqrt(dk);
  const attention = new Float32Array(b * h * t * t);
  const output = new Float32Array(b * t * hd);
  const keys = new Int32Array(t);
  const row = new Float64Array(t);
  const kept = new Uint8Array(t);
  // K and V of one sample and head, real keys only, contiguous.
  const kk = new Float64Array(t * dk);
  const vv = new Float64Array(t * dk);
  const acc = new Float64Array(dk);
  for (let s = 0; s < b; s++) {
    let real = 0;
    for (let j = 0; j < t; j++) if (mask[s * t + j] !== 0) keys[real++] = j;
    const keep = o.topK === undefined ? real : Math.min(o.topK, real);
    for (let hh = 0; hh < h; hh++) {
      const qOff = hh * dk;
      for (let r = 0; r < real; r++) {
        const base = (s * t + keys[r]) * width + hh * dk;
        for (let c = 0; c < dk; c++) {
          kk[r * dk + c] = p[base + hd + c];
          vv[r * dk + c] = p[base + 2 * hd + c];
        }
      }
      for (let i = 0; i < t; i++) {
        const a = ((s * h + hh) * t + i) * t;
        if (real === 0) {
          for (let j = 0; j < t; j++) attention[a + j] = 1 / t;
          continue;
        }
        if (mask[s * t + i] === 0) continue;
        const qi = (s * t + i) * width + qOff;
        for (let r = 0; r < real; r++) {
          let dot = 0;
          for (let c = 0; c < dk; c++) dot += p[qi + c] * kk[r * dk + c];
          row[r] = dot * scale;
        }
        kept.fill(1, 0, real);
        // Drop the (real − keep) smallest; among equal scores the higher index goes first, so
        // ties keep the lower index.
        for (let d = real - keep; d > 0; d--) {
          let at = -1;
          let worst = Infinity;
          for (let r = real - 1; r >= 0; r--) {
            if (kept[r] !== 0 && (at < 0 || row[r] < worst)) {
              worst = row[r];
              at = r;
            }
          }
          kept[at] = 0;
        }
        let max = -Infinity;
        for (let r = 0; r < real; r++) if (kept[r] !== 0 && row[r] > max) max = row[r];
        let sum = 0;
        for (let r = 0; r < real; r++) {
          const e = kept[r] !== 0 ? Math.exp(row[r] - max) : 0;
          row[r] = e;
          sum += e;
        }
        // out_i = Σ_j A_ij·D_ij·v_j
        acc.fill(0);
        for (let r = 0; r < real; r++) {
          if (row[r] === 0) continue;
          const w = row[r] / sum;
          attention[a + keys[r]] = w;
          const wd = drop === undefined ? w : w * drop[a + keys[r]];
          if (wd === 0) continue;
          for (let c = 0; c < dk; c++) acc[c] += wd * vv[r * dk + c];
        }
        const oi = (s * t + i) * hd + qOff;
        for (let c = 0; c < dk; c++) output[oi + c] = acc[c];
      }
    }
  }
  return { attention, output };
}

/** Backward pass: the gradient of the projection [B·T, 3·H·d'] from dOut [B, T, H·d']. */
function attendBackward(
  p: Float32Array,
  attention: Float32Array,
  drop: Float32Array | undefined,
  dOut: Float32Array,
  o: AttentionCoreOptions,
): Float32Array {
  const { batch: b, tokens: t, heads: h, headDim: dk } = o;
  const width = 3 * h * dk;
  const hd = h * dk;
  const scale = 1 / Math.sqrt(dk);
  const grad = new Float32Array(b * t * width);
  const dA = new Float64Array(t);
  const keys = new Int32Array(t);
  const wd = new Float64Array(t);
  const go = new Float64Array(dk);
  const dq = new Float64Array(dk);
  for (let s = 0; s < b; s++) {
    for (let hh = 0; hh < h; hh++) {
      const qOff = hh * dk;
      const kOff = hd + hh * dk;
      const vOff = 2 * hd + hh * dk;
      for (let i = 0; i < t; i++) {
        const a = ((s * h + hh) * t + i) * t;
        const oi = (s * t + i) * hd + qOff;
        // The keys this row attends to (A_ij > 0).
        let n = 0;
        for (let j = 0; j < t; j++) {
          const aij = attention[a + j];
          if (aij === 0) continue;
          keys[n] = j;
          wd[n] = drop === undefined ? aij : aij * drop[a + j];
          n++;
        }
        if (n === 0) continue;
        let any = false;
        for (let c = 0; c < dk; c++) {
          go[c] = dOut[oi + c];
          if (go[c] !== 0) any = true;
        }
        if (!any) continue;
        // dA_ij = D_ij·(dOut_i · v_j); dV_j += A_ij·D_ij·dOut_i
        let dot = 0;
        for (let r = 0; r < n; r++) {
          const j = keys[r];
          const aij = attention[a + j];
          const dij = drop === undefined ? 1 : drop[a + j];
          if (dij === 0) {
            dA[r] = 0;
            continue;
          }
          const vj = (s * t + j) * width + vOff;
          let g = 0;
          const w = wd[r];
          for (let c = 0; c < dk; c++) {
            g += go[c] * p[vj + c];
            grad[vj + c] += w * go[c];
          }
          dA[r] = g * dij;
          dot += aij * dA[r];
        }
        // dS_ij = A_ij·(dA_ij − Σ_j' A_ij'·dA_ij')·scale; dQ_i += dS_ij·k_j; dK_j += dS_ij·q_i
        const qi = (s * t + i) * width + qOff;
        dq.fill(0);
        for (let r = 0; r < n; r++) {
          const j = keys[r];
          const ds = attention[a + j] * (dA[r] - dot) * scale;
          if (ds === 0) continue;
          const kj = (s * t + j) * width + kOff;
          for (let c = 0; c < dk; c++) {
            dq[c] += ds * p[kj + c];
            grad[kj + c] += ds * p[qi + c];
          }
        }
        for (let c = 0; c < dk; c++) grad[qi + c] += dq[c];
      }
    }
  }
  return grad;
}

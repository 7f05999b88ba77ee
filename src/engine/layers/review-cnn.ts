/**
 * The convolutional text encoder of the review models (SAFMR §3.1, Eq. 1-3; DeepCoNN §3.1; the
 * per-review CNN of TransNets and NARRE): word embeddings → 1-D convolution with `filters` kernels
 * of height `kernelSize` and ReLU → max-pooling over time, one vector per review.
 *
 *   a_j = ReLU(Σ_{k<K} D[j + k − p] · W_k + g)        (Eq. 1; zero padding p = ⌊(K−1)/2⌋ each side)
 *   m   = max_j a_j                                    (Eq. 2-3, per kernel)
 *
 * How it is computed, and why: the convolution is linear in the word vectors, so
 * D[t]·W_k = (E·W_k)[word t]. Each step first projects the *distinct words of the batch* once,
 * P = E_batch · [W_0 … W_{K−1}] (one plain matMul, XNNPACK's fast path on wasm), then a fused
 * JavaScript kernel adds K rows of P per position, takes the running maximum and remembers its
 * position. Projecting ~10k distinct words instead of ~200k word positions makes the forward pass
 * ~20x cheaper than im2col or conv1d on this data, and the backward pass needs only the arg-max
 * position of each (review, kernel): dP gets K row updates per (review, kernel), dW = E_batchᵀ·dP
 * and dE = dP·Wᵀ come from autodiff of the matMul. The result equals tf.conv1d with 'same' padding
 * followed by ReLU and a max over time (`test/review-cnn.test.ts` checks values and gradients
 * against the cpu backend's conv1d).
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../util/errors.js';
import type { DenseParam, Params, TableParam } from '../params.js';
import type { StepContext } from '../step.js';
import { convMaxWasm } from './conv-max-kernel.js';

/** The reviews one step encodes: distinct words and each review's tokens as local word indices. */
export interface ReviewTokens {
  /** Vocabulary ids of the distinct words, in the order of the local indices. */
  readonly words: Int32Array;
  /** [reviews × length] local word indices (positions into `words`); -1 is padding. */
  readonly tokens: Int32Array;
  readonly reviews: number;
  readonly length: number;
}

export interface ReviewCnnLayer {
  readonly words: TableParam;
  /** [wordDim, kernelSize · filters]: column block k holds W_k. */
  readonly kernel: DenseParam;
  readonly bias: DenseParam;
  readonly kernelSize: number;
  readonly filters: number;
}

/** Declares `name.kernel` and `name.bias` over an existing word table (shared or not). */
export function declareReviewCnn(
  params: Params,
  name: string,
  words: TableParam,
  options: {
    readonly filters: number;
    readonly kernelSize: number;
    /** Multiplier of the optimizer's L2 rate for the kernel (default 1; NARRE: 0). */
    readonly l2?: number;
  },
): ReviewCnnLayer {
  const { filters, kernelSize } = options;
  if (!Number.isInteger(filters) || filters < 1)
    throw new UsageError(`filters must be a positive integer, got ${filters}`);
  if (!Number.isInteger(kernelSize) || kernelSize < 1)
    throw new UsageError(`kernelSize must be a positive integer, got ${kernelSize}`);
  // PyTorch's Conv1d default: uniform(±1/√fanIn), fanIn = wordDim · kernelSize.
  const limit = 1 / Math.sqrt(words.dim * kernelSize);
  const kernel = params.dense(`${name}.kernel`, [words.dim, kernelSize * filters], {
    init: { kind: 'uniform', limit },
    l2: options.l2 ?? 1,
  });
  const bias = params.dense(`${name}.bias`, [filters], { init: { kind: 'uniform', limit }, l2: 0 });
  return { words, kernel, bias, kernelSize, filters };
}

/** [reviews, filters]: the max-pooled ReLU features of each review (Eq. 1-3). */
export function reviewCnn(layer: ReviewCnnLayer, input: ReviewTokens, ctx: StepContext): tf.Tensor2D {
  const embedded = ctx.lookup(layer.words, input.words) as tf.Tensor2D;
  const projected = tf.matMul(embedded, layer.kernel.variable as tf.Tensor2D);
  return convMaxPool(projected as tf.Tensor2D, layer.bias.variable as tf.Tensor1D, input, layer.kernelSize);
}

/**
 * The fused kernel: `projected` [words, K·F] holds each distinct word's K projections, and the
 * result [reviews, F] is ReLU(max_j Σ_k projected[token(j + k − p), k] + bias).
 */
export function convMaxPool(
  projected: tf.Tensor2D,
  bias: tf.Tensor1D,
  input: ReviewTokens,
  kernelSize: number,
): tf.Tensor2D {
  const F = bias.shape[0];
  const K = kernelSize;
  const { reviews: R, length: L, tokens } = input;
  if (projected.shape[1] !== K * F)
    throw new UsageError(`convMaxPool: projections have ${projected.shape[1]} columns, expected ${K * F}`);
  if (tokens.length !== R * L) throw new UsageError(`convMaxPool: ${tokens.length} tokens for ${R}×${L}`);
  const pad = Math.floor((K - 1) / 2);
  const nWords = projected.shape[0];
  const op = tf.customGrad((p, b) => {
    const P = (p as tf.Tensor).dataSync() as Float32Array;
    const g = (b as tf.Tensor).dataSync() as Float32Array;
    const { best, arg: argmax } =
      F % 4 === 0 ? convMaxWasm(P, tokens, R, L, K, F, pad) : convMaxJs(P, tokens, R, L, K, F, pad);
    const out = new Float32Array(R * F);
    for (let r = 0; r < R; r++) {
      for (let f = 0; f < F; f++) {
        const v = best[r * F + f] + g[f];
        out[r * F + f] = v > 0 ? v : 0;
      }
    }
    const value = tf.tensor2d(out, [R, F]);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const d = dy.dataSync() as Float32Array;
      const dP = new Float32Array(nWords * K * F);
      const db = new Float32Array(F);
      for (let r = 0; r < R; r++) {
        const row = r * L;
        for (let f = 0; f < F; f++) {
          if (out[r * F + f] <= 0) continue; // ReLU inactive
          const grad = d[r * F + f];
          db[f] += grad;
          const j = argmax[r * F + f];
          if (j < 0) continue;
          for (let k = 0; k < K; k++) {
            const t = j + k - pad;
            if (t < 0 || t >= L) continue;
            const w = tokens[row + t];
            if (w >= 0) dP[w * K * F + k * F + f] += grad;
          }
        }
      }
      return [tf.tensor2d(dP, [nWords, K * F]), tf.tensor1d(db)];
    };
    return { value, gradFunc };
  });
  return op(projected, bias) as tf.Tensor2D;
}

/** The same as `convMaxWasm`, in JavaScript, for any F (the kernel needs F a multiple of 4). */
export function convMaxJs(
  P: Float32Array,
  tokens: Int32Array,
  R: number,
  L: number,
  K: number,
  F: number,
  pad: number,
): { best: Float32Array; arg: Int32Array } {
  const best = new Float32Array(R * F);
  const arg = new Int32Array(R * F);
  const top = new Float32Array(F);
  const sum = new Float32Array(F);
  for (let r = 0; r < R; r++) {
    const row = r * L;
    let len = L;
    while (len > 0 && tokens[row + len - 1] < 0) len--;
    top.fill(-Infinity);
    const a = arg.subarray(r * F, r * F + F);
    a.fill(-1);
    // Windows that touch a real token; the others (all padding) give exactly 0 before the bias.
    const last = Math.min(L, len + pad);
    for (let j = 0; j < last; j++) {
      sum.fill(0);
      for (let k = 0; k < K; k++) {
        const t = j + k - pad;
        if (t < 0 || t >= L) continue;
        const w = tokens[row + t];
        if (w < 0) continue;
        const base = w * K * F + k * F;
        for (let f = 0; f < F; f++) sum[f] += P[base + f];
      }
      for (let f = 0; f < F; f++) {
        if (sum[f] > top[f]) {
          top[f] = sum[f];
          a[f] = j;
        }
      }
    }
    const paddingWindows = last < L || len === 0;
    for (let f = 0; f < F; f++) {
      if (paddingWindows && top[f] < 0) {
        top[f] = 0;
        a[f] = -1;
      }
      best[r * F + f] = top[f];
    }
  }
  return { best, arg };
}

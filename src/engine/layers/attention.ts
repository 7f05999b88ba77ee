/**
 * Multi-head scaled dot-product self-attention (Vaswani et al., 2017, eq. 1 and §3.2.2) over a set
 * of feature tokens, with SAIN's top-K selection (Yun et al., SIGIR 2019, §2.1 and §3.5.2: only the
 * K highest attention scores of each query are kept).
 *
 *   Q, K, V = act(X·W_qkv + b)  split in three, each split into h heads of size d_k
 *   A = softmax(Q·Kᵀ / √d_k + M),  out = A·V  (heads concatenated), optionally ·W_o
 *
 * The three projections are one fused product (fewer, larger kernels are faster on wasm). M is an
 * additive mask of padding keys and, when `topK` is set, of all but the K best scores per query;
 * it is computed in JavaScript from the score values, outside the gradient (TopK has none).
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../util/errors.js';
import type { Params } from '../params.js';
import type { StepContext } from '../step.js';
import { activate, type Activation, type DenseLayer } from './dense.js';
import { MASKED } from './masked-softmax.js';
import { topKMask } from './topk-mask.js';

export interface SelfAttentionLayer {
  /** W_qkv [d, 3·h·d_k] and its bias [3·h·d_k]. */
  readonly qkv: DenseLayer;
  /** Optional output projection [h·d_k, d_out]. */
  readonly out?: DenseLayer;
  readonly heads: number;
  readonly headDim: number;
}

export function declareSelfAttention(
  params: Params,
  name: string,
  inDim: number,
  heads: number,
  headDim: number,
  options: { readonly bias?: boolean; readonly outDim?: number } = {},
): SelfAttentionLayer {
  const width = 3 * heads * headDim;
  const w = params.dense(`${name}.qkv.w`, [inDim, width]);
  const qkv: DenseLayer =
    options.bias === false
      ? { w }
      : { w, b: params.dense(`${name}.qkv.b`, [width], { init: { kind: 'zeros' }, l2: 0 }) };
  if (options.outDim === undefined) return { qkv, heads, headDim };
  const ow = params.dense(`${name}.out.w`, [heads * headDim, options.outDim]);
  const out: DenseLayer =
    options.bias === false
      ? { w: ow }
      : { w: ow, b: params.dense(`${name}.out.b`, [options.outDim], { init: { kind: 'zeros' }, l2: 0 }) };
  return { qkv, out, heads, headDim };
}

export interface SelfAttentionOptions {
  /** Keep only the K largest scores of each query (SAIN's top-K); undefined keeps all. */
  readonly topK?: number;
  /** [B·T]: 1 for real tokens, 0 for padding (padding keys get no attention). */
  readonly tokenMask?: Float32Array | Uint8Array;
  /** Activation of the Q/K/V projections (SAIN's code uses relu); default linear. */
  readonly projectionActivation?: Activation;
  /** Dropout on the attention weights (training only; needs `ctx`). */
  readonly attentionDropout?: number;
  readonly ctx?: StepContext;
}

export interface SelfAttentionResult {
  /** [B, T, h·d_k] (or [B, T, d_out] with an output projection). */
  readonly output: tf.Tensor3D;
  /** [B, h, T, T]: row q holds how much query token q attends to each key token. */
  readonly weights: tf.Tensor4D;
}

export function selfAttention(
  x: tf.Tensor3D,
  layer: SelfAttentionLayer,
  options: SelfAttentionOptions = {},
): SelfAttentionResult {
  const [b, t, d] = x.shape;
  const { heads: h, headDim: dk } = layer;
  const w = layer.qkv.w.variable;
  if (w.shape[0] !== d || w.shape[1] !== 3 * h * dk) {
    throw new UsageError(
      `selfAttention: input has ${d} features but W_qkv has shape [${w.shape.join(', ')}]`,
    );
  }
  const mask = options.tokenMask;
  if (mask !== undefined && mask.length !== b * t) {
    throw new UsageError(`selfAttention: token mask has ${mask.length} entries for ${b}x${t} tokens`);
  }
  let proj: tf.Tensor = tf.matMul(tf.reshape(x, [b * t, d]), w as tf.Tensor2D);
  if (layer.qkv.b !== undefined) proj = tf.add(proj, layer.qkv.b.variable);
  proj = activate(proj, options.projectionActivation ?? 'linear');
  // [B·T, 3·h·dk] → three [B·T, h·dk] → [B, h, T, dk] each. (Rank-4 transposes: the wasm
  // backend's rank-5 transpose is ~100x slower.)
  const toHeads = (m: tf.Tensor): tf.Tensor3D =>
    tf.reshape(tf.transpose(tf.reshape(m, [b, t, h, dk]), [0, 2, 1, 3]), [b * h, t, dk]);
  const [q, k, v] = tf.split(proj, 3, 1).map(toHeads);
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dk)) as tf.Tensor3D;

  let additive: Float32Array | undefined;
  const topK = options.topK;
  if (topK !== undefined && topK < t) {
    // Rows are (sample, head, query): h·t consecutive rows per sample share its key mask.
    const keys = mask === undefined ? undefined : { mask, rowsPerSample: h * t };
    additive = topKMask(scores.dataSync() as Float32Array, b * h * t, t, topK, keys);
  } else if (mask !== undefined) {
    additive = new Float32Array(b * h * t * t);
    for (let s = 0; s < b; s++) {
      for (let j = 0; j < t; j++) {
        if (mask[s * t + j] !== 0) continue;
        for (let r = 0; r < h * t; r++) additive[(s * h * t + r) * t + j] = MASKED;
      }
    }
  }
  let attn = tf.softmax(
    additive === undefined ? scores : tf.add(scores, tf.tensor3d(additive, [b * h, t, t])),
  ) as tf.Tensor3D;
  const weights = tf.reshape(attn, [b, h, t, t]) as tf.Tensor4D;
  if (options.attentionDropout !== undefined && options.ctx !== undefined)
    attn = options.ctx.dropout(attn, options.attentionDropout);
  const heads = tf.matMul(attn, v); // [B·h, T, dk]
  let output = tf.reshape(tf.transpose(tf.reshape(heads, [b, h, t, dk]), [0, 2, 1, 3]), [
    b,
    t,
    h * dk,
  ]) as tf.Tensor3D;
  if (layer.out !== undefined) {
    let o: tf.Tensor = tf.matMul(tf.reshape(output, [b * t, h * dk]), layer.out.w.variable as tf.Tensor2D);
    if (layer.out.b !== undefined) o = tf.add(o, layer.out.b.variable);
    output = tf.reshape(o, [b, t, -1]) as tf.Tensor3D;
  }
  return { output, weights };
}

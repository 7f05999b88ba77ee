/**
 * SAIN's feature-level interaction layer (Yun et al., SIGIR 2019, §2.1, Eq. 1-4): multi-head
 * scaled dot-product self-attention over the pair's feature tokens, keeping only the K highest
 * scores of each token, heads concatenated, a residual connection with ReLU, then batch norm (§3.3).
 *
 *   e_ij^(h) = (x_i W_Q^(h))·(x_j W_K^(h)) / √d'                                    (Eq. 1)
 *   α_ij^(h) = softmax_j(e_ij^(h)) over the K largest e_ij^(h) of row i, 0 elsewhere   (Eq. 1)
 *   x̃_i^(h) = Σ_j α_ij^(h) x_j W_V^(h)                                               (Eq. 2)
 *   x̃_i = Concat_h x̃_i^(h)                                                           (Eq. 3)
 *   x̄_i = max(x̃_i + x_i, 0)                                                          (Eq. 4)
 *
 * followed by batch norm over the real tokens. Dropout 0.1 (§3.3) is applied where SAIN's code
 * applies it: on the attention weights and on x̃ before the residual. d' = d / H, so the
 * concatenated heads have the width of x and the residual needs no projection. The parameters are
 * the engine's self-attention layer's (`declareSelfAttention`); the attention from the projection
 * on is one fused operation, `attention-core.ts` (the top-K selection, outside the gradient, is
 * there; the gradient flows through the kept scores, as PyTorch's `masked_fill` in SAIN's code).
 *
 * Projections: Eq. 1 writes plain products x W; SAIN's code uses Linear + ReLU for Q, K and V.
 * `projection` chooses (see the model's `qkvActivation` setting).
 */
import * as tf from '@tensorflow/tfjs-core';
import { declareSelfAttention, type SelfAttentionLayer } from '../../engine/layers/attention.js';
import { declareBatchNorm, type BatchNormLayer } from '../../engine/layers/batch-norm.js';
import { activate, type Activation } from '../../engine/layers/dense.js';
import type { Params } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { UsageError } from '../../util/errors.js';
import { attentionCore } from './attention-core.js';
import { maskedBatchNorm } from './masked-batch-norm.js';

export interface FeatureInteractionLayer {
  readonly attention: SelfAttentionLayer;
  readonly norm: BatchNormLayer;
}

export function declareFeatureInteraction(
  params: Params,
  name: string,
  dim: number,
  heads: number,
): FeatureInteractionLayer {
  if (!Number.isInteger(heads) || heads < 1 || dim % heads !== 0) {
    throw new UsageError(`sain: featureDim ${dim} must split evenly into ${heads} heads`);
  }
  return {
    attention: declareSelfAttention(params, `${name}.attention`, dim, heads, dim / heads),
    norm: declareBatchNorm(params, `${name}.norm`, dim),
  };
}

export interface FeatureInteractionOptions {
  /** [B·T] 1 for real tokens, 0 for padding (padding keys get no attention). */
  readonly mask: Float32Array;
  /** K of the top-K selection; undefined keeps every score. */
  readonly topK?: number;
  readonly dropout: number;
  readonly projection: Activation;
  readonly ctx: StepContext;
}

export interface FeatureInteractionResult {
  /** [B, T, d]: x̄ after batch norm. */
  readonly output: tf.Tensor3D;
  /** [B, H, T, T]: α^(h), row i over the keys j (rows of padding tokens are meaningless). */
  readonly weights: tf.Tensor4D;
}

/** Eq. 1-4 on x [B, T, d]. */
export function featureInteraction(
  x: tf.Tensor3D,
  layer: FeatureInteractionLayer,
  options: FeatureInteractionOptions,
): FeatureInteractionResult {
  const { ctx, dropout } = options;
  const [b, t, d] = x.shape;
  const { qkv, heads, headDim } = layer.attention;
  const w = qkv.w.variable;
  if (w.shape[0] !== d || w.shape[1] !== 3 * heads * headDim) {
    throw new UsageError(`sain: tokens have ${d} features but W_qkv has shape [${w.shape.join(', ')}]`);
  }
  // Q, K, V of every head from one fused product (Eq. 1-2's x W), then the attention itself.
  let proj: tf.Tensor = tf.matMul(tf.reshape(x, [b * t, d]), w as tf.Tensor2D);
  if (qkv.b !== undefined) proj = tf.add(proj, qkv.b.variable);
  proj = activate(proj, options.projection);
  const { output: attended, weights } = attentionCore(proj as tf.Tensor2D, {
    batch: b,
    tokens: t,
    heads,
    headDim,
    mask: options.mask,
    topK: options.topK,
    dropout,
    ctx,
  });
  const residual = tf.relu(tf.add(x, ctx.dropout(attended, dropout))) as tf.Tensor3D; // Eq. 4
  const normalised = maskedBatchNorm(residual, options.mask, layer.norm, ctx);
  return { output: normalised, weights };
}

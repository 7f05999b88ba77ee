/**
 * The RSAttAE module (Section IV.C of the paper, Fig. 1): an autoencoder of rating-matrix rows
 * whose embedding is mixed with a feature-driven cross-attention before decoding.
 *
 *   E  = σ(σ(R W₁ + b₁) W₂ + b₂)                      Eq. 1, R ∈ R^{n×m}, W₁ ∈ R^{m×h}, W₂ ∈ R^{h×d}
 *   Ê  = LayerNorm(α·A·E + (1 − α)·E)                  Eq. 2 (A from `attention.ts`)
 *   R̂  = σ(σ(Ê W₃ + b₃) W₄ + b₄)                      Eq. 3, W₃ ∈ R^{d×h}, W₄ ∈ R^{h×m}
 *   M-RMSE = √(Σ_{r_ij ≠ 0} (r_ij − r̂_ij)² / N)        Eq. 4, N = number of observed ratings
 *
 * σ is the LeakyReLU with PyTorch's default slope 0.01 (the authors' `nn.LeakyReLU()`). Eq. 1 and
 * 3 print one weight per layer; the authors' code has a hidden layer of width h = 2d (128) on both
 * sides, which is what `hidden` defaults to. Weights and biases start as PyTorch's `nn.Linear`
 * does, U(±1/√fan_in).
 *
 * The functions here are the dense tensor forms of the equations (used at inference and as the
 * reference in tests); training computes the first product of Eq. 1 and the last layer of Eq. 3
 * at the observed cells only (`sparse-ops.ts`).
 *
 * α is "a learnable parameter" in (0, 1) that the paper sees converge to 0.5-0.7. It is kept as
 * α = sigmoid(a) with a learnable logit a (a = 0 → α = 0.5, the authors' starting value), so it
 * stays a convex weight whatever the optimiser does; the authors' code stores α itself,
 * unconstrained.
 *
 * The vanilla autoencoder of the paper's ablation (Fig. 4B) decodes E directly: no attention, no α
 * and no LayerNorm.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DenseParam, Params } from '../../engine/params.js';
import { HeedError, UsageError } from '../../util/errors.js';
import {
  attend,
  attentionWeights,
  declareFeatureAttention,
  type AttentionInputs,
  type AttentionWeights,
  type FeatureAttentionLayer,
} from './attention.js';

/** PyTorch's default negative slope of `nn.LeakyReLU`. */
export const LEAKY_SLOPE = 0.01;
/** PyTorch's default `nn.LayerNorm` epsilon. */
export const LAYER_NORM_EPSILON = 1e-5;

export interface AutoencoderShape {
  /** Columns of the rating matrix (items for the user autoencoder, users for the item one). */
  readonly inputDim: number;
  /** Width of the hidden layer on each side (h). */
  readonly hidden: number;
  /** Embedding dimension d. */
  readonly dim: number;
  /** Side-feature columns (d_u or d_m). */
  readonly featureDim: number;
  /** Width of the query and key projections. */
  readonly attentionDim: number;
  /** False for the vanilla autoencoder. */
  readonly attention: boolean;
}

interface Linear {
  /** [in, out], or [out, in] for the transposed last decoder layer. */
  readonly w: DenseParam;
  readonly b: DenseParam;
}

function linear(params: Params, name: string, inDim: number, outDim: number, transposed = false): Linear {
  const init = { kind: 'uniform', limit: 1 / Math.sqrt(inDim) } as const;
  return {
    w: params.dense(transposed ? `${name}.wT` : `${name}.w`, transposed ? [outDim, inDim] : [inDim, outDim], {
      init,
    }),
    b: params.dense(`${name}.b`, [outDim], { init, l2: 0 }),
  };
}

export interface AutoencoderLayers {
  readonly shape: AutoencoderShape;
  /** W₁ [inputDim, hidden], b₁. */
  readonly encoder1: Linear;
  readonly encoder2: Linear;
  readonly decoder1: Linear;
  /** W₄ stored transposed, [inputDim, hidden] (row j is the weights of output column j), b₄. */
  readonly decoder2: Linear;
  /** Present when `shape.attention`. */
  readonly attention?: {
    readonly layer: FeatureAttentionLayer;
    /** The logit a of α = sigmoid(a), shape [1]. */
    readonly alphaLogit: DenseParam;
    readonly normGain: DenseParam;
    readonly normBias: DenseParam;
  };
}

/** Declares the module's weights in `params` under `prefix.`. */
export function declareAutoencoder(
  params: Params,
  prefix: string,
  shape: AutoencoderShape,
): AutoencoderLayers {
  for (const [key, value] of Object.entries(shape)) {
    if (typeof value === 'number' && !(Number.isInteger(value) && value >= 1)) {
      throw new HeedError(`autoencoder "${prefix}": ${key} must be a positive integer, got ${value}`);
    }
  }
  if (shape.hidden % 4 !== 0) {
    // The sparse kernels process four float32 lanes at a time.
    throw new UsageError(
      `autoencoder "${prefix}": the hidden width must be a multiple of 4, got ${shape.hidden}`,
    );
  }
  const layers: AutoencoderLayers = {
    shape,
    encoder1: linear(params, `${prefix}.encoder.0`, shape.inputDim, shape.hidden),
    encoder2: linear(params, `${prefix}.encoder.1`, shape.hidden, shape.dim),
    decoder1: linear(params, `${prefix}.decoder.0`, shape.dim, shape.hidden),
    decoder2: linear(params, `${prefix}.decoder.1`, shape.hidden, shape.inputDim, true),
  };
  if (!shape.attention) return layers;
  return {
    ...layers,
    attention: {
      layer: declareFeatureAttention(params, `${prefix}.attention`, shape.featureDim, shape.attentionDim),
      alphaLogit: params.dense(`${prefix}.alpha`, [1], { init: { kind: 'zeros' }, l2: 0 }),
      normGain: params.dense(`${prefix}.norm.gain`, [shape.dim], {
        init: { kind: 'constant', value: 1 },
        l2: 0,
      }),
      normBias: params.dense(`${prefix}.norm.bias`, [shape.dim], { init: { kind: 'zeros' }, l2: 0 }),
    },
  };
}

/** The current α (undefined for the vanilla autoencoder). */
export function alphaOf(layers: AutoencoderLayers): number | undefined {
  const a = layers.attention?.alphaLogit.value[0];
  return a === undefined ? undefined : 1 / (1 + Math.exp(-a));
}

function leaky(x: tf.Tensor2D): tf.Tensor2D {
  return tf.leakyRelu(x, LEAKY_SLOPE);
}

function apply(x: tf.Tensor2D, layer: Linear): tf.Tensor2D {
  return tf.add(tf.matMul(x, layer.w.variable), layer.b.variable);
}

/** Eq. 1: the embeddings E [n, d] of the rows of the dense `input` [n, inputDim]. */
export function encode(layers: AutoencoderLayers, input: tf.Tensor2D): tf.Tensor2D {
  return encodeProduct(layers, tf.matMul(input, layers.encoder1.w.variable));
}

/** Eq. 1 from its first product R·W₁ (computed densely or by `sparseProduct`). */
export function encodeProduct(layers: AutoencoderLayers, product: tf.Tensor2D): tf.Tensor2D {
  const h = leaky(tf.add(product, layers.encoder1.b.variable));
  return leaky(apply(h, layers.encoder2));
}

/** LayerNorm over the last axis with a learnable gain and bias. */
function layerNorm(x: tf.Tensor2D, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LAYER_NORM_EPSILON)));
  return tf.add(tf.mul(normalised, gain), bias);
}

/** Eq. 2: Ê = LayerNorm(α·A·E + (1 − α)·E); the identity for the vanilla autoencoder. */
export function mix(
  layers: AutoencoderLayers,
  inputs: AttentionInputs | undefined,
  embedding: tf.Tensor2D,
): tf.Tensor2D {
  const att = layers.attention;
  if (att === undefined) return embedding;
  if (inputs === undefined) throw new HeedError('the attention autoencoder needs its attention inputs');
  return mixWith(
    {
      attention: attentionWeights(att.layer),
      alphaLogit: att.alphaLogit.variable,
      normGain: att.normGain.variable,
      normBias: att.normBias.variable,
    },
    inputs,
    embedding,
  );
}

/** The weights of Eq. 2 as tensors. */
export interface MixWeights {
  readonly attention: AttentionWeights;
  /** a of α = sigmoid(a), shape [1]. */
  readonly alphaLogit: tf.Tensor;
  readonly normGain: tf.Tensor;
  readonly normBias: tf.Tensor;
}

/** Eq. 2 from explicit weight tensors (what `mix` does with the layer's variables). */
export function mixWith(w: MixWeights, inputs: AttentionInputs, embedding: tf.Tensor2D): tf.Tensor2D {
  const alpha = tf.sigmoid(w.alphaLogit);
  const attended = attend(w.attention, inputs, embedding);
  const mixed: tf.Tensor2D = tf.add(tf.mul(alpha, attended), tf.mul(tf.sub(1, alpha), embedding));
  return layerNorm(mixed, w.normGain, w.normBias);
}

/** Eq. 3: the reconstruction R̂ [n, inputDim] from the mixed embeddings (dense). */
export function decode(layers: AutoencoderLayers, mixed: tf.Tensor2D): tf.Tensor2D {
  const products = tf.matMul(decoderHidden(layers, mixed), layers.decoder2.w.variable, false, true);
  return leaky(tf.add(products, layers.decoder2.b.variable));
}

/** Eq. 3's inner layer σ(Ê W₃ + b₃) [n, hidden]; `observedRmse` finishes it at observed cells. */
export function decoderHidden(layers: AutoencoderLayers, mixed: tf.Tensor2D): tf.Tensor2D {
  return leaky(apply(mixed, layers.decoder1));
}

/** Eq. 1-3 in a row. */
export function reconstruct(
  layers: AutoencoderLayers,
  inputs: AttentionInputs | undefined,
  input: tf.Tensor2D,
): tf.Tensor2D {
  return decode(layers, mix(layers, inputs, encode(layers, input)));
}

/**
 * Eq. 4, the masked RMSE: only entries where `mask` is 1 count; `observed` is their number (N).
 * Unobserved entries contribute neither error nor gradient.
 */
export function maskedRmse(
  predicted: tf.Tensor2D,
  target: tf.Tensor2D,
  mask: tf.Tensor2D,
  observed: number,
): tf.Scalar {
  if (!(observed > 0)) throw new HeedError('masked RMSE over no observed ratings');
  const error = tf.mul(tf.sub(predicted, target), mask);
  return tf.sqrt(tf.div(tf.sum(tf.square(error)), observed));
}

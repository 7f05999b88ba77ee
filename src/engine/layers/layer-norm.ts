/**
 * Layer normalisation (Ba, Kiros & Hinton, 2016, eq. 4) over the last axis, as PyTorch's
 * `nn.LayerNorm`: y = γ·(x − mean) / √(var + ε) + β with the biased variance of each vector.
 * (SAIN's code normalises with the unbiased standard deviation and ε outside the root; a model
 * that wants exactly that can compose it from tf ops.)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DenseParam, Params } from '../params.js';

export interface LayerNormLayer {
  readonly gamma: DenseParam;
  readonly beta: DenseParam;
  readonly epsilon: number;
}

export function declareLayerNorm(params: Params, name: string, dim: number, epsilon = 1e-5): LayerNormLayer {
  return {
    gamma: params.dense(`${name}.gamma`, [dim], { init: { kind: 'constant', value: 1 }, l2: 0 }),
    beta: params.dense(`${name}.beta`, [dim], { init: { kind: 'zeros' }, l2: 0 }),
    epsilon,
  };
}

export function layerNorm<T extends tf.Tensor>(x: T, layer: LayerNormLayer): T {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, layer.epsilon)));
  return tf.add(tf.mul(normed, layer.gamma.variable), layer.beta.variable) as T;
}

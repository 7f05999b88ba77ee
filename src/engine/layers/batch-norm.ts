/**
 * Batch normalisation (Ioffe & Szegedy, 2015, Algorithm 1) over the last axis.
 *
 * Training normalises with the batch mean and (biased) variance over all other axes and updates
 * the running statistics outside the gradient, PyTorch-style: running ← (1 − momentum)·running +
 * momentum·batch, with the unbiased batch variance. Inference uses the running statistics.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DenseParam, Params } from '../params.js';
import type { StepContext } from '../step.js';

export interface BatchNormLayer {
  readonly gamma: DenseParam;
  readonly beta: DenseParam;
  readonly runningMean: DenseParam;
  readonly runningVar: DenseParam;
  readonly momentum: number;
  readonly epsilon: number;
}

export function declareBatchNorm(
  params: Params,
  name: string,
  dim: number,
  options: { readonly momentum?: number; readonly epsilon?: number } = {},
): BatchNormLayer {
  return {
    gamma: params.dense(`${name}.gamma`, [dim], { init: { kind: 'constant', value: 1 }, l2: 0 }),
    beta: params.dense(`${name}.beta`, [dim], { init: { kind: 'zeros' }, l2: 0 }),
    runningMean: params.buffer(`${name}.runningMean`, [dim]),
    runningVar: params.buffer(`${name}.runningVar`, [dim], { kind: 'constant', value: 1 }),
    momentum: options.momentum ?? 0.1,
    epsilon: options.epsilon ?? 1e-5,
  };
}

export function batchNorm<T extends tf.Tensor>(x: T, layer: BatchNormLayer, ctx: StepContext): T {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { gamma, beta, epsilon } = layer;
  if (!ctx.training) {
    const scale = tf.mul(gamma.variable, tf.rsqrt(tf.add(layer.runningVar.variable, epsilon)));
    return tf.add(tf.mul(tf.sub(x, layer.runningMean.variable), scale), beta.variable) as T;
  }
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.add(
    tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), gamma.variable),
    beta.variable,
  ) as T;
  // Running statistics: plain numbers, outside the gradient.
  const n = x.size / x.shape[x.rank - 1];
  const m = mean.dataSync() as Float32Array;
  const v = variance.dataSync() as Float32Array;
  const mom = layer.momentum;
  const unbias = n > 1 ? n / (n - 1) : 1;
  const rm = layer.runningMean.value;
  const rv = layer.runningVar.value;
  const newMean = new Float32Array(rm.length);
  const newVar = new Float32Array(rv.length);
  for (let i = 0; i < rm.length; i++) {
    newMean[i] = (1 - mom) * rm[i] + mom * m[i];
    newVar[i] = (1 - mom) * rv[i] + mom * v[i] * unbias;
  }
  ctx.updateBuffer(layer.runningMean, newMean);
  ctx.updateBuffer(layer.runningVar, newVar);
  return y;
}

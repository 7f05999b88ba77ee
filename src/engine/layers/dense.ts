/**
 * Fully connected layers and MLPs over explicit weight tensors.
 *
 * Inputs of any rank are flattened to 2-D ([rows, in]) before the product: tfjs's matMul gradient
 * does not reduce over broadcast batch dimensions, and the 2-D product is the one the wasm
 * backend runs on XNNPACK.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../util/errors.js';
import type { DenseParam, Params } from '../params.js';
import type { StepContext } from '../step.js';

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'leakyRelu' | 'elu';

export function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, 0.2);
    case 'elu':
      return tf.elu(x);
  }
}

export interface DenseLayer {
  /** [in, out] */
  readonly w: DenseParam;
  /** [out], when the layer has a bias. */
  readonly b?: DenseParam;
}

/** Declares a dense layer `name.w` [in, out] (Glorot) and, unless `bias` is false, `name.b` [out] (zeros). */
export function declareDense(
  params: Params,
  name: string,
  inDim: number,
  outDim: number,
  bias = true,
): DenseLayer {
  const w = params.dense(`${name}.w`, [inDim, outDim]);
  return bias ? { w, b: params.dense(`${name}.b`, [outDim], { init: { kind: 'zeros' }, l2: 0 }) } : { w };
}

/** y = act(x·W + b) over the last axis of x; the other axes are kept. */
export function dense(
  x: tf.Tensor,
  w: tf.Tensor,
  b?: tf.Tensor,
  activation: Activation = 'linear',
): tf.Tensor {
  const inDim = x.shape[x.rank - 1];
  if (w.rank !== 2 || w.shape[0] !== inDim) {
    throw new UsageError(
      `dense: input has ${inDim} features but the weight has shape [${w.shape.join(', ')}]`,
    );
  }
  const outDim = w.shape[1] as number;
  const x2 = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, inDim]);
  let y: tf.Tensor = tf.matMul(x2 as tf.Tensor2D, w as tf.Tensor2D);
  if (b !== undefined) y = tf.add(y, b);
  y = activate(y, activation);
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
}

/** Applies a declared layer. */
export function applyDense(x: tf.Tensor, layer: DenseLayer, activation: Activation = 'linear'): tf.Tensor {
  return dense(x, layer.w.variable, layer.b?.variable, activation);
}

/** Declares an MLP `name.0`, `name.1`, ... with the given sizes (sizes[0] is the input size). */
export function declareMlp(
  params: Params,
  name: string,
  sizes: readonly number[],
  bias = true,
): DenseLayer[] {
  if (sizes.length < 2) throw new UsageError(`MLP "${name}" needs an input and at least one layer size`);
  const layers: DenseLayer[] = [];
  for (let i = 1; i < sizes.length; i++)
    layers.push(declareDense(params, `${name}.${i - 1}`, sizes[i - 1], sizes[i], bias));
  return layers;
}

export interface MlpOptions {
  /** Activation of the hidden layers (default relu). */
  readonly activation?: Activation;
  /** Activation of the last layer (default linear). */
  readonly outputActivation?: Activation;
  /** Dropout after each hidden layer (needs `ctx`). */
  readonly dropout?: number;
  readonly ctx?: StepContext;
}

export function mlp(x: tf.Tensor, layers: readonly DenseLayer[], options: MlpOptions = {}): tf.Tensor {
  let h = x;
  layers.forEach((layer, i) => {
    const last = i === layers.length - 1;
    h = applyDense(h, layer, last ? (options.outputActivation ?? 'linear') : (options.activation ?? 'relu'));
    if (!last && options.dropout !== undefined && options.ctx !== undefined)
      h = options.ctx.dropout(h, options.dropout);
  });
  return h;
}

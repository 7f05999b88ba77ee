/**
 * An `Identity` for the wasm backend that shares its input's buffer instead of copying it, as the
 * cpu backend's Identity does. Autodiff clones every tensor it saves for the backward pass (about
 * 140 per SAIN-shaped step), and the stock wasm kernel copies each one. Sharing is safe because no
 * tfjs kernel writes into an existing tensor: every kernel writes a fresh output, and
 * `Variable.assign` swaps buffers rather than overwriting them.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { asWasm, reshapeInfo } from './wasm-heap.js';

const identity: KernelFunc = ({ inputs, backend }) => {
  const x = inputs['x'] as TensorInfo;
  return reshapeInfo(asWasm(backend), x, x.shape.slice());
};

export const sharedIdentityConfig: KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity,
};

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

let stockCast: KernelFunc | undefined;

/**
 * `Cast` to the same dtype shares the buffer too (autodiff casts float32 to float32 often). Casts to
 * bool are fixed as well: the stock kernel copies the values, so 3 became a bool "3", not 1.
 */
const cast: KernelFunc = (args) => {
  const x = args.inputs['x'] as TensorInfo;
  const dtype = args.attrs?.['dtype'];
  if (x.dtype === 'string') return (stockCast as KernelFunc)(args);
  const backend = asWasm(args.backend);
  if (dtype === x.dtype) return reshapeInfo(backend, x, x.shape.slice());
  if (dtype === 'bool') {
    const out = backend.makeOutput(x.shape.slice(), 'bool');
    const o = backend.typedArrayFromHeap(out) as Uint8Array;
    const v = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
    for (let i = 0; i < o.length; i++) o[i] = v[i] !== 0 ? 1 : 0;
    return out;
  }
  return (stockCast as KernelFunc)(args);
};

export function sharedCastConfig(): KernelConfig {
  stockCast ??= tf.getKernel(tf.Cast, 'wasm')?.kernelFunc;
  return { kernelName: tf.Cast, backendName: 'wasm', kernelFunc: cast };
}

export const sharedIdentityConfig: KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity,
};

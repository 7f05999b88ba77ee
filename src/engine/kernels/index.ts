/**
 * The kernels Heed adds to (or replaces in) tfjs-backend-wasm 4.22, registered once by
 * `initEngine` when it picks the wasm backend. Each is tested against the cpu backend in
 * test/engine-kernels.test.ts. Why each exists: docs/ENGINE.md.
 */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { useFastBatchMatMul } from './batch-matmul.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { gatherConfig } from './gather.js';
import { sharedCastConfig, sharedIdentityConfig } from './identity.js';
import { sliceConfig, splitVConfig } from './slice.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export { fastBatchMatMulEnabled, useFastBatchMatMul } from './batch-matmul.js';
export { setConv2DFilterChunkFloats } from './conv2d-backprop-filter.js';

/** Kernels the wasm backend lacks: added only when missing (a later tfjs may ship its own). */
const MISSING: readonly KernelConfig[] = [unsortedSegmentSumConfig, conv2DBackpropFilterConfig];
/** Kernels the wasm backend has but slower than needed: replaced. */
const REPLACED: ReadonlyArray<() => KernelConfig> = [
  () => sharedIdentityConfig,
  sharedCastConfig,
  gatherConfig,
  sliceConfig,
  splitVConfig,
];

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  for (const config of MISSING) {
    if (tf.getKernel(config.kernelName, 'wasm') === undefined) tf.registerKernel(config);
  }
  for (const make of REPLACED) {
    const config = make();
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  useFastBatchMatMul(true);
  registered = true;
}

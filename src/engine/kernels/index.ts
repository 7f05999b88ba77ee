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
/** The stock configs of the replaced kernels, and ours, by kernel name. */
const stock = new Map<string, KernelConfig>();
const ours = new Map<string, KernelConfig>();
let replacementsOn = false;

export function registerWasmKernels(): void {
  if (registered) return;
  for (const config of MISSING) {
    if (tf.getKernel(config.kernelName, 'wasm') === undefined) tf.registerKernel(config);
  }
  for (const make of REPLACED) {
    const config = make();
    const original = tf.getKernel(config.kernelName, 'wasm');
    if (original !== undefined) stock.set(config.kernelName, original);
    ours.set(config.kernelName, config);
  }
  useReplacedKernels(true);
  useFastBatchMatMul(true);
  registered = true;
}

/**
 * Switches the replaced kernels (Identity, Cast, GatherV2, Slice, SplitV) between Heed's (true,
 * the default) and tfjs's stock ones (false), for benchmarks. BatchMatMul has its own switch,
 * `useFastBatchMatMul`; the kernels wasm lacks stay registered either way.
 */
export function useReplacedKernels(enabled: boolean): void {
  if (enabled === replacementsOn) return;
  for (const [name, config] of ours) {
    const next = enabled ? config : stock.get(name);
    if (tf.getKernel(name, 'wasm') !== undefined) tf.unregisterKernel(name, 'wasm');
    if (next !== undefined) tf.registerKernel(next);
  }
  replacementsOn = enabled;
}

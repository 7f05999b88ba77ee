/**
 * Helpers for JavaScript kernels that run on the wasm backend.
 *
 * A wasm tensor lives in the module's linear memory. Allocating (`makeOutput`) may grow that
 * memory, which detaches every view taken before: a kernel must therefore allocate ALL its outputs
 * and temporaries first, and only then take views with `view()`.
 */
import type { DataType, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { HeedError } from '../../util/errors.js';

export type { BackendWasm };

export function asWasm(backend: unknown): BackendWasm {
  return backend as BackendWasm;
}

/** A Float32Array view of a float32 tensor's memory (valid until the next allocation). */
export function viewF32(backend: BackendWasm, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new HeedError(`expected a float32 tensor, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** An Int32Array view of an int32 tensor's memory (valid until the next allocation). */
export function viewI32(backend: BackendWasm, t: TensorInfo): Int32Array {
  if (t.dtype !== 'int32') throw new HeedError(`expected an int32 tensor, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Int32Array;
}

export function makeOutput(backend: BackendWasm, shape: number[], dtype: DataType): TensorInfo {
  return backend.makeOutput(shape, dtype);
}

/** The same data under another shape (no copy; what the wasm Reshape kernel does). */
export function reshapeInfo(backend: BackendWasm, t: TensorInfo, shape: number[]): TensorInfo {
  backend.incRef(t.dataId);
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

export function dispose(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/** The kernel function currently registered for `kernelName` on wasm. */
export function wasmKernel(kernelName: string): KernelFunc {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config === undefined) throw new HeedError(`the wasm backend has no "${kernelName}" kernel`);
  return config.kernelFunc;
}

/** Runs a kernel function that returns one tensor. */
export function runOne(
  fn: KernelFunc,
  backend: BackendWasm,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const out = fn({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new HeedError('expected a kernel with one output');
  return out;
}

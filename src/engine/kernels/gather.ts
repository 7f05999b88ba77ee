/**
 * A JavaScript `GatherV2` for the wasm backend's common case (axis 0, no batch dimensions: every
 * embedding lookup). The stock kernel copies element by element through generic strides; copying
 * whole rows is several times faster. Other axes fall back to the stock kernel.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { HeedError } from '../../util/errors.js';
import { asWasm, makeOutput } from './wasm-heap.js';

let stock: KernelFunc | undefined;

const gather: KernelFunc = (args) => {
  const backend = asWasm(args.backend);
  const x = args.inputs['x'] as TensorInfo;
  const indices = args.inputs['indices'] as TensorInfo;
  const axis = (args.attrs?.['axis'] as number | undefined) ?? 0;
  const batchDims = (args.attrs?.['batchDims'] as number | undefined) ?? 0;
  if (
    (axis !== 0 && axis !== -x.shape.length) ||
    batchDims !== 0 ||
    (x.dtype !== 'float32' && x.dtype !== 'int32') ||
    indices.dtype !== 'int32'
  ) {
    if (stock === undefined) throw new HeedError('the stock GatherV2 kernel was not captured');
    return stock(args);
  }
  const rows = x.shape[0];
  const inner = tf.util.sizeFromShape(x.shape.slice(1));
  const n = tf.util.sizeFromShape(indices.shape);
  // Allocate before taking views (allocation may move the heap).
  const out = makeOutput(backend, [...indices.shape, ...x.shape.slice(1)], x.dtype);
  const outV = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const xV = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const idx = backend.typedArrayFromHeap(indices) as Int32Array;
  for (let k = 0; k < n; k++) {
    const r = idx[k];
    if (!(r >= 0 && r < rows)) {
      backend.disposeData(out.dataId);
      throw new HeedError(`GatherV2: the index value ${r} is not in [0, ${rows - 1}]`);
    }
    if (inner === 1) outV[k] = xV[r];
    else outV.set(xV.subarray(r * inner, r * inner + inner), k * inner);
  }
  return out;
};

/** The replacement config; captures the stock kernel first. */
export function gatherConfig(): KernelConfig {
  stock ??= tf.getKernel(tf.GatherV2, 'wasm')?.kernelFunc;
  return { kernelName: tf.GatherV2, backendName: 'wasm', kernelFunc: gather };
}

/**
 * `UnsortedSegmentSum` for the wasm backend, which has none in tfjs 4.22. It is the gradient of
 * `gather` (tfjs-core's GatherV2 gradient sums dy rows into the gathered rows with it), so without
 * it no embedding lookup can be trained on wasm.
 *
 * out[s, ...] = Σ_{i : ids[i] = s} x[i, ...]; ids outside [0, numSegments) are dropped, as in
 * TensorFlow. Cost: one pass over x.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { HeedError } from '../../util/errors.js';
import { asWasm, makeOutput } from './wasm-heap.js';

const unsortedSegmentSum: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = asWasm(b);
  const x = inputs['x'] as TensorInfo;
  const segmentIds = inputs['segmentIds'] as TensorInfo;
  const numSegments = attrs?.['numSegments'] as number;
  if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
    throw new HeedError(
      `UnsortedSegmentSum: segmentIds must be 1-D with x.shape[0] = ${x.shape[0]} entries, got shape [${segmentIds.shape.join(', ')}]`,
    );
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32')
    throw new HeedError(`UnsortedSegmentSum: unsupported dtype ${x.dtype}`);
  const inner = tf.util.sizeFromShape(x.shape.slice(1));
  const n = x.shape[0];
  // Allocate before taking views (allocation may move the heap).
  const out = makeOutput(backend, [numSegments, ...x.shape.slice(1)], x.dtype);
  const outV = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const xV = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  outV.fill(0);
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) outV[dst + j] += xV[src + j];
  }
  return out;
};

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};

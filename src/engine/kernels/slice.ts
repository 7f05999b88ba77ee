/**
 * JavaScript `Slice` and `SplitV` for the wasm backend. The stock Slice first copies the whole
 * input out of wasm memory (`readSync`) and then copies element by element, and SplitV is one
 * such Slice per part; these read the input in place and copy contiguous runs of the last axis.
 * Autodiff uses them for every split (fused Q/K/V) and for the gradient of every concat.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { asWasm, makeOutput, type BackendWasm } from './wasm-heap.js';

let stockSlice: KernelFunc | undefined;
let stockSplit: KernelFunc | undefined;

type Numeric = Float32Array | Int32Array | Uint8Array;

/** Copies the box [begin, begin + size) of x (numeric dtypes) into a new tensor. */
function sliceBox(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = makeOutput(backend, size, x.dtype);
  const total = tf.util.sizeFromShape(size);
  if (total === 0) return out;
  // Views after allocating (allocation may move the heap).
  const outV = backend.typedArrayFromHeap(out) as Numeric;
  const xV = backend.typedArrayFromHeap(x) as Numeric;
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  const run = size[rank - 1];
  const lastBegin = begin[rank - 1];
  // Iterate over every index of the leading rank-1 axes of the output; copy one run each.
  const outer = total / run;
  const idx = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (let o = 0; o < outer; o++) {
    let src = lastBegin;
    for (let d = 0; d < rank - 1; d++) src += (begin[d] + idx[d]) * strides[d];
    outV.set(xV.subarray(src, src + run), o * run);
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

const slice: KernelFunc = (args) => {
  const x = args.inputs['x'] as TensorInfo;
  if (x.dtype === 'string' || x.shape.length === 0) return (stockSlice as KernelFunc)(args);
  const [begin, size] = tf.slice_util.parseSliceParams(
    x as tf.Tensor,
    args.attrs?.['begin'] as number | number[],
    args.attrs?.['size'] as number | number[] | undefined,
  );
  return sliceBox(asWasm(args.backend), x, begin, size);
};

const splitV: KernelFunc = (args) => {
  const x = args.inputs['x'] as TensorInfo;
  if (x.dtype === 'string' || x.shape.length === 0) return (stockSplit as KernelFunc)(args);
  const backend = asWasm(args.backend);
  const axis = tf.util.parseAxisParam(args.attrs?.['axis'] as number, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(
    x as tf.Tensor,
    args.attrs?.['numOrSizeSplits'] as number | number[],
    axis,
  );
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[axis] = s;
    const part = sliceBox(backend, x, begin.slice(), size);
    begin[axis] += s;
    return part;
  });
};

export function sliceConfig(): KernelConfig {
  stockSlice ??= tf.getKernel(tf.Slice, 'wasm')?.kernelFunc;
  return { kernelName: tf.Slice, backendName: 'wasm', kernelFunc: slice };
}

export function splitVConfig(): KernelConfig {
  stockSplit ??= tf.getKernel(tf.SplitV, 'wasm')?.kernelFunc;
  return { kernelName: tf.SplitV, backendName: 'wasm', kernelFunc: splitV };
}

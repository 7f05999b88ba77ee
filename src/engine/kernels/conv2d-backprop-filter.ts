/**
 * `Conv2DBackpropFilter` for the wasm backend, which has none in tfjs 4.22: the weight gradient of
 * every conv1d/conv2d (SAFMR's CNN review encoder). Without it convolutions cannot be trained.
 *
 * dW[fh, fw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh + fh − padTop, ow·sw + fw − padLeft, ci] · dy[b, oh, ow, co]
 *
 * computed as one matrix product on XNNPACK: the input patches are laid out transposed,
 * P [FH·FW·Ci, B·OH·OW] (zero where the window hangs over the padding), then dW = P · dy₂ with
 * dy₂ = dy as [B·OH·OW, Co]. Large inputs are processed in chunks of output positions so the
 * patch matrix stays below ~16 MB. NHWC only (the wasm Conv2D kernel is NHWC only too).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { HeedError } from '../../util/errors.js';
import { fastMatMul3D } from './batch-matmul.js';
import { asWasm, dispose, makeOutput, reshapeInfo, viewF32 } from './wasm-heap.js';

/** Patch-matrix budget in floats (16 MB). */
let chunkFloats = 4 * 1024 * 1024;

/** Changes the patch-matrix budget (tests use a tiny one to exercise chunking); returns the old one. */
export function setConv2DFilterChunkFloats(floats: number): number {
  const old = chunkFloats;
  chunkFloats = Math.max(1, Math.floor(floats));
  return old;
}

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend: be, attrs }) => {
  const backend = asWasm(be);
  const x = inputs['x'] as TensorInfo;
  const dy = inputs['dy'] as TensorInfo;
  const a = attrs ?? {};
  const dataFormat = tf.backend_util.convertConv2DDataFormat(
    (a['dataFormat'] as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC',
  );
  if (dataFormat !== 'channelsLast')
    throw new HeedError('Conv2DBackpropFilter (wasm): only NHWC data is supported');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a['filterShape'] as [number, number, number, number],
    a['strides'] as number | [number, number],
    1,
    a['pad'] as Pad,
    a['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    dataFormat,
  );
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const kRows = fh * fw * ci;
  const positions = batchSize * outHeight * outWidth;
  const perChunk = Math.max(1, Math.min(positions, Math.floor(chunkFloats / Math.max(1, kRows))));

  const chunks = Math.ceil(positions / perChunk);
  // With several chunks the partial products are summed into `out`.
  const out = chunks > 1 ? makeOutput(backend, [fh, fw, ci, co], 'float32') : undefined;
  if (out !== undefined) viewF32(backend, out).fill(0);

  for (let p0 = 0; p0 < positions; p0 += perChunk) {
    const mc = Math.min(perChunk, positions - p0);
    // Allocate first; views come after (allocation may move the heap).
    const patches = makeOutput(backend, [1, kRows, mc], 'float32');
    const dyChunk =
      chunks === 1 ? reshapeInfo(backend, dy, [1, mc, co]) : makeOutput(backend, [1, mc, co], 'float32');
    const pv = viewF32(backend, patches);
    const xv = viewF32(backend, x);
    if (chunks > 1) viewF32(backend, dyChunk).set(viewF32(backend, dy).subarray(p0 * co, (p0 + mc) * co));
    for (let j = 0; j < mc; j++) {
      const p = p0 + j;
      const ow = p % outWidth;
      const oh = Math.floor(p / outWidth) % outHeight;
      const b = Math.floor(p / (outWidth * outHeight));
      for (let r = 0; r < fh; r++) {
        const ih = oh * sh + r - top;
        for (let c = 0; c < fw; c++) {
          const iw = ow * sw + c - left;
          const inside = ih >= 0 && ih < inHeight && iw >= 0 && iw < inWidth;
          const src = ((b * inHeight + ih) * inWidth + iw) * ci;
          let row = (r * fw + c) * ci;
          for (let ch = 0; ch < ci; ch++, row++) pv[row * mc + j] = inside ? xv[src + ch] : 0;
        }
      }
    }
    const part = fastMatMul3D(backend, patches, dyChunk);
    dispose(backend, patches, dyChunk);
    if (out === undefined) return { dataId: part.dataId, dtype: 'float32', shape: [fh, fw, ci, co] };
    const acc = viewF32(backend, out);
    const pv2 = viewF32(backend, part);
    for (let i = 0; i < acc.length; i++) acc[i] += pv2[i];
    dispose(backend, part);
  }
  if (out === undefined) throw new HeedError('Conv2DBackpropFilter: empty input');
  return out;
};

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};

/**
 * A faster `BatchMatMul` for the wasm backend.
 *
 * tfjs-backend-wasm 4.22 sends a matrix product to XNNPACK's SIMD kernels only when neither operand
 * is transposed and both have batch size 1; everything else (any transpose flag, any batch
 * dimension) runs a scalar C++ loop at about 2 GFLOP/s. Autodiff produces exactly those cases: the
 * gradients of y = x·W are dx = dy·Wᵀ and dW = xᵀ·dy, and a dense layer applied to [B, T, d]
 * inputs has a batch dimension. This kernel rewrites them so they take the fast path:
 *
 * - a transposed operand is transposed explicitly first (the wasm Transpose kernel is cheap next
 *   to the product), then multiplied without flags;
 * - when only `a` has batch dimensions (b is shared) and `a` is not transposed, the batch is folded
 *   into a's rows: [batch, M, K]·[K, N] = ([batch·M, K]·[K, N]) reshaped.
 *
 * Products where both operands carry a batch (attention scores) keep the stock kernel. Measured on
 * a SAIN-shaped training step in docs/ENGINE.md (bench/engine-step.ts).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { HeedError } from '../../util/errors.js';
import { asWasm, dispose, makeOutput, reshapeInfo, runOne, viewF32, type BackendWasm } from './wasm-heap.js';

let stock: KernelConfig | undefined;

/** The BatchMatMul kernel tfjs-backend-wasm ships (captured before it is replaced). */
function stockKernel(): KernelFunc {
  if (stock === undefined) {
    const config = tf.getKernel(tf.BatchMatMul, 'wasm');
    if (config === undefined) throw new HeedError('the wasm backend has no BatchMatMul kernel');
    stock = config;
  }
  return stock.kernelFunc;
}

/**
 * [1, R, C] → [1, C, R]. A plain JavaScript loop: about twice as fast as the wasm Transpose kernel
 * at these sizes (0.16 vs 0.3-0.8 ms CPU for 896x64 here).
 */
function transposeInner(backend: BackendWasm, t: TensorInfo): TensorInfo {
  const [, rows, cols] = t.shape;
  const out = makeOutput(backend, [1, cols, rows], 'float32');
  // Views after allocating (allocation may move the heap).
  const y = viewF32(backend, out);
  const x = viewF32(backend, t);
  for (let c = 0; c < cols; c++) {
    const o = c * rows;
    for (let r = 0; r < rows; r++) y[o + r] = x[r * cols + c];
  }
  return out;
}

/**
 * a [1, M, K] · b [1, K, N] → [1, M, N] on XNNPACK (the stock kernel's fast path). Shared with
 * the Conv2DBackpropFilter kernel.
 */
export function fastMatMul3D(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  return runOne(stockKernel(), backend, { a, b }, { transposeA: false, transposeB: false });
}

const batchMatMul: KernelFunc = (args) => {
  const backend = asWasm(args.backend);
  const a = args.inputs['a'] as TensorInfo;
  const b = args.inputs['b'] as TensorInfo;
  const transposeA = args.attrs?.['transposeA'] === true;
  const transposeB = args.attrs?.['transposeB'] === true;
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || batchB !== 1 || (transposeA && batchA !== 1)) {
    return stockKernel()(args);
  }
  const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const kB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  if (k !== kB) {
    throw new HeedError(
      `matMul: inner sizes ${k} and ${kB} of shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] ` +
        `(transposeA=${transposeA}, transposeB=${transposeB}) differ`,
    );
  }
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));

  let a3 = reshapeInfo(backend, a, transposeA ? [1, k, m] : [1, batchA * m, k]);
  if (transposeA) {
    const t = transposeInner(backend, a3);
    dispose(backend, a3);
    a3 = t;
  }
  let b3 = reshapeInfo(backend, b, transposeB ? [1, n, k] : [1, k, n]);
  if (transposeB) {
    const t = transposeInner(backend, b3);
    dispose(backend, b3);
    b3 = t;
  }
  const out = fastMatMul3D(backend, a3, b3);
  dispose(backend, a3, b3);
  return { dataId: out.dataId, dtype: out.dtype, shape: [...outBatch, m, n] };
};

const fastConfig: KernelConfig = { kernelName: tf.BatchMatMul, backendName: 'wasm', kernelFunc: batchMatMul };

let fastEnabled = false;

/**
 * Switches between this kernel (true, the default after `initEngine`) and the stock one (false,
 * for benchmarks and tests that compare them).
 */
export function useFastBatchMatMul(enabled: boolean): void {
  stockKernel();
  if (enabled === fastEnabled) return;
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel(enabled ? fastConfig : (stock as KernelConfig));
  fastEnabled = enabled;
}

export function fastBatchMatMulEnabled(): boolean {
  return fastEnabled;
}

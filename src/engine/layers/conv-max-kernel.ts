/**
 * The WebAssembly SIMD forward pass of the review CNN's convolution + max-pooling
 * (`conv-max-kernels.wat`), for a number of kernels F that is a multiple of 4. One instance per
 * process; its memory grows to the largest batch seen.
 */
import { growMemory, wasmInstance, WASM_MAX_BYTES, type WasmMemory } from '../../util/wasm.js';
import { HeedError } from '../../util/errors.js';
import { CONV_MAX_KERNELS_WASM_BASE64 } from './conv-max-kernels-wasm.js';

interface KernelExports {
  readonly memory: WasmMemory;
  convMax(
    proj: number,
    tokens: number,
    R: number,
    L: number,
    K: number,
    F: number,
    pad: number,
    best: number,
    arg: number,
    sum: number,
  ): void;
}

let kernel: KernelExports | undefined;

const align = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/**
 * For each review r and kernel f: the largest Σ_k proj[token(j + k − pad), k·F + f] over positions
 * j (0 for windows of padding only) and its position (−1 for those), as `best` and `arg` [R·F].
 */
export function convMaxWasm(
  proj: Float32Array,
  tokens: Int32Array,
  R: number,
  L: number,
  K: number,
  F: number,
  pad: number,
): { best: Float32Array; arg: Int32Array } {
  if (F % 4 !== 0) throw new HeedError(`convMaxWasm: F must be a multiple of 4, got ${F}`);
  kernel ??= wasmInstance<KernelExports>(CONV_MAX_KERNELS_WASM_BASE64);
  const at = { proj: 64, tokens: 0, best: 0, arg: 0, sum: 0, end: 0 };
  at.tokens = at.proj + align(proj.byteLength);
  at.best = at.tokens + align(tokens.byteLength);
  at.arg = at.best + align(R * F * 4);
  at.sum = at.arg + align(R * F * 4);
  at.end = at.sum + align(F * 4);
  if (at.end > WASM_MAX_BYTES)
    throw new HeedError(`convMaxWasm: a batch of ${at.end} bytes exceeds WebAssembly's 4 GiB`);
  growMemory(kernel.memory, at.end);
  const buffer = kernel.memory.buffer;
  new Float32Array(buffer, at.proj, proj.length).set(proj);
  new Int32Array(buffer, at.tokens, tokens.length).set(tokens);
  kernel.convMax(at.proj, at.tokens, R, L, K, F, pad, at.best, at.arg, at.sum);
  return {
    best: new Float32Array(buffer, at.best, R * F).slice(),
    arg: new Int32Array(buffer, at.arg, R * F).slice(),
  };
}

/**
 * The few pieces of the WebAssembly JS API that Heed's hand-written kernels use (the MF and FM
 * sweeps, RSAttAE's sparse products), in one place: the project's `lib` (ES2023, no DOM) does not
 * declare `WebAssembly`, although Node has it as a global.
 */

export interface WasmMemory {
  /** An ArrayBuffer, or a SharedArrayBuffer for a shared memory (the same to typed-array views). */
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
  readonly Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes in a WebAssembly memory page. */
export const WASM_PAGE = 65536;
/** The most a 32-bit WebAssembly memory can hold, rounded down to whole pages. */
export const WASM_MAX_BYTES = 4 * 1024 * 1024 * 1024 - WASM_PAGE;

const compiled = new Map<string, object>();

/**
 * The compiled module whose bytes are `base64`, compiled once per process. A compiled module can be
 * posted to a worker thread, which then instantiates it without compiling again.
 */
export function wasmModule(base64: string): object {
  let module = compiled.get(base64);
  if (module === undefined) {
    module = new wasm.Module(Buffer.from(base64, 'base64'));
    compiled.set(base64, module);
  }
  return module;
}

/**
 * A fresh instance of the module whose bytes are `base64` (or of an already compiled `module`).
 * Without imports it has its own memory; `imports` hands it, for example, a shared memory.
 * `Exports` is the caller's description of the module's exports.
 */
export function wasmInstance<Exports>(base64: string | object, imports: object = {}): Exports {
  const module = typeof base64 === 'string' ? wasmModule(base64) : base64;
  return new wasm.Instance(module, imports).exports as Exports;
}

/**
 * A memory that worker threads can share (its buffer is a SharedArrayBuffer), of one page, able to
 * grow to the 4 GiB limit: reserving the address space costs no physical memory.
 */
export function sharedMemory(): WasmMemory {
  return new wasm.Memory({ initial: 1, maximum: 65536, shared: true });
}

/** Grows `memory` to hold at least `bytes` (callers check `WASM_MAX_BYTES` first, to say what is too big). */
export function growMemory(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
}

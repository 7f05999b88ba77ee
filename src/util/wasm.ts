/**
 * The few pieces of the WebAssembly JS API that Heed's hand-written kernels use (the MF and FM
 * sweeps, RSAttAE's sparse products), in one place: the project's `lib` (ES2023, no DOM) does not
 * declare `WebAssembly`, although Node has it as a global.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes in a WebAssembly memory page. */
export const WASM_PAGE = 65536;
/** The most a 32-bit WebAssembly memory can hold, rounded down to whole pages. */
export const WASM_MAX_BYTES = 4 * 1024 * 1024 * 1024 - WASM_PAGE;

const compiled = new Map<string, object>();

/**
 * A fresh instance (its own memory) of the module whose bytes are `base64`, which is compiled once
 * per process. `Exports` is the caller's description of the module's exports.
 */
export function wasmInstance<Exports>(base64: string): Exports {
  let module = compiled.get(base64);
  if (module === undefined) {
    module = new wasm.Module(Buffer.from(base64, 'base64'));
    compiled.set(base64, module);
  }
  return new wasm.Instance(module, {}).exports as Exports;
}

/** Grows `memory` to hold at least `bytes` (callers check `WASM_MAX_BYTES` first, to say what is too big). */
export function growMemory(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
}

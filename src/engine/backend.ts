/**
 * Which TensorFlow.js backend runs Heed's neural models, chosen once per process.
 *
 * - `tfjs-node`: native TensorFlow through `@tensorflow/tfjs-node`, used when it is installed (an
 *   optional peer dependency: its install downloads a native binary, which not every machine can).
 * - `wasm`: `@tensorflow/tfjs-backend-wasm`, the SIMD build on one thread in Node. The working path
 *   everywhere; about 40x faster than `cpu`. Heed adds the kernels it lacks (`kernels/`).
 * - `cpu`: the pure-JavaScript backend. Fine for tests and reference values, far too slow to train
 *   on: the training loop refuses it unless a test says otherwise (`assertTrainingBackend`).
 *
 * `auto` (the default) tries `tfjs-node`, then `wasm`. See docs/ENGINE.md.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { HeedError, UsageError } from '../util/errors.js';
import { ensureGradients } from './gradients.js';
import { registerWasmKernels } from './kernels/index.js';

export type BackendChoice = 'auto' | 'tfjs-node' | 'wasm' | 'cpu';
export type BackendName = 'tfjs-node' | 'wasm' | 'cpu';

export interface EngineOptions {
  readonly backend?: BackendChoice;
}

export interface EngineInfo {
  readonly backend: BackendName;
  /** WebAssembly SIMD in use (wasm backend only). */
  readonly simd: boolean;
  /** Threads the backend computes on (wasm in Node: always 1). */
  readonly threads: number;
  /** Why `auto` did not pick tfjs-node, when it did not. */
  readonly note?: string;
}

const TFJS_NODE = '@tensorflow/tfjs-node';
/** tfjs-node registers its backend under this name. */
const TFJS_NODE_BACKEND = 'tensorflow';

let current: EngineInfo | undefined;
let pending: { choice: BackendChoice; promise: Promise<EngineInfo> } | undefined;

/**
 * Starts the tensor engine (idempotent: later calls with the same choice return the same info).
 * Asking for another backend after one is running switches to it; tensors move lazily.
 */
export function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const choice = options.backend ?? 'auto';
  if (!['auto', 'tfjs-node', 'wasm', 'cpu'].includes(choice)) {
    return Promise.reject(
      new UsageError(`backend must be one of auto, tfjs-node, wasm, cpu; got "${String(choice)}"`),
    );
  }
  if (pending !== undefined && (pending.choice === choice || (choice === 'auto' && current !== undefined))) {
    return pending.promise;
  }
  const promise = start(choice);
  pending = { choice, promise };
  promise.catch(() => {
    if (pending?.promise === promise) pending = undefined;
  });
  return promise;
}

/** What `initEngine` chose; throws when the engine has not been started. */
export function engineInfo(): EngineInfo {
  if (current === undefined)
    throw new HeedError('the tensor engine is not started: await initEngine() first');
  return current;
}

/** True once `initEngine` has finished. */
export function engineStarted(): boolean {
  return current !== undefined;
}

/**
 * Training entry points call this: the pure-JS `cpu` backend is ~40x slower than wasm, so training
 * on it is refused unless a test passes `allowCpu` (tests use it to compare against reference math).
 */
export function assertTrainingBackend(allowCpu = false): void {
  const info = engineInfo();
  if (info.backend === 'cpu' && !allowCpu) {
    throw new UsageError(
      'refusing to train on the pure-JavaScript "cpu" backend (about 40x slower than wasm); ' +
        'use --backend wasm or auto (allowCpu is for tests only)',
    );
  }
}

async function start(choice: BackendChoice): Promise<EngineInfo> {
  // Heed's errors are its own; tfjs's "install tfjs-node" banner would only confuse users.
  tf.env().set('PROD', true);
  let note: string | undefined;
  let info: EngineInfo | undefined;
  if (choice === 'tfjs-node' || choice === 'auto') {
    const failure = await startTfjsNode();
    if (failure === undefined) {
      info = { backend: 'tfjs-node', simd: false, threads: 0 };
    } else if (choice === 'tfjs-node') {
      throw new UsageError(
        `backend tfjs-node: cannot load ${TFJS_NODE} (${failure}); install it with ` +
          `"npm install ${TFJS_NODE}" or choose --backend wasm`,
      );
    } else {
      note = `${TFJS_NODE} not available (${failure})`;
    }
  }
  if (info === undefined && (choice === 'wasm' || choice === 'auto')) info = await startWasm(note);
  if (info === undefined) info = await startCpu();
  await ensureGradients();
  current = info;
  return info;
}

/** Returns undefined on success, else why it failed. */
async function startTfjsNode(): Promise<string | undefined> {
  try {
    // A variable specifier: tfjs-node is optional and has no types here.
    const specifier: string = TFJS_NODE;
    await import(specifier);
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return message;
  }
  if (tf.findBackendFactory(TFJS_NODE_BACKEND) === null)
    return `it registered no "${TFJS_NODE_BACKEND}" backend`;
  const ok = await tf.setBackend(TFJS_NODE_BACKEND);
  return ok ? undefined : 'its backend failed to initialise';
}

async function startWasm(note: string | undefined): Promise<EngineInfo> {
  // In Node the .wasm binaries are read from the package's dist folder.
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(dist + path.sep);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new HeedError(`the wasm backend failed to initialise (binaries looked for in ${dist})`);
  registerWasmKernels();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const info: EngineInfo = { backend: 'wasm', simd, threads: getThreadsCount() };
  return note === undefined ? info : { ...info, note };
}

async function startCpu(): Promise<EngineInfo> {
  const ok = await tf.setBackend('cpu');
  if (!ok) throw new HeedError('the cpu backend failed to initialise');
  return { backend: 'cpu', simd: false, threads: 1 };
}

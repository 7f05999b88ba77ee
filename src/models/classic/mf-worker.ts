/**
 * A worker thread of a parallel BiasedMF or SVD++ fit (`mf-parallel.ts`). Its first message
 * carries its data: it instantiates the kernels of `mf-kernels.wat` over the trainer's shared
 * memory, sets itself up and replies 0. For every later message, an epoch, it runs its share of the epoch and replies with the
 * sum of squared errors it saw. (The threads start before the data is ready, so that their start-up
 * overlaps the fit's own preparation.)
 *
 * - BiasedMF: its part of the fit, `mf-biased-blocks.ts`.
 * - SVD++: takes the next `usersPerTake` users of the epoch's (already shuffled) visiting order
 *   from a shared cursor until the order is used up.
 */
import { parentPort } from 'node:worker_threads';
import { Rng } from '../../util/rng.js';
import type { WasmMemory } from '../../util/wasm.js';
import { blockPicks, drawInitialFactors, runBlocks, type BiasedBlocks } from './mf-biased-blocks.js';
import { blockingSleep } from './mf-block-schedule.js';
import { mfKernels, type KernelExports } from './mf-kernels.js';

/** What a BiasedMF worker is started with: its part of the fit, and the compiled kernels. */
export interface BiasedWorkerData extends BiasedBlocks {
  readonly kind: 'biasedmf';
  readonly module: object;
}

/** What an SVD++ worker is started with. */
export interface SvdppWorkerData {
  readonly kind: 'svdpp';
  readonly module: object;
  readonly memory: WasmMemory;
  /** Byte offsets as in `SvdppTrainer.at`, with Z and G this worker's own scratch rows. */
  readonly at: {
    P: number;
    Q: number;
    Y: number;
    BU: number;
    BI: number;
    Z: number;
    G: number;
    yDecay: number;
    users: number;
    offsets: number;
    pairs: number;
  };
  readonly stride: number;
  /** Length of the visiting order. */
  readonly users: number;
  /** cursor[0]: the next position of the visiting order to hand out. */
  readonly cursor: Int32Array;
  readonly usersPerTake: number;
}

/** One epoch's rates (decays precomputed as 1 - lr * reg). */
export interface WorkerEpoch {
  readonly mean: number;
  readonly lr: number;
  readonly dec: number;
  readonly lrB: number;
  readonly decB: number;
  /** SVD++ only: the step size of y_j. */
  readonly lrY: number;
  /**
   * Test hook (`exitNextEpochForTest`): the worker ends its thread with `process.exit(exitCode)` in
   * the middle of this epoch (BiasedMF: holding its first block; at the end of the epoch if it got
   * none), without throwing, as a worker killed by its memory limit would.
   */
  readonly exitCode?: number;
}

function svdppEpoch(data: SvdppWorkerData, kernels: KernelExports, e: WorkerEpoch): number {
  const { at, cursor, users, usersPerTake } = data;
  let sse = 0;
  for (;;) {
    const start = Atomics.add(cursor, 0, usersPerTake);
    if (start >= users) return sse;
    sse += kernels.svdppEpoch(
      at.P,
      at.Q,
      at.Y,
      at.BU,
      at.BI,
      at.Z,
      at.G,
      at.yDecay,
      at.users + start * 4,
      Math.min(usersPerTake, users - start),
      at.offsets,
      at.pairs,
      data.stride,
      e.mean,
      e.lr,
      e.dec,
      e.lrB,
      e.decB,
      e.lrY,
    );
  }
}

/** Kernels that end the thread on their first call (the test hook of `WorkerEpoch.exitCode`). */
function exitingKernels(kernels: KernelExports, code: number): KernelExports {
  const exit = (): never => process.exit(code);
  return { ...kernels, biasedBlock: exit, svdppEpoch: exit };
}

let started: { data: BiasedWorkerData | SvdppWorkerData; kernels: KernelExports; picks: Rng } | undefined;
// An error thrown here, also after an await, ends the worker with an 'error' event (an unhandled
// rejection in a worker thread is raised as an uncaught exception), which fails the epoch.
parentPort?.on('message', async (message: BiasedWorkerData | SvdppWorkerData | WorkerEpoch) => {
  if ('kind' in message) {
    let picks = new Rng(0);
    if (message.kind === 'biasedmf') {
      drawInitialFactors(message);
      picks = blockPicks(message);
    }
    started = { data: message, kernels: mfKernels(message.module, message.memory), picks };
    parentPort?.postMessage(0);
    return;
  }
  if (started === undefined) throw new Error('MF worker: an epoch came before the worker data');
  const { data, picks } = started;
  const kernels =
    message.exitCode === undefined ? started.kernels : exitingKernels(started.kernels, message.exitCode);
  const sse =
    data.kind === 'biasedmf'
      ? await runBlocks(data, kernels, picks, message, blockingSleep)
      : svdppEpoch(data, kernels, message);
  // The test hook's worker got no block or user this epoch (the others took them all): it dies
  // before replying instead.
  if (message.exitCode !== undefined) process.exit(message.exitCode);
  parentPort?.postMessage(sse);
});

/**
 * A worker thread of a parallel BiasedMF or SVD++ fit (`mf-parallel.ts`). Its first message
 * carries its data: it instantiates the kernels of `mf-kernels.wat` over the trainer's shared
 * memory. For every later message, an epoch, it runs its share of the epoch and replies with the
 * sum of squared errors it saw. (The threads start before the data is ready, so that their start-up
 * overlaps the fit's own preparation.)
 *
 * - BiasedMF: takes blocks from the LIBMF-style schedule (`mf-block-schedule.ts`) until none is
 *   left, shuffling each block's records before its pass (as the one-thread fit shuffles all).
 * - SVD++: takes the next `usersPerTake` users of the epoch's (already shuffled) visiting order
 *   from a shared cursor until the order is used up.
 */
import { parentPort } from 'node:worker_threads';
import { Rng } from '../../util/rng.js';
import type { WasmMemory } from '../../util/wasm.js';
import { releaseBlock, takeBlock } from './mf-block-schedule.js';
import { mfKernels, type KernelExports } from './mf-kernels.js';

/** What a BiasedMF worker is started with. */
export interface BiasedWorkerData {
  readonly kind: 'biasedmf';
  readonly module: object;
  readonly memory: WasmMemory;
  /** Byte offsets of P, Q, b_u, b_i and of the records, grouped by block. */
  readonly at: { P: number; Q: number; BU: number; BI: number; rec: number };
  readonly stride: number;
  readonly bins: number;
  /** Block b's records are [blockStarts[b], blockStarts[b + 1]). */
  readonly blockStarts: Int32Array;
  readonly schedule: Int32Array;
  readonly seed: number;
  readonly worker: number;
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
  readonly epoch: number;
  readonly mean: number;
  readonly lr: number;
  readonly dec: number;
  readonly lrB: number;
  readonly decB: number;
  /** SVD++ only: the step size of y_j. */
  readonly lrY: number;
}

/**
 * The (nonzero) seed of block `block`'s shuffle in `epoch`: the same whichever thread takes the
 * block, so only the schedule's timing varies between runs.
 */
export function blockShuffleSeed(seed: number, epoch: number, blocks: number, block: number): number {
  return new Rng((Math.imul(seed, 0x9e3779b1) + epoch * blocks + block) >>> 0).nextUint32() || 1;
}

function biasedEpoch(data: BiasedWorkerData, kernels: KernelExports, picks: Rng, e: WorkerEpoch): number {
  const { at, bins, blockStarts, schedule, stride } = data;
  const blocks = bins * bins;
  let sse = 0;
  for (let block = takeBlock(schedule, bins, picks); block >= 0; block = takeBlock(schedule, bins, picks)) {
    const first = blockStarts[block];
    const n = blockStarts[block + 1] - first;
    const rec = at.rec + first * 16;
    kernels.shuffleRecordsSeeded(rec, n, blockShuffleSeed(data.seed, e.epoch, blocks, block));
    sse += kernels.biasedEpoch(at.P, at.Q, at.BU, at.BI, rec, n, stride, e.mean, e.lr, e.dec, e.lrB, e.decB);
    releaseBlock(schedule, bins, block);
  }
  return sse;
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

let started: { data: BiasedWorkerData | SvdppWorkerData; kernels: KernelExports; picks: Rng } | undefined;
parentPort?.on('message', (message: BiasedWorkerData | SvdppWorkerData | WorkerEpoch) => {
  if ('kind' in message) {
    const picks = new Rng(
      message.kind === 'biasedmf' ? blockShuffleSeed(message.seed, -1, 1, message.worker) : 0,
    );
    started = { data: message, kernels: mfKernels(message.module, message.memory), picks };
    return;
  }
  if (started === undefined) throw new Error('MF worker: an epoch came before the worker data');
  const { data, kernels, picks } = started;
  const sse =
    data.kind === 'biasedmf'
      ? biasedEpoch(data, kernels, picks, message)
      : svdppEpoch(data, kernels, message);
  parentPort?.postMessage(sse);
});

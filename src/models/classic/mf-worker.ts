/**
 * A worker thread of a parallel BiasedMF or SVD++ fit (`mf-parallel.ts`). Its first message
 * carries its data: it instantiates the kernels of `mf-kernels.wat` over the trainer's shared
 * memory, sets itself up and replies 0. For every later message, an epoch, it runs its share of the epoch and replies with the
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

/**
 * How BiasedMF's initial factors are drawn: the first `factors` columns of every row with training
 * ratings, normal with standard deviation `std` (as `initFactors` does), from a generator seeded by
 * `seed`, the table and the row, so the numbers do not depend on which worker draws them. The
 * counts are by row of the tables (`ParallelBiasedTrainer` gives them in its row order).
 */
export interface FactorInit {
  readonly factors: number;
  readonly std: number;
  readonly seed: number;
  readonly userCounts: Int32Array;
  readonly itemCounts: Int32Array;
}

/** What a BiasedMF worker is started with. */
export interface BiasedWorkerData {
  readonly kind: 'biasedmf';
  readonly module: object;
  readonly memory: WasmMemory;
  /** Byte offsets of P, Q, b_u, b_i and of the records, grouped by block. */
  readonly at: { P: number; Q: number; BU: number; BI: number; rec: number };
  readonly sizes: { readonly users: number; readonly items: number; readonly stride: number };
  readonly bins: number;
  /** Block b's records are [blockStarts[b], blockStarts[b + 1]) (filled in before the first epoch). */
  readonly blockStarts: Int32Array;
  readonly schedule: Int32Array;
  readonly init: FactorInit;
  /** This worker's index among `workers`. */
  readonly worker: number;
  readonly workers: number;
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
}

/** A generator seed from `seed` and two numbers (Rng's SplitMix32 start decorrelates near seeds). */
function derivedSeed(seed: number, a: number, b: number): number {
  return (Math.imul(seed, 0x9e3779b1) + Math.imul(a, 0x85ebca6b) + b) >>> 0;
}

/** Draws this worker's share (a contiguous range of rows) of P and Q, as `FactorInit` says. */
function drawInitialFactors(data: BiasedWorkerData): void {
  const { at, sizes, init, worker, workers } = data;
  const tables = [
    { at: at.P, rows: sizes.users, counts: init.userCounts },
    { at: at.Q, rows: sizes.items, counts: init.itemCounts },
  ];
  tables.forEach((table, t) => {
    const values = new Float32Array(data.memory.buffer, table.at, table.rows * sizes.stride);
    const last = Math.floor(((worker + 1) * table.rows) / workers);
    for (let r = Math.floor((worker * table.rows) / workers); r < last; r++) {
      if (table.counts[r] === 0) continue;
      const rng = new Rng(derivedSeed(init.seed, t, r));
      for (let f = 0; f < init.factors; f++) values[r * sizes.stride + f] = rng.normal() * init.std;
    }
  });
}

function biasedEpoch(data: BiasedWorkerData, kernels: KernelExports, picks: Rng, e: WorkerEpoch): number {
  const { at, bins, blockStarts, schedule } = data;
  const stride = data.sizes.stride;
  let sse = 0;
  for (let block = takeBlock(schedule, bins, picks); block >= 0; block = takeBlock(schedule, bins, picks)) {
    const first = blockStarts[block];
    const n = blockStarts[block + 1] - first;
    const rec = at.rec + first * 16;
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
    let picks = new Rng(0);
    if (message.kind === 'biasedmf') {
      drawInitialFactors(message);
      picks = new Rng(derivedSeed(message.init.seed, 2, message.worker));
    }
    started = { data: message, kernels: mfKernels(message.module, message.memory), picks };
    parentPort?.postMessage(0);
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

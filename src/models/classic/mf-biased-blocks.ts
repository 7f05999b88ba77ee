/**
 * One thread's part of a parallel BiasedMF fit (`mf-parallel.ts`), the same on a worker thread
 * (`mf-worker.ts`) and on the fit's own thread, which works as one of the threads instead of
 * waiting for the others: drawing its share of the initial factors, then, every epoch, taking
 * blocks from the LIBMF-style schedule (`mf-block-schedule.ts`) until none is left.
 */
import { Rng } from '../../util/rng.js';
import type { WasmMemory } from '../../util/wasm.js';
import { abandonSchedule, releaseBlock, takeBlock, type Sleep } from './mf-block-schedule.js';
import type { KernelExports } from './mf-kernels.js';
import type { WorkerEpoch } from './mf-worker.js';

/**
 * How BiasedMF's initial factors are drawn: the first `factors` columns of every row with training
 * ratings, normal with standard deviation `std` (as `initFactors` does), from a generator seeded by
 * `seed`, the table and the row, so the numbers do not depend on which thread draws them. The
 * counts are by row of the tables (`ParallelBiasedTrainer` gives them in its row order).
 */
export interface FactorInit {
  readonly factors: number;
  readonly std: number;
  readonly seed: number;
  readonly userCounts: Int32Array;
  readonly itemCounts: Int32Array;
}

/** What a thread of a parallel BiasedMF fit works on (all of it shared between the threads). */
export interface BiasedBlocks {
  readonly memory: WasmMemory;
  /** Byte offsets of P, Q, b_u, b_i and of the records (`RECORD_BYTES` each), grouped by block. */
  readonly at: { P: number; Q: number; BU: number; BI: number; rec: number };
  readonly sizes: { readonly users: number; readonly items: number; readonly stride: number };
  readonly bins: number;
  /** Block b's records are [blockStarts[b], blockStarts[b + 1]) (filled in before the first epoch). */
  readonly blockStarts: Int32Array;
  readonly schedule: Int32Array;
  readonly init: FactorInit;
  /** This thread's index among `parts` (its share of the initial factors, its block picks). */
  readonly part: number;
  readonly parts: number;
}

/** Bytes per rating record of the block layout, {user row, item row, rating} (`biasedBlock`). */
export const RECORD_BYTES = 12;

/** Floats per factor row for `factors` (the multiple of 4 `biasedBlock` needs). */
export function blockStride(factors: number): number {
  return Math.max(4, Math.ceil(factors / 4) * 4);
}

/** A generator seed from `seed` and two numbers (Rng's SplitMix32 start decorrelates near seeds). */
function derivedSeed(seed: number, a: number, b: number): number {
  return (Math.imul(seed, 0x9e3779b1) + Math.imul(a, 0x85ebca6b) + b) >>> 0;
}

/** The generator a thread breaks ties between free blocks with. */
export function blockPicks(data: BiasedBlocks): Rng {
  return new Rng(derivedSeed(data.init.seed, 2, data.part));
}

/** Draws this thread's share (a contiguous range of rows) of P and Q, as `FactorInit` says. */
export function drawInitialFactors(data: BiasedBlocks): void {
  const { at, sizes, init, part, parts } = data;
  const tables = [
    { at: at.P, rows: sizes.users, counts: init.userCounts },
    { at: at.Q, rows: sizes.items, counts: init.itemCounts },
  ];
  tables.forEach((table, t) => {
    const values = new Float32Array(data.memory.buffer, table.at, table.rows * sizes.stride);
    const last = Math.floor(((part + 1) * table.rows) / parts);
    for (let r = Math.floor((part * table.rows) / parts); r < last; r++) {
      if (table.counts[r] === 0) continue;
      const rng = new Rng(derivedSeed(init.seed, t, r));
      for (let f = 0; f < init.factors; f++) values[r * sizes.stride + f] = rng.normal() * init.std;
    }
  });
}

/**
 * Runs blocks until the epoch has none left; returns the squared errors this thread saw. A thread
 * that fails here (also when its `sleep` throws because a worker died) abandons the schedule, so
 * that the others do not wait for its block forever.
 */
export async function runBlocks(
  data: BiasedBlocks,
  kernels: KernelExports,
  picks: Rng,
  e: WorkerEpoch,
  sleep: Sleep,
): Promise<number> {
  const { at, bins, blockStarts, schedule } = data;
  const stride = data.sizes.stride;
  let sse = 0;
  try {
    for (;;) {
      // takeBlock and releaseBlock return promises only when this thread had to yield to its event
      // loop, so a block costs no promise on the usual path.
      let block = takeBlock(schedule, bins, picks, sleep);
      if (typeof block !== 'number') block = await block;
      if (block < 0) break;
      const first = blockStarts[block];
      const n = blockStarts[block + 1] - first;
      const rec = at.rec + first * RECORD_BYTES;
      sse += kernels.biasedBlock(
        at.P,
        at.Q,
        at.BU,
        at.BI,
        rec,
        n,
        stride,
        e.mean,
        e.lr,
        e.dec,
        e.lrB,
        e.decB,
      );
      const released = releaseBlock(schedule, bins, block, sleep);
      if (released !== undefined) await released;
    }
  } catch (error) {
    abandonSchedule(schedule);
    throw error;
  }
  return sse;
}

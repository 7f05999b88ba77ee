/**
 * BiasedMF and SVD++ epochs on several threads: worker threads (`mf-worker.ts`) run the kernels of
 * `mf-kernels.wat` over one shared WebAssembly memory holding every parameter; in a BiasedMF fit,
 * the fit's own thread works as one of the threads too.
 *
 * BiasedMF follows LIBMF (Zhuang, Chin, Juan & Lin, RecSys 2013): users and items get their rows in
 * a random order once (LIBMF permutes their ids), each group of users (of items) is a contiguous
 * range of rows, the ratings are stored block by block, and the threads take blocks that share no
 * user group and no item group with a block another thread holds (`mf-block-schedule.ts`), so no
 * parameter is ever written by two threads at once. Like LIBMF, the ratings are not shuffled
 * between epochs: within a block they keep the order they came in (MovieLens: grouped by user, as
 * LIBMF sorts them), and the randomness of an epoch is the order the blocks are taken in. On ml-1m
 * this was as accurate as reshuffling every block before every pass (test RMSE 0.8561 to 0.8562
 * either way, 20 epochs), took about 0.2 s less CPU time per fit (no shuffles), and keeps a user's
 * p_u in cache across the user's ratings in the block. Every thread draws its share of the initial
 * factors (from generators seeded by row) as soon as it has started, while this thread lays the
 * ratings out; they are the same normal draws as the one-thread fit's, but not the same numbers.
 *
 * SVD++ cannot be cut into independent blocks: a user's pass reads the implicit factors y_j of
 * every item the user rated and updates all of them. Users are the natural unit: the threads take
 * users of the epoch's shuffled visiting order in turns, so each user's p_u, b_u and scratch are
 * touched by one thread only, while the item side (q_i, b_i, y_j) is updated without locks
 * (Hogwild!, Recht, Re, Wright & Niu, NIPS 2011): an update that meets another thread's
 * concurrent one on the same item may overwrite it.
 *
 * Neither is reproducible bit for bit: which thread gets which block or user, and when, depends on
 * timing. `threads` = 1 runs the original one-thread code instead.
 */
import { availableParallelism } from 'node:os';
import type { RatingSubset } from '../../data/dataset.js';
import type { Rng } from '../../util/rng.js';
import { newBlockSchedule, startScheduleEpoch } from './mf-block-schedule.js';
import {
  Layout,
  mfKernelModule,
  type KernelExports,
  type SgdRates,
  type SvdppTrainer,
} from './mf-kernels.js';
import {
  blockPicks,
  blockStride,
  drawInitialFactors,
  RECORD_BYTES,
  runBlocks,
  type BiasedBlocks,
  type FactorInit,
} from './mf-biased-blocks.js';
import type { TrainedTables } from './biased-factors.js';
import type { MfWorkerPool } from './mf-worker-pool.js';
import type { BiasedWorkerData, SvdppWorkerData } from './mf-worker.js';

/**
 * Training ratings per thread below which a fit uses fewer threads: starting a worker thread costs
 * tens of milliseconds, more than a whole small fit, and a one-thread fit is reproducible.
 */
export const MIN_RATINGS_PER_THREAD = 20_000;

/**
 * The threads a fit of `ratings` training ratings runs on: the `threads` setting (0: every core),
 * at most one per `MIN_RATINGS_PER_THREAD` ratings, at least one.
 */
export function fitThreads(setting: number, ratings: number): number {
  const wanted = setting === 0 ? availableParallelism() : setting;
  return Math.max(1, Math.min(wanted, Math.floor(ratings / MIN_RATINGS_PER_THREAD)));
}

/**
 * Grid size for `threads`: LIBMF's default of 20 × 20 blocks, and more than twice the threads
 * (LIBMF's requirement), so that a thread finishing a block nearly always finds a free one.
 */
export function gridBins(threads: number): number {
  return Math.max(20, 2 * threads + 1);
}

/** SVD++ users handed to a thread at a time (a few thousand ratings on MovieLens). */
const USERS_PER_TAKE = 16;

/**
 * Rows of the trainer's tables for `count` ids in random order (LIBMF permutes its ids too): id x
 * gets row `rowOf[x]`, and `idOf` is the inverse. Grouping the rows into `bins` CONTIGUOUS ranges
 * (`groupOfRow`) rather than putting ids into random groups where they stand keeps each group's
 * rows, and biases, on cache lines of their own. With the groups interleaved, neighbouring rows
 * and biases of different groups shared cache lines that two threads wrote at once: on ml-1m
 * (k = 100) each of two threads spent about 42 ms per epoch in the kernel on its half of the
 * blocks, against 28 ms for all of them on one thread; with contiguous groups, about 20 ms.
 */
function randomRows(count: number, rng: Rng): { rowOf: Int32Array; idOf: Int32Array } {
  const idOf = rng.permutation(count);
  const rowOf = new Int32Array(count);
  for (let row = 0; row < count; row++) rowOf[idOf[row]] = row;
  return { rowOf, idOf };
}

/** The group of each of `count` rows: `bins` contiguous ranges of nearly equal size. */
function groupOfRow(count: number, bins: number): Int32Array {
  const group = new Int32Array(count);
  for (let row = 0; row < count; row++) group[row] = Math.floor((row * bins) / count);
  return group;
}

/** `values` (rows of `stride` floats, or single floats with `stride` 1) back in id order. */
function byId(values: Float32Array, idOf: Int32Array, stride: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let row = 0; row < idOf.length; row++) {
    out.set(values.subarray(row * stride, (row + 1) * stride), idOf[row] * stride);
  }
  return out;
}

/**
 * BiasedMF's parameters and training ratings laid out for a parallel fit on `pool.size + 1`
 * threads: the workers of `pool` (which the caller closes when the fit ends, however it ends) and
 * this one, which runs its part of every epoch instead of waiting (one thread fewer to start).
 */
export class ParallelBiasedTrainer {
  readonly stride: number;
  readonly count: number;
  readonly bins: number;
  /** μ, the mean training rating. */
  readonly mean: number;
  /** The tables, row r holding user (item) `userIdOf[r]` (`itemIdOf[r]`). */
  private readonly userFactors: Float32Array;
  private readonly itemFactors: Float32Array;
  private readonly userBias: Float32Array;
  private readonly itemBias: Float32Array;
  private readonly userIdOf: Int32Array;
  private readonly itemIdOf: Int32Array;
  private readonly pool: MfWorkerPool;
  /** This thread's part of the fit, and its kernels and block picks. */
  private readonly own: BiasedBlocks;
  private readonly kernels: KernelExports;
  private readonly picks: Rng;

  /**
   * `rng` draws the order of the users' and items' rows; the threads draw the initial factors as
   * `init` says (the counts are filled in here).
   */
  constructor(
    pool: MfWorkerPool,
    train: RatingSubset,
    init: Omit<FactorInit, 'userCounts' | 'itemCounts'>,
    rng: Rng,
  ) {
    const { indices, dataset } = train;
    const { user, item, rating } = dataset.ratings;
    const users = dataset.users.ids.length;
    const items = dataset.items.ids.length;
    const n = indices.length;
    const stride = blockStride(init.factors);
    const parts = pool.size + 1;
    const bins = gridBins(parts);
    this.bins = bins;
    this.stride = stride;
    this.count = n;
    this.pool = pool;

    const layout = new Layout();
    this.kernels = layout.kernels;
    const at = {
      P: layout.reserve(users * stride * 4),
      Q: layout.reserve(items * stride * 4),
      BU: layout.reserve(users * 4),
      BI: layout.reserve(items * 4),
      rec: layout.reserve(n * RECORD_BYTES),
    };
    const buffer = layout.commit('biasedmf');
    this.userFactors = new Float32Array(buffer, at.P, users * stride);
    this.itemFactors = new Float32Array(buffer, at.Q, items * stride);
    this.userBias = new Float32Array(buffer, at.BU, users);
    this.itemBias = new Float32Array(buffer, at.BI, items);

    const userRows = randomRows(users, rng);
    const itemRows = randomRows(items, rng);
    this.userIdOf = userRows.idOf;
    this.itemIdOf = itemRows.idOf;
    const userRow = userRows.rowOf;
    const itemRow = itemRows.rowOf;
    const userGroup = groupOfRow(users, bins);
    const itemGroup = groupOfRow(items, bins);
    const blockOf = (x: number): number => userGroup[userRow[user[x]]] * bins + itemGroup[itemRow[item[x]]];

    // One pass for the ratings per row (the initial factors need them), μ and the block sizes.
    const userCounts = new Int32Array(users);
    const itemCounts = new Int32Array(items);
    const blockStarts = new Int32Array(new SharedArrayBuffer((bins * bins + 1) * 4));
    let sum = 0;
    for (let t = 0; t < n; t++) {
      const x = indices[t];
      userCounts[userRow[user[x]]]++;
      itemCounts[itemRow[item[x]]]++;
      sum += rating[x];
      blockStarts[blockOf(x) + 1]++;
    }
    this.mean = n > 0 ? sum / n : 0;
    for (let b = 0; b < bins * bins; b++) blockStarts[b + 1] += blockStarts[b];

    // The workers draw their share of the initial factors while this thread lays out the ratings;
    // they read `blockStarts` only from the first epoch on.
    const schedule = newBlockSchedule(bins);
    const part = (p: number): BiasedBlocks => ({
      memory: layout.memory,
      at,
      sizes: { users, items, stride },
      bins,
      blockStarts,
      schedule,
      init: { ...init, userCounts, itemCounts },
      part: p,
      parts,
    });
    this.own = part(pool.size);
    const module = mfKernelModule();
    pool.start((worker): BiasedWorkerData => ({ ...part(worker), kind: 'biasedmf', module }));

    // A stable counting sort by block: within a block, the ratings keep the order they came in.
    const words = RECORD_BYTES / 4;
    const recInt = new Int32Array(buffer, at.rec, n * words);
    const recFloat = new Float32Array(buffer, at.rec, n * words);
    const next = blockStarts.slice(0, bins * bins);
    for (let t = 0; t < n; t++) {
      const x = indices[t];
      const r = words * next[blockOf(x)]++;
      recInt[r] = userRow[user[x]];
      recInt[r + 1] = itemRow[item[x]];
      recFloat[r + 2] = rating[x];
    }
    drawInitialFactors(this.own);
    this.picks = blockPicks(this.own);
  }

  /** The current parameters by user and item id (copies; factor rows of length `stride`). */
  tables(): TrainedTables & { readonly stride: number } {
    const { stride } = this;
    return {
      stride,
      userFactors: byId(this.userFactors, this.userIdOf, stride),
      itemFactors: byId(this.itemFactors, this.itemIdOf, stride),
      userBias: byId(this.userBias, this.userIdOf, 1),
      itemBias: byId(this.itemBias, this.itemIdOf, 1),
    };
  }

  /** One SGD pass over every block; returns the sum of squared errors. */
  async epoch(rates: SgdRates): Promise<number> {
    await this.pool.ready;
    startScheduleEpoch(this.own.schedule, this.bins);
    const message = {
      mean: this.mean,
      lr: rates.lr,
      dec: 1 - rates.lr * rates.reg,
      lrB: rates.lrBias,
      decB: 1 - rates.lrBias * rates.regBias,
      lrY: 0,
    };
    // Posted before this thread starts on its own blocks (`epoch` posts at once). It may reject
    // while this thread works (a worker died): that is seen below, not an unhandled rejection.
    const others = this.pool.epoch(message);
    others.catch(() => undefined);
    // When this thread fails, the workers stop at their next block; its error is the fit's.
    const mine = await runBlocks(this.own, this.kernels, this.picks, message, this.pool.fitThreadSleep);
    return mine + (await others);
  }
}

/**
 * SVD++ epochs over an `SvdppTrainer` built with one scratch slot per thread of `pool` (which the
 * caller closes). The caller shuffles the trainer (on its own thread) before each epoch.
 */
export class SvdppWorkers {
  private readonly trainer: SvdppTrainer;
  private readonly cursor = new Int32Array(new SharedArrayBuffer(4));
  private readonly pool: MfWorkerPool;

  constructor(pool: MfWorkerPool, trainer: SvdppTrainer) {
    this.trainer = trainer;
    this.pool = pool;
    const module = mfKernelModule();
    const { at, stride } = trainer;
    pool.start((worker): SvdppWorkerData => ({
      kind: 'svdpp',
      module,
      memory: trainer.memory,
      at: { ...at, Z: at.Z + worker * stride * 4, G: at.G + worker * stride * 4 },
      stride,
      users: trainer.activeUsers,
      cursor: this.cursor,
      usersPerTake: USERS_PER_TAKE,
    }));
  }

  /** One pass over the trainer's users in their current order (see `SvdppTrainer.epoch`). */
  async epoch(mean: number, rates: SgdRates, lrImplicit: number, regImplicit: number): Promise<number> {
    await this.pool.ready;
    this.trainer.setImplicitDecay(lrImplicit, regImplicit);
    Atomics.store(this.cursor, 0, 0);
    return this.pool.epoch({
      mean,
      lr: rates.lr,
      dec: 1 - rates.lr * rates.reg,
      lrB: rates.lrBias,
      decB: 1 - rates.lrBias * rates.regBias,
      lrY: lrImplicit,
    });
  }
}

/**
 * The WebAssembly SIMD training kernels of BiasedMF and SVD++ (`mf-kernels.wat`), wrapped as two
 * trainers that own their parameters inside one wasm instance's memory.
 *
 * A trainer lays out every array it needs once, grows the memory once, and then hands out
 * `Float32Array` views of its parameters: a model writes its initial values into them, runs
 * epochs, and copies the results out. Factor rows are stored with a `stride` that is a multiple of
 * 8 floats (the kernels process 8 lanes per step); the padding columns start at zero and stay zero.
 *
 * All randomness (the shuffles) comes from the caller's seeded `Rng`: the kernels only apply the
 * swaps it draws, so runs are reproducible bit for bit.
 *
 * The memory is a shared one, so that worker threads can run the same kernels over the same
 * parameters (`mf-parallel.ts`); on the calling thread alone nothing changes.
 */
import { UsageError } from '../../util/errors.js';
import type { Rng } from '../../util/rng.js';
import { MF_KERNELS_WASM_BASE64 } from './mf-kernels-wasm.js';
import {
  growMemory,
  sharedMemory,
  wasmInstance,
  wasmModule,
  WASM_MAX_BYTES,
  type WasmMemory,
} from '../../util/wasm.js';

/** The functions of `mf-kernels.wat`. */
export interface KernelExports {
  shuffleRecords(rec: number, swaps: number, n: number): void;
  shuffleSegments(pairs: number, offsets: number, nSeg: number, swaps: number): void;
  biasedEpoch(
    P: number,
    Q: number,
    BU: number,
    BI: number,
    rec: number,
    n: number,
    k: number,
    mu: number,
    lr: number,
    dec: number,
    lrB: number,
    decB: number,
  ): number;
  biasedBlock(
    P: number,
    Q: number,
    BU: number,
    BI: number,
    rec: number,
    n: number,
    k: number,
    mu: number,
    lr: number,
    dec: number,
    lrB: number,
    decB: number,
  ): number;
  svdppEpoch(
    P: number,
    Q: number,
    Y: number,
    BU: number,
    BI: number,
    Z: number,
    G: number,
    yDecay: number,
    users: number,
    nUsers: number,
    offsets: number,
    pairs: number,
    k: number,
    mu: number,
    lr: number,
    dec: number,
    lrB: number,
    decB: number,
    lrY: number,
  ): number;
}

/** The compiled kernel module (a worker thread instantiates it over the trainer's memory). */
export const mfKernelModule = (): object => wasmModule(MF_KERNELS_WASM_BASE64);

/** The kernels over `memory` (in any thread). */
export function mfKernels(module: object, memory: WasmMemory): KernelExports {
  return wasmInstance<KernelExports>(module, { env: { memory } });
}

/** Floats per factor row in the kernels' layout: `factors` rounded up to a multiple of 8. */
export function paddedStride(factors: number): number {
  return Math.max(8, Math.ceil(factors / 8) * 8);
}

/** Ratings per kernel call (see `BiasedTrainer.epoch`). */
const CHUNK = 32768;

/** Plans byte offsets (16-byte aligned) in a fresh instance's memory, then grows it once. */
export class Layout {
  readonly memory = sharedMemory();
  readonly kernels = mfKernels(mfKernelModule(), this.memory);
  private end: number;

  constructor() {
    // Byte 0..63 stay unused so that no array sits at address 0.
    this.end = 64;
  }

  reserve(bytes: number): number {
    const at = this.end;
    this.end += Math.ceil(bytes / 16) * 16;
    return at;
  }

  /** Grows the memory to hold everything reserved; views may be taken only after this. */
  commit(what: string): ArrayBuffer {
    if (this.end > WASM_MAX_BYTES) {
      throw new UsageError(
        `${what}: training needs ${(this.end / 2 ** 30).toFixed(1)} GiB of WebAssembly memory, more than its 4 GiB limit; lower "factors" or train on fewer ratings`,
      );
    }
    growMemory(this.memory, this.end);
    return this.memory.buffer;
  }
}

/** Learning rates and regularisation of one epoch (per-step decay is computed here). */
export interface SgdRates {
  readonly lr: number;
  readonly reg: number;
  readonly lrBias: number;
  readonly regBias: number;
}

/**
 * BiasedMF's trainer: parameters plus the training ratings as 16-byte records
 * {user, item, rating, unused}, shuffled in place before each epoch.
 */
export class BiasedTrainer {
  readonly stride: number;
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  readonly userBias: Float32Array;
  readonly itemBias: Float32Array;
  readonly count: number;
  /** Ratings per kernel call; any value gives the same numbers (tests vary it). */
  chunk = CHUNK;
  private readonly k: KernelExports;
  private readonly swaps: Uint32Array;
  private readonly at: { P: number; Q: number; BU: number; BI: number; rec: number; swaps: number };

  constructor(
    nUsers: number,
    nItems: number,
    stride: number,
    user: Int32Array,
    item: Int32Array,
    rating: Float32Array,
  ) {
    const n = rating.length;
    const layout = new Layout();
    this.k = layout.kernels;
    this.stride = stride;
    this.count = n;
    this.at = {
      P: layout.reserve(nUsers * stride * 4),
      Q: layout.reserve(nItems * stride * 4),
      BU: layout.reserve(nUsers * 4),
      BI: layout.reserve(nItems * 4),
      rec: layout.reserve(n * 16),
      swaps: layout.reserve(n * 4),
    };
    const buffer = layout.commit('biasedmf');
    this.userFactors = new Float32Array(buffer, this.at.P, nUsers * stride);
    this.itemFactors = new Float32Array(buffer, this.at.Q, nItems * stride);
    this.userBias = new Float32Array(buffer, this.at.BU, nUsers);
    this.itemBias = new Float32Array(buffer, this.at.BI, nItems);
    this.swaps = new Uint32Array(buffer, this.at.swaps, n);
    const recInt = new Int32Array(buffer, this.at.rec, n * 4);
    const recFloat = new Float32Array(buffer, this.at.rec, n * 4);
    for (let t = 0; t < n; t++) {
      recInt[4 * t] = user[t];
      recInt[4 * t + 1] = item[t];
      recFloat[4 * t + 2] = rating[t];
    }
  }

  /** Fisher-Yates over the records with draws from `rng` (t = n-1 down to 1, partner in [0, t]). */
  shuffle(rng: Rng): void {
    const swaps = this.swaps;
    for (let t = this.count - 1; t > 0; t--) swaps[t] = rng.int(t + 1);
    this.k.shuffleRecords(this.at.rec, this.at.swaps, this.count);
  }

  /** One SGD pass over the records in their current order; returns the sum of squared errors. */
  epoch(mean: number, rates: SgdRates): number {
    const { P, Q, BU, BI, rec } = this.at;
    const dec = 1 - rates.lr * rates.reg;
    const decB = 1 - rates.lrBias * rates.regBias;
    let sse = 0;
    // In chunks: V8 first runs wasm code from its baseline compiler and switches to the optimised
    // code only on a later call, so one call per epoch would run the whole first epoch slowly.
    const chunk = Math.max(1, this.chunk);
    for (let start = 0; start < this.count; start += chunk) {
      const n = Math.min(chunk, this.count - start);
      sse += this.k.biasedEpoch(
        P,
        Q,
        BU,
        BI,
        rec + start * 16,
        n,
        this.stride,
        mean,
        rates.lr,
        dec,
        rates.lrBias,
        decB,
      );
    }
    return sse;
  }
}

/**
 * SVD++'s trainer: parameters plus the training ratings grouped by user (CSR: `offsets` by user
 * index, 8-byte pairs {item, rating}), the order users are visited in, and per-user scratch.
 */
export class SvdppTrainer {
  readonly stride: number;
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  /** y_j, the implicit-feedback factors of Koren 2008 Eq. 15. */
  readonly implicitFactors: Float32Array;
  readonly userBias: Float32Array;
  readonly itemBias: Float32Array;
  /** Ratings per user in training, |N(u)|. */
  readonly userCounts: Int32Array;
  readonly count: number;
  /** About this many ratings per kernel call; any value gives the same numbers (tests vary it). */
  chunk = CHUNK;
  /** The shared memory holding everything below (worker threads run kernels over it). */
  readonly memory: WasmMemory;
  private readonly k: KernelExports;
  private readonly offsets: Int32Array;
  private readonly order: Int32Array;
  private readonly swaps: Uint32Array;
  private readonly yDecay: Float32Array;
  /** Byte offsets of the arrays in `memory`; Z and G hold `scratchSlots` rows of `stride` floats. */
  readonly at: Readonly<{
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
    swaps: number;
  }>;

  constructor(
    nUsers: number,
    nItems: number,
    stride: number,
    user: Int32Array,
    item: Int32Array,
    rating: Float32Array,
    scratchSlots = 1,
  ) {
    const n = rating.length;
    const userCounts = new Int32Array(nUsers);
    for (let t = 0; t < n; t++) userCounts[user[t]]++;
    let active = 0;
    for (let u = 0; u < nUsers; u++) if (userCounts[u] > 0) active++;

    const layout = new Layout();
    this.k = layout.kernels;
    this.memory = layout.memory;
    this.stride = stride;
    this.count = n;
    this.userCounts = userCounts;
    this.at = {
      P: layout.reserve(nUsers * stride * 4),
      Q: layout.reserve(nItems * stride * 4),
      Y: layout.reserve(nItems * stride * 4),
      BU: layout.reserve(nUsers * 4),
      BI: layout.reserve(nItems * 4),
      Z: layout.reserve(scratchSlots * stride * 4),
      G: layout.reserve(scratchSlots * stride * 4),
      yDecay: layout.reserve(nUsers * 4),
      users: layout.reserve(active * 4),
      offsets: layout.reserve((nUsers + 1) * 4),
      pairs: layout.reserve(n * 8),
      swaps: layout.reserve(n * 4),
    };
    const buffer = layout.commit('svdpp');
    this.userFactors = new Float32Array(buffer, this.at.P, nUsers * stride);
    this.itemFactors = new Float32Array(buffer, this.at.Q, nItems * stride);
    this.implicitFactors = new Float32Array(buffer, this.at.Y, nItems * stride);
    this.userBias = new Float32Array(buffer, this.at.BU, nUsers);
    this.itemBias = new Float32Array(buffer, this.at.BI, nItems);
    this.yDecay = new Float32Array(buffer, this.at.yDecay, nUsers);
    this.order = new Int32Array(buffer, this.at.users, active);
    this.offsets = new Int32Array(buffer, this.at.offsets, nUsers + 1);
    this.swaps = new Uint32Array(buffer, this.at.swaps, n);

    // Counting sort of the ratings by user, keeping their given order within a user.
    const offsets = this.offsets;
    for (let u = 0; u < nUsers; u++) offsets[u + 1] = offsets[u] + userCounts[u];
    const next = offsets.slice(0, nUsers);
    const pairInt = new Int32Array(buffer, this.at.pairs, n * 2);
    const pairFloat = new Float32Array(buffer, this.at.pairs, n * 2);
    for (let t = 0; t < n; t++) {
      const at = next[user[t]]++;
      pairInt[2 * at] = item[t];
      pairFloat[2 * at + 1] = rating[t];
    }
    let a = 0;
    for (let u = 0; u < nUsers; u++) if (userCounts[u] > 0) this.order[a++] = u;
  }

  /**
   * Shuffles the order users are visited in, then each user's ratings, with draws from `rng`
   * (users first, then users by index, positions from last to first).
   */
  shuffle(rng: Rng): void {
    rng.shuffle(this.order);
    const { offsets, swaps } = this;
    const nUsers = offsets.length - 1;
    for (let u = 0; u < nUsers; u++) {
      const start = offsets[u];
      for (let t = offsets[u + 1] - 1; t > start; t--) swaps[t] = rng.int(t - start + 1);
    }
    this.k.shuffleSegments(this.at.pairs, this.at.offsets, nUsers, this.at.swaps);
  }

  /**
   * One SGD pass, user by user (see `svdppEpoch` in mf-kernels.wat). `regImplicit` regularises
   * y_j; its decay over a user's c ratings is applied at once as (1 - lr*regImplicit)^c.
   */
  epoch(mean: number, rates: SgdRates, lrImplicit: number, regImplicit: number): number {
    this.setImplicitDecay(lrImplicit, regImplicit);
    const at = this.at;
    const dec = 1 - rates.lr * rates.reg;
    const decB = 1 - rates.lrBias * rates.regBias;
    const users = this.order.length;
    const chunk = Math.max(1, Math.round((this.chunk * users) / Math.max(1, this.count)));
    let sse = 0;
    // In chunks of about `chunk` ratings, for the reason given in BiasedTrainer.epoch.
    for (let start = 0; start < users; start += chunk) {
      sse += this.k.svdppEpoch(
        at.P,
        at.Q,
        at.Y,
        at.BU,
        at.BI,
        at.Z,
        at.G,
        at.yDecay,
        at.users + start * 4,
        Math.min(chunk, users - start),
        at.offsets,
        at.pairs,
        this.stride,
        mean,
        rates.lr,
        dec,
        rates.lrBias,
        decB,
        lrImplicit,
      );
    }
    return sse;
  }

  /** Users with training ratings: the length of the visiting order. */
  get activeUsers(): number {
    return this.order.length;
  }

  /** Each user's decay of y_j over one visit, (1 - lrImplicit*regImplicit)^|N(u)|, for the next epoch. */
  setImplicitDecay(lrImplicit: number, regImplicit: number): void {
    const { userCounts, yDecay } = this;
    const step = 1 - lrImplicit * regImplicit;
    for (let u = 0; u < yDecay.length; u++) yDecay[u] = Math.pow(step, userCounts[u]);
  }

  /** The users' ratings in the order the next epoch visits them (for tests). */
  visitOrder(): { users: Int32Array; offsets: Int32Array; items: Int32Array; ratings: Float32Array } {
    const buffer = this.memory.buffer;
    const n = this.count;
    const pairInt = new Int32Array(buffer, this.at.pairs, n * 2);
    const pairFloat = new Float32Array(buffer, this.at.pairs, n * 2);
    const items = new Int32Array(n);
    const ratings = new Float32Array(n);
    for (let t = 0; t < n; t++) {
      items[t] = pairInt[2 * t];
      ratings[t] = pairFloat[2 * t + 1];
    }
    return { users: this.order.slice(), offsets: this.offsets.slice(), items, ratings };
  }
}

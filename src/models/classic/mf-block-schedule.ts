/**
 * The block schedule of parallel BiasedMF epochs, after LIBMF (Zhuang, Chin, Juan & Lin, "A Fast
 * Parallel SGD for Matrix Factorization in Shared Memory Systems", RecSys 2013, Sec. 4): the
 * rating matrix is cut into `bins` × `bins` blocks by user group (row) and item group (column),
 * with `bins` larger than twice the number of threads; a thread takes a free block — one whose row
 * and column no other thread holds — so that no two threads ever update the same p_u, q_i, b_u or
 * b_i, and no locks are needed on the parameters.
 *
 * LIBMF's scheduler hands out the free block updated least often (ties broken at random). Heed
 * ends every epoch at a barrier (the learning rates decay per epoch, progress is reported per
 * epoch), so within an epoch "updated least" means "not updated yet this epoch": every block is
 * taken exactly once per epoch. Among the free blocks left, a thread takes one in a row and
 * column with the most blocks left (ties broken at random): taking blocks at random instead tends
 * to leave the epoch's last blocks in one row or column, where only one thread can work while the
 * others wait.
 *
 * The state lives in a shared Int32Array so that all worker threads see it; it is changed only
 * under a lock taken with Atomics, and a thread that finds no free block sleeps on `VERSION` until
 * another thread gives a block back. How a thread sleeps is the caller's `Sleep`: a worker thread
 * blocks in Atomics.wait (`abandonSchedule` wakes it); the fit's own thread must not block its
 * event loop for long, or it would never hear of a worker that died holding a block or the lock
 * (`util/worker-death.ts`).
 */
import type { Rng } from '../../util/rng.js';

const LOCK = 0;
/** Bumped whenever a block is given back; the threads waiting for a free block sleep on it. */
const VERSION = 1;
/** Blocks not taken yet this epoch. */
const LEFT = 2;
/** Set when a thread failed in the middle of an epoch: the others stop instead of waiting on it. */
const ABANDONED = 3;
const HEADER = 4;
/** `LOCK` held; `LOCK_ABANDONED`: also held, maybe by a thread that died, so no waiter waits on 1. */
const LOCKED = 1;
const LOCK_ABANDONED = 2;

/**
 * How a thread sleeps until `state[index]` may no longer be `value` (it may return sooner; callers
 * check again). It may throw, to end the epoch on this thread (the schedule is then abandoned).
 */
export type Sleep = (state: Int32Array, index: number, value: number) => Promise<void> | undefined;

/** A worker thread's `Sleep`: Atomics.wait until notified (`abandonSchedule` notifies too). */
export const blockingSleep: Sleep = (state, index, value) => {
  Atomics.wait(state, index, value);
  return undefined;
};

/**
 * Where the arrays of `bins` start in the state: busy rows, busy columns, blocks left per row and
 * per column, taken blocks.
 */
const busyRowAt = (): number => HEADER;
const busyColumnAt = (bins: number): number => HEADER + bins;
const rowLeftAt = (bins: number): number => HEADER + 2 * bins;
const columnLeftAt = (bins: number): number => HEADER + 3 * bins;
const takenAt = (bins: number): number => HEADER + 4 * bins;

/** A fresh schedule state for a `bins` × `bins` grid, in shared memory. */
export function newBlockSchedule(bins: number): Int32Array {
  const words = HEADER + 4 * bins + bins * bins;
  return new Int32Array(new SharedArrayBuffer(words * 4));
}

/**
 * Starts an epoch: every block untaken, no row or column busy. Call only while no thread is inside
 * `takeBlock` or holds a block.
 */
export function startScheduleEpoch(state: Int32Array, bins: number): void {
  for (let x = HEADER; x < state.length; x++) Atomics.store(state, x, 0);
  for (let x = rowLeftAt(bins); x < takenAt(bins); x++) Atomics.store(state, x, bins);
  Atomics.store(state, LEFT, bins * bins);
}

/** `takeBlock`'s pick when every block left conflicts with a held one. */
const NO_FREE_BLOCK = -2;

/**
 * Runs `body` under the lock and returns what it returns, or `abandoned` once the schedule is
 * abandoned. A promise only when the thread had to sleep and its `Sleep` returned one: the fit's
 * thread pays for no promise while the lock is free or soon freed.
 */
function withLock<T>(state: Int32Array, sleep: Sleep, abandoned: T, body: () => T): T | Promise<T> {
  for (;;) {
    if (Atomics.load(state, ABANDONED) !== 0) return abandoned;
    if (Atomics.compareExchange(state, LOCK, 0, LOCKED) === 0) {
      const result = body();
      Atomics.store(state, LOCK, 0);
      Atomics.notify(state, LOCK, 1);
      return result;
    }
    const slept = sleep(state, LOCK, LOCKED);
    if (slept !== undefined) return slept.then(() => withLock(state, sleep, abandoned, body));
  }
}

/**
 * Takes a block for the calling thread: among the free blocks not taken yet this epoch, one whose
 * row and column have the most blocks left (the first such from a random start), marking its row
 * and column busy. Waits while every such block conflicts with a block another thread holds.
 * Returns the block (row * bins + column), or -1 once every block of the epoch has been taken or
 * the schedule has been abandoned; a promise of it only when the thread slept on a promise.
 */
export function takeBlock(state: Int32Array, bins: number, rng: Rng, sleep: Sleep): number | Promise<number> {
  for (;;) {
    // Read before picking: a block given back after the pick has changed it, so the sleep below
    // returns at once.
    const seen = Atomics.load(state, VERSION);
    const block = withLock(state, sleep, -1, () => pickBlock(state, bins, rng));
    if (typeof block !== 'number') {
      return block.then((picked) => (picked === NO_FREE_BLOCK ? takeBlock(state, bins, rng, sleep) : picked));
    }
    if (block !== NO_FREE_BLOCK) return block;
    const slept = sleep(state, VERSION, seen);
    if (slept !== undefined) return slept.then(() => takeBlock(state, bins, rng, sleep));
  }
}

/** `takeBlock`'s choice, under the lock: a block, -1 when none is left, or NO_FREE_BLOCK. */
function pickBlock(state: Int32Array, bins: number, rng: Rng): number {
  const blocks = bins * bins;
  const rows = busyRowAt();
  const columns = busyColumnAt(bins);
  const rowLeft = rowLeftAt(bins);
  const columnLeft = columnLeftAt(bins);
  const taken = takenAt(bins);
  if (state[LEFT] === 0 || state[ABANDONED] !== 0) return -1;
  const start = rng.int(blocks);
  let best = -1;
  let bestLeft = 0;
  for (let step = 0; step < blocks; step++) {
    const block = (start + step) % blocks;
    const row = Math.floor(block / bins);
    const column = block % bins;
    if (state[taken + block] !== 0 || state[rows + row] !== 0 || state[columns + column] !== 0) continue;
    const left = state[rowLeft + row] + state[columnLeft + column];
    if (left > bestLeft) {
      best = block;
      bestLeft = left;
    }
  }
  if (best < 0) return NO_FREE_BLOCK;
  const row = Math.floor(best / bins);
  const column = best % bins;
  state[taken + best] = 1;
  state[rows + row] = 1;
  state[columns + column] = 1;
  state[rowLeft + row]--;
  state[columnLeft + column]--;
  state[LEFT]--;
  return best;
}

/**
 * Gives `block` back: its row and column are free again; wakes the threads waiting for one. Does
 * nothing once the schedule is abandoned. A promise only when the thread slept on a promise.
 */
export function releaseBlock(
  state: Int32Array,
  bins: number,
  block: number,
  sleep: Sleep,
): void | Promise<void> {
  const released = withLock(state, sleep, undefined, () => {
    state[busyRowAt() + Math.floor(block / bins)] = 0;
    state[busyColumnAt(bins) + (block % bins)] = 0;
    state[VERSION]++;
  });
  if (released !== undefined) {
    return released.then(() => {
      Atomics.notify(state, VERSION);
    });
  }
  Atomics.notify(state, VERSION);
}

/**
 * Marks the schedule abandoned by a thread that failed, or because one died, maybe holding a block
 * or the lock that it will never give back: every `takeBlock` from now on returns -1 at once, also
 * in the threads now waiting in it, for a block or for the lock.
 */
export function abandonSchedule(state: Int32Array): void {
  Atomics.store(state, ABANDONED, 1);
  Atomics.add(state, VERSION, 1);
  Atomics.notify(state, VERSION);
  // A thread that read ABANDONED as 0 just before may be about to sleep on LOCK being LOCKED: the
  // new value sends it back to read ABANDONED. (A live holder's unlock later stores 0; fine.)
  if (Atomics.compareExchange(state, LOCK, LOCKED, LOCK_ABANDONED) === LOCKED) Atomics.notify(state, LOCK);
}

/**
 * Steps every loader shares: turning raw ids into dense indices, checking ratings against the
 * scale, refusing duplicate (user, item) pairs, and finding the rating of a (user, item) pair.
 */
import { DataError } from '../../util/errors.js';
import type { IdMap } from '../dataset.js';

/** Where a rating came from: the file and line that error messages name. */
export type Locate = (row: number) => { readonly file: string; readonly line: number | undefined };

/** A `Locate` for ratings that all come from one file. */
export function inFile(file: string, lines: ArrayLike<number>): Locate {
  return (row) => ({ file, line: lines[row] });
}

/**
 * Dense indices for integer raw ids, in increasing raw-id order (MovieLens user 1 gets index 0,
 * whatever order the ratings come in). `locate` names the file and line of a bad id in errors.
 */
export function denseIntegerIds(
  raw: Float64Array,
  locate: Locate,
  field: string,
): { map: IdMap; dense: Int32Array; denseOf: (raw: number) => number } {
  let max = 0;
  for (let r = 0; r < raw.length; r++) {
    const v = raw[r];
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      const { file, line } = locate(r);
      throw new DataError(file, line, field, `expected a non-negative integer id, got ${v}`);
    }
    if (v > max) max = v;
  }
  const slot = new Int32Array(max + 1).fill(-1);
  for (let r = 0; r < raw.length; r++) slot[raw[r]] = 0;
  const ids: string[] = [];
  const index = new Map<string, number>();
  for (let v = 0; v <= max; v++) {
    if (slot[v] === 0) {
      slot[v] = ids.length;
      index.set(String(v), ids.length);
      ids.push(String(v));
    }
  }
  const dense = new Int32Array(raw.length);
  for (let r = 0; r < raw.length; r++) dense[r] = slot[raw[r]];
  // Raw id -> dense index without building a string, for files that refer back to these ids.
  const denseOf = (v: number): number => (Number.isInteger(v) && v >= 0 && v <= max ? slot[v] : -1);
  return { map: { ids, index }, dense, denseOf };
}

/** Throws a DataError naming `file:line` for the first rating outside [min, max] or not a number. */
export function checkScale(
  rating: ArrayLike<number>,
  scale: { min: number; max: number },
  locate: Locate,
  field = 'rating',
): void {
  for (let r = 0; r < rating.length; r++) {
    const v = rating[r];
    if (!(v >= scale.min && v <= scale.max)) {
      const { file, line } = locate(r);
      throw new DataError(file, line, field, `${v} is outside the rating scale ${scale.min}..${scale.max}`);
    }
  }
}

/**
 * The repeated (user, item) pair whose second occurrence comes first, as [earlier row, later row],
 * or undefined when every pair is unique. Linear time: rows are bucketed by user (counting sort),
 * and each user's items are marked in one shared array (~20 ms for a million ratings).
 */
export function findDuplicatePair(
  user: Int32Array,
  item: Int32Array,
  itemCount: number,
): [number, number] | undefined {
  const n = user.length;
  let userCount = 0;
  for (let r = 0; r < n; r++) if (user[r] >= userCount) userCount = user[r] + 1;
  const start = new Int32Array(userCount + 1);
  for (let r = 0; r < n; r++) start[user[r] + 1]++;
  for (let u = 0; u < userCount; u++) start[u + 1] += start[u];
  const fill = start.slice(0, userCount);
  const rows = new Int32Array(n);
  for (let r = 0; r < n; r++) rows[fill[user[r]]++] = r; // rows of each user in file order
  const markedBy = new Int32Array(itemCount).fill(-1);
  const markedRow = new Int32Array(itemCount);
  let best: [number, number] | undefined;
  for (let u = 0; u < userCount; u++) {
    for (let k = start[u]; k < start[u + 1]; k++) {
      const r = rows[k];
      const i = item[r];
      if (markedBy[i] === u) {
        if (best === undefined || r < best[1]) best = [markedRow[i], r];
      } else {
        markedBy[i] = u;
        markedRow[i] = r;
      }
    }
  }
  return best;
}

/** Throws a DataError naming both lines when two ratings share a (user, item) pair. */
export function refuseDuplicates(
  user: Int32Array,
  item: Int32Array,
  users: IdMap,
  items: IdMap,
  locate: Locate,
): void {
  const dup = findDuplicatePair(user, item, items.ids.length);
  if (dup === undefined) return;
  const [first, second] = dup;
  const a = locate(first);
  const b = locate(second);
  const where = a.file === b.file ? `line ${a.line}` : a.line === undefined ? a.file : `${a.file}:${a.line}`;
  throw new DataError(
    b.file,
    b.line,
    undefined,
    `user "${users.ids[user[second]]}" rates item "${items.ids[item[second]]}" a second time (first at ${where}); ` +
      'each (user, item) pair may be rated once',
  );
}

/**
 * Looks up the rating index of a (dense user, dense item) pair: a dense user x item table when
 * that is small (MovieLens 100K: 1.6 M cells), else each user's items sorted (CSR) and searched
 * by bisection: 8 bytes a rating, built in O(n log n), at any size (a `Map` holds at most 2^24
 * entries, fewer than MovieLens 25M's ratings).
 */
export class PairIndex {
  private static readonly DENSE_LIMIT = 1 << 22;
  private readonly table: Int32Array | undefined;
  private readonly itemCount: number;
  private readonly userCount: number;
  /** CSR by user: the rated items of user u are `items[offsets[u] .. offsets[u + 1])`, ascending. */
  private readonly offsets: Int32Array | undefined;
  private readonly items: Int32Array | undefined;
  /** The rating index of each entry of `items`. */
  private readonly rows: Int32Array | undefined;

  constructor(user: Int32Array, item: Int32Array, userCount: number, itemCount: number) {
    this.itemCount = itemCount;
    this.userCount = userCount;
    if (userCount * itemCount <= PairIndex.DENSE_LIMIT) {
      const table = new Int32Array(userCount * itemCount).fill(-1);
      for (let r = 0; r < user.length; r++) table[user[r] * itemCount + item[r]] = r;
      this.table = table;
      return;
    }
    const offsets = new Int32Array(userCount + 1);
    for (let r = 0; r < user.length; r++) offsets[user[r] + 1]++;
    for (let u = 0; u < userCount; u++) offsets[u + 1] += offsets[u];
    const fill = offsets.slice(0, userCount);
    const rows = new Int32Array(user.length);
    for (let r = 0; r < user.length; r++) rows[fill[user[r]]++] = r;
    for (let u = 0; u < userCount; u++) {
      // Later rows first among equal items, so that (as with the table) the last one wins.
      rows.subarray(offsets[u], offsets[u + 1]).sort((a, b) => item[a] - item[b] || b - a);
    }
    this.offsets = offsets;
    this.rows = rows;
    this.items = Int32Array.from(rows, (r) => item[r]);
  }

  /** The rating index, or -1 when the pair was not rated (or an index is -1). */
  get(user: number, item: number): number {
    if (user < 0 || item < 0 || item >= this.itemCount) return -1;
    if (this.table !== undefined) {
      const key = user * this.itemCount + item;
      return key < this.table.length ? this.table[key] : -1;
    }
    if (
      user >= this.userCount ||
      this.offsets === undefined ||
      this.items === undefined ||
      this.rows === undefined
    )
      return -1;
    let lo = this.offsets[user];
    let hi = this.offsets[user + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid] < item) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.offsets[user + 1] && this.items[lo] === item ? this.rows[lo] : -1;
  }
}

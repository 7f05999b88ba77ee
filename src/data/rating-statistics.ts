/**
 * How many users, items and ratings a data set (or a part of it) has, how sparse its rating
 * matrix is, and how its ratings are distributed. `heed train` stores these in the saved model
 * (`model.json`, field `statistics`) so the explorer can show them without the data set.
 */
import type { Dataset } from './dataset.js';

/** Ratings equal to `from` (a discrete value, `from === to`) or in [from, to) (the last bin: [from, to]). */
export interface HistogramBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

export interface RatingStatistics {
  /** Users and items with at least one of the counted ratings. */
  readonly users: number;
  readonly items: number;
  readonly ratings: number;
  /** 1 − ratings / (users × items): the share of the rating matrix that is empty. */
  readonly sparsity: number;
  /** One bin per distinct rating value, or equal-width bins when the ratings take many values. */
  readonly histogram: readonly HistogramBin[];
}

/** Above this many distinct rating values, the histogram has this many equal-width bins instead. */
const MAX_DISCRETE_VALUES = 20;

/** Statistics of the ratings at `indices` (all ratings when absent). */
export function ratingStatistics(dataset: Dataset, indices?: Int32Array): RatingStatistics {
  const { user, item, rating } = dataset.ratings;
  const n = indices === undefined ? rating.length : indices.length;
  const at = (k: number): number => (indices === undefined ? k : indices[k]);
  const seenUsers = new Uint8Array(dataset.users.ids.length);
  const seenItems = new Uint8Array(dataset.items.ids.length);
  const counts = new Map<number, number>();
  for (let k = 0; k < n; k++) {
    const r = at(k);
    seenUsers[user[r]] = 1;
    seenItems[item[r]] = 1;
    counts.set(rating[r], (counts.get(rating[r]) ?? 0) + 1);
  }
  const users = seenUsers.reduce((sum, v) => sum + v, 0);
  const items = seenItems.reduce((sum, v) => sum + v, 0);
  return {
    users,
    items,
    ratings: n,
    sparsity: users * items === 0 ? 1 : 1 - n / (users * items),
    histogram: histogramOf(counts, dataset.scale),
  };
}

function histogramOf(
  counts: ReadonlyMap<number, number>,
  scale: { readonly min: number; readonly max: number },
): HistogramBin[] {
  const values = [...counts.keys()].sort((a, b) => a - b);
  if (values.length <= MAX_DISCRETE_VALUES) {
    return values.map((v) => ({ from: v, to: v, count: counts.get(v) ?? 0 }));
  }
  const width = (scale.max - scale.min) / MAX_DISCRETE_VALUES;
  const bins = Array.from({ length: MAX_DISCRETE_VALUES }, (_, b) => ({
    from: scale.min + b * width,
    to: b === MAX_DISCRETE_VALUES - 1 ? scale.max : scale.min + (b + 1) * width,
    count: 0,
  }));
  for (const [v, count] of counts) {
    const b = Math.min(MAX_DISCRETE_VALUES - 1, Math.max(0, Math.floor((v - scale.min) / width)));
    bins[b].count += count;
  }
  return bins;
}

/** What is wrong with a `RatingStatistics` read from a file, or undefined when nothing is. */
export function statisticsProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'expected an object';
  const s = value as Record<string, unknown>;
  for (const key of ['users', 'items', 'ratings', 'sparsity'] as const) {
    if (typeof s[key] !== 'number' || !Number.isFinite(s[key])) return `field "${key}" must be a number`;
  }
  if (!Array.isArray(s.histogram)) return 'field "histogram" must be an array of { from, to, count }';
  const bad = s.histogram.findIndex(
    (bin: unknown) =>
      typeof bin !== 'object' ||
      bin === null ||
      !['from', 'to', 'count'].every((key) => typeof (bin as Record<string, unknown>)[key] === 'number'),
  );
  return bad < 0 ? undefined : `histogram[${bad}] must be { "from", "to", "count" } numbers`;
}

/**
 * Metric objects: a name, which direction is better, and how to compute it from a fold's scored
 * test pairs. Results are keyed by the metric's name (`rmse`, `mae`, `mse`, `ndcg@10`), so a
 * report or an experiment file can ask for any of them, and NDCG's k is part of the name.
 */
import { UsageError } from '../util/errors.js';
import { mae, mse, ndcgAtK } from './metrics.js';

/** The test pairs of one fold with their predictions (already clipped to the rating scale). */
export interface ScoredPairs {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly truth: Float32Array;
  readonly values: Float32Array;
}

export interface Metric {
  /** The key of its value in results (`rmse`, `ndcg@5`). */
  readonly name: string;
  readonly higherIsBetter: boolean;
  /** The value on one fold; null when it is undefined there (NDCG with no user to rank). */
  compute(scored: ScoredPairs): number | null;
}

const RMSE: Metric = {
  name: 'rmse',
  higherIsBetter: false,
  compute: (s) => Math.sqrt(mse(s.values, s.truth)),
};
const MAE: Metric = { name: 'mae', higherIsBetter: false, compute: (s) => mae(s.values, s.truth) };
const MSE: Metric = { name: 'mse', higherIsBetter: false, compute: (s) => mse(s.values, s.truth) };

/** NDCG@k over each user's test items (docs/METRICS.md). */
export function ndcgMetric(k: number): Metric {
  return {
    name: `ndcg@${k}`,
    higherIsBetter: true,
    compute: (s) => {
      const r = ndcgAtK({ user: s.users, item: s.items, rating: s.truth, prediction: s.values }, k);
      return r.users > 0 ? r.ndcg : null;
    },
  };
}

/** The metrics every fold reports when none are asked for. */
export const DEFAULT_METRICS: readonly Metric[] = [RMSE, MAE, MSE, ndcgMetric(10)];

const FIXED: Readonly<Record<string, Metric>> = { rmse: RMSE, mae: MAE, mse: MSE };

/**
 * The metric a name stands for: `rmse`, `mae`, `mse` or `ndcg@K` (K a whole number ≥ 1). `where`
 * names the flag or file field the name came from, for the error.
 */
export function metricByName(name: string, where = '--metrics'): Metric {
  const key = name.trim().toLowerCase();
  const fixed = FIXED[key];
  if (fixed !== undefined) return fixed;
  const ndcg = /^ndcg@(\d+)$/.exec(key);
  if (ndcg !== null && Number(ndcg[1]) >= 1) return ndcgMetric(Number(ndcg[1]));
  throw new UsageError(`${where}: unknown metric "${name}" (choose from rmse, mae, mse, ndcg@K with K ≥ 1)`);
}

/** A comma list of metric names (`rmse,mae,ndcg@5`) as metrics; duplicates and empty lists refused. */
export function parseMetrics(text: string, where = '--metrics'): Metric[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new UsageError(`${where}: no metric given (e.g. rmse,mae,ndcg@5)`);
  const metrics = names.map((n) => metricByName(n, where));
  const seen = new Set<string>();
  for (const m of metrics) {
    if (seen.has(m.name)) throw new UsageError(`${where}: metric "${m.name}" is listed twice`);
    seen.add(m.name);
  }
  return metrics;
}

/** Every metric's value on one fold, keyed by name. */
export function computeMetrics(
  metrics: readonly Metric[],
  scored: ScoredPairs,
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const m of metrics) out[m.name] = m.compute(scored);
  return out;
}

/**
 * Significance of an experiment's differences, from its run records: each model against the
 * experiment's `reference` model by a paired t-test and a Wilcoxon signed-rank test over the runs
 * they share (same seed and fold: the blocks), and a Friedman test with the Nemenyi critical
 * difference across all models (Demšar 2006) when there are at least 3 models and 2 blocks.
 */
import { metricByName } from '../eval/metric.js';
import { friedman } from '../stats/friedman.js';
import { nemenyiCriticalDifference } from '../stats/nemenyi.js';
import { pairedTTest } from '../stats/paired-t-test.js';
import { wilcoxonSignedRank } from '../stats/wilcoxon.js';
import type { RowSummary } from './summary.js';

export interface PairedComparison {
  readonly label: string;
  readonly reference: string;
  readonly metric: string;
  /** Blocks (seed × fold) both have a value on. */
  readonly n: number;
  /** Mean of (model − reference). */
  readonly meanDifference: number;
  readonly tTestP: number;
  readonly wilcoxonP: number;
}

export interface FriedmanSummary {
  readonly metric: string;
  readonly labels: readonly string[];
  /** Average rank of each model (same order as `labels`), 1 = best. */
  readonly averageRanks: readonly number[];
  readonly blocks: number;
  readonly pValue: number;
  /** Nemenyi critical difference at α = 0.05. */
  readonly criticalDifference: number;
}

/** The values of two rows on the blocks both have, in block order. */
function aligned(a: RowSummary, b: RowSummary, metric: string): { a: number[]; b: number[] } {
  const out = { a: [] as number[], b: [] as number[] };
  a.blocks.forEach((block, i) => {
    const j = b.blocks.indexOf(block);
    const x = a.metrics[metric]?.values[i];
    const y = j < 0 ? undefined : b.metrics[metric]?.values[j];
    if (typeof x === 'number' && typeof y === 'number') {
      out.a.push(x);
      out.b.push(y);
    }
  });
  return out;
}

/** Every other row against the reference row, per metric, where they share at least 2 blocks. */
export function compareToReference(
  rows: readonly RowSummary[],
  reference: string,
  metrics: readonly string[],
): PairedComparison[] {
  const ref = rows.find((r) => r.label === reference);
  if (ref === undefined) return [];
  const out: PairedComparison[] = [];
  for (const row of rows) {
    if (row === ref) continue;
    for (const metric of metrics) {
      const { a, b } = aligned(row, ref, metric);
      if (a.length < 2) continue;
      const t = pairedTTest(a, b);
      out.push({
        label: row.label,
        reference,
        metric,
        n: a.length,
        meanDifference: t.meanDifference,
        tTestP: t.pValue,
        wilcoxonP: wilcoxonSignedRank(a, b).pValue,
      });
    }
  }
  return out;
}

/**
 * Friedman over the blocks every row has a value on (rows × blocks), with the Nemenyi CD;
 * undefined with fewer than 3 rows, more than 10, or fewer than 2 shared blocks.
 */
export function friedmanAcrossModels(
  rows: readonly RowSummary[],
  metric: string,
): FriedmanSummary | undefined {
  if (rows.length < 3 || rows.length > 10) return undefined;
  const blocks = rows[0].blocks.filter((block) =>
    rows.every((r) => {
      const i = r.blocks.indexOf(block);
      return i >= 0 && typeof r.metrics[metric]?.values[i] === 'number';
    }),
  );
  if (blocks.length < 2) return undefined;
  const scores = blocks.map((block) =>
    rows.map((r) => r.metrics[metric].values[r.blocks.indexOf(block)] as number),
  );
  const result = friedman(scores, !metricByName(metric).higherIsBetter);
  return {
    metric,
    labels: rows.map((r) => r.label),
    averageRanks: result.averageRanks,
    blocks: blocks.length,
    pValue: result.pValue,
    criticalDifference: nemenyiCriticalDifference(rows.length, blocks.length, 0.05),
  };
}

/** One experiment's summary, for a test across the experiments of a paper. */
export interface NamedSummary {
  readonly name: string;
  readonly metrics: readonly string[];
  readonly rows: readonly RowSummary[];
}

/**
 * Friedman + Nemenyi with one block per (experiment, metric) and the models every experiment has
 * as treatments, on the mean over seeds × folds — AANMF §5.5 / Fig. 6's design (blocks: data set ×
 * metric). Higher-is-better metrics are negated so that every block ranks lower as better.
 * Undefined with fewer than 3 shared models or 2 blocks.
 */
export function friedmanAcrossExperiments(
  summaries: readonly NamedSummary[],
): (FriedmanSummary & { readonly blockNames: readonly string[] }) | undefined {
  if (summaries.length === 0) return undefined;
  const labels = summaries[0].rows
    .map((r) => r.label)
    .filter((label) => summaries.every((s) => s.rows.some((r) => r.label === label)));
  if (labels.length < 3 || labels.length > 10) return undefined;
  const blockNames: string[] = [];
  const scores: number[][] = [];
  for (const s of summaries) {
    for (const metric of s.metrics) {
      // MSE ranks the models exactly as RMSE does (a monotone transform): counting both would
      // count one comparison twice and shrink the critical difference for nothing.
      if (metric === 'mse' && s.metrics.includes('rmse')) continue;
      const sign = metricByName(metric).higherIsBetter ? -1 : 1;
      const means = labels.map(
        (label) => s.rows.find((r) => r.label === label)?.metrics[metric]?.mean ?? null,
      );
      if (means.some((m) => m === null)) continue;
      blockNames.push(`${s.name} ${metric}`);
      scores.push(means.map((m) => sign * (m as number)));
    }
  }
  if (scores.length < 2) return undefined;
  const result = friedman(scores, true);
  return {
    metric: 'all',
    labels,
    averageRanks: result.averageRanks,
    blocks: scores.length,
    blockNames,
    pValue: result.pValue,
    criticalDifference: nemenyiCriticalDifference(labels.length, scores.length, 0.05),
  };
}

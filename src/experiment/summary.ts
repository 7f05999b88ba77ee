/**
 * Summaries of stored runs: per table row and metric the mean ± sd over seeds × folds, the paper's
 * number and the difference; per figure series the mean ± sd at each x; the sweep's best point.
 * Everything here is computed from run records alone, so `heed experiment report` needs no fitting.
 */
import { metricByName } from '../eval/metric.js';
import { standardDeviation } from '../eval/protocol.js';
import type { ConfigValue } from '../models/model.js';
import type { Experiment, Settings } from './format.js';
import { canonicalJson } from './run-key.js';
import {
  compareToReference,
  friedmanAcrossModels,
  type FriedmanSummary,
  type PairedComparison,
} from './significance.js';
import type { RunRecord } from './store.js';

export interface MetricSummary {
  /** Mean over the runs where the metric is defined; null when it is defined in none. */
  readonly mean: number | null;
  /** Sample sd (n − 1); 0 for one value. */
  readonly sd: number | null;
  /** Each run's value, ordered by seed then fold (the blocks of the paired tests). */
  readonly values: readonly (number | null)[];
  readonly paper?: number;
  /** mean − paper. */
  readonly difference?: number;
}

export interface RowSummary {
  readonly label: string;
  readonly model: string;
  readonly runs: number;
  readonly metrics: Readonly<Record<string, MetricSummary>>;
  /** Seeds × folds of the row, in the order of `MetricSummary.values`. */
  readonly blocks: readonly string[];
  readonly note?: string;
  /** The sweep's best row: the point picked on validation. */
  readonly point?: Settings;
  /**
   * With the experiment's `catalogueNdcg`: NDCG@k over the whole catalogue (`catalogue-ndcg.ts`),
   * from each run's detail; not a paired-test metric.
   */
  readonly catalogueNdcg?: MetricSummary;
}

export interface FigurePoint {
  readonly x: ConfigValue;
  readonly mean: number | null;
  readonly sd: number | null;
  readonly runs: number;
}

export interface FigureSummary {
  readonly id: string;
  readonly title: string;
  readonly metric: string;
  readonly series: readonly { readonly label: string; readonly points: readonly FigurePoint[] }[];
}

export interface ExperimentSummary {
  readonly rows: readonly RowSummary[];
  readonly figures: readonly FigureSummary[];
  /** Each model against the experiment's reference (paired over seed × fold). */
  readonly paired: readonly PairedComparison[];
  /** Friedman + Nemenyi across the models, one per metric where it applies. */
  readonly friedman: readonly FriedmanSummary[];
  /** The sweep's points with their mean validation metric, best first. */
  readonly sweep?: readonly {
    readonly point: Settings;
    readonly mean: number | null;
    readonly runs: number;
  }[];
}

export function summarize(experiment: Experiment, records: readonly RunRecord[]): ExperimentSummary {
  const rows: RowSummary[] = [];
  for (const m of experiment.models) {
    const runs = records.filter((r) => r.role.kind === 'table' && r.role.label === m.label);
    if (runs.length === 0) continue;
    rows.push({
      label: m.label,
      model: m.model,
      ...summarizeRuns(runs, experiment.metrics, m.paper),
      ...(m.note !== undefined ? { note: m.note } : {}),
    });
  }
  const best = records.filter((r) => r.role.kind === 'sweep-best');
  if (best.length > 0 && best[0].role.kind === 'sweep-best') {
    rows.push({
      label: `${best[0].role.label} (best on validation)`,
      model: best[0].identity.model,
      point: best[0].role.point,
      ...summarizeRuns(best, experiment.metrics, undefined),
    });
  }
  const figures: FigureSummary[] = experiment.figures.flatMap((f) => {
    const runs = records.filter((r) => r.role.kind === 'figure' && r.role.figure === f.id);
    if (runs.length === 0) return [];
    return [
      {
        id: f.id,
        title: f.title,
        metric: f.metric,
        series: f.series.map((s) => {
          const own = runs.filter((r) => r.role.kind === 'figure' && r.role.label === s.label);
          const xs = f.values.filter((x) => own.some((r) => r.role.kind === 'figure' && r.role.x === x));
          return {
            label: s.label,
            points: xs.map((x) => {
              const at = own.filter((r) => r.role.kind === 'figure' && r.role.x === x);
              const { mean, sd } = meanSd(at.map((r) => r.metrics[f.metric] ?? null));
              return { x, mean, sd, runs: at.length };
            }),
          };
        }),
      },
    ];
  });
  const sweepRuns = records.filter((r) => r.role.kind === 'sweep');
  const sweep =
    experiment.sweep === undefined || sweepRuns.length === 0
      ? undefined
      : rankSweep(sweepRuns, experiment.sweep.metric);
  const paired =
    experiment.reference === undefined
      ? []
      : compareToReference(rows, experiment.reference, experiment.metrics);
  const ranked = experiment.metrics.flatMap((metric) => friedmanAcrossModels(rows, metric) ?? []);
  return { rows, figures, ...(sweep !== undefined ? { sweep } : {}), paired, friedman: ranked };
}

function summarizeRuns(
  runs: readonly RunRecord[],
  metrics: readonly string[],
  paper: Readonly<Record<string, number>> | undefined,
): {
  runs: number;
  metrics: Record<string, MetricSummary>;
  blocks: string[];
  catalogueNdcg?: MetricSummary;
} {
  const ordered = [...runs].sort(
    (a, b) => a.identity.seed - b.identity.seed || a.identity.fold - b.identity.fold,
  );
  const catalogue = ordered.map((r) => r.detail?.catalogueNdcg?.ndcg ?? null);
  const out: Record<string, MetricSummary> = {};
  for (const name of metrics) {
    const values = ordered.map((r) => r.metrics[name] ?? null);
    const { mean, sd } = meanSd(values);
    const p = paper?.[name];
    out[name] = {
      mean,
      sd,
      values,
      ...(p !== undefined ? { paper: p, ...(mean !== null ? { difference: mean - p } : {}) } : {}),
    };
  }
  return {
    runs: runs.length,
    metrics: out,
    blocks: ordered.map((r) => `seed ${r.identity.seed} fold ${r.identity.fold + 1}`),
    ...(ordered.some((r) => r.identity.catalogueNdcg !== undefined)
      ? { catalogueNdcg: { ...meanSd(catalogue), values: catalogue } }
      : {}),
  };
}

function meanSd(values: readonly (number | null)[]): { mean: number | null; sd: number | null } {
  const defined = values.filter((v): v is number => v !== null);
  if (defined.length === 0) return { mean: null, sd: null };
  return { mean: defined.reduce((s, v) => s + v, 0) / defined.length, sd: standardDeviation(defined) };
}

function rankSweep(
  runs: readonly RunRecord[],
  metric: string,
): { point: Settings; mean: number | null; runs: number }[] {
  const groups = new Map<string, { point: Settings; values: (number | null)[] }>();
  for (const r of runs) {
    if (r.role.kind !== 'sweep') continue;
    const id = canonicalJson(r.role.point);
    const group = groups.get(id) ?? { point: r.role.point, values: [] };
    group.values.push(r.metrics[metric] ?? null);
    groups.set(id, group);
  }
  const sign = metricByName(metric).higherIsBetter ? -1 : 1;
  return [...groups.values()]
    .map((g) => ({ point: g.point, mean: meanSd(g.values).mean, runs: g.values.length }))
    .sort((a, b) => (a.mean === null ? 1 : b.mean === null ? -1 : sign * (a.mean - b.mean)));
}

/** The sweep point with the best mean validation metric; undefined when no point has a value. */
export function bestSweepPoint(runs: readonly RunRecord[], metric: string): Settings | undefined {
  const best = rankSweep(runs, metric)[0];
  return best === undefined || best.mean === null ? undefined : best.point;
}

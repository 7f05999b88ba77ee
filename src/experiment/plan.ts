/**
 * The run plan of an experiment: every (model, seed, fold) of the table, every (point, seed, fold)
 * of the sweep scored on validation, and every (series, value, seed, fold) of the figures, each
 * with its key (`run-key.ts`). `--quick` applies the file's `quick` changes here: fewer seeds,
 * cut settings, skipped models, the figures' `quickValues`.
 */
import type { Dataset } from '../data/dataset.js';
import { formatSplitSpec, parseSplitSpec, predefinedFoldNames, splitFoldCount } from '../data/split.js';
import { DEFAULT_VALIDATION_FRACTION } from '../eval/carve-validation.js';
import { modelConfig } from '../eval/protocol.js';
import { getModelSpec } from '../models/index.js';
import { runIdentityConfig } from '../models/settings-schema.js';
import type { ConfigValue, ModelConfig } from '../models/model.js';
import { HeedError, UsageError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import type { Experiment, QuickChange, Settings, Sweep } from './format.js';
import { ratingsFingerprint, runKey, type RunIdentity } from './run-key.js';

/** Which part of the experiment a run belongs to. */
export type RunRole =
  | { readonly kind: 'table'; readonly label: string }
  | { readonly kind: 'sweep'; readonly label: string; readonly point: Settings }
  | { readonly kind: 'sweep-best'; readonly label: string; readonly point: Settings }
  | { readonly kind: 'figure'; readonly figure: string; readonly label: string; readonly x: ConfigValue };

export interface PlannedRun {
  readonly key: string;
  readonly identity: RunIdentity;
  readonly role: RunRole;
  /** The settings given to the model (its defaults fill the rest; `identity.config` is the result). */
  readonly settings: Settings;
  readonly expectedSeconds: number;
}

/** What a plan is built from besides the experiment. */
export interface PlanContext {
  readonly experiment: Experiment;
  readonly dataset: Dataset;
  readonly quick: boolean;
  /** The experiment file, for errors. */
  readonly file: string;
}

export interface Plan {
  readonly runs: readonly PlannedRun[];
  readonly seeds: readonly number[];
  readonly folds: number;
  /** What `--quick` cut, one line each (empty for a full run). */
  readonly quickNotes: readonly string[];
}

/** A builder of planned runs sharing the experiment's data set, split, seeds and metrics. */
export class Planner {
  readonly seeds: readonly number[];
  readonly folds: number;
  private readonly fingerprint: string;
  private readonly splitText: string;

  constructor(private readonly context: PlanContext) {
    const e = context.experiment;
    this.seeds = context.quick && e.quick?.seeds !== undefined ? e.quick.seeds : e.seeds;
    const spec = parseSplitSpec(e.split);
    const asked =
      spec.kind === 'predefined'
        ? [spec.name]
        : spec.kind === 'predefinedFolds'
          ? predefinedFoldNames(spec)
          : [];
    const missing = asked.find((name) => !(name in context.dataset.predefinedSplits));
    if (missing !== undefined) {
      const names = Object.keys(context.dataset.predefinedSplits);
      throw new UsageError(
        `${context.file}: $.split: data set "${context.dataset.id}" has no split "${missing}" ` +
          `(${names.length > 0 ? `its splits: ${names.join(', ')}` : 'it ships none'}; or ratio:…, kfold:…)`,
      );
    }
    this.splitText = formatSplitSpec(spec);
    const folds = splitFoldCount(spec);
    // A quick run may keep only the first folds.
    this.folds = context.quick && e.quick?.folds !== undefined ? Math.min(folds, e.quick.folds) : folds;
    this.fingerprint = ratingsFingerprint(context.dataset);
  }

  /** Runs of one model and settings over every seed and fold. */
  runs(
    model: string,
    settings: Settings,
    role: RunRole,
    expectedSeconds: number,
    where: string,
    scoredOn: 'test' | 'validation' = 'test',
  ): PlannedRun[] {
    const e = this.context.experiment;
    const out: PlannedRun[] = [];
    for (const seed of this.seeds) {
      const config = this.resolve(model, settings, seed, where);
      for (let fold = 0; fold < this.folds; fold++) {
        const identity: RunIdentity = {
          dataset: this.context.dataset.id,
          ratingsFingerprint: this.fingerprint,
          split: this.splitText,
          fold,
          seed,
          model,
          config,
          reviewProtocol: e.reviewProtocol ?? 'clean',
          scoredOn,
          metrics: [...e.metrics].sort(),
          ...(e.validationFraction !== undefined && e.validationFraction !== DEFAULT_VALIDATION_FRACTION
            ? { validationFraction: e.validationFraction }
            : {}),
          ...(e.catalogueNdcg !== undefined ? { catalogueNdcg: e.catalogueNdcg } : {}),
          ...(e.minRatings !== undefined ? { minRatings: e.minRatings } : {}),
        };
        out.push({ key: runKey(identity), identity, role, settings, expectedSeconds });
      }
    }
    return out;
  }

  /** The run's config as its identity holds it (execution settings such as `threads` left out). */
  private resolve(model: string, settings: Settings, seed: number, where: string): ModelConfig {
    try {
      const spec = getModelSpec(model);
      return runIdentityConfig(spec.settings, modelConfig(spec, settings, seed));
    } catch (error) {
      if (error instanceof HeedError)
        throw new UsageError(`${this.context.file}: ${where}: ${error.message}`);
      throw error;
    }
  }
}

/** Every run of the table, the sweep's validation points and the figures. */
export function planExperiment(context: PlanContext): Plan {
  const { experiment: e, quick } = context;
  const planner = new Planner(context);
  const runs: PlannedRun[] = [];
  const quickNotes: string[] = [];
  if (quick) {
    quickNotes.push(
      `quick run: seeds ${planner.seeds.join(', ')}${planner.seeds.length < e.seeds.length ? ` of ${e.seeds.join(', ')}` : ''}`,
    );
    if (e.quick?.folds !== undefined)
      quickNotes.push(`quick run: the first ${planner.folds} fold(s) of ${e.split}`);
    if (e.quick?.note !== undefined) quickNotes.push(e.quick.note);
  }
  e.models.forEach((m, i) => {
    const change = quick ? m.quick : undefined;
    if (change?.skip === true) {
      quickNotes.push(`${m.label}: left out of the quick run${change.note ? ` (${change.note})` : ''}`);
      return;
    }
    if (change?.note !== undefined) quickNotes.push(`${m.label}: ${change.note}`);
    const { settings, expectedSeconds } = applyQuick(m.settings, m.expectedSeconds, change);
    runs.push(
      ...planner.runs(
        m.model,
        settings,
        { kind: 'table', label: m.label },
        expectedSeconds,
        `$.models[${i}]`,
      ),
    );
  });
  if (e.sweep !== undefined) {
    const change = quick ? e.sweep.quick : undefined;
    if (change?.skip === true) quickNotes.push(`sweep ${e.sweep.label}: left out of the quick run`);
    else {
      if (change?.note !== undefined) quickNotes.push(`sweep ${e.sweep.label}: ${change.note}`);
      for (const point of sweepPoints(e.sweep, change?.samples)) {
        const { settings, expectedSeconds } = applyQuick(
          { ...e.sweep.settings, ...point },
          e.sweep.expectedSeconds,
          change,
        );
        runs.push(
          ...planner.runs(
            e.sweep.model,
            settings,
            { kind: 'sweep', label: e.sweep.label, point },
            expectedSeconds,
            '$.sweep',
            'validation',
          ),
        );
      }
    }
  }
  e.figures.forEach((f, i) => {
    const values = quick ? f.quickValues : f.values;
    if (values === undefined) {
      quickNotes.push(`figure ${f.id}: left out of the quick run`);
      return;
    }
    if (quick)
      quickNotes.push(`figure ${f.id}: ${f.vary} = ${values.join(', ')} (of ${f.values.join(', ')})`);
    f.series.forEach((s, j) => {
      const change = quick ? s.quick : undefined;
      if (change?.note !== undefined) quickNotes.push(`figure ${f.id}, ${s.label}: ${change.note}`);
      for (const x of values) {
        const { settings, expectedSeconds } = applyQuick(
          { ...s.settings, [f.vary]: x },
          s.expectedSeconds,
          change,
        );
        runs.push(
          ...planner.runs(
            s.model,
            settings,
            { kind: 'figure', figure: f.id, label: s.label, x },
            expectedSeconds,
            `$.figures[${i}].series[${j}]`,
          ),
        );
      }
    });
  });
  return { runs, seeds: planner.seeds, folds: planner.folds, quickNotes };
}

function applyQuick(
  settings: Settings,
  expectedSeconds: number,
  change: QuickChange | undefined,
): { settings: Settings; expectedSeconds: number } {
  if (change === undefined) return { settings, expectedSeconds };
  return {
    settings: { ...settings, ...(change.settings ?? {}) },
    expectedSeconds: change.expectedSeconds ?? expectedSeconds,
  };
}

/**
 * The sweep's points: every combination of the space (grid), `samples` distinct combinations
 * drawn with the sweep's seed (random), or the listed points (list; a quick run's `samples` keeps
 * the first ones), in a fixed order.
 */
export function sweepPoints(sweep: Sweep, quickSamples?: number): Settings[] {
  if (sweep.kind === 'list') {
    const points = sweep.points ?? [];
    return points.slice(0, quickSamples ?? points.length);
  }
  const keys = Object.keys(sweep.space).sort();
  let grid: Record<string, ConfigValue>[] = [{}];
  for (const key of keys)
    grid = grid.flatMap((point) => sweep.space[key].map((value) => ({ ...point, [key]: value })));
  const samples = quickSamples ?? sweep.samples;
  if (sweep.kind === 'grid' && quickSamples === undefined) return grid;
  if (samples === undefined || samples >= grid.length) return grid;
  const order = new Rng(sweep.seed ?? 1).permutation(grid.length);
  return Array.from(order.subarray(0, samples), (i) => grid[i]);
}

/** The runs scoring the sweep's best point (lowest or highest mean validation metric) on test. */
export function sweepBestRuns(
  context: PlanContext,
  point: Settings,
  settings: Settings,
  expectedSeconds: number,
): PlannedRun[] {
  const sweep = context.experiment.sweep;
  if (sweep === undefined) return [];
  return new Planner(context).runs(
    sweep.model,
    settings,
    { kind: 'sweep-best', label: sweep.label, point },
    expectedSeconds,
    '$.sweep',
  );
}

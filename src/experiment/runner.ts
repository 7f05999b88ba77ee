/**
 * Runs an experiment: plans its runs (`plan.ts`), reuses every run already in the store and fits
 * the others one by one through `evaluate()` (the code path of `heed evaluate`), storing each as
 * it finishes. After the sweep's validation runs it picks the best point and scores it on test.
 * Killed midway, a second call redoes only the runs that had not finished. Stopped by the signal
 * (Ctrl-C), it stores no run stopped early and starts no other.
 *
 * Several processes may run one experiment on one output directory at once (`--jobs N` starts
 * them): each claims a run before fitting it (`claims.ts`), skips the runs others hold and, at the
 * end, waits for those to be stored, taking over any whose process died.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dataset, Split } from '../data/dataset.js';
import { makeSplits, minRatingsPerUser, parseSplitSpec, splitFoldCount } from '../data/split.js';
import { metricByName, type Metric } from '../eval/metric.js';
import { evaluate, type EvaluationProgress, type EvaluationResult } from '../eval/protocol.js';
import type { ProgressEvent } from '../models/model.js';
import { HeedError, UsageError } from '../util/errors.js';
import { RunClaims } from './claims.js';
import type { Experiment, Settings } from './format.js';
import { planExperiment, sweepBestRuns, type Plan, type PlanContext, type PlannedRun } from './plan.js';
import {
  experimentProgress,
  formatDuration,
  type ExperimentProgress,
  type ProgressSink,
} from './progress.js';
import type { ReportInput } from './report.js';
import { RunStore, type RunRecord } from './store.js';
import { bestSweepPoint } from './summary.js';

export interface RunExperimentOptions {
  readonly experiment: Experiment;
  /** The experiment file, for errors. */
  readonly file: string;
  readonly dataset: Dataset;
  /** Where `runs/` and the reports go. */
  readonly outDir: string;
  readonly quick?: boolean;
  /** Progress and the time estimate (stderr); nothing when absent. */
  readonly progress?: ProgressSink;
  readonly signal?: AbortSignal;
  /** Processes working on this output directory at once, this one included (for the ETA). */
  readonly jobs?: number;
  /**
   * Fit only the runs of the models with these labels (table rows, figure series, the sweep);
   * the report still covers every stored run of the plan.
   */
  readonly only?: readonly string[];
  /**
   * Every progress event of every fit, its fold numbered within the split (`heed evaluate` prints
   * them as it always has).
   */
  readonly onFitProgress?: (run: PlannedRun, event: EvaluationProgress) => void;
  /**
   * Splits already made, by seed (`heed evaluate` has made its seed's while checking its flags),
   * so that big data is not split twice; other seeds' splits are made here.
   */
  readonly splits?: ReadonlyMap<number, readonly Split[]>;
  /** A fit the signal stopped: its scores, of a model stopped early, which are never stored. */
  readonly onStoppedEarly?: (run: PlannedRun, result: EvaluationResult) => void;
}

export interface ExperimentOutcome {
  readonly plan: Plan;
  /** Every finished run of the plan (and of the sweep's best point), stored or fitted now. */
  readonly records: readonly RunRecord[];
  /** Runs fitted by this call. */
  readonly fitted: number;
  /** Runs that other processes sharing the output directory fitted while this call ran. */
  readonly fittedElsewhere: number;
  /** Runs already stored when this call came to them. */
  readonly reused: number;
  /** Stopped by the signal before every run finished. */
  readonly interrupted: boolean;
}

export async function runExperiment(options: RunExperimentOptions): Promise<ExperimentOutcome> {
  const context: PlanContext = {
    experiment: options.experiment,
    dataset: options.dataset,
    quick: options.quick === true,
    file: options.file,
  };
  const plan = planExperiment(context);
  const store = new RunStore(options.outDir);
  const selected = runSelection(plan, options.only, options.file);
  const executor = new Executor(options, store, selected);
  const pending = plan.runs.filter((r) => !store.has(r.key) && selected(r));
  const sink = options.progress;
  if (sink !== undefined) {
    for (const note of plan.quickNotes) sink.write(`${options.experiment.name}: ${note}\n`);
    const expected = pending.reduce((s, r) => s + r.expectedSeconds, 0) / Math.max(1, options.jobs ?? 1);
    const done = plan.runs.filter((r) => store.has(r.key)).length;
    const toFit = options.only === undefined ? 'the other' : `the ${options.only.join(', ')} runs left,`;
    sink.write(
      `${options.experiment.name}: ${plan.runs.length} runs, ${done} already done; ` +
        `expected time for ${toFit} ${pending.length}: about ${formatDuration(expected)}` +
        `${options.experiment.sweep !== undefined ? ' (plus the sweep best point on test)' : ''}\n`,
    );
  }
  await executor.runAll(plan.runs);
  if (!executor.interrupted) await executor.runAll(bestPointRuns(context, executor.records));
  return {
    plan,
    records: executor.records,
    fitted: executor.fitted,
    fittedElsewhere: executor.fittedElsewhere,
    reused: executor.records.length - executor.fitted - executor.fittedElsewhere,
    interrupted: executor.interrupted,
  };
}

/** `only`'s runs, after checking that every label names a model of the experiment. */
function runSelection(
  plan: Plan,
  only: readonly string[] | undefined,
  file: string,
): (run: PlannedRun) => boolean {
  if (only === undefined) return () => true;
  const labels = new Set(plan.runs.map((r) => r.role.label));
  for (const label of only)
    if (!labels.has(label))
      throw new UsageError(
        `--only: ${file} has no model labelled "${label}"; its labels: ${[...labels].join(', ')}`,
      );
  const wanted = new Set(only);
  return (run) => wanted.has(run.role.label);
}

/** How often a process waiting for runs that other processes hold looks for their records. */
const OTHERS_POLL_MS = 2000;

/** Fits or reuses runs, keeping the records in plan order. */
class Executor {
  readonly records: RunRecord[] = [];
  fitted = 0;
  fittedElsewhere = 0;
  interrupted = false;
  private readonly splits: Map<number, readonly Split[]>;
  private readonly metrics: readonly Metric[];

  constructor(
    private readonly options: RunExperimentOptions,
    private readonly store: RunStore,
    /** The runs to fit; the others are only collected when stored. */
    private readonly selected: (run: PlannedRun) => boolean,
  ) {
    this.metrics = options.experiment.metrics.map((name) => metricByName(name));
    this.splits = new Map(options.splits ?? []);
  }

  async runAll(runs: readonly PlannedRun[]): Promise<void> {
    const pending = runs.filter((r) => !this.store.has(r.key) && this.selected(r));
    const progress = experimentProgress(
      this.options.progress ?? { write: () => {} },
      pending,
      !this.options.progress,
      this.options.jobs ?? 1,
    );
    const claims = new RunClaims(this.store.dir);
    // One pass over the plan, then passes over the runs other processes held, until none is left.
    let left: readonly PlannedRun[] = pending;
    try {
      for (let pass = 0; left.length > 0 && !this.interrupted; pass++) {
        if (pass > 0 && !(await this.pause())) break;
        left = await this.pass(left, claims, progress);
      }
    } finally {
      claims.releaseAll();
      progress.finish();
    }
    for (const run of runs) if (this.store.has(run.key)) this.records.push(this.store.readFor(run));
  }

  /**
   * Fits each run no other process holds, notes those another process stored meanwhile, and
   * returns the ones still held elsewhere.
   */
  private async pass(
    runs: readonly PlannedRun[],
    claims: RunClaims,
    progress: ExperimentProgress,
  ): Promise<PlannedRun[]> {
    const heldElsewhere: PlannedRun[] = [];
    for (const run of runs) {
      // Once interrupted, no run is started (not even for one epoch); the stored ones are still
      // collected by runAll, so the partial report counts only the runs really missing.
      if (this.options.signal?.aborted === true) this.interrupted = true;
      if (this.interrupted) break;
      if (this.store.has(run.key)) this.storedElsewhere(run, progress);
      else if (claims.tryClaim(run.key)) await this.fitClaimed(run, claims, progress);
      else heldElsewhere.push(run);
    }
    return heldElsewhere;
  }

  /** Fits a run this process has claimed, unless another process stored it meanwhile. */
  private async fitClaimed(run: PlannedRun, claims: RunClaims, progress: ExperimentProgress): Promise<void> {
    try {
      if (this.store.has(run.key)) {
        this.storedElsewhere(run, progress);
        return;
      }
      progress.start(run);
      const record = await this.fit(run, (e) => progress.epoch(e));
      if (record === undefined) {
        this.interrupted = true;
        return;
      }
      this.store.write(record);
      this.fitted++;
      progress.done(run, record);
    } finally {
      claims.release(run.key);
    }
  }

  private storedElsewhere(run: PlannedRun, progress: ExperimentProgress): void {
    this.fittedElsewhere++;
    progress.elsewhere(run, this.store.readFor(run));
  }

  /** Waits a little for other processes' runs; false when the signal stopped the wait. */
  private async pause(): Promise<boolean> {
    try {
      await sleep(OTHERS_POLL_MS, undefined, this.options.signal ? { signal: this.options.signal } : {});
      return true;
    } catch {
      this.interrupted = true;
      return false;
    }
  }

  /** Fits one run; undefined when the signal stopped it (a model stopped early is not stored). */
  private async fit(
    run: PlannedRun,
    onEpoch: (event: ProgressEvent) => void,
  ): Promise<RunRecord | undefined> {
    const { identity } = run;
    const { experiment, onFitProgress, signal } = this.options;
    const split = this.split(identity.seed, identity.fold);
    const scored: Split = identity.scoredOn === 'validation' ? this.validationAsTest(split) : split;
    const folds = this.foldCount();
    const result = await evaluate({
      modelId: identity.model,
      config: run.settings,
      dataset: this.options.dataset,
      split: scored,
      splitLabel: identity.split,
      seed: identity.seed,
      metrics: this.metrics,
      reviewProtocol: identity.reviewProtocol,
      ...(experiment.validationFraction !== undefined
        ? { validationFraction: experiment.validationFraction }
        : {}),
      ...(experiment.catalogueNdcg !== undefined ? { catalogueNdcgK: experiment.catalogueNdcg } : {}),
      onProgress: (event) => {
        if (event.epoch !== undefined) onEpoch(event.epoch);
        onFitProgress?.(run, { ...event, fold: identity.fold + 1, folds });
      },
      ...(signal ? { signal } : {}),
    });
    if (signal?.aborted === true) {
      this.options.onStoppedEarly?.(run, result);
      return undefined;
    }
    return {
      key: run.key,
      identity,
      role: run.role,
      settings: run.settings,
      metrics: result.metrics,
      fitSeconds: result.fitSeconds,
      predictSeconds: result.predictSeconds,
      epochs: result.epochs,
      ...(result.bestEpoch !== undefined ? { bestEpoch: result.bestEpoch } : {}),
      nTrain: result.nTrain,
      nTest: result.nTest,
      ...(result.notes !== undefined ? { notes: result.notes } : {}),
      detail: {
        split: scored.name,
        rmse: result.rmse,
        mae: result.mae,
        mse: result.mse,
        ndcg10: result.ndcg10,
        samplesPerSecond: result.samplesPerSecond,
        ...(result.bestValidationRmse !== undefined ? { bestValidationRmse: result.bestValidationRmse } : {}),
        nValidation: result.nValidation,
        coldStart: result.coldStart,
        ...(result.catalogueNdcg !== undefined ? { catalogueNdcg: result.catalogueNdcg } : {}),
      },
      finishedAt: new Date().toISOString(),
    };
  }

  /** How many folds the experiment's split has (each a run of its own). */
  private foldCount(): number {
    return splitFoldCount(parseSplitSpec(this.options.experiment.split));
  }

  private split(seed: number, fold: number): Split {
    let splits = this.splits.get(seed);
    if (splits === undefined) {
      const { dataset, experiment } = this.options;
      const kept =
        experiment.minRatings === undefined ? undefined : minRatingsPerUser(dataset, experiment.minRatings);
      splits = makeSplits(dataset, parseSplitSpec(experiment.split), seed, kept);
      this.splits.set(seed, splits);
    }
    return splits[fold];
  }

  /** A sweep point is scored on the validation part; the test part is never looked at. */
  private validationAsTest(split: Split): Split {
    if (split.validation.length === 0)
      throw new HeedError(
        `${this.options.file}: $.sweep: split "${this.options.experiment.split}" has no validation part to score the sweep on`,
      );
    return { ...split, name: `${split.name} (validation)`, test: split.validation };
  }
}

/** The runs scoring the sweep's best point on test, once its validation runs are in `records`. */
export function bestPointRuns(context: PlanContext, records: readonly RunRecord[]): PlannedRun[] {
  const sweep = context.experiment.sweep;
  if (sweep === undefined) return [];
  const best = bestSweepPoint(
    records.filter((r) => r.role.kind === 'sweep'),
    sweep.metric,
  );
  if (best === undefined) return [];
  const change = context.quick ? sweep.quick : undefined;
  const settings: Settings = { ...sweep.settings, ...best, ...(change?.settings ?? {}) };
  return sweepBestRuns(context, best, settings, change?.expectedSeconds ?? sweep.expectedSeconds);
}

/**
 * The report input of an experiment from its stored runs only, fitting nothing (`heed experiment
 * report`, the generated BENCHMARKS.md sections): the plan's stored runs, the sweep's best point
 * when stored, and how many planned runs are missing.
 */
export function storedReport(context: PlanContext, store: RunStore): ReportInput {
  const plan = planExperiment(context);
  const stored = plan.runs.filter((r) => store.has(r.key)).map((r) => store.readFor(r));
  const best = bestPointRuns(context, stored)
    .filter((r) => store.has(r.key))
    .map((r) => store.readFor(r));
  return {
    experiment: context.experiment,
    records: [...stored, ...best],
    quick: context.quick,
    quickNotes: plan.quickNotes,
    missing: plan.runs.length - stored.length,
  };
}

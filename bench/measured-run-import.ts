/**
 * Matching runs measured by the old bench mains (`measured-runs.ts`) to the planned runs of one
 * experiment, and storing each match as a run record under the runner's own key, its numbers
 * copied with their provenance. Used by `import-measured-runs.ts`.
 */
import { formatSplitSpec, parseSplitSpec } from '../src/data/split.js';
import type { Experiment, Settings } from '../src/experiment/format.js';
import { planExperiment, type PlanContext, type PlannedRun } from '../src/experiment/plan.js';
import { canonicalJson } from '../src/experiment/run-key.js';
import { bestPointRuns } from '../src/experiment/runner.js';
import type { RunRecord, RunStore } from '../src/experiment/store.js';
import type { ConfigValue } from '../src/models/model.js';
import { migrateConfig, renamedSetting } from '../src/models/renamed-settings.js';
import type { MeasuredRun } from './measured-runs.js';

/** `key=value` pairs (space or comma separated) as settings with today's names. */
function overrideSettings(model: string, overrides: string): Settings {
  const out: Record<string, ConfigValue> = {};
  for (const pair of overrides.split(/[\s,]+/).filter((p) => p !== '')) {
    const [key, value] = pair.split('=');
    const number = Number(value);
    out[renamedSetting(model, key) ?? key] =
      value === 'true' ? true : value === 'false' ? false : Number.isFinite(number) ? number : value;
  }
  return out;
}

function sameSplit(a: string, b: string): boolean {
  return formatSplitSpec(parseSplitSpec(a)) === formatSplitSpec(parseSplitSpec(b));
}

/**
 * Settings added after a run was measured whose default is exactly what the code did before the
 * setting existed, so a config without them ran as one with this value does today:
 * - plateauDecay 1, weightAverage 0: the training loop reads an absent value as 1 and 0
 *   (src/engine/train-loop.ts, `?? 1` and `?? 0`); both are off at these values.
 * - ratingLoss l1 (transnet, safmr): before commit 30b5b65 both rating losses were
 *   `mean(abs(predicted − rating))`, what `l1` computes now.
 */
const ADDED_AS_BEFORE: Readonly<Record<string, ConfigValue>> = {
  plateauDecay: 1,
  weightAverage: 0,
  ratingLoss: 'l1',
};

/**
 * Settings a model recorded but never read, since removed from it: commit 9d51831 dropped
 * cnnOutDim from NARRE, which has no text vector layer and ignored it.
 */
const REMOVED_UNUSED: Readonly<Record<string, readonly string[]>> = { narre: ['cnnOutDim'] };

/**
 * Values that meant the same fit on the machine every measured run ran on (2 cores): bayes-svdpp's
 * `chains` 0 was "one chain per core" until its default became a fixed 2 (docs/BAYES-SVDPP.md),
 * so a run measured with 0 there pooled exactly the 2 chains that `chains` 2 pools.
 */
const SAME_ON_TWO_CORES: Readonly<
  Record<string, Readonly<Record<string, readonly [ConfigValue, ConfigValue]>>>
> = { 'bayes-svdpp': { chains: [0, 2] } };

/**
 * The settings whose values differ between the config a run recorded then and the one the
 * experiment resolves now, as `name: then → now`; settings added or removed without changing what
 * runs (above) are not differences.
 */
function configDifferences(
  model: string,
  then: Record<string, ConfigValue>,
  now: Record<string, ConfigValue>,
): string[] {
  const keys = [...new Set([...Object.keys(then), ...Object.keys(now)])].sort();
  return keys
    .filter((k) => then[k] !== now[k])
    .filter(
      (k) => !(then[k] === undefined && Object.hasOwn(ADDED_AS_BEFORE, k) && now[k] === ADDED_AS_BEFORE[k]),
    )
    .filter((k) => !(now[k] === undefined && (REMOVED_UNUSED[model] ?? []).includes(k)))
    .filter((k) => {
      const same = SAME_ON_TWO_CORES[model]?.[k];
      return !(same !== undefined && then[k] === same[0] && now[k] === same[1]);
    })
    .map(
      (k) =>
        `${k}: ${then[k] === undefined ? '(absent)' : String(then[k])} → ${now[k] === undefined ? '(absent)' : String(now[k])}`,
    );
}

export interface ImportOutcome {
  readonly experiment: string;
  readonly imported: number;
  readonly alreadyStored: number;
  /** Measured runs matched to a planned run but left out, with why. */
  readonly refused: readonly string[];
  /** Planned runs with no measured run. */
  readonly unmatched: number;
}

/**
 * The metric values of a measured run for a planned one. A sweep point is scored on the
 * validation part: its RMSE is the validation RMSE of the epoch the fit kept (what the runner
 * scores the point on: the same fit, the same validation pairs); the bench kept no other
 * validation metric.
 */
function metricValues(
  run: PlannedRun,
  measured: MeasuredRun,
  metrics: readonly string[],
): Record<string, number | null> {
  if (run.identity.scoredOn === 'test')
    return Object.fromEntries(metrics.map((m) => [m, measured.metrics[m] ?? null]));
  return Object.fromEntries(
    metrics.map((m) => [m, m === 'rmse' ? (measured.bestValidationRmse ?? null) : null]),
  );
}

function record(run: PlannedRun, measured: MeasuredRun, metrics: readonly string[]): RunRecord {
  const values = metricValues(run, measured, metrics);
  const missing = metrics.filter((m) => values[m] === null);
  const onValidation = run.identity.scoredOn === 'validation';
  return {
    key: run.key,
    identity: run.identity,
    role: run.role,
    settings: run.settings,
    metrics: values,
    fitSeconds: measured.fitSeconds,
    predictSeconds: measured.predictSeconds,
    epochs: measured.epochs,
    ...(measured.bestEpoch !== undefined ? { bestEpoch: measured.bestEpoch } : {}),
    nTrain: measured.nTrain,
    nTest: onValidation ? (measured.detail?.nValidation ?? 0) : measured.nTest,
    // The detail describes the test part's scores: a validation-scored run keeps none of it.
    ...(measured.detail !== undefined && !onValidation ? { detail: measured.detail } : {}),
    finishedAt: new Date().toISOString(),
    provenance: {
      ...measured.provenance,
      ...(missing.length > 0 || onValidation
        ? {
            note: [
              ...(onValidation ? ["scored on validation: the fit's bestValidationRmse as rmse"] : []),
              ...(missing.length > 0 ? [`not measured then: ${missing.join(', ')} (stored as null)`] : []),
            ].join('; '),
          }
        : measured.config === undefined
          ? {
              note: 'the bench did not record the config; matched by model and settings (shipped defaults then)',
            }
          : {}),
    },
  };
}

/** Imports the measured runs of one experiment's planned runs into its store. */
class ExperimentImport {
  imported = 0;
  alreadyStored = 0;
  unmatched = 0;
  readonly refused: string[] = [];

  constructor(
    private readonly experiment: Experiment,
    private readonly measured: readonly MeasuredRun[],
    private readonly store: RunStore,
  ) {}

  /**
   * The measured run that is this planned run: the same data set, split, fold, seed, model,
   * review protocol and catalogue NDCG, and the same config (or, when the bench did not record
   * the config, the same settings given). A run with the same settings whose config differs
   * (a default changed since) is listed as refused.
   */
  importRun(run: PlannedRun): void {
    const { identity } = run;
    const e = this.experiment;
    const candidates = this.measured.filter(
      (m) =>
        m.model === identity.model &&
        m.dataset === e.dataset &&
        sameSplit(m.split, e.split) &&
        m.seed === identity.seed &&
        m.fold === identity.fold &&
        m.reviewProtocol === (e.reviewProtocol ?? 'clean') &&
        m.detail?.catalogueNdcg?.k === e.catalogueNdcg &&
        (identity.scoredOn === 'test' || m.bestValidationRmse !== undefined),
    );
    const sameSettings = (m: MeasuredRun): boolean =>
      canonicalJson(overrideSettings(m.model, m.overrides)) === canonicalJson(run.settings);
    const differences = (m: MeasuredRun): string[] =>
      m.config === undefined
        ? []
        : configDifferences(m.model, migrateConfig(m.model, m.config, m.provenance.source), identity.config);
    const match = candidates.find((m) =>
      m.config === undefined ? sameSettings(m) : differences(m).length === 0,
    );
    if (match === undefined) {
      this.unmatched++;
      for (const m of candidates.filter((c) => c.config !== undefined && sameSettings(c)))
        this.refused.push(
          `${this.what(run)} from ${m.provenance.source}: its config differs from today's (${differences(m).join('; ')})`,
        );
      return;
    }
    if (this.store.has(run.key)) {
      this.alreadyStored++;
      return;
    }
    this.store.write(record(run, match, e.metrics));
    this.imported++;
  }

  private what(run: PlannedRun): string {
    const label = run.role.kind === 'figure' ? `${run.role.figure} ${run.role.label}` : run.role.label;
    return `${run.role.kind} ${label} (${run.identity.model}) seed ${run.identity.seed} fold ${run.identity.fold + 1}`;
  }
}

/**
 * Imports the measured runs that are planned runs of the experiment into `store`: the table's
 * runs, the sweep's points and then the sweep's best point on test. Figure points are left to the
 * runner (the bench mains never swept a figure's setting; a figure point sharing its key with a
 * table run is stored with it).
 */
export function importExperimentRuns(
  context: PlanContext,
  measured: readonly MeasuredRun[],
  store: RunStore,
): ImportOutcome {
  const plan = planExperiment(context);
  const work = new ExperimentImport(context.experiment, measured, store);
  for (const run of plan.runs) if (run.role.kind !== 'figure') work.importRun(run);
  const sweepRecords = plan.runs
    .filter((r) => r.role.kind === 'sweep' && store.has(r.key))
    .map((r) => store.readFor(r));
  for (const run of bestPointRuns(context, sweepRecords)) work.importRun(run);
  return {
    experiment: context.experiment.name,
    imported: work.imported,
    alreadyStored: work.alreadyStored,
    refused: work.refused,
    unmatched: work.unmatched,
  };
}

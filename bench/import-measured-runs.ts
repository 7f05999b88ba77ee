/**
 * Imports the runs the old bench mains measured (bench/results/*.json) into the run stores of the
 * experiments behind BENCHMARKS.md, so the tables are rebuilt by the runner without refitting.
 * Each measured run is matched to a planned table run by model, settings, seed and fold, and its
 * key is the runner's own (plan.ts, run-key.ts), so `heed experiment run` later fits only what is
 * missing. A measured run whose recorded config differs from what the experiment would run now
 * (a default changed since) is reported and left out. The metric values are copied from the
 * JSON; a metric the bench did not measure is stored as null and said in the provenance note.
 *
 *   node dist/bench/import-measured-runs.js [--data-dir ../shared/data] [--only NAME[,NAME...]]
 *
 * `--only` imports into the named experiments' stores only (leaving, say, a store a running
 * reproduction writes to alone); a name that is not a benchmark experiment is refused.
 */
import { loadDataset } from '../src/data/registry.js';
import { formatSplitSpec, parseSplitSpec } from '../src/data/split.js';
import { readExperimentFile } from '../src/experiment/load.js';
import { planExperiment, type PlannedRun } from '../src/experiment/plan.js';
import { bestPointRuns } from '../src/experiment/runner.js';
import { canonicalJson } from '../src/experiment/run-key.js';
import { RunStore, type RunRecord } from '../src/experiment/store.js';
import type { Experiment, Settings } from '../src/experiment/format.js';
import type { ConfigValue } from '../src/models/model.js';
import { migrateConfig, renamedSetting } from '../src/models/renamed-settings.js';
import { UsageError } from '../src/util/errors.js';
import { BENCHMARK_EXPERIMENT_FILES, benchmarkOutDir } from './benchmark-experiments.js';
import { readMeasuredRuns, type MeasuredRun } from './measured-runs.js';

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
    .map(
      (k) =>
        `${k}: ${then[k] === undefined ? '(absent)' : String(then[k])} → ${now[k] === undefined ? '(absent)' : String(now[k])}`,
    );
}

interface ImportOutcome {
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
function metricValues(run: PlannedRun, measured: MeasuredRun, metrics: readonly string[]): Record<string, number | null> {
  if (run.identity.scoredOn === 'test')
    return Object.fromEntries(metrics.map((m) => [m, measured.metrics[m] ?? null]));
  return Object.fromEntries(metrics.map((m) => [m, m === 'rmse' ? (measured.bestValidationRmse ?? null) : null]));
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

async function importMeasuredRuns(
  dataDir: string,
  only: readonly string[] | undefined,
  resultsDir = 'bench/results',
): Promise<ImportOutcome[]> {
  const measured = readMeasuredRuns(resultsDir);
  const experiments = BENCHMARK_EXPERIMENT_FILES.map((file) => ({ file, experiment: readExperimentFile(file) }));
  const unknown = (only ?? []).filter((name) => !experiments.some((e) => e.experiment.name === name));
  if (unknown.length > 0)
    throw new UsageError(
      `--only: no benchmark experiment named ${unknown.map((n) => `"${n}"`).join(', ')} (they are: ${experiments.map((e) => e.experiment.name).join(', ')})`,
    );
  const outcomes: ImportOutcome[] = [];
  for (const { file, experiment } of experiments) {
    if (only !== undefined && !only.includes(experiment.name)) continue;
    const dataset = loadDataset(experiment.dataset, { dataDir });
    const context = { experiment, dataset, quick: false, file };
    const plan = planExperiment(context);
    const store = new RunStore(benchmarkOutDir(experiment));
    const work = new ExperimentImport(experiment, measured, store);
    // Figure points are fitted by the runner only (the bench mains never swept a figure's setting
    // except where a figure point shares its key with a table run, which is then stored already).
    for (const run of plan.runs) if (run.role.kind !== 'figure') work.importRun(run);
    // The sweep's best point on test, once its validation points are stored.
    const sweepRecords = plan.runs.filter((r) => r.role.kind === 'sweep' && store.has(r.key)).map((r) => store.readFor(r));
    for (const run of bestPointRuns(context, sweepRecords)) work.importRun(run);
    outcomes.push({
      experiment: experiment.name,
      imported: work.imported,
      alreadyStored: work.alreadyStored,
      refused: work.refused,
      unmatched: work.unmatched,
    });
  }
  return outcomes;
}

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const dataDir = flag('--data-dir') ?? '../shared/data';
  const only = flag('--only')?.split(',');
  for (const o of await importMeasuredRuns(dataDir, only)) {
    console.log(
      `${o.experiment}: ${o.imported} imported, ${o.alreadyStored} already stored, ${o.refused.length} left out, ${o.unmatched} planned runs never measured`,
    );
    for (const r of o.refused) console.log(`  left out: ${r}`);
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`import-measured-runs: ${error.message}`);
  process.exitCode = 2;
}

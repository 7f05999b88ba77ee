/**
 * Imports the runs the old bench mains measured (bench/results/*.json) into the run stores of the
 * experiments behind BENCHMARKS.md, so the tables are rebuilt by the runner without refitting.
 * Each measured run is matched to a planned table run by model, settings, seed and fold, and its
 * key is the runner's own (plan.ts, run-key.ts), so `heed experiment run` later fits only what is
 * missing. A measured run whose recorded config differs from what the experiment would run now
 * (a default changed since) is reported and left out. The metric values are copied from the
 * JSON; a metric the bench did not measure is stored as null and said in the provenance note.
 *
 *   node dist/bench/import-measured-runs.js [--data-dir ../shared/data]
 */
import { loadDataset } from '../src/data/registry.js';
import { formatSplitSpec, parseSplitSpec } from '../src/data/split.js';
import { readExperimentFile } from '../src/experiment/load.js';
import { planExperiment, type PlannedRun } from '../src/experiment/plan.js';
import { canonicalJson } from '../src/experiment/run-key.js';
import { RunStore, type RunRecord } from '../src/experiment/store.js';
import type { Settings } from '../src/experiment/format.js';
import type { ConfigValue } from '../src/models/model.js';
import { migrateConfig, renamedSetting } from '../src/models/renamed-settings.js';
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
  /** Planned table runs with no measured run. */
  readonly unmatched: number;
}

function record(run: PlannedRun, measured: MeasuredRun, metrics: readonly string[]): RunRecord {
  const missing = metrics.filter((m) => measured.metrics[m] === undefined);
  return {
    key: run.key,
    identity: run.identity,
    role: run.role,
    settings: run.settings,
    metrics: Object.fromEntries(metrics.map((m) => [m, measured.metrics[m] ?? null])),
    fitSeconds: measured.fitSeconds,
    predictSeconds: measured.predictSeconds,
    epochs: measured.epochs,
    ...(measured.bestEpoch !== undefined ? { bestEpoch: measured.bestEpoch } : {}),
    nTrain: measured.nTrain,
    nTest: measured.nTest,
    finishedAt: new Date().toISOString(),
    provenance: {
      ...measured.provenance,
      ...(missing.length > 0
        ? { note: `not measured then: ${missing.join(', ')} (stored as null)` }
        : measured.config === undefined
          ? {
              note: 'the bench did not record the config; matched by model and settings (shipped defaults then)',
            }
          : {}),
    },
  };
}

async function importMeasuredRuns(dataDir: string, resultsDir = 'bench/results'): Promise<ImportOutcome[]> {
  const measured = readMeasuredRuns(resultsDir);
  const outcomes: ImportOutcome[] = [];
  for (const file of BENCHMARK_EXPERIMENT_FILES) {
    const experiment = readExperimentFile(file);
    const dataset = loadDataset(experiment.dataset, { dataDir });
    const plan = planExperiment({ experiment, dataset, quick: false, file });
    const store = new RunStore(benchmarkOutDir(experiment));
    const refused: string[] = [];
    let imported = 0;
    let alreadyStored = 0;
    let unmatched = 0;
    for (const run of plan.runs) {
      if (run.role.kind !== 'table') continue;
      const { identity } = run;
      const match = measured.find(
        (m) =>
          m.model === identity.model &&
          m.dataset === experiment.dataset &&
          sameSplit(m.split, experiment.split) &&
          m.seed === identity.seed &&
          m.fold === identity.fold &&
          canonicalJson(overrideSettings(m.model, m.overrides)) === canonicalJson(run.settings),
      );
      if (match === undefined) {
        unmatched++;
        continue;
      }
      const what = `${run.role.label} (${identity.model}) seed ${identity.seed} fold ${identity.fold + 1} from ${match.provenance.source}`;
      if (match.config !== undefined) {
        const then = migrateConfig(match.model, match.config, match.provenance.source);
        const differences = configDifferences(match.model, then, identity.config);
        if (differences.length > 0) {
          refused.push(`${what}: its config differs from today's (${differences.join('; ')})`);
          continue;
        }
      }
      if (store.has(run.key)) {
        alreadyStored++;
        continue;
      }
      store.write(record(run, match, experiment.metrics));
      imported++;
    }
    outcomes.push({ experiment: experiment.name, imported, alreadyStored, refused, unmatched });
  }
  return outcomes;
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--data-dir');
  const dataDir = flag >= 0 ? process.argv[flag + 1] : '../shared/data';
  for (const o of await importMeasuredRuns(dataDir)) {
    console.log(
      `${o.experiment}: ${o.imported} imported, ${o.alreadyStored} already stored, ${o.refused.length} left out, ${o.unmatched} planned table runs never measured`,
    );
    for (const r of o.refused) console.log(`  left out: ${r}`);
  }
}

await main();

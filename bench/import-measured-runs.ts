/**
 * Imports the runs the old bench mains measured (bench/results/*.json) into the run stores of the
 * experiments behind BENCHMARKS.md, so the tables are rebuilt by the runner without refitting.
 * Each measured run is matched to a planned run (a table row's, a sweep point's scored on
 * validation, the sweep's best point's) by model, data set, split, seed, fold, review protocol,
 * catalogue NDCG and config (`measured-run-import.ts`), and its key is the runner's own (plan.ts,
 * run-key.ts), so `heed experiment run` later fits only what is missing. A measured run whose recorded config differs from what the experiment would run now
 * (a default changed since) is reported and left out. The metric values are copied from the
 * JSON; a metric the bench did not measure is stored as null and said in the provenance note.
 *
 *   node dist/bench/import-measured-runs.js [--data-dir ../shared/data] [--only NAME[,NAME...]]
 *
 * `--only` imports into the named experiments' stores only (leaving, say, a store a running
 * reproduction writes to alone); a name that is not a benchmark experiment is refused.
 */
import { loadDataset } from '../src/data/registry.js';
import { readExperimentFile } from '../src/experiment/load.js';
import { RunStore } from '../src/experiment/store.js';
import { UsageError } from '../src/util/errors.js';
import { BENCHMARK_EXPERIMENT_FILES, benchmarkOutDir } from './benchmark-experiments.js';
import { importExperimentRuns, type ImportOutcome } from './measured-run-import.js';
import { readMeasuredRuns } from './measured-runs.js';

async function importMeasuredRuns(
  dataDir: string,
  only: readonly string[] | undefined,
  resultsDir = 'bench/results',
): Promise<ImportOutcome[]> {
  const measured = readMeasuredRuns(resultsDir);
  const experiments = BENCHMARK_EXPERIMENT_FILES.map((file) => ({
    file,
    experiment: readExperimentFile(file),
  }));
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
    outcomes.push(importExperimentRuns(context, measured, new RunStore(benchmarkOutDir(experiment))));
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

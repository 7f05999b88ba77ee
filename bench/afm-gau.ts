/**
 * AFM with Gated Attention Units on its paper's protocol (Chen et al., SIGIR 2018, Sec. 4.1):
 * MovieLens 1M with the movies' genres as the only item feature, five-fold cross-validation, and
 * the paper's Table 2 numbers to reach (RMSE 0.858, MAE 0.676).
 *
 * Each fold's training part also gives 5% of its ratings to a validation set for early stopping
 * (`kfold:5,0.05`); the paper does not say how it chose its number of epochs, and choosing it on
 * the test fold would be unfair. Folds run one at a time (`--folds 1` estimates the cost first)
 * and every fold's result is saved as soon as it is measured, with the command, the backend, the
 * load average before and after and the machine, in bench/results/afm-gau.json. The summary says
 * whether the mean over the folds measured so far meets the paper's numbers.
 *
 * The runner is shared with bench/aanmf.ts (`runPaperBench`).
 *
 *   node dist/bench/afm-gau.js --data-dir /work/shared/data [--folds 1] [--set key=value]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { helpText, parseArgs, type CommandSpec, type FlagSpec } from '../src/cli/flags.js';
import type { Dataset } from '../src/data/dataset.js';
import { loadDataset } from '../src/data/registry.js';
import { formatSplitSpec, makeSplits, parseSplitSpec } from '../src/data/split.js';
import { engineInfo, engineStarted } from '../src/engine/index.js';
import { modelConfig, runFold, standardDeviation } from '../src/eval/protocol.js';
import { getModelSpec } from '../src/models/index.js';
import type { ConfigValue, ModelConfig } from '../src/models/model.js';
import { HeedError, UsageError } from '../src/util/errors.js';
import { writeFileAtomic } from '../src/util/io.js';
import { cpuModel, loadAverages } from './machine-load.js';
import { checkOverrideKeys, overridesText } from './shared-flags.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One (model, data set, protocol) of a paper, with the settings its set-up fixes and its numbers. */
export interface PaperSetting {
  readonly model: string;
  readonly dataset: string;
  /** A split spec (`kfold:5,0.05`, `ratio:0.8,0.1,0.1`). */
  readonly protocol: string;
  /** Settings the paper's set-up fixes (they win over the defaults, `--set` wins over them). */
  readonly fixed: Readonly<Record<string, ConfigValue>>;
  readonly paper: { readonly source: string; readonly rmse: number; readonly mae: number };
}

export interface Session {
  readonly id: string;
  readonly command: string;
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly backend: string;
}

export interface Run {
  readonly session: string;
  readonly model: string;
  readonly dataset: string;
  readonly protocol: string;
  /** `--set` overrides as typed; '' for the bench's settings. */
  readonly overrides: string;
  readonly seed: number;
  /** 1-based fold (1 for a ratio split). */
  readonly fold: number;
  readonly config: ModelConfig;
  readonly rmse: number;
  readonly mae: number;
  readonly epochs: number;
  readonly bestEpoch: number | null;
  readonly bestValidationRmse: number | null;
  readonly fitSeconds: number;
  readonly samplesPerSecond: number;
  readonly nTrain: number;
  readonly nValidation: number;
  readonly nTest: number;
  readonly coldStartPairs: number;
  /** 1-, 5- and 15-minute load averages before and after the fold (2 shared cores). */
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly date: string;
}

export interface Summary {
  readonly model: string;
  readonly dataset: string;
  readonly protocol: string;
  readonly overrides: string;
  /** Runs (folds × seeds) measured. */
  readonly runs: number;
  /** All folds of the protocol measured (for every seed that ran). */
  readonly complete: boolean;
  readonly rmse: number;
  readonly rmseSd: number;
  readonly mae: number;
  readonly maeSd: number;
  readonly paper: PaperSetting['paper'];
  readonly meetsPaper: boolean;
}

interface ResultsFile {
  readonly benchmark: string;
  readonly sessions: Session[];
  readonly runs: Run[];
  readonly summary: Summary[];
}

export const AFM_GAU_SETTINGS: readonly PaperSetting[] = [
  {
    model: 'afm-gau',
    dataset: 'ml-1m',
    protocol: 'kfold:5,0.05',
    // Sec. 4.1.1: "we take the genres of movies as an item feature".
    fixed: { itemFeatures: 'genre' },
    paper: { source: 'Chen et al. SIGIR 2018, Table 2 (MovieLens)', rmse: 0.858, mae: 0.676 },
  },
];

export function benchFlags(extra: Readonly<Record<string, FlagSpec>> = {}): Record<string, FlagSpec> {
  return {
    'data-dir': { kind: 'string', value: 'DIR', description: 'Where ml-100k/ and ml-1m/ are' },
    datasets: { kind: 'string', value: 'LIST', description: 'Only these data sets' },
    folds: {
      kind: 'string',
      value: 'LIST',
      description: 'Only these 1-based folds of a k-fold protocol (e.g. 1)',
    },
    seeds: { kind: 'string', value: 'LIST', description: 'Seeds of the splits and models', defaultText: '1' },
    set: { kind: 'repeatable', value: 'KEY=VALUE', description: 'Override a model setting (its own rows)' },
    out: { kind: 'string', value: 'FILE', description: 'Results JSON' },
    quiet: { kind: 'switch', description: 'No per-epoch lines on stderr' },
    ...extra,
  };
}

/**
 * Runs every selected (setting, seed, fold) and merges the results into the results file after
 * each one, then prints the summary.
 */
export async function runPaperBench(
  benchmark: string,
  settings: readonly PaperSetting[],
  argv: readonly string[],
  command: CommandSpec,
): Promise<void> {
  const args = parseArgs(argv, command);
  if (args.help) {
    process.stdout.write(helpText(command));
    return;
  }
  const models = 'models' in command.flags ? args.commaList('models') : undefined;
  const datasets = args.commaList('datasets');
  const folds = args.commaList('folds')?.map((f) => positiveInteger('--folds', f));
  const seeds = (args.commaList('seeds') ?? ['1']).map((s) => integer('--seeds', s));
  const overrides = args.keyValues('set');
  const overrideText = overridesText(overrides);
  const outFile = path.resolve(ROOT, args.string('out') ?? `bench/results/${benchmark}.json`);
  const dataDir = args.string('data-dir');
  const quiet = args.switch('quiet');
  const chosen = settings.filter(
    (s) =>
      (models === undefined || models.includes(s.model)) &&
      (datasets === undefined || datasets.includes(s.dataset)),
  );
  if (chosen.length === 0) throw new UsageError('nothing to run: check --models and --datasets');
  checkOverrideKeys(
    overrides,
    chosen.map((s) => getModelSpec(s.model)),
  );

  const previous = readResults(outFile, benchmark);
  const sessionId = new Date().toISOString();
  const runs: Run[] = [];
  let backend = 'not started';
  const save = (): void => {
    const replaced = new Set(runs.map(runKey));
    const all = [...previous.runs.filter((r) => !replaced.has(runKey(r))), ...runs];
    const session: Session = {
      id: sessionId,
      command: `node dist/bench/${benchmark}.js ${argv.join(' ')}`.trim(),
      cpu: cpuModel(),
      cores: os.availableParallelism(),
      node: process.version,
      backend,
    };
    const sessions = [
      ...previous.sessions.filter((s) => s.id !== sessionId && all.some((r) => r.session === s.id)),
      session,
    ];
    const results: ResultsFile = { benchmark, sessions, runs: all, summary: summarise(all, settings) };
    writeFileAtomic(outFile, JSON.stringify(results, null, 1) + '\n');
  };

  const loaded = new Map<string, Dataset>();
  for (const setting of chosen) {
    let dataset = loaded.get(setting.dataset);
    if (dataset === undefined) {
      dataset = await loadDataset(setting.dataset, dataDir === undefined ? {} : { dataDir });
      loaded.set(setting.dataset, dataset);
    }
    const spec = getModelSpec(setting.model);
    const requested: Record<string, string | ConfigValue> = {};
    for (const [k, v] of Object.entries({ ...setting.fixed, ...overrides }))
      if (k in spec.defaults) requested[k] = v;
    const splitSpec = parseSplitSpec(setting.protocol);
    for (const seed of seeds) {
      const splits = makeSplits(dataset, splitSpec, seed);
      for (let f = 0; f < splits.length; f++) {
        if (folds !== undefined && !folds.includes(f + 1)) continue;
        const config = modelConfig(spec, requested, seed);
        const model = spec.create(config);
        const loadBefore = loadAverages();
        const label = `${setting.model} ${setting.dataset} ${formatSplitSpec(splitSpec)} fold ${f + 1}/${splits.length} seed ${seed}`;
        const r = await runFold(model, dataset, splits[f], (_phase, epoch) => {
          if (epoch !== undefined && !quiet) {
            process.stderr.write(
              `${label}: epoch ${epoch.epoch} loss ${epoch.trainLoss?.toFixed(4) ?? '-'} validation RMSE ` +
                `${epoch.validationRmse?.toFixed(4) ?? '-'} ${epoch.seconds.toFixed(0)} s\n`,
            );
          }
        });
        if (engineStarted()) {
          const info = engineInfo();
          backend = `${info.backend}${info.backend === 'wasm' ? ` (SIMD ${info.simd}, ${info.threads} thread)` : ''}`;
        }
        const report = (model as { lastReport?: { bestEpoch: number; bestValidationRmse?: number } })
          .lastReport;
        runs.push({
          session: sessionId,
          model: setting.model,
          dataset: setting.dataset,
          protocol: setting.protocol,
          overrides: overrideText,
          seed,
          fold: f + 1,
          config: model.config,
          rmse: r.rmse,
          mae: r.mae,
          epochs: r.epochs,
          bestEpoch: report?.bestEpoch ?? null,
          bestValidationRmse: report?.bestValidationRmse ?? null,
          fitSeconds: r.fitSeconds,
          samplesPerSecond: r.samplesPerSecond,
          nTrain: r.nTrain,
          nValidation: r.nValidation,
          nTest: r.nTest,
          coldStartPairs: r.coldStart.user + r.coldStart.item + r.coldStart.both,
          loadBefore,
          loadAfter: loadAverages(),
          date: new Date().toISOString(),
        });
        process.stderr.write(
          `${label}: test RMSE ${r.rmse.toFixed(4)} MAE ${r.mae.toFixed(4)}, ${r.epochs} epochs, fit ${r.fitSeconds.toFixed(0)} s ` +
            `(${Math.round(r.samplesPerSecond)} samples/s, ${backend}), load ${loadBefore.join(' ')} → ${loadAverages().join(' ')}\n`,
        );
        save();
      }
    }
  }
  if (runs.length === 0) throw new UsageError('nothing ran: check --folds');
  const results = readResults(outFile, benchmark);
  for (const s of summarise(results.runs, settings)) {
    process.stdout.write(
      `${s.model} ${s.dataset} ${s.protocol}${s.overrides === '' ? '' : ` (${s.overrides})`}: ${s.runs} run(s)${s.complete ? '' : ' (incomplete)'} ` +
        `RMSE ${s.rmse.toFixed(4)} MAE ${s.mae.toFixed(4)}; paper ${s.paper.rmse} / ${s.paper.mae}: ${s.meetsPaper ? 'met' : 'not met'}\n`,
    );
  }
  process.stdout.write(`wrote ${path.relative(ROOT, outFile)}\n`);
}

/**
 * `runPaperBench` on the command line's arguments when `moduleUrl` (the caller's import.meta.url)
 * is the script node was started with, so that importing a bench module runs nothing.
 */
export function runPaperBenchAsMain(
  moduleUrl: string,
  benchmark: string,
  settings: readonly PaperSetting[],
  command: CommandSpec,
): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  runPaperBench(benchmark, settings, process.argv.slice(2), command).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}

function runKey(r: Run): string {
  return `${r.model}|${r.dataset}|${r.protocol}|${r.overrides}|${r.seed}|${r.fold}`;
}

function summarise(runs: readonly Run[], settings: readonly PaperSetting[]): Summary[] {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const k = `${r.model}|${r.dataset}|${r.protocol}|${r.overrides}`;
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [r]);
    else g.push(r);
  }
  const out: Summary[] = [];
  for (const g of groups.values()) {
    const setting = settings.find(
      (s) => s.model === g[0].model && s.dataset === g[0].dataset && s.protocol === g[0].protocol,
    );
    if (setting === undefined) continue;
    const spec = parseSplitSpec(setting.protocol);
    const foldsPerSeed = spec.kind === 'kfold' ? spec.k : 1;
    const seeds = new Set(g.map((r) => r.seed));
    const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
    const rmse = mean(g.map((r) => r.rmse));
    const mae = mean(g.map((r) => r.mae));
    out.push({
      model: g[0].model,
      dataset: g[0].dataset,
      protocol: g[0].protocol,
      overrides: g[0].overrides,
      runs: g.length,
      complete: g.length === seeds.size * foldsPerSeed,
      rmse,
      rmseSd: standardDeviation(g.map((r) => r.rmse)),
      mae,
      maeSd: standardDeviation(g.map((r) => r.mae)),
      paper: setting.paper,
      meetsPaper: rmse <= setting.paper.rmse && mae <= setting.paper.mae,
    });
  }
  return out;
}

function readResults(file: string, benchmark: string): ResultsFile {
  if (!fs.existsSync(file)) return { benchmark, sessions: [], runs: [], summary: [] };
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ResultsFile>;
    if (json.benchmark !== benchmark || !Array.isArray(json.runs) || !Array.isArray(json.sessions))
      throw new Error(`not a results file of the ${benchmark} benchmark`);
    return { benchmark, sessions: json.sessions, runs: json.runs, summary: [] };
  } catch (error) {
    throw new HeedError(
      `${file}: cannot merge with the results there (${error instanceof Error ? error.message : String(error)}); move it away or pass --out`,
    );
  }
}

function integer(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${flag}: "${text}" is not an integer`);
  return Number(text);
}

function positiveInteger(flag: string, text: string): number {
  const n = integer(flag, text);
  if (n < 1) throw new UsageError(`${flag}: folds are numbered from 1, got ${n}`);
  return n;
}

const COMMAND: CommandSpec = {
  name: 'bench:afm-gau',
  summary:
    'AFM-GAU on MovieLens 1M with genres, five folds (each with 5% of its training ratings for early stopping), ' +
    "against the paper's Table 2; writes bench/results/afm-gau.json.",
  flags: benchFlags(),
  examples: [
    'node dist/bench/afm-gau.js --data-dir /work/shared/data --folds 1',
    'node dist/bench/afm-gau.js --data-dir /work/shared/data',
  ],
};

runPaperBenchAsMain(import.meta.url, 'afm-gau', AFM_GAU_SETTINGS, COMMAND);

/**
 * The classic-model benchmark: global mean, baseline, biased MF, SVD++ and FM on the protocols the
 * papers and Surprise report.
 *
 * - ml-100k: the five predefined folds u1..u5 (GroupLens' 80/20 splits), for each seed;
 * - ml-1m: a seeded 90/10 ratio split (`ratio:0.9,0,0.1`), one split per seed.
 *
 * Each (model, data set, protocol) is summarised as mean ± sample sd over all its runs (folds ×
 * seeds) of RMSE and MAE, mean fit seconds and mean training throughput (ratings processed per
 * second, i.e. per-epoch ratings/s for SGD models). `--surprise-config` runs biased MF and SVD++
 * with Surprise's defaults (factors 100, 20 epochs, lr 0.005, reg 0.02) to time them against it.
 *
 * Results: bench/results/classic.json (or classic-surprise.json), merged with the runs already
 * there for other (model, data set, protocol) keys, with the summary above. BENCHMARKS.md's
 * accuracy tables of these runs are the experiments bench/experiments/classic-ml100k.json and
 * classic-ml1m.json (import the runs with `node dist/bench/import-measured-runs.js`, then
 * `node dist/bench/update-benchmarks.js`). Usage: `node dist/bench/classic.js --help`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../src/data/dataset.js';
import { loadDataset } from '../src/data/registry.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { evaluate, standardDeviation, type FoldResult } from '../src/eval/protocol.js';
import { helpText, parseArgs, type CommandSpec } from '../src/cli/flags.js';
import { MODELS } from '../src/models/index.js';
import type { ModelConfig } from '../src/models/model.js';
import { HeedError, UsageError } from '../src/util/errors.js';
import { writeFileAtomic } from '../src/util/io.js';
import { cpuModel } from './machine-load.js';
import { checkOverrideKeys, outFlag, overridesText, SET_FLAG } from './shared-flags.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ALL_MODELS = ['globalmean', 'baseline', 'biasedmf', 'svdpp', 'fm'];
const SURPRISE_MODELS = ['biasedmf', 'svdpp'];
/** Surprise's SVD/SVD++ defaults (surprise.prediction_algorithms.matrix_factorization). */
const SURPRISE_CONFIG: ModelConfig = {
  factors: 100,
  epochs: 20,
  learningRate: 0.005,
  l2: 0.02,
  biasLearningRate: 0.005,
  biasL2: 0.02,
  implicitLearningRate: 0.005,
  implicitL2: 0.02,
  initStd: 0.1,
  lrDecay: 1,
};

/** The protocol each data set is benchmarked with. */
const PROTOCOLS: Record<string, { readonly protocol: string; readonly splits: readonly string[] }> = {
  'ml-100k': { protocol: 'u1..u5', splits: ['u1', 'u2', 'u3', 'u4', 'u5'] },
  'ml-1m': { protocol: 'ratio:0.9,0,0.1', splits: ['ratio:0.9,0,0.1'] },
};

const COMMAND: CommandSpec = {
  name: 'bench:classic',
  summary:
    'Benchmark the classic models on ml-100k (u1..u5) and ml-1m (ratio:0.9,0,0.1) over several seeds; ' +
    "write bench/results/classic.json (BENCHMARKS.md's tables come from the classic-ml100k and classic-ml1m experiments).",
  flags: {
    models: {
      kind: 'string',
      value: 'LIST',
      description: 'Comma list of model ids',
      defaultText: ALL_MODELS.join(','),
    },
    datasets: {
      kind: 'string',
      value: 'LIST',
      description: 'Comma list of data sets',
      defaultText: 'ml-100k,ml-1m',
    },
    seeds: {
      kind: 'string',
      value: 'LIST',
      description: 'Comma list of integer seeds',
      defaultText: '1,2,3',
    },
    splits: {
      kind: 'string',
      value: 'LIST',
      description: 'Run only these of the protocol splits (e.g. u1,u2), for quick checks',
    },
    'data-dir': {
      kind: 'string',
      value: 'DIR',
      description: 'Passed to the data set loader (see heed datasets)',
    },
    'surprise-config': {
      kind: 'switch',
      description: "biasedmf and svdpp with Surprise's defaults (factors 100, 20 epochs, lr 0.005, reg 0.02)",
    },
    set: SET_FLAG,
    out: outFlag('bench/results/classic.json'),
    quiet: { kind: 'switch', description: 'No per-run lines on stderr' },
  },
  examples: [
    'node dist/bench/classic.js',
    'node dist/bench/classic.js --models biasedmf --datasets ml-100k --seeds 1 --splits u1',
    'node dist/bench/classic.js --surprise-config --datasets ml-100k',
  ],
};

interface Session {
  readonly id: string;
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly command: string;
}

interface Run extends Omit<FoldResult, 'coldStart' | 'metrics'> {
  readonly session: string;
  readonly model: string;
  readonly dataset: string;
  readonly protocol: string;
  readonly seed: number;
  readonly config: ModelConfig;
  readonly coldStartPairs: number;
  /** The `--set` overrides, as typed (`epochs=2 factors=50`); '' for the shipped settings. */
  readonly overrides: string;
}

interface Summary {
  readonly model: string;
  readonly overrides: string;
  readonly dataset: string;
  readonly protocol: string;
  readonly runs: number;
  readonly rmse: number;
  readonly rmseSd: number;
  readonly mae: number;
  readonly maeSd: number;
  readonly fitSeconds: number;
  readonly samplesPerSecond: number;
  readonly epochs: number;
  readonly session: string;
}

interface ResultsFile {
  readonly benchmark: string;
  readonly sessions: Session[];
  readonly runs: Run[];
  readonly summary: Summary[];
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, COMMAND);
  if (args.help) {
    process.stdout.write(helpText(COMMAND));
    return;
  }
  const surprise = args.switch('surprise-config');
  const kind = surprise ? 'classic-surprise' : 'classic';
  const registered = new Set(MODELS.map((m) => m.id));
  const wanted = args.commaList('models') ?? (surprise ? SURPRISE_MODELS : ALL_MODELS);
  for (const id of wanted) {
    if (surprise && !SURPRISE_MODELS.includes(id)) {
      throw new UsageError(`--models ${id}: --surprise-config runs only ${SURPRISE_MODELS.join(', ')}`);
    }
  }
  const models = wanted.filter((id) => {
    if (registered.has(id)) return true;
    process.stderr.write(`bench: skipping model "${id}": it is not registered in src/models/index.ts\n`);
    return false;
  });
  const datasets = args.commaList('datasets') ?? Object.keys(PROTOCOLS);
  for (const d of datasets) {
    if (!Object.hasOwn(PROTOCOLS, d)) {
      throw new UsageError(
        `--datasets ${d}: no protocol for it (choose from ${Object.keys(PROTOCOLS).join(', ')})`,
      );
    }
  }
  const seeds = (args.commaList('seeds') ?? ['1', '2', '3']).map((s) => {
    if (!/^-?\d+$/.test(s)) throw new UsageError(`--seeds: "${s}" is not an integer`);
    return Number(s);
  });
  const onlySplits = args.commaList('splits');
  const overrides = args.keyValues('set');
  checkOverrideKeys(
    overrides,
    MODELS.filter((m) => models.includes(m.id)),
  );
  const overrideText = overridesText(overrides);
  const outFile = path.resolve(ROOT, args.string('out') ?? `bench/results/${kind}.json`);
  const quiet = args.switch('quiet');
  const dataDir = args.string('data-dir');

  const session: Session = {
    id: new Date().toISOString(),
    date: new Date().toISOString().slice(0, 10),
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    command: `node dist/bench/classic.js ${argv.join(' ')}`.trim(),
  };
  const previous = readResults(outFile, kind);
  const runs: Run[] = [];
  const keys = new Set<string>();
  const save = (): void => {
    const kept = previous.runs.filter((r) => !keys.has(key(r)));
    const all = [...kept, ...runs];
    const sessions = [...previous.sessions.filter((s) => all.some((r) => r.session === s.id)), session];
    const results: ResultsFile = { benchmark: kind, sessions, runs: all, summary: summarise(all) };
    writeFileAtomic(outFile, JSON.stringify(results, null, 1) + '\n');
  };

  for (const datasetId of datasets) {
    const protocol = PROTOCOLS[datasetId];
    const splits = onlySplits ? protocol.splits.filter((s) => onlySplits.includes(s)) : protocol.splits;
    // A subset of the protocol's splits is a different protocol: label it by what ran.
    const protocolLabel = splits.length === protocol.splits.length ? protocol.protocol : splits.join(',');
    if (splits.length === 0) {
      process.stderr.write(`bench: no split of ${datasetId} is in --splits; skipping it\n`);
      continue;
    }
    const dataset: Dataset = await loadDataset(datasetId, dataDir === undefined ? {} : { dataDir });
    for (const modelId of models) {
      const spec = MODELS.find((m) => m.id === modelId);
      if (spec === undefined) continue;
      const config = settingsFor(spec.defaults, surprise ? SURPRISE_CONFIG : {}, overrides);
      for (const seed of seeds) {
        for (const splitText of splits) {
          const split = makeSplits(dataset, parseSplitSpec(splitText), seed);
          const r = await evaluate({ modelId, config, dataset, split, splitLabel: splitText, seed });
          const run: Run = {
            session: session.id,
            model: modelId,
            dataset: datasetId,
            protocol: protocolLabel,
            seed,
            config: r.config,
            split: splitText,
            rmse: r.rmse,
            mae: r.mae,
            mse: r.mse,
            ndcg10: r.ndcg10,
            fitSeconds: r.fitSeconds,
            predictSeconds: r.predictSeconds,
            samplesPerSecond: r.samplesPerSecond,
            epochs: r.epochs,
            nTrain: r.nTrain,
            nValidation: r.nValidation,
            nTest: r.nTest,
            coldStartPairs: r.coldStart.user + r.coldStart.item + r.coldStart.both,
            overrides: overrideText,
          };
          runs.push(run);
          keys.add(key(run));
          if (!quiet) {
            process.stderr.write(
              `${modelId} ${datasetId} ${splitText} seed ${seed}: RMSE ${r.rmse.toFixed(4)} MAE ${r.mae.toFixed(4)} ` +
                `fit ${r.fitSeconds.toFixed(2)} s (${Math.round(r.samplesPerSecond)} ratings/s)\n`,
            );
          }
          save(); // after every run, so a long benchmark that is stopped keeps what it measured
        }
      }
    }
  }
  if (runs.length === 0) throw new UsageError('nothing to run: check --models, --datasets and --splits');
  process.stdout.write(`wrote ${display(outFile)}\n`);
}

/** The settings a model runs with: the fixed ones it has (Surprise's), then the user's `--set`. */
function settingsFor(
  defaults: ModelConfig,
  fixed: ModelConfig,
  overrides: Record<string, string>,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(fixed)) if (k in defaults) out[k] = v;
  for (const [k, v] of Object.entries(overrides)) if (k in defaults) out[k] = v;
  return out;
}

/** Runs merge and summarise by this: other settings (`--set`) are a different row, never a replacement. */
function key(r: Pick<Run, 'model' | 'dataset' | 'protocol' | 'overrides'>): string {
  return `${r.model}|${r.dataset}|${r.protocol}|${r.overrides ?? ''}`;
}

function summarise(runs: readonly Run[]): Summary[] {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const g = groups.get(key(r));
    if (g) g.push(r);
    else groups.set(key(r), [r]);
  }
  const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
  const order = (s: Summary): string =>
    `${s.dataset}|${s.protocol}|${String(ALL_MODELS.indexOf(s.model)).padStart(3, '0')}|${s.model}|${s.overrides}`;
  return [...groups.values()]
    .map((g) => ({
      model: g[0].model,
      overrides: g[0].overrides ?? '',
      dataset: g[0].dataset,
      protocol: g[0].protocol,
      runs: g.length,
      rmse: mean(g.map((r) => r.rmse)),
      rmseSd: standardDeviation(g.map((r) => r.rmse)),
      mae: mean(g.map((r) => r.mae)),
      maeSd: standardDeviation(g.map((r) => r.mae)),
      fitSeconds: mean(g.map((r) => r.fitSeconds)),
      samplesPerSecond: mean(g.map((r) => r.samplesPerSecond)),
      epochs: mean(g.map((r) => r.epochs)),
      session: g[g.length - 1].session,
    }))
    .sort((a, b) => order(a).localeCompare(order(b)));
}

function readResults(file: string, kind: string): ResultsFile {
  const empty: ResultsFile = { benchmark: kind, sessions: [], runs: [], summary: [] };
  if (!fs.existsSync(file)) return empty;
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ResultsFile>;
    if (json.benchmark !== kind || !Array.isArray(json.runs) || !Array.isArray(json.sessions)) {
      throw new Error('not a results file of this benchmark');
    }
    return { benchmark: kind, sessions: json.sessions, runs: json.runs, summary: [] };
  } catch (error) {
    throw new HeedError(
      `${file}: cannot merge with the results there (${error instanceof Error ? error.message : String(error)}); ` +
        'move it away or pass --out',
    );
  }
}

/** A path relative to the repository when it is inside it, else absolute. */
function display(file: string): string {
  const relative = path.relative(ROOT, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`bench: ${message}\n`);
  if (process.env.HEED_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});

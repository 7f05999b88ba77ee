/**
 * The ML-25M-sized run of issue 13 ("Scale"): a synthetic data set of MovieLens 25M's shape
 * (162,541 users, 59,047 items, 25,000,000 ratings) evaluated on a 90/10 split with `biasedmf`,
 * `svdpp` and `fm`, each in its own `heed evaluate --timings --json` process under
 * `/usr/bin/time -v`, so that every stage's time comes from the tool and the peak memory (max RSS)
 * from the kernel. Then, with `serve` among the runs, a `biasedmf` of that size is trained and
 * saved (`heed train`, timed the same way) beside one on ml-100k, and `bench/load-test.ts` serves
 * both, so that their p99 latencies can be compared. With `csv`, the data set is written out as
 * a `csv:` directory (~360 MB of ratings.csv) and loaded back by the streaming CSV reader.
 *
 *   npx tsc -p . && node dist/bench/scale-25m.js [--dataset ID] [--runs biasedmf,svdpp,fm,serve,csv] \
 *     [--data-dir ../shared/data] [--out bench/results/scale-25m.json] [--short]
 *
 * Develop with `--dataset synthetic:users=16254,items=5905,ratings=2500000` (a tenth of the size).
 * Every run's settings are in `RUNS` and written into the results next to its numbers, with the
 * load average before and after (the machine may be shared).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/data/registry.js';
import { loadAverages, machineSummary } from './machine-load.js';

const ML25M_SHAPE = 'synthetic:users=162541,items=59047,ratings=25000000';
const SPLIT = 'ratio:0.9,0,0.1';

/**
 * The evaluated models and their settings: biasedmf at k = 100 and 20 epochs (issue 13's bound);
 * svdpp and fm at their shipped defaults (svdpp k = 100, 50 epochs; fm libFM's MCMC, k = 8, all
 * side features, 200 sweeps, which `mcmcLayout=auto` runs on per-user and per-item blocks here).
 */
const RUNS: Readonly<Record<string, readonly string[]>> = {
  biasedmf: ['factors=100', 'epochs=20'],
  svdpp: [],
  fm: [],
};

/**
 * `--short`: svdpp and fm for a few passes only, to show that they load, fit and evaluate at this
 * size (time per pass, peak memory) when the machine is too busy for full fits; their RMSE is then
 * not that of a trained model.
 */
const SHORT_RUNS: Readonly<Record<string, readonly string[]>> = {
  ...RUNS,
  svdpp: ['epochs=2'],
  fm: ['iterations=4', 'burnIn=1'],
};

/**
 * The served big model: its size (and so what serving it costs) depends on k and the numbers of
 * users and items, not on how long it trained, so one epoch is enough.
 */
const SERVED_SETTINGS = ['factors=100', 'epochs=1'];

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: ML25M_SHAPE },
    runs: { type: 'string', default: 'biasedmf,svdpp,fm,serve,csv' },
    'data-dir': { type: 'string', default: '../shared/data' },
    out: { type: 'string', default: 'bench/results/scale-25m.json' },
    short: { type: 'boolean', default: false },
  },
});
const settingsOf = values.short ? SHORT_RUNS : RUNS;

// dist/bench/scale-25m.js → dist/src/cli/main.js
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(DIST, 'src', 'cli', 'main.js');
const LOAD_TEST = path.join(DIST, 'bench', 'load-test.js');

interface TimedProcess {
  readonly command: string;
  readonly stdout: string;
  readonly wallSeconds: number;
  /** User + system CPU seconds of the process, as /usr/bin/time reports them. */
  readonly cpuSeconds: number;
  readonly maxRssMiB: number;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
}

/** What every summary records of the process that ran: its time, peak memory and the load around it. */
function processFields(p: TimedProcess) {
  return {
    processWallSeconds: p.wallSeconds,
    processCpuSeconds: p.cpuSeconds,
    maxRssMiB: p.maxRssMiB,
    loadBefore: p.loadBefore,
    loadAfter: p.loadAfter,
  };
}

/** Runs `node args…` under `/usr/bin/time -v`; fails loudly (with its stderr) when it fails. */
function timed(args: readonly string[]): TimedProcess {
  const command = ['node', ...args].join(' ');
  process.stderr.write(`$ ${command}\n`);
  const loadBefore = loadAverages();
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`${command} failed (exit ${run.status}):\n${run.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(run.stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(run.stderr);
  if (rss === null || user === null || system === null)
    throw new Error(`${command}: no memory or CPU times in /usr/bin/time's output:\n${run.stderr}`);
  return {
    command,
    stdout: run.stdout,
    wallSeconds,
    cpuSeconds: Number(user[1]) + Number(system[1]),
    maxRssMiB: Number(rss[1]) / 1024,
    loadBefore,
    loadAfter: loadAverages(),
  };
}

function evaluateRun(model: string): Record<string, unknown> {
  const settings = settingsOf[model];
  const p = timed([
    MAIN,
    'evaluate',
    '--model',
    model,
    '--dataset',
    values.dataset,
    '--split',
    SPLIT,
    '--seed',
    '1',
    ...settings.flatMap((setting) => ['--set', setting]),
    '--timings',
    '--json',
    '--quiet',
  ]);
  const result = JSON.parse(p.stdout) as Record<string, unknown>;
  const summary = {
    model,
    settings: settings.join(',') || 'shipped defaults',
    command: p.command,
    rmse: result.rmse,
    mae: result.mae,
    nTrain: result.nTrain,
    nTest: result.nTest,
    samplesPerSecond: result.samplesPerSecond,
    timings: result.timings,
    ...processFields(p),
  };
  process.stderr.write(`${JSON.stringify(summary)}\n`);
  return summary;
}

/** Trains and saves a biasedmf of the big data set and one of ml-100k, then load-tests both. */
function serveRun(): Record<string, unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-scale-'));
  const big = path.join(dir, 'biasedmf-big');
  const small = path.join(dir, 'biasedmf-ml-100k');
  const train = timed([
    MAIN,
    'train',
    '--model',
    'biasedmf',
    '--dataset',
    values.dataset,
    '--split',
    SPLIT,
    '--seed',
    '1',
    ...SERVED_SETTINGS.flatMap((setting) => ['--set', setting]),
    '--out',
    big,
    '--quiet',
  ]);
  timed([
    MAIN,
    'train',
    '--model',
    'biasedmf',
    '--dataset',
    'ml-100k',
    '--data-dir',
    values['data-dir'],
    '--split',
    'u1',
    '--out',
    small,
    '--quiet',
  ]);
  const artifactMiB = (d: string): number =>
    fs.readdirSync(d).reduce((sum, f) => sum + fs.statSync(path.join(d, f)).size, 0) / 2 ** 20;
  // One process loads the big model and answers one pair: what a server's start costs.
  const firstUser = 'u1';
  const firstItem = 'i1';
  const predict = timed([MAIN, 'predict', '--model-dir', big, '--user', firstUser, '--item', firstItem]);
  const loadTestOut = values.out.replace(/\.json$/, '-load-test.json');
  const loadTest = timed([
    LOAD_TEST,
    '--model-dir',
    small,
    '--model-dir',
    big,
    '--workers',
    '1',
    '--sections',
    'table',
    '--rounds',
    '3',
    '--seconds',
    '3',
    '--out',
    loadTestOut,
  ]);
  const summary = {
    trainAndSave: {
      command: train.command,
      wallSeconds: train.wallSeconds,
      cpuSeconds: train.cpuSeconds,
      maxRssMiB: train.maxRssMiB,
    },
    artifactMiB: { big: artifactMiB(big), small: artifactMiB(small) },
    loadAndPredictOne: {
      command: predict.command,
      wallSeconds: predict.wallSeconds,
      maxRssMiB: predict.maxRssMiB,
    },
    loadTest: { command: loadTest.command, results: loadTestOut },
  };
  fs.rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`${JSON.stringify(summary)}\n`);
  return summary;
}

/**
 * Writes the data set as a `csv:` directory (ratings.csv, 8 MiB at a time) and loads it back with
 * `heed evaluate --model globalmean`: the streaming CSV reader's time and peak memory at this size.
 */
function csvRun(): Record<string, unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-scale-csv-'));
  const file = path.join(dir, 'ratings.csv');
  const { users, items, ratings } = loadDataset(values.dataset);
  const fd = fs.openSync(file, 'w');
  let text = 'user,item,rating:scale(1|5)\n';
  for (let r = 0; r < ratings.rating.length; r++) {
    text += `${users.ids[ratings.user[r]]},${items.ids[ratings.item[r]]},${ratings.rating[r]}\n`;
    if (text.length > CSV_WRITE_CHARS) {
      fs.writeSync(fd, text);
      text = '';
    }
  }
  fs.writeSync(fd, text);
  fs.closeSync(fd);
  const fileMiB = fs.statSync(file).size / 2 ** 20;
  const p = timed([
    MAIN,
    'evaluate',
    '--model',
    'globalmean',
    '--dataset',
    `csv:${dir}`,
    '--split',
    SPLIT,
    '--seed',
    '1',
    '--timings',
    '--json',
    '--quiet',
  ]);
  fs.rmSync(dir, { recursive: true, force: true });
  const result = JSON.parse(p.stdout) as Record<string, unknown>;
  const summary = {
    ratingsCsvMiB: fileMiB,
    command: p.command.replace(dir, 'DIR'),
    rmse: result.rmse,
    timings: result.timings,
    ...processFields(p),
  };
  process.stderr.write(`${JSON.stringify(summary)}\n`);
  return summary;
}

const CSV_WRITE_CHARS = 8 << 20;

const runs = values.runs.split(',').map((r) => r.trim());
for (const run of runs) {
  if (run !== 'serve' && run !== 'csv' && !(run in RUNS))
    throw new Error(`--runs: unknown run "${run}" (known: ${Object.keys(RUNS).join(', ')}, serve, csv)`);
}
const startedAt = new Date().toISOString();
const fresh: Record<string, unknown> = {};
for (const run of runs)
  fresh[run] = run === 'serve' ? serveRun() : run === 'csv' ? csvRun() : evaluateRun(run);
// The runs of this invocation replace their entries in an existing results file of the same data
// set and keep the others, so that runs made separately (or in two processes) end up in one file.
const earlier = fs.existsSync(values.out)
  ? (JSON.parse(fs.readFileSync(values.out, 'utf8')) as Record<string, unknown>)
  : {};
const results = {
  ...(earlier.dataset === values.dataset ? earlier : {}),
  machine: machineSummary(),
  dataset: values.dataset,
  split: `${SPLIT} --seed 1`,
  ...Object.fromEntries(
    runs.map((run) => [run, { ...(fresh[run] as object), startedAt, finishedAt: new Date().toISOString() }]),
  ),
};
fs.mkdirSync(path.dirname(values.out), { recursive: true });
fs.writeFileSync(values.out, JSON.stringify(results, null, 2) + '\n');
process.stderr.write(`wrote ${values.out}\n`);

/**
 * Heed's BiasedMF beside LIBMF (github cjlin1/libmf, `make`, SSE) on the same 900,188 ml-1m
 * training ratings (seeded 90/10 split, seed 1), k = 100, 20 iterations, on 2 and on 1 thread:
 *
 *   node dist/bench/libmf-side-by-side.js [--libmf /tmp/libmf] [--rounds 3] [--budget-seconds 170]
 *
 * Each round runs, one after the other (alternating, so that a change in the machine's load hits
 * both): Heed threads=2, LIBMF -s 2, Heed threads=1, LIBMF -s 1, each in a fresh process. A new
 * round starts only while the budget lasts (at least one round runs), so the bench stops by itself.
 *
 * What is timed: for Heed, `model.fit` alone (the data set is loaded and split before); for LIBMF,
 * `mf_train` alone, by bench/reference/libmf-fit-time.cpp linked against LIBMF's own mf.o (mf-train
 * prints no times, and its wall time includes parsing the text file and writing the model). Both
 * fits include their own set-up (LIBMF: scaling, shuffling and gridding the ratings; Heed: copying
 * them into the kernels' layout, starting the worker threads). Settings: LIBMF's defaults (learning
 * rate 0.1 with its adaptive per-row steps, L2 0.1, 20 × 20 blocks) and Heed's shipped BiasedMF
 * defaults, except k and the number of iterations. LIBMF's model has no biases and no global mean
 * (r̂ = p_uᵀq_i); Heed's is μ + b_u + b_i + q_iᵀp_u. Test RMSE: every one of the 100,021 test ratings
 * scored by each library's own prediction (LIBMF answers a user or item without training ratings
 * with its mean rating; Heed's model with μ plus the known side's bias).
 *
 * Writes bench/results/libmf-side-by-side.json; `node dist/bench/update-benchmarks.js` then
 * regenerates BENCHMARKS.md's section from it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { helpText, parseArgs, type CommandSpec } from '../src/cli/flags.js';
import type { Dataset } from '../src/data/dataset.js';
import { loadDataset } from '../src/data/registry.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { biasedMfSpec } from '../src/models/classic/biased-mf.js';
import { resolveConfig } from '../src/models/config.js';
import { UsageError } from '../src/util/errors.js';
import { writeFileAtomic } from '../src/util/io.js';
import { LoadSampler, loadAverages, machineSummary, round2 } from './machine-load.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SPLIT = 'ratio:0.9,0,0.1';
const SEED = 1;
const FACTORS = 100;
const ITERATIONS = 20;
/** A run that takes longer than this is killed and the bench fails (it is meant to take seconds). */
const RUN_TIMEOUT_MS = 150_000;

const COMMAND: CommandSpec = {
  name: 'bench:libmf',
  summary:
    "Time Heed's BiasedMF against LIBMF (k=100, 20 iterations, 2 and 1 threads) on ml-1m 90/10 seed 1, alternating runs; " +
    'write bench/results/libmf-side-by-side.json.',
  flags: {
    libmf: {
      kind: 'string',
      value: 'DIR',
      description: 'A LIBMF checkout built with `make` (holds mf.h and mf.o)',
      defaultText: '/tmp/libmf',
    },
    rounds: { kind: 'integer', value: 'N', description: 'Rounds of the four runs', defaultText: '3' },
    'budget-seconds': {
      kind: 'integer',
      value: 'S',
      description: 'Start no new round after this many seconds',
      defaultText: '170',
    },
    'data-dir': {
      kind: 'string',
      value: 'DIR',
      description: 'Where ml-1m is',
      defaultText: '../shared/data',
    },
    work: {
      kind: 'string',
      value: 'DIR',
      description: 'Scratch folder (LIBMF files, the timing program)',
      defaultText: '/tmp/heed-libmf-bench',
    },
    out: {
      kind: 'string',
      value: 'FILE',
      description: 'Results JSON',
      defaultText: 'bench/results/libmf-side-by-side.json',
    },
    'heed-fit': {
      kind: 'integer',
      value: 'THREADS',
      description: '(internal) fit Heed once on THREADS threads and print its JSON line',
    },
  },
};

interface FitResult {
  readonly fitSeconds: number;
  /** CPU seconds of every thread of the process during the fit: less at the mercy of the load. */
  readonly fitCpuSeconds: number;
  readonly testRmse: number;
}

interface Run extends FitResult {
  readonly round: number;
  readonly library: 'heed' | 'libmf';
  readonly threads: number;
  /** 1-minute load average when the run started. */
  readonly load: number;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function mlSplit(dataDir: string): { dataset: Dataset; train: Int32Array; test: Int32Array } {
  const dataset = loadDataset('ml-1m', { dataDir });
  const [split] = makeSplits(dataset, parseSplitSpec(SPLIT), SEED);
  return { dataset, train: split.train, test: split.test };
}

/** Child mode: one Heed fit, timed alone, and its test RMSE. */
async function heedFit(threads: number, dataDir: string): Promise<FitResult> {
  const { dataset, train, test } = mlSplit(dataDir);
  const model = biasedMfSpec.create(
    resolveConfig(biasedMfSpec, { factors: FACTORS, epochs: ITERATIONS, threads }),
  );
  const started = performance.now();
  const cpu = process.cpuUsage();
  await model.fit({ dataset, indices: train });
  const fitSeconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const fitCpuSeconds = (used.user + used.system) / 1e6;
  const { user, item, rating } = dataset.ratings;
  const predicted = model.predict(
    Int32Array.from(test, (t) => user[t]),
    Int32Array.from(test, (t) => item[t]),
  );
  let se = 0;
  for (let t = 0; t < test.length; t++) se += (predicted[t] - rating[test[t]]) ** 2;
  return { fitSeconds, fitCpuSeconds, testRmse: Math.sqrt(se / test.length) };
}

/** LIBMF's text format: "user item rating" a line (Heed's dense 0-based ids). */
function writeLibmfFile(file: string, dataset: Dataset, part: Int32Array): void {
  const { user, item, rating } = dataset.ratings;
  const lines = Array.from(part, (t) => `${user[t]} ${item[t]} ${rating[t]}`);
  writeFileAtomic(file, lines.join('\n') + '\n');
}

/** Compiles the timing program against LIBMF's mf.o unless an up-to-date one is there. */
function timingProgram(libmf: string, work: string): string {
  for (const file of ['mf.h', 'mf.o']) {
    if (!fs.existsSync(path.join(libmf, file))) {
      throw new UsageError(
        `--libmf ${libmf}: no ${file}; fetch github cjlin1/libmf there and run \`make\` in it first`,
      );
    }
  }
  const source = path.join(ROOT, 'bench', 'reference', 'libmf-fit-time.cpp');
  const program = path.join(work, 'libmf-fit-time');
  const stale =
    !fs.existsSync(program) ||
    fs.statSync(program).mtimeMs <
      Math.max(fs.statSync(source).mtimeMs, fs.statSync(path.join(libmf, 'mf.o')).mtimeMs);
  if (stale) {
    // The flags of LIBMF's own Makefile (SSE, OpenMP), so the linked mf.o and this agree.
    const flags = ['-O3', '-march=native', '-pthread', '-std=c++11', '-fopenmp', '-DUSESSE', '-DUSEOMP'];
    execFileSync('g++', [...flags, '-I', libmf, source, path.join(libmf, 'mf.o'), '-o', program], {
      stdio: 'inherit',
    });
  }
  return program;
}

/** The JSON object on the last line a run printed. */
function lastJsonLine(output: string, what: string): FitResult {
  const line = output.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as FitResult;
    if ([parsed.fitSeconds, parsed.fitCpuSeconds, parsed.testRmse].every(Number.isFinite)) return parsed;
  } catch {
    // reported below
  }
  throw new Error(`${what} printed no result line, got: ${line.slice(0, 200)}`);
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, COMMAND);
  if (args.help) {
    process.stdout.write(helpText(COMMAND));
    return;
  }
  const dataDir = args.string('data-dir') ?? '../shared/data';
  const childThreads = args.integer('heed-fit');
  if (childThreads !== undefined) {
    console.log(JSON.stringify(await heedFit(childThreads, dataDir)));
    return;
  }
  const libmf = path.resolve(args.string('libmf') ?? '/tmp/libmf');
  const rounds = args.integer('rounds') ?? 3;
  const budget = args.integer('budget-seconds') ?? 170;
  if (rounds < 1) throw new UsageError(`--rounds must be at least 1, got ${rounds}`);
  const work = args.string('work') ?? '/tmp/heed-libmf-bench';
  const out = args.string('out') ?? 'bench/results/libmf-side-by-side.json';
  fs.mkdirSync(work, { recursive: true });

  const program = timingProgram(libmf, work);
  const { dataset, train, test } = mlSplit(dataDir);
  const trainFile = path.join(work, 'ml-1m-train.txt');
  const testFile = path.join(work, 'ml-1m-test.txt');
  writeLibmfFile(trainFile, dataset, train);
  writeLibmfFile(testFile, dataset, test);
  console.log(`ml-1m ${SPLIT} seed ${SEED}: ${train.length} training, ${test.length} test ratings`);

  const self = fileURLToPath(import.meta.url);
  const runOnce = (library: 'heed' | 'libmf', threads: number): FitResult => {
    const output =
      library === 'heed'
        ? execFileSync(process.execPath, [self, '--heed-fit', String(threads), '--data-dir', dataDir], {
            encoding: 'utf8',
            timeout: RUN_TIMEOUT_MS,
            cwd: ROOT,
          })
        : execFileSync(program, [trainFile, testFile, String(FACTORS), String(ITERATIONS), String(threads)], {
            encoding: 'utf8',
            timeout: RUN_TIMEOUT_MS,
          });
    return lastJsonLine(output, `${library} on ${threads} thread(s)`);
  };

  const sampler = new LoadSampler();
  const started = performance.now();
  const runs: Run[] = [];
  for (let round = 1; round <= rounds; round++) {
    if (round > 1 && (performance.now() - started) / 1000 > budget) {
      console.log(`budget of ${budget} s used up after ${round - 1} round(s)`);
      break;
    }
    for (const [library, threads] of [
      ['heed', 2],
      ['libmf', 2],
      ['heed', 1],
      ['libmf', 1],
    ] as const) {
      const load = loadAverages()[0];
      const result = runOnce(library, threads);
      runs.push({ round, library, threads, load, ...result });
      console.log(
        `round ${round}: ${library} threads=${threads}: fit ${result.fitSeconds.toFixed(2)} s, ` +
          `CPU ${result.fitCpuSeconds.toFixed(2)} s, test RMSE ${result.testRmse.toFixed(4)} (load ${load})`,
      );
    }
  }
  const load = sampler.stop();

  const summary = [2, 1].map((threads) => {
    const of = (library: 'heed' | 'libmf') =>
      runs.filter((r) => r.library === library && r.threads === threads);
    const heed = of('heed');
    const libmf = of('libmf');
    const ratios = heed.map((h) => h.fitSeconds / libmf.find((l) => l.round === h.round)!.fitSeconds);
    return {
      threads,
      heedFitSeconds: median(heed.map((r) => r.fitSeconds)),
      libmfFitSeconds: median(libmf.map((r) => r.fitSeconds)),
      heedFitCpuSeconds: median(heed.map((r) => r.fitCpuSeconds)),
      libmfFitCpuSeconds: median(libmf.map((r) => r.fitCpuSeconds)),
      ratioHeedOverLibmf: median(ratios),
      pairRatios: ratios,
      heedTestRmse: median(heed.map((r) => r.testRmse)),
      libmfTestRmse: median(libmf.map((r) => r.testRmse)),
    };
  });
  const results = {
    bench: 'libmf-side-by-side',
    command: `node dist/bench/libmf-side-by-side.js --libmf ${libmf} --rounds ${rounds} --budget-seconds ${budget}`,
    date: new Date().toISOString(),
    machine: machineSummary(),
    load: { ...load, mean: round2(load.mean) },
    dataset: 'ml-1m',
    split: SPLIT,
    seed: SEED,
    trainRatings: train.length,
    testRatings: test.length,
    factors: FACTORS,
    iterations: ITERATIONS,
    summary,
    runs,
  };
  writeFileAtomic(out, JSON.stringify(results, null, 2) + '\n');
  for (const s of summary) {
    console.log(
      `threads=${s.threads}: Heed ${s.heedFitSeconds.toFixed(2)} s, LIBMF ${s.libmfFitSeconds.toFixed(2)} s, ` +
        `Heed/LIBMF ${s.ratioHeedOverLibmf.toFixed(2)} (median of ${s.pairRatios.length} pairs); ` +
        `test RMSE Heed ${s.heedTestRmse.toFixed(4)}, LIBMF ${s.libmfTestRmse.toFixed(4)}`,
    );
  }
  console.log(`wrote ${out}; regenerate BENCHMARKS.md with node dist/bench/update-benchmarks.js`);
}

await main(process.argv.slice(2));

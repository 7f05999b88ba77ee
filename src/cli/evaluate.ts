/**
 * `heed evaluate`: fit a model on a split of a data set and score it on the test ratings.
 * `--json` prints exactly one JSON object on stdout (the `EvaluationResult`, plus `warnings`, the
 * data set's `Dataset.warnings`, when there are any); progress and warnings go to stderr.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_METRICS, parseMetrics } from '../eval/metric.js';
import {
  modelConfig,
  standardDeviation,
  type EvaluationProgress,
  type EvaluationResult,
  type FoldResult,
} from '../eval/protocol.js';
import { evaluationOfRuns } from '../experiment/evaluation-of-runs.js';
import { EXPERIMENT_VERSION, type Experiment } from '../experiment/format.js';
import { runExperiment, type ExperimentOutcome } from '../experiment/runner.js';
import { getModelSpec } from '../models/index.js';
import type { ModelConfig } from '../models/model.js';
import { printJson, type Command, type OutputStream } from './command.js';
import {
  cpuSeconds,
  formatConfig,
  humanRate,
  RUN_FLAGS,
  setUpRun,
  splitLabel,
  validationFractionOf,
  type RunSetup,
} from './common.js';
import type { ParsedArgs } from './flags.js';
import { progressPrinter, type ProgressPrinter } from './progress.js';
import { formatTable, type Cell } from './table.js';
import { InterruptedError, UsageError } from '../util/errors.js';

export const evaluateCommand: Command = {
  spec: {
    name: 'evaluate',
    summary:
      'Fit a model on a split and score it: RMSE, MAE, MSE, NDCG@10, fit and predict times. ' +
      'The model trains on the training part (watching the validation part) and is scored on the test part; ' +
      'a k-fold split reports means over folds and each fold, --seeds the mean and sd over seeds. ' +
      'Each fit is a run of the experiment runner (heed experiment), kept with --out.',
    flags: {
      ...RUN_FLAGS,
      seeds: {
        kind: 'string',
        value: 'LIST',
        description:
          'Evaluate with each of these seeds (comma list, e.g. 1,2,3: a split and a fit each) and report the mean and sd over them; instead of --seed',
      },
      out: {
        kind: 'string',
        value: 'DIR',
        description:
          "Keep each finished run in DIR/runs (the experiment runner's store): the same command reuses them and, after an interruption, fits only what is missing",
        defaultText: 'a temporary store, deleted at the end',
      },
      metrics: {
        kind: 'string',
        value: 'LIST',
        description: 'Comma list of metrics to report: rmse, mae, mse, ndcg@K (docs/METRICS.md)',
        defaultText: 'rmse,mae,mse,ndcg@10',
      },
      'catalogue-ndcg': {
        kind: 'integer',
        value: 'K',
        description:
          "Also score NDCG@K with every item the user did not rate in training as a candidate (SAFMR Table 4's magnitude; costs users x items predictions)",
      },
      timings: {
        kind: 'switch',
        description:
          'Also report each stage: load (or generate) the data, split, fit, evaluate (predict and score), in wall and CPU seconds, and the peak resident memory (--json: a "timings" object)',
      },
      'review-protocol': {
        kind: 'string',
        value: 'clean|paper',
        description:
          'Review models: clean (documents from training reviews only) or paper (the SAFMR code base: validation and test documents from their own part, pairs with fewer than 2 other reviews there dropped)',
        defaultText: 'clean',
      },
    },
    examples: [
      'heed evaluate --model biasedmf --dataset ml-100k --split u1',
      'heed evaluate --model globalmean --dataset synthetic --split kfold:5 --json',
      'heed evaluate --model biasedmf --dataset ml-100k --split u1 --metrics rmse,mae,ndcg@5',
      'heed evaluate --model biasedmf --dataset ml-1m --split ratio:0.9,0,0.1 --set factors=50 --seed 3',
      'heed evaluate --model svdpp --dataset ml-100k --split ratio:0.8,0.1,0.1 --seeds 1,2,3 --out heed-results/svdpp-seeds',
    ],
  },
  async run(args, io) {
    const modelId = args.requireString('model');
    const validationFraction = validationFractionOf(args);
    const json = args.switch('json');
    const quiet = args.switch('quiet');
    const reviewProtocol = args.string('review-protocol') ?? 'clean';
    const catalogueK = args.integer('catalogue-ndcg');
    const metricsText = args.string('metrics');
    const metrics = metricsText === undefined ? DEFAULT_METRICS : parseMetrics(metricsText);
    const seeds = seedsOf(args);
    const keepIn = args.string('out');
    if (catalogueK !== undefined && catalogueK < 1)
      throw new UsageError(`--catalogue-ndcg must be at least 1, got ${catalogueK}`);
    if (reviewProtocol !== 'clean' && reviewProtocol !== 'paper')
      throw new UsageError(`--review-protocol must be clean or paper, got "${reviewProtocol}"`);
    if (catalogueK !== undefined && reviewProtocol === 'paper') throw new UsageError(CATALOGUE_UNDER_PAPER);
    // Flags are checked before the data set is loaded, which can take a while.
    const setup = await setUpRun(args, io, { seed: seeds[0] });
    // The model and its settings are checked here, so that their errors read as they always have.
    modelConfig(getModelSpec(modelId), setup.overrides, seeds[0]);
    const minRatings = args.integer('min-ratings');
    const experiment: Experiment = {
      version: EXPERIMENT_VERSION,
      name: 'evaluate',
      title: `heed evaluate --model ${modelId}`,
      dataset: setup.dataset.id,
      split: splitLabel(setup.spec),
      seeds,
      metrics: metrics.map((m) => m.name),
      reviewProtocol,
      validationFraction,
      ...(catalogueK !== undefined ? { catalogueNdcg: catalogueK } : {}),
      ...(minRatings !== undefined ? { minRatings } : {}),
      models: [{ label: modelId, model: modelId, settings: setup.overrides, expectedSeconds: 0 }],
      figures: [],
    };
    // Without --out the runs live in a temporary store for this command only.
    const outDir = keepIn ?? fs.mkdtempSync(path.join(os.tmpdir(), 'heed-evaluate-'));
    const printers = new Map<number, ProgressPrinter>();
    const printerFor = (seed: number): ProgressPrinter => {
      let printer = printers.get(seed);
      if (printer === undefined) {
        const label = seeds.length > 1 ? `${modelId} seed ${seed}` : modelId;
        printer = progressPrinter(label, io.stderr, quiet);
        printers.set(seed, printer);
      }
      return printer;
    };
    let stoppedEarly: EvaluationResult | undefined;
    let outcome: ExperimentOutcome;
    const evaluateStart = performance.now();
    const evaluateCpuStart = cpuSeconds();
    const fitCpu = new FitCpuClock();
    try {
      outcome = await runExperiment({
        experiment,
        file: 'heed evaluate',
        dataset: setup.dataset,
        outDir,
        splits: new Map([[setup.seed, setup.splits]]),
        onFitProgress: (run, event) => {
          fitCpu.observe(event);
          printerFor(run.identity.seed).onProgress(event);
        },
        onStoppedEarly: (_run, result) => (stoppedEarly = result),
        ...(io.signal ? { signal: io.signal } : {}),
      });
    } finally {
      for (const printer of printers.values()) printer.finish();
      if (keepIn === undefined) fs.rmSync(outDir, { recursive: true, force: true });
    }
    if (keepIn !== undefined && outcome.reused > 0)
      io.stderr.write(`reused ${outcome.reused} of the runs stored in ${keepIn} (not fitted again)\n`);
    const head = { model: modelId, dataset: setup.dataset.id, split: splitLabel(setup.spec) };
    const finished = outcome.records.filter((r) => r.role.kind === 'table');
    if (outcome.interrupted) {
      // The scores are of a model stopped early: shown on stderr for the curious, never as the
      // command's result (stdout stays empty), and the exit code is 130.
      if (stoppedEarly !== undefined) printResult(io.stderr, { ...stoppedEarly, ...head, interrupted: true });
      const kept =
        keepIn !== undefined && finished.length > 0
          ? `; the ${finished.length} finished run(s) are kept in ${keepIn}: the same command resumes`
          : '';
      throw new InterruptedError(
        `interrupted: ${stoppedEarly !== undefined ? 'the scores above are of models stopped early; ' : ''}no result printed${kept}`,
      );
    }
    const results = seeds.map((seed) =>
      evaluationOfRuns(
        { ...head, seed },
        finished.filter((r) => r.identity.seed === seed),
        keepIn ?? 'heed evaluate',
      ),
    );
    const timings = args.switch('timings')
      ? stageTimings(setup, results, {
          wall: (performance.now() - evaluateStart) / 1000,
          cpu: cpuSeconds() - evaluateCpuStart,
          fitCpu: fitCpu.seconds,
        })
      : undefined;
    for (const r of results)
      for (const note of r.notes ?? r.folds?.flatMap((f) => f.notes ?? []) ?? [])
        io.stderr.write(`note: ${seeds.length > 1 ? `seed ${r.seed}: ` : ''}${note}\n`);
    // The loader's warnings were printed on stderr at load; --json repeats them in its one object.
    const warnings = setup.dataset.warnings ?? [];
    if (json) {
      printJson(io, {
        ...(results.length === 1 ? results[0] : overSeeds(results)),
        ...(warnings.length > 0 ? { warnings } : {}),
        ...(timings !== undefined ? { timings } : {}),
      });
    } else {
      if (results.length === 1) printResult(io.stdout, results[0]);
      else printSeeds(io.stdout, results);
      if (timings !== undefined) io.stdout.write(formatTimings(timings) + '\n');
    }
  },
};

/** `--seeds 1,2,3` (or `--seed N`, default 1): the seeds to evaluate, each a split and a fit. */
function seedsOf(args: ParsedArgs): number[] {
  const list = args.string('seeds');
  const one = args.integer('seed');
  if (list === undefined) return [one ?? 1];
  if (one !== undefined) throw new UsageError('give either --seed N or --seeds LIST, not both');
  const seeds = list.split(',').map((t) => t.trim());
  const bad = seeds.find((t) => !/^\d+$/.test(t));
  if (bad !== undefined || seeds.length === 0)
    throw new UsageError(`--seeds must be a comma list of whole numbers ≥ 0 (e.g. 1,2,3), got "${list}"`);
  const numbers = seeds.map(Number);
  if (new Set(numbers).size !== numbers.length) throw new UsageError(`--seeds lists a seed twice: "${list}"`);
  return numbers;
}

/** Several seeds' results: each metric's mean and sample standard deviation over the seeds. */
export interface SeedsResult {
  readonly model: string;
  readonly dataset: string;
  readonly split: string;
  readonly seeds: readonly number[];
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly sd: Readonly<Record<string, number | null>>;
  readonly fitSeconds: number;
  readonly runs: readonly EvaluationResult[];
}

function overSeeds(results: readonly EvaluationResult[]): SeedsResult {
  const metrics: Record<string, number | null> = {};
  const sd: Record<string, number | null> = {};
  for (const name of Object.keys(results[0].metrics)) {
    const values = results.map((r) => r.metrics[name]).filter((v): v is number => typeof v === 'number');
    metrics[name] = values.length > 0 ? values.reduce((s, v) => s + v, 0) / values.length : null;
    sd[name] = values.length > 1 ? standardDeviation(values) : null;
  }
  const first = results[0];
  return {
    model: first.model,
    dataset: first.dataset,
    split: first.split,
    seeds: results.map((r) => r.seed),
    metrics,
    sd,
    fitSeconds: results.reduce((s, r) => s + r.fitSeconds, 0) / results.length,
    runs: results,
  };
}

function printSeeds(stream: OutputStream, results: readonly EvaluationResult[]): void {
  const summary = overSeeds(results);
  const names = Object.keys(summary.metrics);
  const rows: Cell[][] = results.map((r) => [
    String(r.seed),
    ...names.map((n) => r.metrics[n]),
    r.fitSeconds,
  ]);
  rows.push(['mean', ...names.map((n) => summary.metrics[n]), summary.fitSeconds]);
  rows.push(['sd', ...names.map((n) => summary.sd[n]), null]);
  const out = [
    `${summary.model} on ${summary.dataset}, split ${summary.split}, seeds ${summary.seeds.join(', ')}`,
    `config: ${formatConfig(withoutSeed(results[0].config))}${'seed' in results[0].config ? ' (seed: each run its own)' : ''}`,
    '',
    formatTable(['seed', ...names.map(metricLabel), 'fit s'], rows, { columnDigits: { 'fit s': 2 } }),
  ];
  stream.write(out.join('\n') + '\n');
}

/** `--timings`: wall-clock seconds of each stage of one `heed evaluate`, and its peak memory. */
export interface StageTimings {
  readonly loadSeconds: number;
  readonly splitSeconds: number;
  /** Fitting, summed over the folds (and seeds). */
  readonly fitSeconds: number;
  /** Everything besides fitting after the split: predicting and scoring the test ratings (all folds and seeds), other seeds' splits. */
  readonly evaluateSeconds: number;
  /** The process's peak resident set size so far, in MiB (`process.resourceUsage().maxRSS`). */
  readonly peakRssMiB: number;
  /**
   * CPU seconds (user + system, all threads) of the same stages: on a busy machine a one-thread
   * stage's CPU time is what its wall time would be on an idle one.
   */
  readonly cpuSeconds: { load: number; split: number; fit: number; evaluate: number };
}

/**
 * CPU seconds between the first `fit` progress event of each fold (sent as fitting starts) and
 * its `predict` event (sent as it ends), summed over the folds.
 */
class FitCpuClock {
  seconds = 0;
  private started: number | undefined;

  observe(event: EvaluationProgress): void {
    if (event.phase === 'fit' && this.started === undefined) this.started = cpuSeconds();
    if (event.phase === 'predict' && this.started !== undefined) {
      this.seconds += cpuSeconds() - this.started;
      this.started = undefined;
    }
  }
}

function stageTimings(
  setup: RunSetup,
  results: readonly EvaluationResult[],
  evaluateCall: { wall: number; cpu: number; fitCpu: number },
): StageTimings {
  const fitSeconds = results
    .flatMap((result) => result.folds ?? [result])
    .reduce((sum, fold) => sum + fold.fitSeconds, 0);
  return {
    loadSeconds: setup.loadSeconds,
    splitSeconds: setup.splitSeconds,
    fitSeconds,
    evaluateSeconds: Math.max(0, evaluateCall.wall - fitSeconds),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: {
      load: setup.loadCpuSeconds,
      split: setup.splitCpuSeconds,
      fit: evaluateCall.fitCpu,
      evaluate: Math.max(0, evaluateCall.cpu - evaluateCall.fitCpu),
    },
  };
}

function formatTimings(t: StageTimings): string {
  const s = (v: number): string => `${v.toFixed(2)} s`;
  const c = t.cpuSeconds;
  return (
    `timings: load ${s(t.loadSeconds)}, split ${s(t.splitSeconds)}, fit ${s(t.fitSeconds)}, ` +
    `evaluate ${s(t.evaluateSeconds)}; peak memory ${t.peakRssMiB.toFixed(0)} MiB\n` +
    `CPU: load ${s(c.load)}, split ${s(c.split)}, fit ${s(c.fit)}, evaluate ${s(c.evaluate)}`
  );
}

/**
 * Why --catalogue-ndcg is refused under the paper protocol (docs/METRICS.md): that protocol builds
 * a pair's review documents from the test part around that pair, which it defines only for the
 * rated test pairs, not for the unrated candidates the catalogue NDCG ranks.
 */
const CATALOGUE_UNDER_PAPER =
  '--catalogue-ndcg cannot be combined with --review-protocol paper: the paper protocol defines review ' +
  'documents only for rated test pairs, not for unrated candidate items; use --review-protocol clean ' +
  '(the default) for the catalogue NDCG';

function printResult(stream: OutputStream, r: EvaluationResult): void {
  const out: string[] = [];
  out.push(
    `${r.model} on ${r.dataset}, split ${r.split}, seed ${r.seed}` +
      (r.interrupted === true ? ' (interrupted: models stopped early)' : ''),
  );
  out.push(`config: ${formatConfig(r.config)}`);
  out.push('');
  const names = Object.keys(r.metrics);
  if (r.folds !== undefined) {
    const rows: Cell[][] = r.folds.map((f, k) => [
      String(k + 1),
      ...names.map((n) => f.metrics[n]),
      f.fitSeconds,
      f.predictSeconds,
      f.nTrain,
      f.nTest,
    ]);
    rows.push(['mean', ...names.map((n) => r.metrics[n]), r.fitSeconds, r.predictSeconds, null, null]);
    rows.push(['sd', ...names.map((n) => sdOver(r.folds ?? [], n)), null, null, null, null]);
    out.push(
      formatTable(['fold', ...names.map(metricLabel), 'fit s', 'predict s', 'train', 'test'], rows, {
        columnDigits: { 'fit s': 2, 'predict s': 3 },
      }),
    );
  } else {
    out.push(
      formatTable(
        ['metric', 'value'],
        [
          ...names.map((n) => [metricLabel(n), r.metrics[n] === null ? '-' : r.metrics[n].toFixed(4)]),
          ...(r.catalogueNdcg !== undefined
            ? [
                [
                  `NDCG@${r.catalogueNdcg.k} (catalogue)`,
                  `${r.catalogueNdcg.ndcg.toFixed(4)} (${r.catalogueNdcg.users} users)`,
                ],
              ]
            : []),
          [
            'fit',
            `${r.fitSeconds.toFixed(2)} s (${r.epochs} epoch${r.epochs === 1 ? '' : 's'}, ${humanRate(r.samplesPerSecond)} samples/s)`,
          ],
          ...(r.bestEpoch !== undefined && r.bestValidationRmse !== undefined
            ? [['kept', `epoch ${r.bestEpoch} (validation RMSE ${r.bestValidationRmse.toFixed(4)})`]]
            : []),
          ['predict', `${r.predictSeconds.toFixed(3)} s`],
          ['ratings', `${r.nTrain} train, ${r.nValidation} validation, ${r.nTest} test`],
        ],
      ),
    );
  }
  const cold = r.coldStart.user + r.coldStart.item + r.coldStart.both;
  if (cold > 0) {
    out.push(
      `cold start: ${cold} test pairs had no training ratings (user ${r.coldStart.user}, item ${r.coldStart.item}, ` +
        `both ${r.coldStart.both}); ${r.coldStart.fallback} answered by the fallback (docs/METRICS.md, Cold start)`,
    );
  }
  stream.write(out.join('\n').replace(/\n*$/, '\n'));
}

function withoutSeed(config: ModelConfig): ModelConfig {
  return Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'seed'));
}

/** `ndcg@5` → `NDCG@5`, as the tables print metric names. */
function metricLabel(name: string): string {
  return name.toUpperCase();
}

/** A metric's sample standard deviation over the folds where it is defined. */
function sdOver(folds: readonly FoldResult[], name: string): number | null {
  const values = folds.map((f) => f.metrics[name]).filter((v): v is number => typeof v === 'number');
  return values.length > 1 ? standardDeviation(values) : null;
}

/**
 * `heed evaluate`: fit a model on a split of a data set and score it on the test ratings.
 * `--json` prints exactly one JSON object on stdout (the `EvaluationResult`, plus `warnings`, the
 * data set's `Dataset.warnings`, when there are any); progress and warnings go to stderr.
 */
import { parseMetrics } from '../eval/metric.js';
import {
  evaluate,
  standardDeviation,
  type EvaluationProgress,
  type EvaluationResult,
  type FoldResult,
} from '../eval/protocol.js';
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
import { progressPrinter } from './progress.js';
import { formatTable, type Cell } from './table.js';
import { InterruptedError, UsageError } from '../util/errors.js';

export const evaluateCommand: Command = {
  spec: {
    name: 'evaluate',
    summary:
      'Fit a model on a split and score it: RMSE, MAE, MSE, NDCG@10, fit and predict times. ' +
      'The model trains on the training part (watching the validation part) and is scored on the test part; ' +
      'a k-fold split reports means over folds and each fold.',
    flags: {
      ...RUN_FLAGS,
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
    ],
  },
  async run(args, io) {
    const modelId = args.requireString('model');
    const validationFraction = validationFractionOf(args);
    const json = args.switch('json');
    const reviewProtocol = args.string('review-protocol') ?? 'clean';
    const catalogueK = args.integer('catalogue-ndcg');
    const metricsText = args.string('metrics');
    const metrics = metricsText === undefined ? undefined : parseMetrics(metricsText);
    if (catalogueK !== undefined && catalogueK < 1)
      throw new UsageError(`--catalogue-ndcg must be at least 1, got ${catalogueK}`);
    if (reviewProtocol !== 'clean' && reviewProtocol !== 'paper')
      throw new UsageError(`--review-protocol must be clean or paper, got "${reviewProtocol}"`);
    if (catalogueK !== undefined && reviewProtocol === 'paper') throw new UsageError(CATALOGUE_UNDER_PAPER);
    // Flags are checked before the data set is loaded, which can take a while.
    const setup = await setUpRun(args, io);
    const progress = progressPrinter(modelId, io.stderr, args.switch('quiet'));
    let result: EvaluationResult;
    const evaluateStart = performance.now();
    const evaluateCpuStart = cpuSeconds();
    const fitCpu = new FitCpuClock();
    try {
      result = await evaluate({
        modelId,
        config: setup.overrides,
        dataset: setup.dataset,
        split: setup.splits,
        splitLabel: splitLabel(setup.spec),
        seed: setup.seed,
        onProgress: (event) => {
          fitCpu.observe(event);
          progress.onProgress(event);
        },
        reviewProtocol,
        validationFraction,
        ...(catalogueK !== undefined ? { catalogueNdcgK: catalogueK } : {}),
        ...(metrics !== undefined ? { metrics } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
      });
    } finally {
      progress.finish();
    }
    const timings = args.switch('timings')
      ? stageTimings(setup, result, {
          wall: (performance.now() - evaluateStart) / 1000,
          cpu: cpuSeconds() - evaluateCpuStart,
          fitCpu: fitCpu.seconds,
        })
      : undefined;
    for (const note of result.notes ?? result.folds?.flatMap((f) => f.notes ?? []) ?? [])
      io.stderr.write(`note: ${note}\n`);
    if (io.signal?.aborted === true) {
      // The scores are of models stopped early: shown on stderr for the curious, never as the
      // command's result (stdout stays empty), and the exit code is 130.
      printResult(io.stderr, { ...result, interrupted: true });
      throw new InterruptedError(
        'interrupted: the scores above are of models stopped early; no result printed',
      );
    }
    // The loader's warnings were printed on stderr at load; --json repeats them in its one object.
    const warnings = setup.dataset.warnings ?? [];
    if (json) {
      printJson(io, {
        ...result,
        ...(warnings.length > 0 ? { warnings } : {}),
        ...(timings !== undefined ? { timings } : {}),
      });
    } else {
      printResult(io.stdout, result);
      if (timings !== undefined) io.stdout.write(formatTimings(timings) + '\n');
    }
  },
};

/** `--timings`: wall-clock seconds of each stage of one `heed evaluate`, and its peak memory. */
export interface StageTimings {
  readonly loadSeconds: number;
  readonly splitSeconds: number;
  /** Fitting, summed over the folds. */
  readonly fitSeconds: number;
  /** Everything `evaluate` did besides fitting: predicting and scoring the test ratings (all folds). */
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
  result: EvaluationResult,
  evaluateCall: { wall: number; cpu: number; fitCpu: number },
): StageTimings {
  const fitSeconds = (result.folds ?? [result]).reduce((sum, fold) => sum + fold.fitSeconds, 0);
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

/** `ndcg@5` → `NDCG@5`, as the tables print metric names. */
function metricLabel(name: string): string {
  return name.toUpperCase();
}

/** A metric's sample standard deviation over the folds where it is defined. */
function sdOver(folds: readonly FoldResult[], name: string): number | null {
  const values = folds.map((f) => f.metrics[name]).filter((v): v is number => typeof v === 'number');
  return values.length > 1 ? standardDeviation(values) : null;
}

/**
 * The evaluation runner: fit a model on a split's training ratings, predict its test ratings
 * through the `Predictor` (clipping, cold-start fallback), score them, and time both phases.
 *
 * `evaluate` runs one split, or every fold of a k-fold spec and reports their means (and standard
 * deviations) next to the per-fold results. The seed drives both the split (ratio, k-fold) and the
 * model (its `seed` setting, when it has one and the caller did not `--set` it), so the same
 * (model, config, dataset, split, seed) gives the same numbers.
 */
import type { Dataset, Split } from '../data/dataset.js';
import { formatSplitSpec, makeSplits, parseSplitSpec, type SplitSpec } from '../data/split.js';
import { resolveConfig } from '../models/config.js';
import { getModelSpec } from '../models/index.js';
import type {
  ConfigValue,
  FitReport,
  ModelConfig,
  ModelSpec,
  ProgressEvent,
  RatingModel,
} from '../models/model.js';
import { Predictor, trainingStats, type ColdStartCounts } from '../models/predictor.js';
import { HeedError, UsageError } from '../util/errors.js';
import { runPaperProtocolFold } from './review-paper-protocol.js';
import { carveValidation, DEFAULT_VALIDATION_FRACTION, withNote } from './carve-validation.js';
import { catalogueNdcg, type CatalogueNdcg } from './catalogue-ndcg.js';
import { computeMetrics, DEFAULT_METRICS, type Metric } from './metric.js';
import { mae, mse, ndcgAtK } from './metrics.js';

/** The k of the NDCG@k every result reports. */
export const NDCG_K = 10;

export interface EvaluateOptions {
  readonly modelId: string;
  /** A model that is not in `MODELS` (a library user's own); defaults to `getModelSpec(modelId)`. */
  readonly spec?: ModelSpec;
  /** Overrides of the model's defaults (`--set key=value`), parsed to the defaults' types. */
  readonly config?: Readonly<Record<string, string | ConfigValue>>;
  readonly dataset: Dataset;
  /** A spec, its text (`u1`, `ratio:0.8,0.1,0.1`, `kfold:5`), or ready-made splits. */
  readonly split: SplitSpec | string | Split | readonly Split[];
  /** The `split` field of the result; defaults to the spec's text or the split's name. */
  readonly splitLabel?: string;
  readonly seed?: number;
  readonly onProgress?: (event: EvaluationProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * Review models: 'clean' (default) never reads a validation or test review; 'paper' runs the
   * SAFMR paper's protocol (`review-paper-protocol.ts`). Other models under 'paper' are scored on
   * the test pairs that protocol keeps, for comparison.
   */
  readonly reviewProtocol?: 'clean' | 'paper';
  /**
   * Also score NDCG@k over the whole catalogue (`catalogue-ndcg.ts`); costs users × items
   * predictions. Refused with `reviewProtocol: 'paper'`, which does not define unrated pairs' scores.
   */
  readonly catalogueNdcgK?: number;
  /** What `metrics` of each result holds (default: rmse, mae, mse, ndcg@10). */
  readonly metrics?: readonly Metric[];
  /**
   * For a model that early-stops (`patience` > 0) on a split without validation: the fraction of
   * the training ratings held out as validation (`carve-validation.ts`). Default 0.1; 0 = none.
   */
  readonly validationFraction?: number;
}

/** Progress of an evaluation: a model's epoch event, tagged with the fold it belongs to. */
export interface EvaluationProgress {
  /** 1-based fold number (1 for a single split). */
  readonly fold: number;
  readonly folds: number;
  readonly phase: 'fit' | 'predict' | 'done';
  /** The model's own per-epoch report, in the `fit` phase. */
  readonly epoch?: ProgressEvent;
}

/** The scores and timings of one split. */
export interface FoldResult {
  readonly split: string;
  /**
   * The asked-for metrics (`EvaluateOptions.metrics`), keyed by name (`rmse`, `ndcg@5`). The
   * fields `rmse`, `mae`, `mse` and `ndcg10` below are always there too, for existing readers.
   */
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly rmse: number;
  readonly mae: number;
  readonly mse: number;
  /** NDCG@10 over each user's test items (docs/METRICS.md); null when no user qualifies. */
  readonly ndcg10: number | null;
  readonly fitSeconds: number;
  readonly predictSeconds: number;
  /** Training examples processed per second of fitting (epochs x ratings / fitSeconds for SGD). */
  readonly samplesPerSecond: number;
  readonly epochs: number;
  /** When the model early-stops on validation: the epoch it kept and that epoch's validation RMSE. */
  readonly bestEpoch?: number;
  readonly bestValidationRmse?: number;
  readonly nTrain: number;
  readonly nValidation: number;
  readonly nTest: number;
  readonly coldStart: ColdStartCounts;
  /** The model's notes about its fit (e.g. training pairs a review model left out). */
  readonly notes?: readonly string[];
  /** When asked for (`catalogueNdcgK`): NDCG@k with every unrated item a candidate. */
  readonly catalogueNdcg?: CatalogueNdcg;
}

export interface EvaluationResult extends FoldResult {
  readonly model: string;
  readonly dataset: string;
  readonly seed: number;
  readonly config: ModelConfig;
  /**
   * k-fold only: each fold's result. The top-level numbers are then means over folds, except
   * `coldStart`, whose counts are totals over all folds' test pairs.
   */
  readonly folds?: readonly FoldResult[];
  /** Set (by the CLI, on the result it shows on stderr) when training was stopped early by Ctrl-C. */
  readonly interrupted?: boolean;
  /** k-fold only: standard deviations over folds (sample, n − 1). */
  readonly sd?: { readonly rmse: number; readonly mae: number; readonly mse: number };
}

/** Fits and scores a model on one split or on every fold of a k-fold spec. */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationResult> {
  if (options.catalogueNdcgK !== undefined && options.reviewProtocol === 'paper')
    throw new UsageError('catalogueNdcgK cannot be combined with reviewProtocol "paper" (docs/METRICS.md)');
  const seed = options.seed ?? 1;
  const spec = options.spec ?? getModelSpec(options.modelId);
  const config = modelConfig(spec, options.config, seed);
  const resolved = resolveSplits(options.dataset, options.split, seed);
  const splits = resolved.splits;
  const label = options.splitLabel ?? resolved.label;
  const folds: FoldResult[] = [];
  for (let f = 0; f < splits.length; f++) {
    const report = (phase: EvaluationProgress['phase'], epoch?: ProgressEvent): void =>
      options.onProgress?.({ fold: f + 1, folds: splits.length, phase, ...(epoch ? { epoch } : {}) });
    const model = spec.create(config);
    const fraction = options.validationFraction ?? DEFAULT_VALIDATION_FRACTION;
    const carved = carveValidation(options.dataset, splits[f], config, fraction, seed);
    const fold =
      options.reviewProtocol === 'paper'
        ? await runPaperProtocolFold(
            model,
            spec.id,
            options.dataset,
            carved.split,
            report,
            options.signal,
            options.metrics,
          )
        : await runFold(
            model,
            options.dataset,
            carved.split,
            report,
            options.signal,
            options.catalogueNdcgK,
            options.metrics,
          );
    folds.push(withNote(fold, carved.note));
    // Aborted: the fold in progress stopped early and is scored; the remaining folds are not run.
    if (options.signal?.aborted === true) break;
  }
  return combineFolds({ model: spec.id, dataset: options.dataset.id, split: label, seed, config }, folds);
}

/** What names an evaluation: the model, the data, the split's label, the seed and the config. */
export interface EvaluationHead {
  readonly model: string;
  readonly dataset: string;
  readonly split: string;
  readonly seed: number;
  readonly config: ModelConfig;
}

/**
 * One evaluation's result from its folds' results: the fold itself for a single split; for
 * several, the means over folds (cold-start counts summed), their standard deviations and each fold.
 */
export function combineFolds(head: EvaluationHead, folds: readonly FoldResult[]): EvaluationResult {
  if (folds.length === 0)
    throw new HeedError(`evaluate: no fold results for ${head.model} on ${head.dataset}`);
  const { config, ...names } = head;
  // Spread twice: first to put the identifying fields first in the JSON, then to win over the fold's `split`.
  if (folds.length === 1) return { ...names, ...folds[0], ...names, config };
  return { ...names, ...meanOf(folds), ...names, sd: sdOf(folds), config, folds };
}

/** Fits `model` on a split's train (watching its validation) and scores its test ratings. */
export async function runFold(
  model: RatingModel,
  dataset: Dataset,
  split: Split,
  report: (phase: EvaluationProgress['phase'], epoch?: ProgressEvent) => void = () => {},
  signal?: AbortSignal,
  catalogueNdcgK?: number,
  metrics: readonly Metric[] = DEFAULT_METRICS,
): Promise<FoldResult> {
  if (split.train.length === 0)
    throw new HeedError(`split "${split.name}" of "${dataset.id}" has no training ratings`);
  if (split.test.length === 0)
    throw new HeedError(`split "${split.name}" of "${dataset.id}" has no test ratings`);
  const train = { dataset, indices: split.train };
  report('fit');
  const fitStart = performance.now();
  const fit: FitReport = await model.fit(train, {
    ...(split.validation.length > 0 ? { validation: { dataset, indices: split.validation } } : {}),
    onProgress: (event) => report('fit', event),
    ...(signal ? { signal } : {}),
  });
  const fitSeconds = (performance.now() - fitStart) / 1000;

  report('predict');
  const predictStart = performance.now();
  const predictor = new Predictor(model, trainingStats(train), dataset.scale);
  const n = split.test.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const truth = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const i = split.test[k];
    users[k] = dataset.ratings.user[i];
    items[k] = dataset.ratings.item[i];
    truth[k] = dataset.ratings.rating[i];
  }
  const { values, coldStart } = predictor.predict(users, items);
  const predictSeconds = (performance.now() - predictStart) / 1000;
  report('done');

  const fold = scoreFold({
    split: split.name,
    users,
    items,
    truth,
    values,
    fit,
    fitSeconds,
    predictSeconds,
    nTrain: split.train.length,
    nValidation: split.validation.length,
    coldStart,
    metrics,
  });
  if (catalogueNdcgK === undefined) return fold;
  const catalogue = catalogueNdcg(dataset, split, (u, i) => predictor.predict(u, i).values, catalogueNdcgK);
  return { ...fold, catalogueNdcg: catalogue };
}

/** What a fold's scores are computed from. */
export interface ScoredFold {
  readonly split: string;
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly truth: Float32Array;
  /** Predictions, already clipped to the rating scale. */
  readonly values: Float32Array;
  readonly fit: FitReport;
  readonly fitSeconds: number;
  readonly predictSeconds: number;
  readonly nTrain: number;
  readonly nValidation: number;
  readonly coldStart: ColdStartCounts;
  /** Notes beyond the fit's own. */
  readonly notes?: readonly string[];
  /** What the result's `metrics` holds (default: rmse, mae, mse, ndcg@10). */
  readonly metrics?: readonly Metric[];
}

/** The metrics and counts of one fold (RMSE, MAE, MSE, NDCG@10, timings, the fit's best epoch). */
export function scoreFold(f: ScoredFold): FoldResult {
  const { users, items, truth, values, fit, fitSeconds } = f;
  const meanSquared = mse(values, truth);
  const ndcg = ndcgAtK({ user: users, item: items, rating: truth, prediction: values }, NDCG_K);
  const notes = [...(fit.notes ?? []), ...(f.notes ?? [])];
  return {
    split: f.split,
    metrics: computeMetrics(f.metrics ?? DEFAULT_METRICS, { users, items, truth, values }),
    rmse: Math.sqrt(meanSquared),
    mae: mae(values, truth),
    mse: meanSquared,
    ndcg10: ndcg.users > 0 ? ndcg.ndcg : null,
    fitSeconds,
    predictSeconds: f.predictSeconds,
    samplesPerSecond: fitSeconds > 0 ? fit.samplesProcessed / fitSeconds : 0,
    epochs: fit.epochs,
    ...(fit.bestValidationRmse !== undefined && fit.bestEpoch !== undefined
      ? { bestEpoch: fit.bestEpoch, bestValidationRmse: fit.bestValidationRmse }
      : {}),
    nTrain: f.nTrain,
    nValidation: f.nValidation,
    nTest: users.length,
    coldStart: f.coldStart,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/**
 * A model's config for a run: its defaults, the caller's overrides, and the run's seed as its
 * `seed` setting when it has one and the caller did not set it, so `--seed` alone makes a run
 * reproducible.
 */
export function modelConfig(
  spec: ModelSpec,
  overrides: Readonly<Record<string, string | ConfigValue>> | undefined,
  seed: number,
): ModelConfig {
  const config = resolveConfig(spec, overrides ?? {});
  if (typeof spec.defaults.seed !== 'number' || (overrides !== undefined && 'seed' in overrides))
    return config;
  return { ...config, seed };
}

function resolveSplits(
  dataset: Dataset,
  split: EvaluateOptions['split'],
  seed: number,
): { splits: readonly Split[]; label: string } {
  if (typeof split === 'string') {
    const spec = parseSplitSpec(split);
    return { splits: makeSplits(dataset, spec, seed), label: formatSplitSpec(spec) };
  }
  if (Array.isArray(split)) {
    if (split.length === 0) throw new HeedError('evaluate: no splits given');
    return {
      splits: split as readonly Split[],
      label: split.length === 1 ? split[0].name : `${split.length} splits`,
    };
  }
  if ('kind' in split) return { splits: makeSplits(dataset, split, seed), label: formatSplitSpec(split) };
  const one = split as Split;
  return { splits: [one], label: one.name };
}

function meanOf(folds: readonly FoldResult[]): Omit<FoldResult, 'split'> {
  const mean = (get: (f: FoldResult) => number): number =>
    folds.reduce((s, f) => s + get(f), 0) / folds.length;
  const ndcgs = folds.map((f) => f.ndcg10).filter((v): v is number => v !== null);
  const sum = (get: (f: FoldResult) => number): number => folds.reduce((s, f) => s + get(f), 0);
  return {
    metrics: meanMetrics(folds),
    rmse: mean((f) => f.rmse),
    mae: mean((f) => f.mae),
    mse: mean((f) => f.mse),
    ndcg10: ndcgs.length > 0 ? ndcgs.reduce((s, v) => s + v, 0) / ndcgs.length : null,
    fitSeconds: mean((f) => f.fitSeconds),
    predictSeconds: mean((f) => f.predictSeconds),
    samplesPerSecond: mean((f) => f.samplesPerSecond),
    epochs: mean((f) => f.epochs),
    ...(folds.every((f) => f.bestEpoch !== undefined && f.bestValidationRmse !== undefined)
      ? {
          bestEpoch: mean((f) => f.bestEpoch ?? NaN),
          bestValidationRmse: mean((f) => f.bestValidationRmse ?? NaN),
        }
      : {}),
    nTrain: mean((f) => f.nTrain),
    nValidation: mean((f) => f.nValidation),
    nTest: mean((f) => f.nTest),
    coldStart: {
      user: sum((f) => f.coldStart.user),
      item: sum((f) => f.coldStart.item),
      both: sum((f) => f.coldStart.both),
      fallback: sum((f) => f.coldStart.fallback),
    },
  };
}

/** Each metric's mean over the folds where it is defined; null where it is defined on none. */
function meanMetrics(folds: readonly FoldResult[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const name of Object.keys(folds[0].metrics)) {
    const values = folds.map((f) => f.metrics[name]).filter((v): v is number => typeof v === 'number');
    out[name] = values.length > 0 ? values.reduce((s, v) => s + v, 0) / values.length : null;
  }
  return out;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - m) * (v - m), 0) / (values.length - 1));
}

function sdOf(folds: readonly FoldResult[]): { rmse: number; mae: number; mse: number } {
  return {
    rmse: standardDeviation(folds.map((f) => f.rmse)),
    mae: standardDeviation(folds.map((f) => f.mae)),
    mse: standardDeviation(folds.map((f) => f.mse)),
  };
}

/**
 * What the three FM solvers (SGD, ALS, MCMC) share: the training data they see, the hooks a fit
 * passes through, and what they hand back.
 */
import type { ProgressEvent } from '../model.js';
import { predictRow, type FmParams, type FmSamples } from './fm-core.js';
import { designRows, toColumns, type FmLayout, type SparseColumns, type SparseRows } from './fm-design.js';

export interface FmTrainingData {
  readonly rows: SparseRows;
  /** The same design by columns, for the coordinate-wise ALS/MCMC updates. */
  readonly byColumn: SparseColumns;
  readonly target: Float64Array;
  readonly columnCount: number;
  /** Prior group of every column (user id, item id, one per feature field). */
  readonly columnGroup: Int32Array;
  readonly groupCount: number;
  readonly scale: { readonly min: number; readonly max: number };
}

/** The design rows of the ratings (user[k], item[k]) → rating[k], by rows and by columns. */
export function fmTrainingData(
  layout: FmLayout,
  ratings: { readonly user: Int32Array; readonly item: Int32Array; readonly rating: ArrayLike<number> },
  scale: FmTrainingData['scale'],
): FmTrainingData {
  const rows = designRows(layout, ratings.user, ratings.item);
  return {
    rows,
    byColumn: toColumns(rows, layout.columnCount),
    target: Float64Array.from(ratings.rating),
    columnCount: layout.columnCount,
    columnGroup: layout.columnGroup,
    groupCount: layout.groupNames.length,
    scale,
  };
}

export interface FmValidationData {
  readonly rows: SparseRows;
  readonly target: Float64Array;
}

export interface FmSolverHooks {
  readonly validation?: FmValidationData;
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly signal?: AbortSignal;
}

export interface FmSolverResult {
  readonly samples: FmSamples;
  /** Epochs (SGD) or sweeps (ALS, MCMC) actually run. */
  readonly iterations: number;
}

/** Lets timers and abort signals fire between epochs of a synchronous training loop. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Number of training non-zeros in each column: columns never seen in training stay at zero. */
export function columnCounts(data: FmTrainingData): Int32Array {
  const counts = new Int32Array(data.columnCount);
  const off = data.byColumn.offsets;
  for (let j = 0; j < data.columnCount; j++) counts[j] = off[j + 1] - off[j];
  return counts;
}

/** RMSE of one parameter point on validation rows, predictions clipped to the scale. */
export function score(
  params: FmParams,
  validation: FmValidationData,
  scale: { readonly min: number; readonly max: number },
): number {
  const { rows, target } = validation;
  let se = 0;
  for (let r = 0; r < target.length; r++) {
    const y = predictRow(params, rows.columns, rows.values, rows.offsets[r], rows.offsets[r + 1]);
    const p = Math.min(scale.max, Math.max(scale.min, y));
    se += (p - target[r]) * (p - target[r]);
  }
  return Math.sqrt(se / Math.max(1, target.length));
}

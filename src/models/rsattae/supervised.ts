/**
 * RSAttAE's supervised stage (Section IV.D, Fig. 3): every rating r_ij becomes one regression row
 * x = concat[E_u_i, E_m_j, F_u_i, F_m_j] with target r_ij, in the manner of COFILS, and XGBoost
 * learns x → r with the paper's setup 4 of Table II (`RSATTAE_XGBOOST_DEFAULTS`), watching the
 * held-out 10% of the training ratings with early stopping.
 */
import { DMatrix } from '../../xgboost/dmatrix.js';
import type { Booster } from '../../xgboost/booster.js';
import type { XGBoostParams } from '../../xgboost/params.js';
import { trainXGBoost, type TrainXGBoostResult, type XGBoostRoundEvent } from '../../xgboost/train.js';
import { HeedError } from '../../util/errors.js';

/** Per-entity blocks of a row: embeddings [count, dim] and one-hot features [count, featureDim]. */
export interface EntityBlocks {
  readonly embedding: Float32Array;
  readonly features: Float32Array;
  readonly count: number;
  readonly dim: number;
  readonly featureDim: number;
}

/** Columns of a row: E_u, E_m, F_u, F_m. */
export function rowWidth(user: EntityBlocks, item: EntityBlocks): number {
  return user.dim + item.dim + user.featureDim + item.featureDim;
}

/** Names of the row's columns (for reading feature importances). */
export function columnNames(
  userFeatureNames: readonly string[],
  itemFeatureNames: readonly string[],
  dim: number,
  itemDim = dim,
): string[] {
  return [
    ...Array.from({ length: dim }, (_, k) => `E_u[${k}]`),
    ...Array.from({ length: itemDim }, (_, k) => `E_m[${k}]`),
    ...userFeatureNames.map((n) => `F_u:${n}`),
    ...itemFeatureNames.map((n) => `F_m:${n}`),
  ];
}

/**
 * Rows for the pairs (users[k], items[k]), row-major [pairs, width]. `userBlocks[s]` and
 * `itemBlocks[s]` are alternative embedding tables (one per out-of-fold encoding, see `model.ts`);
 * pair k reads table `source[k]` (table 0 for every pair when `source` is absent).
 */
export function supervisedRows(
  users: Int32Array,
  items: Int32Array,
  userBlocks: readonly EntityBlocks[],
  itemBlocks: readonly EntityBlocks[],
  source?: Int32Array,
): Float32Array {
  const n = users.length;
  if (items.length !== n || (source !== undefined && source.length !== n)) {
    throw new HeedError(`supervised rows: ${n} users, ${items.length} items, ${source?.length ?? n} sources`);
  }
  if (userBlocks.length === 0 || userBlocks.length !== itemBlocks.length) {
    throw new HeedError(
      `supervised rows: ${userBlocks.length} user tables for ${itemBlocks.length} item tables`,
    );
  }
  const u0 = userBlocks[0];
  const i0 = itemBlocks[0];
  const width = rowWidth(u0, i0);
  const out = new Float32Array(n * width);
  for (let k = 0; k < n; k++) {
    const s = source === undefined ? 0 : source[k];
    const ub = userBlocks[s];
    const ib = itemBlocks[s];
    if (ub === undefined || ib === undefined)
      throw new HeedError(`supervised rows: pair ${k} names table ${s}`);
    const u = users[k];
    const i = items[k];
    if (!(u >= 0 && u < ub.count && i >= 0 && i < ib.count)) {
      throw new HeedError(
        `supervised rows: pair ${k} (${u}, ${i}) is outside ${ub.count} users × ${ib.count} items`,
      );
    }
    let at = k * width;
    out.set(ub.embedding.subarray(u * ub.dim, (u + 1) * ub.dim), at);
    at += ub.dim;
    out.set(ib.embedding.subarray(i * ib.dim, (i + 1) * ib.dim), at);
    at += ib.dim;
    out.set(u0.features.subarray(u * u0.featureDim, (u + 1) * u0.featureDim), at);
    at += u0.featureDim;
    out.set(i0.features.subarray(i * i0.featureDim, (i + 1) * i0.featureDim), at);
  }
  return out;
}

export interface SupervisedTraining {
  readonly params: XGBoostParams;
  readonly rounds: number;
  /** Rounds without a lower validation RMSE before stopping (0: train all rounds). */
  readonly earlyStopping: number;
  readonly train: { readonly rows: Float32Array; readonly labels: Float32Array };
  readonly validation?: { readonly rows: Float32Array; readonly labels: Float32Array };
  readonly width: number;
  readonly onRound?: (event: XGBoostRoundEvent) => void;
  readonly signal?: AbortSignal;
}

/** Trains the regressor; with validation and early stopping, predictions use the best round. */
export async function trainSupervised(job: SupervisedTraining): Promise<TrainXGBoostResult> {
  const { width } = job;
  const dtrain = DMatrix.fromFloat32(job.train.rows, job.train.labels.length, width, job.train.labels);
  const dvalid =
    job.validation !== undefined && job.validation.labels.length > 0
      ? DMatrix.fromFloat32(job.validation.rows, job.validation.labels.length, width, job.validation.labels)
      : undefined;
  try {
    return await trainXGBoost({
      params: job.params,
      dtrain,
      rounds: job.rounds,
      ...(dvalid !== undefined ? { evals: [[dvalid, 'valid']] as const } : {}),
      ...(dvalid !== undefined && job.earlyStopping > 0 ? { earlyStoppingRounds: job.earlyStopping } : {}),
      ...(job.onRound ? { onRound: job.onRound } : {}),
      ...(job.signal ? { signal: job.signal } : {}),
    });
  } finally {
    dtrain.dispose();
    dvalid?.dispose();
  }
}

/** The booster's predictions for row-major rows [count, width]. */
export function predictRows(booster: Booster, rows: Float32Array, width: number): Float32Array {
  const count = width > 0 ? rows.length / width : 0;
  if (count === 0) return new Float32Array(0);
  const dm = DMatrix.fromFloat32(rows, count, width);
  try {
    return booster.predict(dm);
  } finally {
    dm.dispose();
  }
}

/** Bytes as 32-bit integers, four little-endian bytes each (the last one zero-padded). */
export function packBytes(bytes: Uint8Array): Int32Array {
  const out = new Int32Array(Math.ceil(bytes.length / 4));
  for (let k = 0; k < bytes.length; k++) out[k >> 2] |= bytes[k] << (8 * (k & 3));
  return out;
}

/** The inverse of `packBytes`; `length` is the original byte count. */
export function unpackBytes(words: Int32Array, length: number): Uint8Array {
  if (!(
    Number.isInteger(length) &&
    length >= 0 &&
    length <= words.length * 4 &&
    length > (words.length - 1) * 4
  )) {
    if (!(length === 0 && words.length === 0)) {
      throw new HeedError(`packed bytes: ${length} bytes cannot come from ${words.length} words`);
    }
  }
  const out = new Uint8Array(length);
  for (let k = 0; k < length; k++) out[k] = (words[k >> 2] >>> (8 * (k & 3))) & 0xff;
  return out;
}

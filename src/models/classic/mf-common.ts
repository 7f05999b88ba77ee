/**
 * Pieces shared by the classic matrix-factorisation models (baseline, biasedmf, svdpp): reading
 * their settings, seeded initialisation, the padded factor layout of the wasm
 * kernels, and checking saved states.
 */
import { gatherRatings, type Dataset, type RatingSubset } from '../../data/dataset.js';
import { HeedError } from '../../util/errors.js';
import type { Rng } from '../../util/rng.js';
import { num } from '../config.js';
import type { ModelConfig, ModelState, ProgressEvent } from '../model.js';

/**
 * The SGD settings BiasedMF and SVD++ share (`BIASED_SGD_SETTINGS`), read from a config their
 * constructors checked against the schema.
 */
export interface BiasedSgdSettings {
  readonly epochs: number;
  /** γ and λ of the factors. */
  readonly lr: number;
  readonly reg: number;
  /** γ_b and λ_b of the biases. */
  readonly lrBias: number;
  readonly regBias: number;
  readonly initStd: number;
  /** Every learning rate is multiplied by this after every epoch. */
  readonly lrDecay: number;
  readonly seed: number;
  /** The `threads` setting (0: every core); `fitThreads` gives the count a fit uses. */
  readonly threads: number;
}

export function biasedSgdSettings(config: ModelConfig): BiasedSgdSettings {
  return {
    epochs: num(config, 'epochs'),
    lr: num(config, 'learningRate'),
    reg: num(config, 'l2'),
    lrBias: num(config, 'biasLearningRate'),
    regBias: num(config, 'biasL2'),
    initStd: num(config, 'initStd'),
    lrDecay: num(config, 'lrDecay'),
    seed: num(config, 'seed'),
    threads: num(config, 'threads'),
  };
}

/** The training ratings of a factor model's fit, with the sizes and counts its set-up needs. */
export interface FactorTrainingData {
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly rating: Float32Array;
  /** Number of users and items of the data set (rows of the factor tables). */
  readonly users: number;
  readonly items: number;
  /** Training ratings per user and per item (0: the row stays at zero, see `initFactors`). */
  readonly counts: { users: Int32Array; items: Int32Array };
  /** μ, the mean training rating. */
  readonly mean: number;
}

export function factorTrainingData(train: RatingSubset): FactorTrainingData {
  const { dataset } = train;
  const { user, item, rating } = gatherRatings(train);
  return {
    user,
    item,
    rating,
    users: dataset.users.ids.length,
    items: dataset.items.ids.length,
    counts: ratingCounts(dataset, user, item),
    mean: meanRating(rating),
  };
}

/** The mean of the training ratings (0 when there are none). */
export function meanRating(rating: Float32Array): number {
  let sum = 0;
  for (let t = 0; t < rating.length; t++) sum += rating[t];
  return rating.length > 0 ? sum / rating.length : 0;
}

/** How many training ratings each user and each item has. */
export function ratingCounts(
  dataset: Dataset,
  user: Int32Array,
  item: Int32Array,
): { users: Int32Array; items: Int32Array } {
  const users = new Int32Array(dataset.users.ids.length);
  const items = new Int32Array(dataset.items.ids.length);
  for (let t = 0; t < user.length; t++) {
    users[user[t]]++;
    items[item[t]]++;
  }
  return { users, items };
}

/**
 * Fills the first `factors` columns of each of `rows` rows (row length `stride`) with N(0, std²)
 * draws from `rng`, row by row; rows whose `counts` entry is 0 (no training ratings) are left at
 * zero so that unseen users and items contribute nothing to a prediction.
 */
export function initFactors(
  rng: Rng,
  target: Float32Array,
  rows: number,
  factors: number,
  stride: number,
  std: number,
  counts: Int32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const at = r * stride;
    for (let f = 0; f < factors; f++) {
      const draw = rng.normal() * std;
      if (counts[r] > 0) target[at + f] = draw;
    }
  }
}

/** Copies `rows` rows of `factors` floats out of a layout with row length `stride`. */
export function unpad(source: Float32Array, rows: number, factors: number, stride: number): Float32Array {
  if (stride === factors) return source.slice(0, rows * factors);
  const out = new Float32Array(rows * factors);
  for (let r = 0; r < rows; r++) out.set(source.subarray(r * stride, r * stride + factors), r * factors);
  return out;
}

/** RMSE of `score(u, i)` over a subset, predictions clipped to the data set's scale. */
export function subsetRmse(subset: RatingSubset, score: (u: number, i: number) => number): number {
  const { indices, dataset } = subset;
  const { user, item, rating } = dataset.ratings;
  const { min, max } = dataset.scale;
  let sse = 0;
  for (let k = 0; k < indices.length; k++) {
    const x = indices[k];
    const p = Math.min(max, Math.max(min, score(user[x], item[x])));
    const e = p - rating[x];
    sse += e * e;
  }
  return indices.length > 0 ? Math.sqrt(sse / indices.length) : NaN;
}

/**
 * Stops a fit whose SGD diverged (the epoch's squared error overflowed or became NaN), instead of
 * leaving a model that predicts NaN.
 */
export function checkConverging(model: string, sse: number, epoch: number, lr: number): void {
  if (!Number.isFinite(sse)) {
    throw new HeedError(
      `model "${model}": training diverged in epoch ${epoch} (squared error ${sse}); lower "learningRate" (now ${lr}) or raise "l2"`,
    );
  }
}

/** Builds one epoch's progress event. */
export function progressEvent(
  epoch: number,
  epochs: number,
  started: number,
  sse: number,
  n: number,
  validationRmse: number | undefined,
): ProgressEvent {
  const seconds = (performance.now() - started) / 1000;
  const trainLoss = n > 0 ? Math.sqrt(sse / n) : 0;
  return validationRmse === undefined
    ? { epoch, epochs, seconds, trainLoss }
    : { epoch, epochs, seconds, trainLoss, validationRmse };
}

/** The numeric metadata a saved MF state must carry; the error names the model and field. */
export function stateMeta<K extends string>(state: ModelState, keys: readonly K[]): Record<K, number> {
  const meta = state.meta;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    throw new HeedError(`saved model "${state.id}": meta must be an object`);
  }
  const out = {} as Record<K, number>;
  for (const key of keys) {
    const v = meta[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new HeedError(`saved model "${state.id}": meta field "${key}" must be a finite number`);
    }
    out[key] = v;
  }
  return out;
}

/**
 * A size the saved arrays were written with must be the one the config gives (the arrays are read
 * with the config's row length); the error names the model and the field.
 */
export function checkMetaMatchesConfig(
  state: ModelState,
  key: string,
  saved: number,
  configured: number,
): void {
  if (saved !== configured) {
    throw new HeedError(
      `saved model "${state.id}": meta ${key} ${saved} differs from config ${key} ${configured}`,
    );
  }
}

/** A saved Float32Array of the expected length; the error names the model and array. */
export function stateArray(state: ModelState, name: string, length: number): Float32Array {
  return checkedArray(state, name, length, Float32Array, 'float32');
}

/** A saved Float64Array of the expected length; the error names the model and array. */
export function stateArray64(state: ModelState, name: string, length: number): Float64Array {
  return checkedArray(state, name, length, Float64Array, 'float64');
}

function checkedArray<T extends Float32Array | Float64Array>(
  state: ModelState,
  name: string,
  length: number,
  type: abstract new (...args: never[]) => T,
  typeName: string,
): T {
  const a = state.arrays[name];
  if (!(a instanceof type)) {
    throw new HeedError(`saved model "${state.id}": array "${name}" is missing or not ${typeName}`);
  }
  if (a.length !== length) {
    throw new HeedError(
      `saved model "${state.id}": array "${name}" has ${a.length} values, expected ${length}`,
    );
  }
  return a;
}

/** Resolves when the event loop has had a turn, so that aborts and progress output get through. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

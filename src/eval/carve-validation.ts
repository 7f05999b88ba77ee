/**
 * Validation carved from the training part, for models that early-stop on it.
 *
 * A model whose config has a numeric `patience` > 0 stops when its validation RMSE stops falling
 * and keeps its best epoch. Given a split with no validation part (ml-100k `u1`, `files:TRAIN,TEST`,
 * `ratio:0.9,0,0.1`) it would train for every epoch and keep the last one, over-fitted. So a
 * seeded fraction of the training ratings is held out as validation instead; the test part is
 * never touched, so the test scores stay honest.
 */
import type { Dataset, Split } from '../data/dataset.js';
import type { ModelConfig } from '../models/model.js';
import { UsageError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/** The fraction of training ratings carved out as validation unless the caller says otherwise. */
export const DEFAULT_VALIDATION_FRACTION = 0.1;

/** A split after carving, and the sentence that says what was done (absent when nothing was). */
export interface CarvedSplit {
  readonly split: Split;
  readonly note?: string;
}

/** True when the model's config asks for early stopping on validation (`patience` > 0). */
export function earlyStopsOnValidation(config: ModelConfig): boolean {
  return typeof config.patience === 'number' && config.patience > 0;
}

/** Throws a UsageError naming `flag` unless `fraction` is in [0, 1). */
export function checkValidationFraction(fraction: number, flag = '--validation-fraction'): void {
  if (!(Number.isFinite(fraction) && fraction >= 0 && fraction < 1)) {
    throw new UsageError(`${flag} must be a number in [0, 1) (0: no carving), got ${fraction}`);
  }
}

/**
 * Moves a seeded `fraction` of `split.train` to its validation part when the model early-stops and
 * the split has no validation part; otherwise returns the split as it is. Which ratings move
 * depends only on (split, seed, fraction).
 */
export function carveValidation(
  dataset: Dataset,
  split: Split,
  config: ModelConfig,
  fraction: number,
  seed: number,
): CarvedSplit {
  checkValidationFraction(fraction);
  if (fraction === 0 || split.validation.length > 0 || !earlyStopsOnValidation(config)) return { split };
  const carved = holdOut(split, fraction, seed);
  const nValidation = carved.validation.length;
  if (nValidation === 0 || carved.train.length === 0) return { split };
  const note =
    `split "${split.name}" of "${dataset.id}" has no validation part and the model early-stops ` +
    `(patience ${String(config.patience)}): ${nValidation} of its ${split.train.length} training ratings ` +
    `(fraction ${fraction}, seed ${seed}) were held out as validation; --validation-fraction 0 trains on all of them`;
  return { split: carved, note };
}

/**
 * `split` with a seeded `fraction` of its training ratings moved to its validation part, whatever
 * the model: what `carveValidation` does, and what `heed serve --exclude-rated` redoes to check a
 * saved model's training ratings.
 */
export function holdOut(split: Split, fraction: number, seed: number): Split {
  const pool = new Rng(seed).shuffle(Int32Array.from(split.train));
  const nValidation = Math.round(pool.length * fraction);
  const validation = Int32Array.from(pool.subarray(0, nValidation)).sort();
  const train = Int32Array.from(pool.subarray(nValidation)).sort();
  return { ...split, train, validation };
}

/** A fold result with `note` added to its notes (unchanged when there is no note). */
export function withNote<T extends { readonly notes?: readonly string[] }>(
  fold: T,
  note: string | undefined,
): T {
  return note === undefined ? fold : { ...fold, notes: [note, ...(fold.notes ?? [])] };
}

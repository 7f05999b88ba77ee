/**
 * Train/validation/test splits of a `Dataset`: the protocols the papers evaluate with.
 *
 * - predefined: splits that ship with the data (ml-100k `u1`..`u5`, `ua`, `ub`; SAIN's 8:1:1 files);
 * - predefined folds: a numbered range of predefined splits used as the folds of one protocol
 *   (`u1..u5`, GroupLens' five-fold cross-validation of ml-100k);
 * - ratio: a seeded random partition of the ratings, e.g. 8:1:1 (`ratio:0.8,0.1,0.1`);
 * - k-fold: a seeded partition into k test folds, each rating in exactly one of them (`kfold:5`);
 * - files: the user's own parts, one CSV file each (`files:TRAIN,TEST`; `split-files.ts`);
 * - a per-user filter (`minRatingsPerUser`) that keeps only users with enough ratings.
 *
 * Every function returns indices into `dataset.ratings`, sorted ascending within each part, so a
 * split is a plain value that can be compared, saved and reproduced from (dataset, spec, seed).
 * Randomness comes only from `Rng(seed)`: the same seed and data give the same split on any machine.
 */
import { HeedError, UsageError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import type { Dataset, Split } from './dataset.js';
import { filesSplit, type SplitFiles } from './split-files.js';

/** A split protocol as parsed from `--split`. */
export type SplitSpec =
  | { readonly kind: 'predefined'; readonly name: string }
  | {
      /** The predefined splits PREFIX+FIRST … PREFIX+LAST, in that order, one fold each. */
      readonly kind: 'predefinedFolds';
      readonly prefix: string;
      readonly first: number;
      readonly last: number;
    }
  | {
      readonly kind: 'ratio';
      readonly train: number;
      readonly validation: number;
      readonly test: number;
    }
  | {
      readonly kind: 'kfold';
      readonly k: number;
      /** Fraction of each fold's training ratings held out as validation (0: none). */
      readonly validation: number;
    }
  | ({ readonly kind: 'files' } & SplitFiles);

/** The 8:1:1 ratio split, the default when a dataset ships no split of its own. */
export const DEFAULT_RATIO: SplitSpec = { kind: 'ratio', train: 0.8, validation: 0.1, test: 0.1 };

/** Tolerance for "ratios sum to 1": decimal fractions such as 0.7+0.2+0.1 are not exact in binary. */
const SUM_TOLERANCE = 1e-6;

/**
 * Parses a `--split` value:
 * - `ratio` or `ratio:TRAIN,VALIDATION,TEST` (fractions summing to 1; validation may be 0);
 * - `kfold:K` or `kfold:K,V` (K ≥ 2 folds; V = fraction of each fold's train carved out as validation);
 * - `files:TRAIN,TEST` or `files:TRAIN,VALIDATION,TEST` (CSV rating files, read when the split is made);
 * - `NAME1..NAME2` with names differing only in a final number (`u1..u5`): those predefined splits
 *   as folds, checked against the dataset when the splits are made;
 * - anything else is the name of a predefined split (`u1`, `ua`, `train`), checked against the
 *   dataset when the split is made.
 */
export function parseSplitSpec(text: string, flag = '--split'): SplitSpec {
  const value = text.trim();
  if (value === '')
    throw new UsageError(`${flag} is empty: give a split such as u1, ratio:0.8,0.1,0.1 or kfold:5`);
  if (value === 'ratio') return DEFAULT_RATIO;
  if (value.startsWith('ratio:')) {
    const parts = value.slice('ratio:'.length).split(',');
    if (parts.length !== 3) {
      throw new UsageError(
        `${flag} "${value}": a ratio split needs three fractions TRAIN,VALIDATION,TEST (e.g. ratio:0.8,0.1,0.1)`,
      );
    }
    const [train, validation, test] = parts.map((p, i) =>
      fraction(flag, value, ['train', 'validation', 'test'][i], p),
    );
    const sum = train + validation + test;
    if (Math.abs(sum - 1) > SUM_TOLERANCE) {
      throw new UsageError(`${flag} "${value}": the ratios must sum to 1 (they sum to ${round(sum)})`);
    }
    if (train <= 0) throw new UsageError(`${flag} "${value}": the train fraction must be greater than 0`);
    if (test <= 0) throw new UsageError(`${flag} "${value}": the test fraction must be greater than 0`);
    return { kind: 'ratio', train, validation, test };
  }
  if (value === 'kfold' || value.startsWith('kfold:')) {
    const parts = value === 'kfold' ? [] : value.slice('kfold:'.length).split(',');
    if (parts.length < 1 || parts.length > 2 || parts[0] === '') {
      throw new UsageError(
        `${flag} "${value}": write kfold:K (e.g. kfold:5) or kfold:K,V with V a validation fraction`,
      );
    }
    const k = Number(parts[0]);
    if (!Number.isInteger(k) || k < 2) {
      throw new UsageError(
        `${flag} "${value}": the number of folds must be an integer of at least 2, got "${parts[0]}"`,
      );
    }
    const validation = parts.length === 2 ? fraction(flag, value, 'validation', parts[1]) : 0;
    if (validation >= 1) throw new UsageError(`${flag} "${value}": the validation fraction must be below 1`);
    return { kind: 'kfold', k, validation };
  }
  if (value.startsWith('files:')) {
    const files = value.slice('files:'.length).split(',');
    if ((files.length !== 2 && files.length !== 3) || files.some((f) => f.trim() === '')) {
      throw new UsageError(
        `${flag} "${value}": write files:TRAIN,TEST or files:TRAIN,VALIDATION,TEST (paths to CSV rating files)`,
      );
    }
    const [train, validation, test] = files.length === 2 ? [files[0], undefined, files[1]] : files;
    return { kind: 'files', train, ...(validation !== undefined ? { validation } : {}), test };
  }
  if (value.includes('..')) return parsePredefinedFolds(flag, value);
  if (value.includes(':') || value.includes(',')) {
    throw new UsageError(
      `${flag} "${value}": unknown split kind; use a predefined split name (u1), a range of them (u1..u5), ratio:TRAIN,VALIDATION,TEST, kfold:K or files:TRAIN,TEST`,
    );
  }
  return { kind: 'predefined', name: value };
}

/** `u1..u5`: both ends are one name followed by a number, the first number below the last. */
function parsePredefinedFolds(flag: string, value: string): SplitSpec {
  const ends = value.split('..');
  const from = ends.length === 2 ? /^(.*?)(\d+)$/.exec(ends[0]) : null;
  const to = ends.length === 2 ? /^(.*?)(\d+)$/.exec(ends[1]) : null;
  if (from === null || to === null || from[1] !== to[1] || from[1] === '') {
    throw new UsageError(
      `${flag} "${value}": a range of predefined splits is NAME1..NAME2 with the same name before the numbers (e.g. u1..u5)`,
    );
  }
  const first = Number(from[2]);
  const last = Number(to[2]);
  if (String(first) !== from[2] || String(last) !== to[2]) {
    throw new UsageError(`${flag} "${value}": write the fold numbers without leading zeros (e.g. u1..u5)`);
  }
  if (first >= last) {
    throw new UsageError(
      `${flag} "${value}": the first split's number must be below the last's (for one split, write its name: ${ends[0]})`,
    );
  }
  return { kind: 'predefinedFolds', prefix: from[1], first, last };
}

/** The names of the predefined splits a `predefinedFolds` spec uses, in fold order. */
export function predefinedFoldNames(spec: {
  readonly prefix: string;
  readonly first: number;
  readonly last: number;
}): string[] {
  return Array.from({ length: spec.last - spec.first + 1 }, (_, i) => `${spec.prefix}${spec.first + i}`);
}

/** How many folds (splits) a spec makes. */
export function splitFoldCount(spec: SplitSpec): number {
  switch (spec.kind) {
    case 'kfold':
      return spec.k;
    case 'predefinedFolds':
      return spec.last - spec.first + 1;
    default:
      return 1;
  }
}

/** The canonical text of a spec, as `parseSplitSpec` reads it back (used in results and tables). */
export function formatSplitSpec(spec: SplitSpec): string {
  switch (spec.kind) {
    case 'predefined':
      return spec.name;
    case 'predefinedFolds':
      return `${spec.prefix}${spec.first}..${spec.prefix}${spec.last}`;
    case 'ratio':
      return `ratio:${spec.train},${spec.validation},${spec.test}`;
    case 'kfold':
      return spec.validation > 0 ? `kfold:${spec.k},${spec.validation}` : `kfold:${spec.k}`;
    case 'files':
      return `files:${[spec.train, spec.validation, spec.test].filter((f) => f !== undefined).join(',')}`;
  }
}

/** The dataset's first predefined split when it ships one (ml-100k: u1), else 8:1:1. */
export function defaultSplitSpec(dataset: Dataset): SplitSpec {
  const names = Object.keys(dataset.predefinedSplits);
  return names.length > 0 ? { kind: 'predefined', name: names[0] } : DEFAULT_RATIO;
}

/**
 * The splits a spec describes: one for predefined and ratio specs, k for k-fold. `indices` restricts
 * the ratio and k-fold splits to a subset of the ratings (e.g. the output of `minRatingsPerUser`).
 */
export function makeSplits(dataset: Dataset, spec: SplitSpec, seed: number, indices?: Int32Array): Split[] {
  switch (spec.kind) {
    case 'predefined':
      if (indices !== undefined) {
        throw new UsageError(`a predefined split ("${spec.name}") cannot be combined with a rating filter`);
      }
      return [predefinedSplit(dataset, spec.name)];
    case 'predefinedFolds':
      if (indices !== undefined) {
        throw new UsageError(
          `predefined splits ("${formatSplitSpec(spec)}") cannot be combined with a rating filter`,
        );
      }
      return predefinedFoldNames(spec).map((name) => predefinedSplit(dataset, name, formatSplitSpec(spec)));
    case 'ratio':
      return [ratioSplit(dataset, spec, seed, indices)];
    case 'kfold':
      return kFoldSplits(dataset, spec.k, seed, { validation: spec.validation, indices });
    case 'files':
      if (indices !== undefined) {
        throw new UsageError(
          `a split from files ("${formatSplitSpec(spec)}") cannot be combined with a rating filter`,
        );
      }
      return [filesSplit(dataset, spec, formatSplitSpec(spec))];
  }
}

/**
 * A split that ships with the data; the error lists the names the dataset has. `asked` is the
 * `--split` value when the name came from a range such as `u1..u5`.
 */
export function predefinedSplit(dataset: Dataset, name: string, asked = name): Split {
  const split = Object.hasOwn(dataset.predefinedSplits, name) ? dataset.predefinedSplits[name] : undefined;
  if (split === undefined) {
    const names = Object.keys(dataset.predefinedSplits);
    const available =
      names.length > 0
        ? `its predefined splits are ${names.join(', ')}`
        : 'it has no predefined splits; use ratio:0.8,0.1,0.1 or kfold:5';
    throw new UsageError(
      `--split "${asked}": dataset "${dataset.id}" has no split named "${name}" (${available})`,
    );
  }
  return split;
}

/**
 * A seeded random partition of the ratings (all of them, or those in `indices`) into train,
 * validation and test with the given fractions. Sizes: test = round(n·test), validation =
 * round(n·validation), train = the rest, so every rating lands in exactly one part.
 */
export function ratioSplit(
  dataset: Dataset,
  ratios: { readonly train: number; readonly validation: number; readonly test: number },
  seed: number,
  indices?: Int32Array,
): Split {
  const { train, validation, test } = ratios;
  for (const [name, v] of [
    ['train', train],
    ['validation', validation],
    ['test', test],
  ] as const) {
    if (!Number.isFinite(v) || v < 0 || v > 1) {
      throw new UsageError(`--split: the ${name} fraction must be between 0 and 1, got ${v}`);
    }
  }
  if (Math.abs(train + validation + test - 1) > SUM_TOLERANCE) {
    throw new UsageError(
      `--split: the ratios must sum to 1 (they sum to ${round(train + validation + test)})`,
    );
  }
  const pool = shuffled(dataset, seed, indices);
  const n = pool.length;
  const nTest = Math.round(n * test);
  const nValidation = Math.round(n * validation);
  const nTrain = n - nTest - nValidation;
  const spec: SplitSpec = { kind: 'ratio', train, validation, test };
  return {
    name: `${formatSplitSpec(spec)}@${seed}`,
    train: sorted(pool.subarray(0, nTrain)),
    validation: sorted(pool.subarray(nTrain, nTrain + nValidation)),
    test: sorted(pool.subarray(nTrain + nValidation)),
  };
}

export interface KFoldOptions {
  /** Fraction of each fold's training ratings held out (seeded) as validation; 0 = none. */
  readonly validation?: number;
  /** Restrict the folds to these ratings (indices into `dataset.ratings`). */
  readonly indices?: Int32Array | undefined;
}

/**
 * Seeded k-fold cross-validation: the ratings are permuted once and cut into k contiguous folds whose
 * sizes differ by at most one; split f tests on fold f and trains on the others. Each rating is in
 * exactly one test fold. With `validation > 0`, that fraction of each split's training ratings is
 * moved (by a seed derived from `seed` and f) to its validation part.
 */
export function kFoldSplits(dataset: Dataset, k: number, seed: number, options: KFoldOptions = {}): Split[] {
  const validationFraction = options.validation ?? 0;
  if (!Number.isInteger(k) || k < 2) throw new UsageError(`--split: kfold needs an integer k ≥ 2, got ${k}`);
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new UsageError(
      `--split: the k-fold validation fraction must be in [0, 1), got ${validationFraction}`,
    );
  }
  const pool = shuffled(dataset, seed, options.indices);
  const n = pool.length;
  if (n < k) throw new HeedError(`cannot make ${k} folds from ${n} ratings of dataset "${dataset.id}"`);
  const bounds = Array.from({ length: k + 1 }, (_, f) => Math.floor((f * n) / k));
  const spec: SplitSpec = { kind: 'kfold', k, validation: validationFraction };
  const splits: Split[] = [];
  for (let f = 0; f < k; f++) {
    const test = pool.subarray(bounds[f], bounds[f + 1]);
    const rest = new Int32Array(n - test.length);
    rest.set(pool.subarray(0, bounds[f]), 0);
    rest.set(pool.subarray(bounds[f + 1]), bounds[f]);
    let train = rest;
    let validation = new Int32Array(0);
    if (validationFraction > 0) {
      // A per-fold seed so the validation carve-outs of different folds are independent.
      new Rng((seed ^ Math.imul(f + 1, 0x9e3779b1)) >>> 0).shuffle(rest);
      const nValidation = Math.round(rest.length * validationFraction);
      validation = rest.subarray(0, nValidation);
      train = rest.subarray(nValidation);
    }
    splits.push({
      name: `${formatSplitSpec(spec)}@${seed}#${f + 1}`,
      train: sorted(train),
      validation: sorted(validation),
      test: sorted(test),
    });
  }
  return splits;
}

/**
 * Indices of the ratings (among all, or among `indices`) whose user has at least `n` of them: the
 * usual "users with ≥ n ratings" filter. The result is sorted ascending.
 */
export function minRatingsPerUser(dataset: Dataset, n: number, indices?: Int32Array): Int32Array {
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`minimum ratings per user must be an integer ≥ 0, got ${n}`);
  const { user } = dataset.ratings;
  const pool = indices ?? identity(user.length);
  const counts = new Int32Array(dataset.users.ids.length);
  for (let k = 0; k < pool.length; k++) counts[user[pool[k]]]++;
  let kept = 0;
  for (let k = 0; k < pool.length; k++) if (counts[user[pool[k]]] >= n) kept++;
  const out = new Int32Array(kept);
  let j = 0;
  for (let k = 0; k < pool.length; k++) if (counts[user[pool[k]]] >= n) out[j++] = pool[k];
  return sorted(out);
}

function shuffled(dataset: Dataset, seed: number, indices?: Int32Array): Int32Array {
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${seed}`);
  const n = dataset.ratings.rating.length;
  let pool: Int32Array;
  if (indices === undefined) {
    pool = identity(n);
  } else {
    for (let k = 0; k < indices.length; k++) {
      if (!(indices[k] >= 0 && indices[k] < n)) {
        throw new HeedError(`rating index ${indices[k]} is outside dataset "${dataset.id}" (${n} ratings)`);
      }
    }
    // Sorting first makes the result independent of the order the caller listed the indices in.
    pool = sorted(indices);
  }
  return new Rng(seed).shuffle(pool);
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** A sorted copy (never sorts the caller's array in place). */
function sorted(a: Int32Array): Int32Array {
  return Int32Array.from(a).sort();
}

function fraction(flag: string, value: string, part: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new UsageError(
      `${flag} "${value}": the ${part} fraction must be a number between 0 and 1, got "${text}"`,
    );
  }
  return v;
}

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

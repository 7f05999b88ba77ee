/**
 * `--split files:TRAIN,TEST` or `files:TRAIN,VALIDATION,TEST`: a split the user wrote down, one
 * file per part, in the CSV ratings layout of docs/DATA.md (read by the same `readRatingRows` as
 * a `csv:` data set's `ratings.csv`). Every row must be a rating of the loaded data set (same user,
 * item and rating, and time when the file has one); a pair may appear once across all parts.
 */
import { DataError } from '../util/errors.js';
import type { Dataset, Split } from './dataset.js';
import { PairIndex } from './loaders/common.js';
import { readRatingRows, type RatingRows } from './loaders/csv.js';

/** The files of a `files:` split; `validation` is absent for `files:TRAIN,TEST`. */
export interface SplitFiles {
  readonly train: string;
  readonly validation?: string;
  readonly test: string;
}

/** The split the files describe, as indices into `dataset.ratings`. */
export function filesSplit(dataset: Dataset, files: SplitFiles, name: string): Split {
  const { ratings } = dataset;
  const pairs = new PairIndex(ratings.user, ratings.item, dataset.users.ids.length, dataset.items.ids.length);
  // Where each rating was listed (part number from 1, and line), to name both places when a pair
  // comes twice: typed arrays, not a string per rating.
  const listedIn = new Int8Array(ratings.rating.length);
  const listedLine = new Int32Array(ratings.rating.length);
  const partFiles: string[] = [];
  const part = (file: string): Int32Array => {
    const rows = readRatingRows(file);
    partFiles.push(file);
    const declared = rows.scale;
    if (
      declared !== undefined &&
      (declared.min !== dataset.scale.min || declared.max !== dataset.scale.max)
    ) {
      throw new DataError(
        file,
        undefined,
        'rating',
        `the header declares the scale ${declared.min}..${declared.max}, but data set "${dataset.id}" is ${dataset.scale.min}..${dataset.scale.max}`,
      );
    }
    const userOf = datasetIndices(rows.users.ids, dataset.users.index);
    const itemOf = datasetIndices(rows.items.ids, dataset.items.index);
    const out = new Int32Array(rows.rating.length);
    for (let r = 0; r < out.length; r++) {
      const index = ratingOf(dataset, pairs, rows, r, userOf[rows.user[r]], itemOf[rows.item[r]]);
      if (listedIn[index] !== 0) {
        const earlier = `${partFiles[listedIn[index] - 1]}:${listedLine[index]}`;
        throw new DataError(
          file,
          rows.lines[r],
          undefined,
          `user "${rows.users.ids[rows.user[r]]}" and item "${rows.items.ids[rows.item[r]]}" are already listed at ${earlier}; ` +
            'a rating may be in one part of a split, once',
        );
      }
      listedIn[index] = partFiles.length;
      listedLine[index] = rows.lines[r];
      out[r] = index;
    }
    return out.sort();
  };
  const train = part(files.train);
  const validation = files.validation === undefined ? new Int32Array(0) : part(files.validation);
  const test = part(files.test);
  return { name, train, validation, test };
}

/** The data set's index of each of a file's ids (-1 for an id the data set lacks). */
function datasetIndices(ids: readonly string[], index: ReadonlyMap<string, number>): Int32Array {
  return Int32Array.from(ids, (id) => index.get(id) ?? -1);
}

/**
 * The index of row `r`'s rating in the data set (its user and item already looked up, -1 when
 * unknown), or an error naming the file, line and field.
 */
function ratingOf(
  dataset: Dataset,
  pairs: PairIndex,
  rows: RatingRows,
  r: number,
  user: number,
  item: number,
): number {
  const { file } = rows;
  const line = rows.lines[r];
  const rawUser = rows.users.ids[rows.user[r]];
  const rawItem = rows.items.ids[rows.item[r]];
  if (user < 0) {
    throw new DataError(file, line, 'user', `"${rawUser}" is not a user of data set "${dataset.id}"`);
  }
  if (item < 0) {
    throw new DataError(file, line, 'item', `"${rawItem}" is not an item of data set "${dataset.id}"`);
  }
  const index = pairs.get(user, item);
  if (index < 0) {
    throw new DataError(
      file,
      line,
      undefined,
      `user "${rawUser}" did not rate item "${rawItem}" in data set "${dataset.id}"`,
    );
  }
  const expected = dataset.ratings.rating[index];
  if (Math.fround(rows.rating[r]) !== expected) {
    throw new DataError(
      file,
      line,
      'rating',
      `${rows.rating[r]}, but data set "${dataset.id}" has ${expected} for this user and item`,
    );
  }
  if (rows.time !== undefined) {
    const times = dataset.ratings.time;
    if (times === undefined) {
      throw new DataError(
        file,
        line,
        'time',
        `data set "${dataset.id}" has no times to match; drop the column`,
      );
    }
    if (rows.time[r] !== times[index]) {
      throw new DataError(
        file,
        line,
        'time',
        `${rows.time[r]}, but data set "${dataset.id}" has ${times[index]} for this user and item`,
      );
    }
  }
  return index;
}

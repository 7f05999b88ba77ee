/**
 * MovieLens 100K (GroupLens, 1998), from the directory of the release (`ml-100k/`):
 *
 * - `u.data`: `user TAB item TAB rating TAB timestamp`, ratings 1..5.
 * - `u.user`: `id|age|gender|occupation|zip`: user fields `age` (numeric, binned), `gender` and
 *   `occupation` (categorical, in `u.occupation`'s order when that file is present). The zip code
 *   is ignored.
 * - `u.item` (latin-1): `id|title|release date|video release date|IMDb URL|19 genre flags`: the
 *   titles, item fields `year` (numeric, from the release date "01-Jan-1995") and `genre` (multi,
 *   named and ordered by `u.genre` when present).
 * - `u1.base`/`u1.test` … `u5`, `ua`, `ub`: the predefined splits, as indices into `u.data`.
 *   Every pair in a split file must be a rating of `u.data` with the same value.
 */
import * as path from 'node:path';
import { DataError } from '../../util/errors.js';
import { forEachLine, isFile, readText } from '../../util/io.js';
import type { Dataset, FeatureField, Split } from '../dataset.js';
import {
  BIN_PRESETS,
  categoricalField,
  featureTable,
  multiField,
  numericField,
  type BinSpec,
} from '../features.js';
import { checkScale, denseIntegerIds, inFile, PairIndex, refuseDuplicates } from './common.js';
import { readDelimitedNumbers } from './delimited.js';

/** u.item's 19 genre flags, in file order (the content of `u.genre`). */
export const ML100K_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

/** The 21 occupations of `u.occupation`, in file order. */
export const ML100K_OCCUPATIONS = [
  'administrator',
  'artist',
  'doctor',
  'educator',
  'engineer',
  'entertainment',
  'executive',
  'healthcare',
  'homemaker',
  'lawyer',
  'librarian',
  'marketing',
  'none',
  'other',
  'programmer',
  'retired',
  'salesman',
  'scientist',
  'student',
  'technician',
  'writer',
] as const;

/** The predefined splits of the release: five folds and two 10-ratings-per-user test sets. */
export const ML100K_SPLITS = ['u1', 'u2', 'u3', 'u4', 'u5', 'ua', 'ub'] as const;

export interface MovieLensOptions {
  /** The id the dataset is reported under (default `ml-100k`). */
  readonly id?: string;
  /** Bins of the `age` user field (default: the 7 MovieLens 1M age groups). */
  readonly ageBins?: BinSpec;
  /** Bins of the `year` item field (default: decades). */
  readonly yearBins?: BinSpec;
}

const SCALE = { min: 1, max: 5 } as const;

export function loadMovieLens100k(dir: string, options: MovieLensOptions = {}): Dataset {
  const dataFile = path.join(dir, 'u.data');
  const table = readDelimitedNumbers(
    dataFile,
    { separator: '\t', fields: ['user id', 'item id', 'rating', 'timestamp'] },
    { expect: 'the MovieLens 100K ratings (user TAB item TAB rating TAB timestamp)' },
  );
  const [rawUser, rawItem, rawRating, rawTime] = table.columns;
  const users = denseIntegerIds(rawUser, inFile(dataFile, table.lines), 'user id');
  const items = denseIntegerIds(rawItem, inFile(dataFile, table.lines), 'item id');
  const rating = Float32Array.from(rawRating);
  checkScale(rawRating, SCALE, inFile(dataFile, table.lines));
  refuseDuplicates(users.dense, items.dense, users.map, items.map, inFile(dataFile, table.lines));
  const ratings = { user: users.dense, item: items.dense, rating, time: Float64Array.from(rawTime) };

  const userFields = readUsers(dir, users.map.index, options.ageBins ?? BIN_PRESETS.ageGroups);
  const { fields: itemFields, titles } = readItems(
    dir,
    items.map.index,
    options.yearBins ?? BIN_PRESETS.decades,
  );

  const pairs = new PairIndex(ratings.user, ratings.item, users.map.ids.length, items.map.ids.length);
  const ids = { user: users.denseOf, item: items.denseOf };
  const predefinedSplits: Record<string, Split> = {};
  for (const name of ML100K_SPLITS) {
    const base = path.join(dir, `${name}.base`);
    const test = path.join(dir, `${name}.test`);
    if (!isFile(base) && !isFile(test)) continue;
    // A pair may appear once per split: twice would count it twice, in base and test it would leak.
    const seenAt = new Int32Array(rating.length);
    predefinedSplits[name] = {
      name,
      train: readSplitFile(base, ids, pairs, rating, seenAt, 1),
      validation: new Int32Array(0),
      test: readSplitFile(test, ids, pairs, rating, seenAt, -1),
    };
  }

  return {
    id: options.id ?? 'ml-100k',
    users: users.map,
    items: items.map,
    ratings,
    scale: SCALE,
    userFeatures: featureTable(users.map.ids.length, userFields),
    itemFeatures: featureTable(items.map.ids.length, itemFields),
    itemTitles: titles,
    predefinedSplits,
  };
}

/** Splits a `|`-separated line, checking the field count. */
function splitBar(
  line: string,
  file: string,
  lineNumber: number,
  expected: number,
  layout: string,
): string[] {
  const parts = line.split('|');
  if (parts.length !== expected) {
    throw new DataError(
      file,
      lineNumber,
      undefined,
      `${parts.length} fields, expected ${expected}: ${layout}`,
    );
  }
  return parts;
}

function readUsers(dir: string, userIndex: Map<string, number>, ageBins: BinSpec): FeatureField[] {
  const file = path.join(dir, 'u.user');
  const text = readText(file, {
    encoding: 'utf-8-or-latin1',
    expect: 'the MovieLens 100K users (id|age|gender|occupation|zip)',
  });
  const n = userIndex.size;
  const age = new Float64Array(n).fill(NaN);
  const gender: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
  const occupation: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
  forEachLine(text, (line, lineNumber) => {
    if (line.trim() === '') return;
    const [id, ageText, g, occ] = splitBar(line, file, lineNumber, 5, 'id|age|gender|occupation|zip');
    const a = Number(ageText);
    if (ageText.trim() === '' || !Number.isFinite(a) || a < 0) {
      throw new DataError(file, lineNumber, 'age', `expected an age in years, got "${ageText}"`);
    }
    if (g !== 'M' && g !== 'F')
      throw new DataError(file, lineNumber, 'gender', `expected M or F, got "${g}"`);
    if (occ.trim() === '') throw new DataError(file, lineNumber, 'occupation', 'is empty');
    const u = userIndex.get(id.trim());
    if (u === undefined) return; // a user without ratings
    age[u] = a;
    gender[u] = g;
    occupation[u] = occ.trim();
  });
  const occupationFile = path.join(dir, 'u.occupation');
  let occupations: string[] = [...ML100K_OCCUPATIONS];
  if (isFile(occupationFile)) {
    occupations = [];
    forEachLine(readText(occupationFile, { encoding: 'utf-8-or-latin1' }), (line) => {
      if (line.trim() !== '') occupations.push(line.trim());
    });
  }
  return [
    numericField('age', age, ageBins),
    categoricalField('gender', gender, { vocabulary: ['M', 'F'] }),
    categoricalField('occupation', occupation, { vocabulary: occupations }),
  ];
}

/** Genre names by flag position, from `u.genre` (`name|position`) when present. */
function readGenreNames(dir: string): string[] {
  const file = path.join(dir, 'u.genre');
  if (!isFile(file)) return [...ML100K_GENRES];
  const names: string[] = [];
  forEachLine(readText(file, { encoding: 'utf-8-or-latin1' }), (line, lineNumber) => {
    if (line.trim() === '') return;
    const [name, positionText] = splitBar(line, file, lineNumber, 2, 'genre|position');
    const position = Number(positionText);
    if (!Number.isInteger(position) || position < 0 || position >= 100) {
      throw new DataError(
        file,
        lineNumber,
        'position',
        `expected a flag position 0..99, got "${positionText}"`,
      );
    }
    if (names[position] !== undefined) {
      throw new DataError(file, lineNumber, 'position', `position ${position} is named twice`);
    }
    names[position] = name;
  });
  for (let i = 0; i < names.length; i++) {
    if (names[i] === undefined)
      throw new DataError(file, undefined, undefined, `no genre is named for flag position ${i}`);
  }
  return names;
}

const DATE = /^\s*\d{1,2}-[A-Za-z]{3}-(\d{4})\s*$/;

function readItems(
  dir: string,
  itemIndex: Map<string, number>,
  yearBins: BinSpec,
): { fields: FeatureField[]; titles: string[] } {
  const genres = readGenreNames(dir);
  const file = path.join(dir, 'u.item');
  const text = readText(file, {
    encoding: 'utf-8-or-latin1',
    expect: 'the MovieLens 100K movies (id|title|release date|video release date|IMDb URL|genre flags)',
  });
  const n = itemIndex.size;
  const titles: string[] = new Array<string>(n).fill('');
  const year = new Float64Array(n).fill(NaN);
  const genreLists: (string[] | undefined)[] = new Array<string[] | undefined>(n).fill(undefined);
  const width = 5 + genres.length;
  const layout = `id|title|release date|video release date|IMDb URL|${genres.length} genre flags`;
  forEachLine(text, (line, lineNumber) => {
    if (line.trim() === '') return;
    const parts = splitBar(line, file, lineNumber, width, layout);
    const date = parts[2];
    let y = NaN;
    if (date.trim() !== '') {
      const match = DATE.exec(date);
      if (match === null) {
        throw new DataError(
          file,
          lineNumber,
          'release date',
          `expected a date like 01-Jan-1995, got "${date}"`,
        );
      }
      y = Number(match[1]);
    }
    const mine: string[] = [];
    for (let g = 0; g < genres.length; g++) {
      const flag = parts[5 + g];
      if (flag === '1') mine.push(genres[g]);
      else if (flag !== '0') {
        throw new DataError(file, lineNumber, `genre ${genres[g]}`, `expected a 0/1 flag, got "${flag}"`);
      }
    }
    const i = itemIndex.get(parts[0].trim());
    if (i === undefined) return; // a movie without ratings
    titles[i] = parts[1];
    year[i] = y;
    genreLists[i] = mine;
  });
  return {
    fields: [numericField('year', year, yearBins), multiField('genre', genreLists, { vocabulary: genres })],
    titles,
  };
}

/** The rating indices that a split file (`u1.base`, …) names, checking each against `u.data`. */
function readSplitFile(
  file: string,
  ids: { user: (raw: number) => number; item: (raw: number) => number },
  pairs: PairIndex,
  rating: Float32Array,
  seenAt: Int32Array,
  sign: 1 | -1,
): Int32Array {
  const table = readDelimitedNumbers(
    file,
    { separator: '\t', fields: ['user id', 'item id', 'rating', 'timestamp'], optionalTrailing: 1 },
    { expect: 'a MovieLens 100K split file (user TAB item TAB rating TAB timestamp)' },
  );
  const [u, i, r] = table.columns;
  const out = new Int32Array(table.rows);
  for (let k = 0; k < table.rows; k++) {
    const index = pairs.get(ids.user(u[k]), ids.item(i[k]));
    if (index < 0) {
      throw new DataError(file, table.lines[k], undefined, `user ${u[k]} never rated item ${i[k]} in u.data`);
    }
    if (rating[index] !== r[k]) {
      throw new DataError(
        file,
        table.lines[k],
        'rating',
        `${r[k]} differs from u.data's ${rating[index]} for this pair`,
      );
    }
    // seenAt: +line in the base file, -line in the test file, 0 not seen yet.
    const earlier = seenAt[index];
    if (earlier !== 0) {
      const where = earlier > 0 === sign > 0 ? 'this file' : sign > 0 ? 'the test file' : 'the base file';
      throw new DataError(
        file,
        table.lines[k],
        undefined,
        `user ${u[k]}, item ${i[k]} already appears in ${where} (line ${Math.abs(earlier)})`,
      );
    }
    seenAt[index] = sign * table.lines[k];
    out[k] = index;
  }
  return out;
}

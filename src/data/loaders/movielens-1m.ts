/**
 * MovieLens 1M (GroupLens, 2003), from the directory of the release (`ml-1m/`). Fields are
 * separated by the two characters `::` (titles may contain a single `:`).
 *
 * - Ratings: `ratings.dat` (`UserID::MovieID::Rating::Timestamp`, also accepted gzipped) or, when
 *   it is absent, `ratings_no_timestamp.dat.gz` (`UserID::MovieID::Rating`, the form kept in
 *   Heed's shared data; no timestamps then). Ratings 1..5.
 * - `users.dat`: `UserID::Gender::Age::Occupation::Zip-code`. The age is one of the README's codes
 *   1 ("Under 18"), 18 ("18-24"), 25, 35, 45, 50, 56 ("56+"); the `age` field keeps the code as
 *   its raw value (the lower bound of the group, 1 for under 18), so the default bins (the same 7
 *   groups) reproduce the README's groups exactly. Occupation codes 0..20 get the README's names.
 * - `movies.dat` (latin-1): `MovieID::Title::Genres`: titles, `year` (numeric, from "(1995)" at the
 *   end of the title) and `genre` (multi, `|`-separated, in the README's order).
 *
 * Items are the movies that have ratings (3,706 of the 3,883 in `movies.dat`).
 */
import * as path from 'node:path';
import { DataError } from '../../util/errors.js';
import { firstExisting, forEachLine, readText } from '../../util/io.js';
import type { Dataset, FeatureField } from '../dataset.js';
import {
  BIN_PRESETS,
  categoricalField,
  featureTable,
  multiField,
  numericField,
  type BinSpec,
} from '../features.js';
import { checkScale, denseIntegerIds, inFile, refuseDuplicates } from './common.js';
import { readDelimitedNumbers } from './delimited.js';
import { ML100K_GENRES, type MovieLensOptions } from './movielens-100k.js';

/** The README's age codes and what they mean. */
export const ML1M_AGE_CODES: Readonly<Record<number, string>> = {
  1: 'Under 18',
  18: '18-24',
  25: '25-34',
  35: '35-44',
  45: '45-49',
  50: '50-55',
  56: '56+',
};

/** The README's occupation names, by code. */
export const ML1M_OCCUPATIONS = [
  'other',
  'academic/educator',
  'artist',
  'clerical/admin',
  'college/grad student',
  'customer service',
  'doctor/health care',
  'executive/managerial',
  'farmer',
  'homemaker',
  'K-12 student',
  'lawyer',
  'programmer',
  'retired',
  'sales/marketing',
  'scientist',
  'self-employed',
  'technician/engineer',
  'tradesman/craftsman',
  'unemployed',
  'writer',
] as const;

/** The README's 18 genres, in its order: ML-100K's 19 without its "unknown". */
export const ML1M_GENRES = ML100K_GENRES.slice(1);

const SCALE = { min: 1, max: 5 } as const;

export function loadMovieLens1m(dir: string, options: MovieLensOptions = {}): Dataset {
  const withTime = [path.join(dir, 'ratings.dat'), path.join(dir, 'ratings.dat.gz')];
  const withoutTime = [
    path.join(dir, 'ratings_no_timestamp.dat.gz'),
    path.join(dir, 'ratings_no_timestamp.dat'),
  ];
  const timed = firstExisting(withTime);
  const file = timed ?? firstExisting(withoutTime);
  if (file === undefined) {
    throw new DataError(
      withTime[0],
      undefined,
      undefined,
      `file not found (expected the MovieLens 1M ratings, UserID::MovieID::Rating::Timestamp; ` +
        `ratings_no_timestamp.dat.gz is accepted instead)`,
    );
  }
  const table = readDelimitedNumbers(file, {
    separator: '::',
    fields:
      timed !== undefined ? ['UserID', 'MovieID', 'Rating', 'Timestamp'] : ['UserID', 'MovieID', 'Rating'],
  });
  const [rawUser, rawItem, rawRating, rawTime] = table.columns;
  const users = denseIntegerIds(rawUser, inFile(file, table.lines), 'UserID');
  const items = denseIntegerIds(rawItem, inFile(file, table.lines), 'MovieID');
  checkScale(rawRating, SCALE, inFile(file, table.lines));
  refuseDuplicates(users.dense, items.dense, users.map, items.map, inFile(file, table.lines));
  const ratings = {
    user: users.dense,
    item: items.dense,
    rating: Float32Array.from(rawRating),
    ...(timed !== undefined ? { time: Float64Array.from(rawTime) } : {}),
  };
  const userFields = readUsers(
    dir,
    users.denseOf,
    users.map.ids.length,
    options.ageBins ?? BIN_PRESETS.ageGroups,
  );
  const { fields: itemFields, titles } = readMovies(
    dir,
    items.denseOf,
    items.map.ids.length,
    options.yearBins ?? BIN_PRESETS.decades,
  );
  return {
    id: options.id ?? 'ml-1m',
    users: users.map,
    items: items.map,
    ratings,
    scale: SCALE,
    userFeatures: featureTable(users.map.ids.length, userFields),
    itemFeatures: featureTable(items.map.ids.length, itemFields),
    itemTitles: titles,
    predefinedSplits: {},
  };
}

function splitColons(line: string, file: string, lineNumber: number, layout: string[]): string[] {
  const parts = line.split('::');
  if (parts.length !== layout.length) {
    throw new DataError(
      file,
      lineNumber,
      undefined,
      `${parts.length} fields, expected ${layout.length}: ${layout.join('::')}`,
    );
  }
  return parts;
}

function parseId(text: string, file: string, lineNumber: number, field: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v) || v < 0) {
    throw new DataError(file, lineNumber, field, `expected a non-negative integer, got "${text}"`);
  }
  return v;
}

function readUsers(
  dir: string,
  denseOf: (raw: number) => number,
  n: number,
  ageBins: BinSpec,
): FeatureField[] {
  const file = path.join(dir, 'users.dat');
  const layout = ['UserID', 'Gender', 'Age', 'Occupation', 'Zip-code'];
  const text = readText(file, {
    encoding: 'utf-8-or-latin1',
    expect: 'the MovieLens 1M users (UserID::Gender::Age::Occupation::Zip-code)',
  });
  const age = new Float64Array(n).fill(NaN);
  const gender: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
  const occupation: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
  forEachLine(text, (line, lineNumber) => {
    if (line.trim() === '') return;
    const [id, g, ageText, occText] = splitColons(line, file, lineNumber, layout);
    const u = denseOf(parseId(id, file, lineNumber, 'UserID'));
    const a = Number(ageText);
    if (ML1M_AGE_CODES[a] === undefined || ageText.trim() === '') {
      throw new DataError(
        file,
        lineNumber,
        'Age',
        `expected one of the README's age codes ${Object.keys(ML1M_AGE_CODES).join(', ')}, got "${ageText}"`,
      );
    }
    if (g !== 'M' && g !== 'F')
      throw new DataError(file, lineNumber, 'Gender', `expected M or F, got "${g}"`);
    const o = Number(occText);
    if (occText.trim() === '' || !Number.isInteger(o) || o < 0 || o >= ML1M_OCCUPATIONS.length) {
      throw new DataError(file, lineNumber, 'Occupation', `expected a code 0..20, got "${occText}"`);
    }
    if (u < 0) return; // a user without ratings
    age[u] = a;
    gender[u] = g;
    occupation[u] = ML1M_OCCUPATIONS[o];
  });
  return [
    numericField('age', age, ageBins),
    categoricalField('gender', gender, { vocabulary: ['M', 'F'] }),
    categoricalField('occupation', occupation, { vocabulary: ML1M_OCCUPATIONS }),
  ];
}

const TITLE_YEAR = /\((\d{4})\)\s*$/;

function readMovies(
  dir: string,
  denseOf: (raw: number) => number,
  n: number,
  yearBins: BinSpec,
): { fields: FeatureField[]; titles: string[] } {
  const file = path.join(dir, 'movies.dat');
  const layout = ['MovieID', 'Title', 'Genres'];
  const text = readText(file, {
    encoding: 'utf-8-or-latin1',
    expect: 'the MovieLens 1M movies (MovieID::Title::Genres)',
  });
  const titles: string[] = new Array<string>(n).fill('');
  const year = new Float64Array(n).fill(NaN);
  const genres: (string[] | undefined)[] = new Array<string[] | undefined>(n).fill(undefined);
  forEachLine(text, (line, lineNumber) => {
    if (line.trim() === '') return;
    const [id, title, genreText] = splitColons(line, file, lineNumber, layout);
    const i = denseOf(parseId(id, file, lineNumber, 'MovieID'));
    if (i < 0) return; // a movie without ratings
    titles[i] = title;
    const match = TITLE_YEAR.exec(title);
    if (match !== null) year[i] = Number(match[1]);
    genres[i] = genreText.trim() === '' ? [] : genreText.split('|').map((g) => g.trim());
  });
  return {
    fields: [numericField('year', year, yearBins), multiField('genre', genres, { vocabulary: ML1M_GENRES })],
    titles,
  };
}

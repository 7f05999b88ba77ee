/**
 * The MovieLens 100K variant of the SAIN paper (Yun et al., "SAIN: Self-Attentive Integration
 * Network for Recommendation", SIGIR 2019), as the official repository ships it in
 * `dataset/ml-100k-r/`: comma-separated files with a header row.
 *
 * - `ml-100k-r.users.csv`: `uid, u_age, u_gender, u_occupation` (codes).
 * - `ml-100k-r.items.csv`: `iid, i_year, 19 genre flags, i_Actor, i_Director` (codes; actor and
 *   director ids come from IMDB, with no id → name table shipped).
 * - `ml-100k-r.train.csv(.gz)`, `.validation.csv`, `.test.csv`: `uid, iid, rating` followed by the
 *   user and item columns joined in; together the 100,000 ratings of `u.data` in SAIN's random
 *   80/10/10 split, which becomes the predefined split `sain`. Plain names (`train.csv`,
 *   `users.csv`, …) are accepted too.
 *
 * The codes, as SAIN's preprocessing script (`src/ml-100k.py`) makes them:
 * - `u_age`: the age clamped to 15..55, `floor(age / 5) - 3`: "<20", "20-24", …, "50-54", "55+".
 * - `u_gender`: M = 0, F = 1. `u_occupation`: the line of `u.occupation` (0 = administrator).
 * - `i_year`: release year with years before 1989 merged into 1989 and 1990-1992 into 1990, then
 *   ranked: 0 = no release date, 1 = "≤1989", 2 = "1990-1992", 3 = "1993", …, 8 = "1998".
 * - Genre flags: **the column labels are shifted by one**. The 19 flags are u.item's flags in order
 *   (unknown, Action, …, Western) but are labelled `i_Action … i_Western, i_Other`: `i_Action`
 *   holds "unknown", `i_Adventure` holds "Action", …, `i_Other` holds "Western". Heed names the
 *   genres by what the flags hold. Several labels carry a trailing space (`'i_Drama '`).
 *
 * - `raw_data/ml-100k/item.csv` (optional, beside `dataset/`): u.item as a quoted UTF-8 CSV, read
 *   only for the movie titles (`iid,title,…`). Without it the items have no titles.
 *
 * The user and item columns repeated in the rating files are checked against users.csv and
 * items.csv, so files from different preprocessing runs cannot be mixed silently.
 */
import * as path from 'node:path';
import { DataError } from '../../util/errors.js';
import { firstExisting, isDirectory, readBytes, readText } from '../../util/io.js';
import type { Dataset, Split } from '../dataset.js';
import { categoricalField, codedField, featureTable, multiField } from '../features.js';
import { checkScale, denseIntegerIds, refuseDuplicates, type Locate } from './common.js';
import { forEachCsvRecord } from './csv-parse.js';
import { parseDelimitedNumbers } from './delimited.js';
import { ML100K_GENRES, ML100K_OCCUPATIONS } from './movielens-100k.js';

/** SAIN's genre column labels, in file order; column k holds genre `ML100K_GENRES[k]`. */
export const SAIN_GENRE_COLUMNS = [
  'i_Action',
  'i_Adventure',
  'i_Animation',
  "i_Children's",
  'i_Comedy',
  'i_Crime',
  'i_Documentary',
  'i_Drama',
  'i_Fantasy',
  'i_Film-Noir',
  'i_Horror',
  'i_Musical',
  'i_Mystery',
  'i_Romance',
  'i_Sci-Fi',
  'i_Thriller',
  'i_War',
  'i_Western',
  'i_Other',
] as const;

/** What each `u_age` code means. */
export const SAIN_AGE_LABELS = [
  '<20',
  '20-24',
  '25-29',
  '30-34',
  '35-39',
  '40-44',
  '45-49',
  '50-54',
  '55+',
] as const;

/** What each `i_year` code means. */
export const SAIN_YEAR_LABELS = [
  'unknown',
  '≤1989',
  '1990-1992',
  '1993',
  '1994',
  '1995',
  '1996',
  '1997',
  '1998',
] as const;

const SCALE = { min: 1, max: 5 } as const;
const PARTS = ['train', 'validation', 'test'] as const;

export interface SainOptions {
  /** The id the dataset is reported under (default `sain-ml100k`). */
  readonly id?: string;
}

/**
 * Loads SAIN's ml-100k-r files from `dir`: the SAIN directory (files under
 * `dir/dataset/ml-100k-r/`) or the ml-100k-r directory itself.
 */
export function loadSain(dir: string, options: SainOptions = {}): Dataset {
  const nested = path.join(dir, 'dataset', 'ml-100k-r');
  const base = isDirectory(nested) ? nested : dir;

  const parts = PARTS.map((part) =>
    readNumericCsv(sainFile(base, part, `SAIN's ${part} ratings (uid,iid,rating,…)`)),
  );
  const total = parts.reduce((n, p) => n + p.rows, 0);
  const rawUser = new Float64Array(total);
  const rawItem = new Float64Array(total);
  const rawRating = new Float64Array(total);
  const partOf = new Int32Array(total);
  const lineOfRow = new Int32Array(total);
  let at = 0;
  parts.forEach((p, k) => {
    rawUser.set(p.column('uid'), at);
    rawItem.set(p.column('iid'), at);
    rawRating.set(p.column('rating'), at);
    partOf.fill(k, at, at + p.rows);
    lineOfRow.set(p.lines, at);
    at += p.rows;
  });
  const locate: Locate = (r) => ({ file: parts[partOf[r]].file, line: lineOfRow[r] });
  const users = denseIntegerIds(rawUser, locate, 'uid');
  const items = denseIntegerIds(rawItem, locate, 'iid');
  checkScale(rawRating, SCALE, locate);
  refuseDuplicates(users.dense, items.dense, users.map, items.map, locate);

  const nUsers = users.map.ids.length;
  const nItems = items.map.ids.length;
  const usersCsv = readNumericCsv(sainFile(base, 'users', 'SAIN users (uid,u_age,u_gender,u_occupation)'));
  const itemsCsv = readNumericCsv(
    sainFile(base, 'items', 'SAIN items (iid,i_year,19 genre flags,i_Actor,i_Director)'),
  );
  const userRow = rowsByEntity(usersCsv, 'uid', users.denseOf, nUsers);
  const itemRow = rowsByEntity(itemsCsv, 'iid', items.denseOf, nItems);

  const age = codes(usersCsv, 'u_age', userRow, SAIN_AGE_LABELS.length);
  const gender = codes(usersCsv, 'u_gender', userRow, 2);
  const occupation = codes(usersCsv, 'u_occupation', userRow, ML100K_OCCUPATIONS.length);
  const year = codes(itemsCsv, 'i_year', itemRow, SAIN_YEAR_LABELS.length);
  const actor = codes(itemsCsv, 'i_Actor', itemRow, Infinity);
  const director = codes(itemsCsv, 'i_Director', itemRow, Infinity);
  const flags = SAIN_GENRE_COLUMNS.map((name) => codes(itemsCsv, name, itemRow, 2));
  const genres = Array.from({ length: nItems }, (_, i) =>
    itemRow[i] < 0 ? undefined : ML100K_GENRES.filter((_g, k) => flags[k][i] === 1),
  );
  const asText = (c: Int32Array): (string | undefined)[] =>
    Array.from(c, (v) => (v < 0 ? undefined : String(v)));

  // The joined columns of the rating files must agree with users.csv and items.csv.
  at = 0;
  for (const p of parts) {
    for (const name of p.names) {
      const side = name.startsWith('u_') ? usersCsv : name.startsWith('i_') ? itemsCsv : undefined;
      if (side === undefined || !side.names.includes(name)) continue;
      const mine = p.column(name);
      const theirs = side.column(name);
      const rowOf = side === usersCsv ? userRow : itemRow;
      const entity = side === usersCsv ? users.dense : items.dense;
      for (let r = 0; r < p.rows; r++) {
        const row = rowOf[entity[at + r]];
        if (row >= 0 && theirs[row] !== mine[r]) {
          throw new DataError(
            p.file,
            p.lines[r],
            name,
            `${mine[r]} disagrees with ${side.file}:${side.lines[row]} (${theirs[row]})`,
          );
        }
      }
    }
    at += p.rows;
  }

  const split: Split = {
    name: 'sain',
    train: range(0, parts[0].rows),
    validation: range(parts[0].rows, parts[0].rows + parts[1].rows),
    test: range(parts[0].rows + parts[1].rows, total),
  };
  return {
    id: options.id ?? 'sain-ml100k',
    users: users.map,
    items: items.map,
    ratings: { user: users.dense, item: items.dense, rating: Float32Array.from(rawRating) },
    scale: SCALE,
    userFeatures: featureTable(nUsers, [
      codedField('age', SAIN_AGE_LABELS, age),
      codedField('gender', ['M', 'F'], gender),
      codedField('occupation', ML100K_OCCUPATIONS, occupation),
    ]),
    itemFeatures: featureTable(nItems, [
      codedField('year', SAIN_YEAR_LABELS, year),
      multiField('genre', genres, { vocabulary: ML100K_GENRES }),
      categoricalField('actor', asText(actor)),
      categoricalField('director', asText(director)),
    ]),
    predefinedSplits: { sain: split },
    ...titlesOf(dir, base, items.map.index, nItems),
  };
}

/**
 * The movie titles of SAIN's `raw_data/ml-100k/item.csv` (found from the SAIN checkout or from its
 * ml-100k-r directory), aligned with the dense items; none when the file is absent.
 */
function titlesOf(
  dir: string,
  base: string,
  index: Map<string, number>,
  nItems: number,
): { itemTitles?: string[] } {
  const file = firstExisting([
    path.join(dir, 'raw_data', 'ml-100k', 'item.csv'),
    path.join(base, '..', '..', 'raw_data', 'ml-100k', 'item.csv'),
  ]);
  if (file === undefined) return {};
  const titles = new Array<string>(nItems).fill('');
  forEachCsvRecord(readText(file), file, (fields, line) => {
    if (fields.length < 2) throw new DataError(file, line, undefined, 'expected iid,title,… (u.item as CSV)');
    const i = index.get(fields[0].trim());
    if (i !== undefined) titles[i] = fields[1].trim();
  });
  return { itemTitles: titles };
}

function range(from: number, to: number): Int32Array {
  const out = new Int32Array(to - from);
  for (let k = 0; k < out.length; k++) out[k] = from + k;
  return out;
}

function sainFile(base: string, kind: string, expect: string): string {
  const candidates = [
    `ml-100k-r.${kind}.csv`,
    `ml-100k-r.${kind}.csv.gz`,
    `${kind}.csv`,
    `${kind}.csv.gz`,
  ].map((f) => path.join(base, f));
  const found = firstExisting(candidates);
  if (found === undefined) {
    throw new DataError(
      candidates[0],
      undefined,
      undefined,
      `file not found (expected ${expect}; also looked for ${candidates
        .slice(1)
        .map((c) => path.basename(c))
        .join(', ')})`,
    );
  }
  return found;
}

interface NumericCsv {
  readonly file: string;
  /** Column names, trimmed (SAIN's labels carry trailing spaces). */
  readonly names: string[];
  readonly rows: number;
  readonly lines: Int32Array;
  column(name: string): Float64Array;
}

/** A CSV file of numbers with a header row, parsed with the fast numeric reader. */
function readNumericCsv(file: string): NumericCsv {
  const bytes = readBytes(file);
  let end = bytes.indexOf(0x0a);
  if (end < 0) end = bytes.length;
  const names = Buffer.from(bytes.subarray(0, end))
    .toString('utf-8')
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '')
    .split(',')
    .map((n) => n.trim());
  if (names.length === 1 && names[0] === '')
    throw new DataError(file, 1, undefined, 'empty file: expected a header row');
  const table = parseDelimitedNumbers(bytes.subarray(Math.min(end + 1, bytes.length)), {
    file,
    separator: ',',
    fields: names,
    lineOffset: 1,
  });
  return {
    file,
    names,
    rows: table.rows,
    lines: table.lines,
    column(name: string): Float64Array {
      const k = names.indexOf(name);
      if (k < 0) throw new DataError(file, 1, name, `missing column (the header has: ${names.join(', ')})`);
      return table.columns[k];
    },
  };
}

/** For each dense entity, its row in `csv` (-1 when absent); ids not rated are skipped. */
function rowsByEntity(
  csv: NumericCsv,
  idColumn: string,
  denseOf: (raw: number) => number,
  n: number,
): Int32Array {
  const ids = csv.column(idColumn);
  const row = new Int32Array(n).fill(-1);
  for (let r = 0; r < csv.rows; r++) {
    const id = ids[r];
    if (!Number.isInteger(id) || id < 0) {
      throw new DataError(csv.file, csv.lines[r], idColumn, `expected a non-negative integer id, got ${id}`);
    }
    const e = denseOf(id);
    if (e < 0) continue;
    if (row[e] >= 0) {
      throw new DataError(
        csv.file,
        csv.lines[r],
        idColumn,
        `id ${id} appears twice (first at line ${csv.lines[row[e]]})`,
      );
    }
    row[e] = r;
  }
  return row;
}

/** Integer codes 0..limit-1 of a column, per dense entity (-1 when the entity has no row). */
function codes(csv: NumericCsv, name: string, rowOf: Int32Array, limit: number): Int32Array {
  const column = csv.column(name);
  const out = new Int32Array(rowOf.length).fill(-1);
  for (let e = 0; e < rowOf.length; e++) {
    const r = rowOf[e];
    if (r < 0) continue;
    const v = column[r];
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      const range = Number.isFinite(limit) ? `0..${limit - 1}` : '≥ 0';
      throw new DataError(csv.file, csv.lines[r], name, `expected an integer code ${range}, got ${v}`);
    }
    out[e] = v;
  }
  return out;
}

/**
 * Users' own data, in a directory of CSV files (the format is written out, with an example, in
 * `docs/DATA.md`):
 *
 * - `ratings.csv` (required): header `user,item,rating` and optionally `time` (Unix seconds), in
 *   any order; `rating:scale(1|5)` declares the rating scale (a rating outside it is an error).
 * - `users.csv`, `items.csv` (optional): first column `user` / `item`, then one column per feature
 *   whose header declares its type: `age:numeric`, `age:numeric(0|18|30|50)` (bin edges),
 *   `gender:categorical`, `genres:multi` (values separated by `|`). `items.csv` may also have an
 *   untyped `title` column.
 * - `reviews.csv` (optional): header `user,item,text`, the review of a rated pair.
 *
 * Files are UTF-8 and RFC 4180 CSV: fields may be quoted, and quoted fields may hold commas,
 * newlines and doubled quotes. An empty cell is a missing value. Ids are strings; they get dense
 * indices in order of first appearance in `ratings.csv`.
 */
import * as path from 'node:path';
import { DataError } from '../../util/errors.js';
import { Growable } from '../../util/growable.js';
import { isFile, readText } from '../../util/io.js';
import { IdMapBuilder, type Dataset, type FeatureField, type FeatureTable, type IdMap } from '../dataset.js';
import {
  categoricalField,
  checkBins,
  featureTable,
  multiField,
  numericField,
  quantileEdges,
  type BinSpec,
} from '../features.js';
import { checkScale, PairIndex, refuseDuplicates, type Locate } from './common.js';
import { forEachCsvFileRecord, parseCsvTable, type CsvTable } from './csv-parse.js';

export interface CsvOptions {
  /** The id the dataset is reported under (default `csv:DIR`). */
  readonly id?: string;
  /**
   * The rating scale (`--scale`); must agree with a `rating:scale(MIN|MAX)` header. Without either,
   * the smallest and largest rating in `ratings.csv`, with a warning saying so.
   */
  readonly scale?: { readonly min: number; readonly max: number };
}

/** The separator of values in a `multi` column. */
export const MULTI_SEPARATOR = '|';

/** How many equal-count bins a `numeric` column without edges gets. */
export const DEFAULT_NUMERIC_BINS = 5;

/**
 * The rows of a ratings file in the CSV layout, as read: ids interned in order of first appearance
 * (each distinct id is one string, whatever the number of rows), everything else in typed arrays.
 */
export interface RatingRows {
  readonly file: string;
  /** The file's user and item ids; `user[r]` and `item[r]` index them. */
  readonly users: IdMap;
  readonly items: IdMap;
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly rating: Float64Array;
  /** When the file has a `time` column. */
  readonly time?: Float64Array;
  /** The line each row starts on. */
  readonly lines: Int32Array;
  /** The scale the header declares (`rating:scale(1|5)`), if it does. */
  readonly scale?: { readonly min: number; readonly max: number };
}

/**
 * Reads a ratings file in the CSV layout (header `user,item,rating[,time]`, the rating column
 * optionally `rating:scale(MIN|MAX)`): `ratings.csv`, and the files of a `files:` split, so both
 * are held to the same rules. A file with a header and no rows is refused. The file is read piece
 * by piece (`forEachCsvFileRecord`), never as one string.
 */
export function readRatingRows(file: string, options: { readonly chunkBytes?: number } = {}): RatingRows {
  let header: { column: Record<string, number | undefined>; names: string[]; line: number } | undefined;
  let declared: ReturnType<typeof declaredScale>;
  const users = new IdMapBuilder();
  const items = new IdMapBuilder();
  const user = new Growable(Int32Array);
  const item = new Growable(Int32Array);
  const rating = new Growable(Float64Array);
  const time = new Growable(Float64Array);
  const lines = new Growable(Int32Array);
  const expect = 'ratings as CSV with the header user,item,rating[,time]';
  forEachCsvFileRecord(file, { ...options, expect }, (fields, line) => {
    if (header === undefined) {
      const parsed: CsvTable = { header: fields, rows: [], lines: [], headerLine: line };
      declared = declaredScale(parsed, file);
      const table = declared === undefined ? parsed : { ...parsed, header: declared.header };
      const column = headerColumns(table, file, ['user', 'item', 'rating'], ['time']);
      header = { column, names: fields, line };
      return;
    }
    if (fields.length !== header.names.length) {
      throw new DataError(
        file,
        line,
        undefined,
        `${fields.length} fields, but the header (line ${header.line}) has ${header.names.length}: ${header.names.join(',')}`,
      );
    }
    const { column } = header;
    user.push(users.intern(requiredId(fields[column.user as number], file, line, 'user')));
    item.push(items.intern(requiredId(fields[column.item as number], file, line, 'item')));
    rating.push(parseNumber(fields[column.rating as number], file, line, 'rating', false));
    if (column.time !== undefined) time.push(parseNumber(fields[column.time], file, line, 'time', false));
    lines.push(line);
  });
  if (header === undefined)
    throw new DataError(file, undefined, undefined, 'empty file: expected a header row');
  if (lines.length === 0)
    throw new DataError(file, undefined, undefined, 'no ratings: expected rows after the header');
  return {
    file,
    users: users.build(),
    items: items.build(),
    user: user.toArray(),
    item: item.toArray(),
    rating: rating.toArray(),
    ...(header.column.time !== undefined ? { time: time.toArray() } : {}),
    lines: lines.toArray(),
    ...(declared !== undefined ? { scale: declared.scale } : {}),
  };
}

const SCALE_HEADER = /^rating:scale\((.*)\)$/;

/** The scale a `rating:scale(MIN|MAX)` header declares, and the header with that column as `rating`. */
function declaredScale(
  table: CsvTable,
  file: string,
): { scale: { min: number; max: number }; header: string[] } | undefined {
  const k = table.header.findIndex((h) => h.trim().startsWith('rating:'));
  if (k < 0) return undefined;
  const text = table.header[k].trim();
  const match = SCALE_HEADER.exec(text);
  const bounds = match === null ? [] : match[1].split('|').map((b) => b.trim());
  const [min, max] = bounds.map(Number);
  if (
    bounds.length !== 2 ||
    bounds.includes('') ||
    !Number.isFinite(min) ||
    !Number.isFinite(max) ||
    min >= max
  ) {
    throw new DataError(
      file,
      table.headerLine,
      text,
      'declare the rating scale as rating:scale(MIN|MAX) with numbers MIN < MAX, e.g. rating:scale(1|5)',
    );
  }
  const header = [...table.header];
  header[k] = 'rating';
  return { scale: { min, max }, header };
}

export function loadCsvDirectory(dir: string, options: CsvOptions = {}): Dataset {
  const ratingsFile = path.join(dir, 'ratings.csv');
  const rows = readRatingRows(ratingsFile);
  const { user, item, time } = rows;
  const rating = Float32Array.from(rows.rating);
  const locate: Locate = (r) => ({ file: ratingsFile, line: rows.lines[r] });
  const { scale, warnings } = resolveScale(rows, options.scale);
  checkScale(rows.rating, scale, locate);
  const userMap = rows.users;
  const itemMap = rows.items;
  refuseDuplicates(user, item, userMap, itemMap, locate);

  const usersFile = path.join(dir, 'users.csv');
  const itemsFile = path.join(dir, 'items.csv');
  const userSide = isFile(usersFile)
    ? readFeatureFile(usersFile, 'user', userMap, false)
    : { table: emptyTable(userMap), titles: undefined };
  const itemSide = isFile(itemsFile)
    ? readFeatureFile(itemsFile, 'item', itemMap, true)
    : { table: emptyTable(itemMap), titles: undefined };

  const reviewsFile = path.join(dir, 'reviews.csv');
  const reviews = isFile(reviewsFile) ? readReviews(reviewsFile, userMap, itemMap, user, item) : undefined;

  return {
    id: options.id ?? `csv:${dir}`,
    users: userMap,
    items: itemMap,
    ratings: time === undefined ? { user, item, rating } : { user, item, rating, time },
    scale: { min: scale.min, max: scale.max },
    ...(warnings.length > 0 ? { warnings } : {}),
    userFeatures: userSide.table,
    itemFeatures: itemSide.table,
    ...(itemSide.titles !== undefined ? { itemTitles: itemSide.titles } : {}),
    ...(reviews !== undefined ? { reviews } : {}),
    predefinedSplits: {},
  };
}

/**
 * The scale of a CSV data set: the one declared in the header or by the caller (they must agree
 * when both are given), else the observed range, announced as a warning because one stray rating
 * would silently widen it.
 */
function resolveScale(
  rows: RatingRows,
  given: { readonly min: number; readonly max: number } | undefined,
): { scale: { min: number; max: number }; warnings: string[] } {
  const declared = rows.scale;
  if (
    given !== undefined &&
    declared !== undefined &&
    (given.min !== declared.min || given.max !== declared.max)
  ) {
    throw new DataError(
      rows.file,
      undefined,
      'rating',
      `the header declares the scale ${declared.min}..${declared.max} but --scale says ${given.min}..${given.max}`,
    );
  }
  const scale = given ?? declared;
  if (scale !== undefined) return { scale: { min: scale.min, max: scale.max }, warnings: [] };
  let min = Infinity;
  let max = -Infinity;
  for (const v of rows.rating) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    scale: { min, max },
    warnings: [
      `${rows.file}: no rating scale declared; using the observed range ${min}..${max} ` +
        `(declare it with the header rating:scale(${min}|${max}) or --scale ${min},${max}, and a rating outside it is refused)`,
    ],
  };
}

function emptyTable(ids: IdMap): FeatureTable {
  return { count: ids.ids.length, fields: [] };
}

/** Column positions of the required and optional header names; any other column is an error. */
function headerColumns<R extends string, O extends string>(
  table: CsvTable,
  file: string,
  required: readonly R[],
  optional: readonly O[],
): Record<R, number> & Partial<Record<O, number>> {
  const out: Record<string, number> = {};
  const allowed = [...required, ...optional] as string[];
  table.header.forEach((raw, k) => {
    const name = raw.trim();
    if (!allowed.includes(name)) {
      throw new DataError(
        file,
        table.headerLine,
        name,
        `unknown column; expected ${required.join(',')}` +
          (optional.length > 0 ? ` and optionally ${optional.join(',')}` : ''),
      );
    }
    if (out[name] !== undefined)
      throw new DataError(file, table.headerLine, name, 'appears twice in the header');
    out[name] = k;
  });
  for (const name of required) {
    if (out[name] === undefined) {
      throw new DataError(
        file,
        table.headerLine,
        name,
        `missing column; the header must name ${required.join(',')}`,
      );
    }
  }
  return out as Record<R, number> & Partial<Record<O, number>>;
}

function requiredId(value: string, file: string, line: number, field: string): string {
  const id = value.trim();
  if (id === '') throw new DataError(file, line, field, 'is empty');
  return id;
}

function parseNumber(value: string, file: string, line: number, field: string, mayBeEmpty: boolean): number {
  const text = value.trim();
  if (text === '') {
    if (mayBeEmpty) return NaN;
    throw new DataError(file, line, field, 'is empty');
  }
  const v = Number(text);
  if (!Number.isFinite(v)) throw new DataError(file, line, field, `expected a number, got "${value}"`);
  return v;
}

interface ColumnSpec {
  readonly name: string;
  readonly kind: 'categorical' | 'multi' | 'numeric' | 'title';
  readonly bins?: BinSpec;
}

const TYPED = /^([^:]+):(categorical|multi|numeric)(?:\((.*)\))?$/;

/** Reads a column header `name:type` (see the module comment). */
function columnSpec(header: string, file: string, line: number, allowTitle: boolean): ColumnSpec {
  const text = header.trim();
  if (allowTitle && text === 'title') return { name: 'title', kind: 'title' };
  const match = TYPED.exec(text);
  if (match === null) {
    throw new DataError(
      file,
      line,
      text,
      'a feature column header must declare its type: NAME:categorical, NAME:multi, NAME:numeric or ' +
        'NAME:numeric(E0|E1|…)' +
        (allowTitle ? ' (or be the untyped column "title")' : ''),
    );
  }
  const [, name, kind, edgesText] = match;
  if (kind !== 'numeric') {
    if (edgesText !== undefined) throw new DataError(file, line, text, `only numeric columns take bin edges`);
    return { name: name.trim(), kind: kind as 'categorical' | 'multi' };
  }
  if (edgesText === undefined) return { name: name.trim(), kind: 'numeric' };
  const edges = edgesText.split('|').map((e) => Number(e.trim()));
  if (edgesText.trim() === '' || edges.some((e) => !Number.isFinite(e))) {
    throw new DataError(file, line, text, `bin edges must be numbers separated by "|", got "(${edgesText})"`);
  }
  try {
    checkBins(name.trim(), { edges });
  } catch (error) {
    throw new DataError(file, line, text, (error as Error).message);
  }
  return { name: name.trim(), kind: 'numeric', bins: { edges } };
}

function readFeatureFile(
  file: string,
  idColumn: 'user' | 'item',
  ids: IdMap,
  allowTitle: boolean,
): { table: FeatureTable; titles: string[] | undefined } {
  const table = parseCsvTable(
    readText(file, { encoding: 'utf-8', expect: `${idColumn} features as CSV` }),
    file,
  );
  if (table.header[0]?.trim() !== idColumn) {
    throw new DataError(
      file,
      table.headerLine,
      undefined,
      `the first column must be "${idColumn}", got "${table.header[0]}"`,
    );
  }
  const specs = table.header.slice(1).map((h) => columnSpec(h, file, table.headerLine, allowTitle));
  const seenNames = new Set<string>();
  for (const spec of specs) {
    if (seenNames.has(spec.name))
      throw new DataError(file, table.headerLine, spec.name, 'appears twice in the header');
    seenNames.add(spec.name);
  }
  const count = ids.ids.length;
  const rowOf = new Int32Array(count).fill(-1);
  table.rows.forEach((row, r) => {
    const id = requiredId(row[0], file, table.lines[r], idColumn);
    const e = ids.index.get(id);
    if (e === undefined) return; // no ratings: not part of the dataset
    if (rowOf[e] >= 0) {
      throw new DataError(
        file,
        table.lines[r],
        idColumn,
        `"${id}" appears twice (first at line ${table.lines[rowOf[e]]})`,
      );
    }
    rowOf[e] = r;
  });
  const cell = (e: number, k: number): string | undefined =>
    rowOf[e] < 0 ? undefined : table.rows[rowOf[e]][k + 1].trim();
  const fields: FeatureField[] = [];
  let titles: string[] | undefined;
  specs.forEach((spec, k) => {
    if (spec.kind === 'title') {
      titles = Array.from({ length: count }, (_, e) => cell(e, k) ?? '');
    } else if (spec.kind === 'categorical') {
      fields.push(
        categoricalField(
          spec.name,
          Array.from({ length: count }, (_, e) => cell(e, k)),
        ),
      );
    } else if (spec.kind === 'multi') {
      const lists = Array.from({ length: count }, (_, e) => {
        const v = cell(e, k);
        return v === undefined || v === ''
          ? undefined
          : v
              .split(MULTI_SEPARATOR)
              .map((s) => s.trim())
              .filter((s) => s !== '');
      });
      fields.push(multiField(spec.name, lists));
    } else {
      const raw = new Float64Array(count).fill(NaN);
      for (let e = 0; e < count; e++) {
        const v = cell(e, k);
        if (v !== undefined) raw[e] = parseNumber(v, file, table.lines[rowOf[e]], spec.name, true);
      }
      fields.push(
        numericField(spec.name, raw, spec.bins ?? { edges: quantileEdges(raw, DEFAULT_NUMERIC_BINS) }),
      );
    }
  });
  return { table: featureTable(count, fields), titles };
}

function readReviews(file: string, users: IdMap, items: IdMap, user: Int32Array, item: Int32Array): string[] {
  const table = parseCsvTable(
    readText(file, { encoding: 'utf-8', expect: 'reviews as CSV with the header user,item,text' }),
    file,
  );
  const column = headerColumns(table, file, ['user', 'item', 'text'], []);
  const ratingOf = new PairIndex(user, item, users.ids.length, items.ids.length);
  const reviews: string[] = new Array<string>(user.length).fill('');
  const lineOf = new Int32Array(user.length);
  table.rows.forEach((row, k) => {
    const line = table.lines[k];
    const u = users.index.get(row[column.user].trim());
    const i = items.index.get(row[column.item].trim());
    const r = u === undefined || i === undefined ? -1 : ratingOf.get(u, i);
    if (r < 0) {
      throw new DataError(
        file,
        line,
        undefined,
        `user "${row[column.user]}" has no rating for item "${row[column.item]}" in ratings.csv`,
      );
    }
    if (lineOf[r] !== 0)
      throw new DataError(file, line, undefined, `this pair was already reviewed at line ${lineOf[r]}`);
    lineOf[r] = line;
    reviews[r] = row[column.text];
  });
  return reviews;
}

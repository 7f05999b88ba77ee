/**
 * Users' own data, in a directory of CSV files (the format is written out, with an example, in
 * `docs/DATA.md`):
 *
 * - `ratings.csv` (required): header `user,item,rating` and optionally `time` (Unix seconds), in
 *   any order.
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
import { checkScale, refuseDuplicates, type Locate } from './common.js';
import { parseCsvTable, type CsvTable } from './csv-parse.js';

export interface CsvOptions {
  /** The id the dataset is reported under (default `csv:DIR`). */
  readonly id?: string;
  /**
   * The rating scale. Default: the smallest and largest rating in `ratings.csv` (state it when
   * the data may lack the extremes, e.g. no 1-star rating).
   */
  readonly scale?: { readonly min: number; readonly max: number };
}

/** The separator of values in a `multi` column. */
export const MULTI_SEPARATOR = '|';

/** How many equal-count bins a `numeric` column without edges gets. */
export const DEFAULT_NUMERIC_BINS = 5;

export function loadCsvDirectory(dir: string, options: CsvOptions = {}): Dataset {
  const ratingsFile = path.join(dir, 'ratings.csv');
  const table = parseCsvTable(
    readText(ratingsFile, {
      encoding: 'utf-8',
      expect: 'ratings as CSV with the header user,item,rating[,time]',
    }),
    ratingsFile,
  );
  const column = headerColumns(table, ratingsFile, ['user', 'item', 'rating'], ['time']);
  const users = new IdMapBuilder();
  const items = new IdMapBuilder();
  const n = table.rows.length;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const rating = new Float32Array(n);
  const time = column.time === undefined ? undefined : new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const row = table.rows[r];
    const line = table.lines[r];
    user[r] = users.intern(requiredId(row[column.user], ratingsFile, line, 'user'));
    item[r] = items.intern(requiredId(row[column.item], ratingsFile, line, 'item'));
    rating[r] = parseNumber(row[column.rating], ratingsFile, line, 'rating', false);
    if (time !== undefined && column.time !== undefined) {
      time[r] = parseNumber(row[column.time], ratingsFile, line, 'time', false);
    }
  }
  const locate: Locate = (r) => ({ file: ratingsFile, line: table.lines[r] });
  let scale = options.scale;
  if (scale === undefined) {
    let min = Infinity;
    let max = -Infinity;
    for (let r = 0; r < n; r++) {
      if (rating[r] < min) min = rating[r];
      if (rating[r] > max) max = rating[r];
    }
    if (n === 0)
      throw new DataError(ratingsFile, undefined, undefined, 'no ratings: expected rows after the header');
    scale = { min, max };
  } else {
    checkScale(rating, scale, locate);
  }
  const userMap = users.build();
  const itemMap = items.build();
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
    userFeatures: userSide.table,
    itemFeatures: itemSide.table,
    ...(itemSide.titles !== undefined ? { itemTitles: itemSide.titles } : {}),
    ...(reviews !== undefined ? { reviews } : {}),
    predefinedSplits: {},
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
  const ratingOf = new Map<number, number>();
  const nItems = items.ids.length;
  for (let r = 0; r < user.length; r++) ratingOf.set(user[r] * nItems + item[r], r);
  const reviews: string[] = new Array<string>(user.length).fill('');
  const lineOf = new Int32Array(user.length);
  table.rows.forEach((row, k) => {
    const line = table.lines[k];
    const u = users.index.get(row[column.user].trim());
    const i = items.index.get(row[column.item].trim());
    const r = u === undefined || i === undefined ? undefined : ratingOf.get(u * nItems + i);
    if (r === undefined) {
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

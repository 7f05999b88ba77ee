/**
 * The sparse design matrix of a factorization machine over a rating data set.
 *
 * Rendle (2010) "Factorization Machines", Sec. III and Fig. 1: each rating (u, i) becomes a real
 * feature vector x with a one-hot block for the user id, a one-hot block for the item id and any
 * further blocks of side information. Here those are every user and item feature field of the
 * `Dataset` (`FeatureTable` CSR codes): a categorical or binned numeric field sets one column to 1,
 * a multi-valued field (genres) sets each of its values to a weight that by default is 1/|values|
 * ("normalized so that they sum up to 1", Rendle 2010 Fig. 1 and Rendle 2012 Sec. 1.1).
 *
 * A row is the concatenation of the user's part and the item's part, so the layout keeps one small
 * CSR block per user and per item and builds rating rows from them on demand. Every column has a
 * readable name ("user=12", "item=50", "genre=Action") for explanations, and belongs to a group (one
 * per id block and per field) that the Bayesian sampler gives its own prior (Rendle 2012 Sec. 4.3).
 */
import type { Dataset, FeatureTable, IdMap } from '../../data/dataset.js';
import { HeedError, UsageError } from '../../util/errors.js';

/** How the values of one multi-valued field (genres) are weighted. */
export type MultiWeight = 'mean' | 'sqrt' | 'one';

export const MULTI_WEIGHTS: readonly MultiWeight[] = ['mean', 'sqrt', 'one'];

export interface FmDesignOptions {
  /** `all`, `ids` (user and item id only: a biased MF), or a comma list of field names. */
  readonly features: string;
  readonly multiWeight: MultiWeight;
}

/** The non-zeros one user (or item) contributes to each of its design rows, in CSR form. */
export interface EntityBlock {
  /** Length count + 1; entity e owns entries offsets[e] .. offsets[e + 1]. */
  readonly offsets: Int32Array;
  readonly columns: Int32Array;
  readonly values: Float64Array;
}

export interface FmLayout {
  readonly columnCount: number;
  /** Readable name of every column: `user=<raw id>`, `item=<raw id>`, `<field>=<label>`. */
  readonly columnNames: string[];
  /** Group (prior) of every column: 0 = user id, 1 = item id, then one per feature field. */
  readonly columnGroup: Int32Array;
  readonly groupNames: string[];
  readonly users: EntityBlock;
  readonly items: EntityBlock;
  /** Most non-zeros a single rating row can have (scratch buffer size). */
  readonly maxRowLength: number;
}

/** Design rows in CSR form. */
export interface SparseRows {
  readonly offsets: Int32Array;
  readonly columns: Int32Array;
  readonly values: Float64Array;
}

/** The same matrix by columns (CSC), which the coordinate-wise MCMC/ALS updates walk. */
export interface SparseColumns {
  readonly offsets: Int32Array;
  readonly rows: Int32Array;
  readonly values: Float64Array;
}

interface SelectedField {
  readonly side: 'user' | 'item';
  readonly table: FeatureTable;
  readonly fieldIndex: number;
  /** Column name prefix, e.g. `genre` or, when both sides share a field name, `item.year`. */
  readonly label: string;
}

/** Parses the `features` setting against the data set's field names. */
function selectFields(dataset: Dataset, features: string): SelectedField[] {
  const all: SelectedField[] = [];
  const userNames = new Set(dataset.userFeatures.fields.map((f) => f.name));
  const itemNames = new Set(dataset.itemFeatures.fields.map((f) => f.name));
  const sides: Array<['user' | 'item', FeatureTable, Set<string>]> = [
    ['user', dataset.userFeatures, itemNames],
    ['item', dataset.itemFeatures, userNames],
  ];
  for (const [side, table, otherNames] of sides) {
    table.fields.forEach((field, fieldIndex) => {
      const label = otherNames.has(field.name) ? `${side}.${field.name}` : field.name;
      all.push({ side, table, fieldIndex, label });
    });
  }
  const spec = features.trim();
  if (spec === 'all') return all;
  if (spec === 'ids' || spec === '') return [];
  const chosen: SelectedField[] = [];
  for (const raw of spec.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    const matches = all.filter((f) => f.label === name || f.table.fields[f.fieldIndex].name === name);
    if (matches.length === 0) {
      const known = all.map((f) => f.label).join(', ') || '(none: the data set has no feature fields)';
      throw new UsageError(
        `fm setting "features": unknown field "${name}" (use all, ids or a comma list of: ${known})`,
      );
    }
    for (const m of matches) if (!chosen.includes(m)) chosen.push(m);
  }
  return chosen;
}

function checkCount(table: FeatureTable, ids: IdMap, side: string): void {
  if (table.fields.length > 0 && table.count !== ids.ids.length) {
    throw new HeedError(
      `${side}Features.count is ${table.count} but the data set has ${ids.ids.length} ${side}s`,
    );
  }
}

function weightOf(kind: string, n: number, multiWeight: MultiWeight): number {
  if (kind !== 'multi' || n <= 1 || multiWeight === 'one') return 1;
  return multiWeight === 'mean' ? 1 / n : 1 / Math.sqrt(n);
}

/**
 * Builds the column layout and the per-user and per-item blocks for `dataset`. Columns:
 * [user ids][item ids][selected fields' vocabularies, user side first].
 */
export function buildFmLayout(dataset: Dataset, options: FmDesignOptions): FmLayout {
  if (!MULTI_WEIGHTS.includes(options.multiWeight)) {
    throw new UsageError(
      `fm setting "multiWeight" must be one of ${MULTI_WEIGHTS.join(', ')}, got "${options.multiWeight}"`,
    );
  }
  checkCount(dataset.userFeatures, dataset.users, 'user');
  checkCount(dataset.itemFeatures, dataset.items, 'item');
  const fields = selectFields(dataset, options.features);
  const nUsers = dataset.users.ids.length;
  const nItems = dataset.items.ids.length;

  const names: string[] = [];
  const groups: number[] = [];
  const groupNames = ['user', 'item'];
  for (const id of dataset.users.ids) {
    names.push(`user=${id}`);
    groups.push(0);
  }
  for (const id of dataset.items.ids) {
    names.push(`item=${id}`);
    groups.push(1);
  }
  const fieldOffset: number[] = [];
  for (const f of fields) {
    const field = f.table.fields[f.fieldIndex];
    fieldOffset.push(names.length);
    const g = groupNames.length;
    groupNames.push(f.label);
    for (const label of field.vocabulary) {
      names.push(`${f.label}=${label}`);
      groups.push(g);
    }
  }

  const block = (side: 'user' | 'item', count: number, idOffset: number): EntityBlock => {
    const mine = fields.map((f, k) => ({ f, offset: fieldOffset[k] })).filter((x) => x.f.side === side);
    const offsets = new Int32Array(count + 1);
    const cols: number[] = [];
    const vals: number[] = [];
    for (let e = 0; e < count; e++) {
      // A Map merges a code listed twice for one entity: Eq. 5 assumes distinct columns per row.
      const entries = new Map<number, number>([[idOffset + e, 1]]);
      for (const { f, offset } of mine) {
        const field = f.table.fields[f.fieldIndex];
        const start = field.offsets[e];
        const end = field.offsets[e + 1];
        const weight = weightOf(field.kind, end - start, options.multiWeight);
        for (let c = start; c < end; c++) {
          const code = field.codes[c];
          if (!(code >= 0 && code < field.vocabulary.length)) {
            throw new HeedError(
              `${side} field "${field.name}": code ${code} of ${side} ${e} is outside its vocabulary of ${field.vocabulary.length}`,
            );
          }
          entries.set(offset + code, (entries.get(offset + code) ?? 0) + weight);
        }
      }
      for (const [col, val] of entries) {
        cols.push(col);
        vals.push(val);
      }
      offsets[e + 1] = cols.length;
    }
    return { offsets, columns: Int32Array.from(cols), values: Float64Array.from(vals) };
  };
  const users = block('user', nUsers, 0);
  const items = block('item', nItems, nUsers);
  return {
    columnCount: names.length,
    columnNames: names,
    columnGroup: Int32Array.from(groups),
    groupNames,
    users,
    items,
    maxRowLength: maxLength(users) + maxLength(items),
  };
}

function maxLength(block: EntityBlock): number {
  let m = 0;
  for (let e = 0; e + 1 < block.offsets.length; e++) m = Math.max(m, block.offsets[e + 1] - block.offsets[e]);
  return m;
}

/** Checks that dense indices fall inside the layout (predict is given raw arrays). */
export function checkPairs(
  layout: Pick<FmLayout, 'users' | 'items'>,
  users: Int32Array,
  items: Int32Array,
): void {
  if (users.length !== items.length) {
    throw new UsageError(`predict: ${users.length} users but ${items.length} items; give one item per user`);
  }
  const nUsers = layout.users.offsets.length - 1;
  const nItems = layout.items.offsets.length - 1;
  for (let k = 0; k < users.length; k++) {
    if (!(users[k] >= 0 && users[k] < nUsers))
      throw new UsageError(`predict: user index ${users[k]} (pair ${k}) is outside 0..${nUsers - 1}`);
    if (!(items[k] >= 0 && items[k] < nItems))
      throw new UsageError(`predict: item index ${items[k]} (pair ${k}) is outside 0..${nItems - 1}`);
  }
}

/** The design rows of the pairs (users[r], items[r]): user part, then item part. */
export function designRows(
  layout: Pick<FmLayout, 'users' | 'items'>,
  users: Int32Array,
  items: Int32Array,
): SparseRows {
  const n = users.length;
  const offsets = new Int32Array(n + 1);
  const U = layout.users;
  const I = layout.items;
  for (let r = 0; r < n; r++) {
    const u = users[r];
    const i = items[r];
    offsets[r + 1] = offsets[r] + (U.offsets[u + 1] - U.offsets[u]) + (I.offsets[i + 1] - I.offsets[i]);
  }
  const columns = new Int32Array(offsets[n]);
  const values = new Float64Array(offsets[n]);
  for (let r = 0; r < n; r++) {
    let p = offsets[r];
    for (let c = U.offsets[users[r]]; c < U.offsets[users[r] + 1]; c++, p++) {
      columns[p] = U.columns[c];
      values[p] = U.values[c];
    }
    for (let c = I.offsets[items[r]]; c < I.offsets[items[r] + 1]; c++, p++) {
      columns[p] = I.columns[c];
      values[p] = I.values[c];
    }
  }
  return { offsets, columns, values };
}

/** Transposes CSR rows into CSC columns (row indices ascending within each column). */
export function toColumns(rows: SparseRows, columnCount: number): SparseColumns {
  const offsets = new Int32Array(columnCount + 1);
  const nnz = rows.columns.length;
  for (let p = 0; p < nnz; p++) offsets[rows.columns[p] + 1]++;
  for (let j = 0; j < columnCount; j++) offsets[j + 1] += offsets[j];
  const fill = offsets.slice(0, columnCount);
  const rowIndex = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  const nRows = rows.offsets.length - 1;
  for (let r = 0; r < nRows; r++) {
    for (let p = rows.offsets[r]; p < rows.offsets[r + 1]; p++) {
      const q = fill[rows.columns[p]]++;
      rowIndex[q] = r;
      values[q] = rows.values[p];
    }
  }
  return { offsets, rows: rowIndex, values };
}

/**
 * Transposes CSC columns back into CSR rows, each row's columns ascending (the order a column-wise
 * pass visits a row's non-zeros in).
 */
export function toSortedRows(byColumn: SparseColumns, rowCount: number): SparseRows {
  const offsets = new Int32Array(rowCount + 1);
  const nnz = byColumn.rows.length;
  for (let p = 0; p < nnz; p++) offsets[byColumn.rows[p] + 1]++;
  for (let r = 0; r < rowCount; r++) offsets[r + 1] += offsets[r];
  const fill = offsets.slice(0, rowCount);
  const columns = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  const columnCount = byColumn.offsets.length - 1;
  for (let j = 0; j < columnCount; j++) {
    for (let p = byColumn.offsets[j]; p < byColumn.offsets[j + 1]; p++) {
      const q = fill[byColumn.rows[p]]++;
      columns[q] = j;
      values[q] = byColumn.values[p];
    }
  }
  return { offsets, columns, values };
}

/**
 * Building feature fields (the side information of users and items) and laying them out as one
 * sparse one-hot vector per entity, the input of FM, AFM, AANMF, SAIN and RSAttAE.
 *
 * Every field, whatever its kind, is stored the same way (see `FeatureField` in `dataset.ts`):
 * codes into a vocabulary in CSR form. Categorical fields have 0 or 1 code per entity, multi-valued
 * fields any number, numeric fields keep their raw values and 0 or 1 code: the bin of the value.
 *
 * ## Binning convention (numeric fields)
 *
 * Edges `e_0 < e_1 < … < e_m` define `m` bins. With `closed: 'left'` (the default) bin `i` is
 * `[e_i, e_{i+1})`; with `closed: 'right'` it is `(e_i, e_{i+1}]` (what pandas' `pd.cut` does by
 * default, for reproducing Python preprocessing). Values outside `[e_0, e_m]` are not dropped:
 * a value below the first bin falls into bin 0 (underflow) and a value above the last bin falls
 * into bin `m - 1` (overflow), so the outer bins are open-ended and their labels say so. A missing
 * value (NaN) gets no code.
 *
 * Labels, for integer edges: `closed: 'left'` gives `<e_1`, `e_1-(e_2 - 1)`, …, `e_{m-1}+`
 * (ages at 0, 12, 18, 30, 50, 90 give "<12", "12-17", "18-29", "30-49", "50+"); `closed: 'right'`
 * gives `≤e_1`, `(e_1 + 1)-e_2`, …, `(e_{m-1} + 1)+`. For other edges the labels are intervals:
 * `<b`, `[a,b)`, `≥a` (or `≤b`, `(a,b]`, `>a`). A single bin is labelled "all". Explicit labels
 * can be given instead.
 */
import { UsageError } from '../util/errors.js';
import type { FeatureField, FeatureTable } from './dataset.js';

/** How a numeric field is cut into bins (see the convention above). */
export interface BinSpec {
  readonly edges: readonly number[];
  readonly closed?: 'left' | 'right';
  /** One label per bin; generated from the edges when absent. */
  readonly labels?: readonly string[];
}

/** Bin specifications the papers use, ready to pass to `numericField` or `rebin`. */
export const BIN_PRESETS = {
  /**
   * The 7 age groups of MovieLens 1M's README (under 18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+),
   * which AANMF (Section 5.2) also uses for MovieLens 100K. Heed's default age bins.
   */
  ageGroups: { edges: [1, 18, 25, 35, 45, 50, 56, 100] },
  /** RSAttAE (Section 3.1): "age bins are set at (0, 12, 18, 30, 50, 90)". */
  rsattaeAge: { edges: [0, 12, 18, 30, 50, 90] },
  /** RSAttAE (Section 3.1): "release year bins are (1920, 1940, 1960, 1980, 2000)". */
  rsattaeYear: { edges: [1920, 1940, 1960, 1980, 2000] },
  /** Release decades, "<1930", "1930-1939", …, "1990+". Heed's default year bins. */
  decades: { edges: [1920, 1930, 1940, 1950, 1960, 1970, 1980, 1990, 2000] },
} as const satisfies Record<string, BinSpec>;

/** Throws a UsageError naming `fieldName` unless `spec` is a usable bin specification. */
export function checkBins(fieldName: string, spec: BinSpec): void {
  const { edges } = spec;
  if (edges.length < 2) {
    throw new UsageError(`field "${fieldName}": bins need at least 2 edges, got ${edges.length}`);
  }
  for (let i = 0; i < edges.length; i++) {
    if (!Number.isFinite(edges[i])) {
      throw new UsageError(`field "${fieldName}": bin edge ${i + 1} is not a finite number (${edges[i]})`);
    }
    if (i > 0 && !(edges[i] > edges[i - 1])) {
      throw new UsageError(
        `field "${fieldName}": bin edges must increase strictly, got ${edges[i - 1]} then ${edges[i]}`,
      );
    }
  }
  if (spec.closed !== undefined && spec.closed !== 'left' && spec.closed !== 'right') {
    throw new UsageError(
      `field "${fieldName}": closed must be "left" or "right", got "${String(spec.closed)}"`,
    );
  }
  if (spec.labels !== undefined && spec.labels.length !== edges.length - 1) {
    throw new UsageError(
      `field "${fieldName}": ${edges.length - 1} bins need ${edges.length - 1} labels, got ${spec.labels.length}`,
    );
  }
}

/** The bin of `value` under `edges` (see the convention above), or -1 when `value` is NaN. */
export function binIndex(value: number, edges: readonly number[], closed: 'left' | 'right' = 'left'): number {
  if (Number.isNaN(value)) return -1;
  const m = edges.length - 1;
  let bin = 0;
  // Count the inner edges e_1 .. e_{m-1} the value has passed; outer edges only clamp.
  if (closed === 'left') {
    while (bin < m - 1 && value >= edges[bin + 1]) bin++;
  } else {
    while (bin < m - 1 && value > edges[bin + 1]) bin++;
  }
  return bin;
}

/** Labels of the bins defined by `edges` (see the convention above). */
export function binLabels(edges: readonly number[], closed: 'left' | 'right' = 'left'): string[] {
  const m = edges.length - 1;
  if (m === 1) return ['all'];
  const integral = edges.every((e) => Number.isInteger(e));
  const labels: string[] = [];
  for (let i = 0; i < m; i++) {
    const a = edges[i];
    const b = edges[i + 1];
    if (closed === 'left') {
      if (i === 0) labels.push(`<${b}`);
      else if (i === m - 1) labels.push(integral ? `${a}+` : `≥${a}`);
      else if (integral) labels.push(b - 1 === a ? `${a}` : `${a}-${b - 1}`);
      else labels.push(`[${a},${b})`);
    } else {
      if (i === 0) labels.push(`≤${b}`);
      else if (i === m - 1) labels.push(integral ? `${a + 1}+` : `>${a}`);
      else if (integral) labels.push(a + 1 === b ? `${b}` : `${a + 1}-${b}`);
      else labels.push(`(${a},${b}]`);
    }
  }
  return labels;
}

/**
 * Orders vocabulary values: numerically when both look like numbers ("2" before "10"), else by
 * UTF-16 code units (locale-independent, so the same data gives the same codes everywhere).
 */
export function compareValues(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y) && x !== y) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The vocabulary of a field: `given` (in its order) followed by any other observed values,
 * sorted with `compareValues`.
 */
function vocabularyOf(observed: Iterable<string>, given: readonly string[] | undefined): string[] {
  const vocabulary = given === undefined ? [] : [...given];
  const known = new Set(vocabulary);
  const extra: string[] = [];
  for (const value of observed) {
    if (!known.has(value)) {
      known.add(value);
      extra.push(value);
    }
  }
  extra.sort(compareValues);
  return vocabulary.concat(extra);
}

export interface VocabularyOptions {
  /**
   * Codes in this order (code i is `vocabulary[i]`), e.g. u.genre's genre order; values not in it
   * are appended. Without it the observed values are sorted with `compareValues`.
   */
  readonly vocabulary?: readonly string[];
}

/**
 * A categorical field from one value per entity (`undefined` or '' for missing).
 */
export function categoricalField(
  name: string,
  values: ReadonlyArray<string | undefined>,
  options: VocabularyOptions = {},
): FeatureField {
  const present = values.filter((v): v is string => v !== undefined && v !== '');
  const vocabulary = vocabularyOf(present, options.vocabulary);
  const codeOf = new Map(vocabulary.map((v, i) => [v, i] as const));
  const offsets = new Int32Array(values.length + 1);
  const codes = new Int32Array(present.length);
  let k = 0;
  for (let e = 0; e < values.length; e++) {
    const v = values[e];
    if (v !== undefined && v !== '') codes[k++] = codeOf.get(v) as number;
    offsets[e + 1] = k;
  }
  return { name, kind: 'categorical', vocabulary, offsets, codes };
}

/**
 * A multi-valued field from a list of values per entity (`undefined` or [] for none). Repeated
 * values of one entity count once; each entity's codes are stored in increasing order.
 */
export function multiField(
  name: string,
  values: ReadonlyArray<readonly string[] | undefined>,
  options: VocabularyOptions = {},
): FeatureField {
  const observed = new Set<string>();
  for (const list of values) if (list !== undefined) for (const v of list) if (v !== '') observed.add(v);
  const vocabulary = vocabularyOf(observed, options.vocabulary);
  const codeOf = new Map(vocabulary.map((v, i) => [v, i] as const));
  const offsets = new Int32Array(values.length + 1);
  const all: number[] = [];
  for (let e = 0; e < values.length; e++) {
    const list = values[e];
    if (list !== undefined && list.length > 0) {
      const mine = [...new Set(list.filter((v) => v !== '').map((v) => codeOf.get(v) as number))];
      mine.sort((a, b) => a - b);
      for (const c of mine) all.push(c);
    }
    offsets[e + 1] = all.length;
  }
  return { name, kind: 'multi', vocabulary, offsets, codes: Int32Array.from(all) };
}

/**
 * A categorical field from precomputed codes (-1 for missing) and the vocabulary they index,
 * for sources that ship codes (SAIN's CSVs, the synthetic generator).
 */
export function codedField(
  name: string,
  vocabulary: readonly string[],
  entityCodes: ArrayLike<number>,
): FeatureField {
  const n = entityCodes.length;
  const offsets = new Int32Array(n + 1);
  const codes: number[] = [];
  for (let e = 0; e < n; e++) {
    const c = entityCodes[e];
    if (c >= 0) {
      if (!Number.isInteger(c) || c >= vocabulary.length) {
        throw new UsageError(
          `field "${name}": code ${c} of entity ${e} is outside its ${vocabulary.length} values`,
        );
      }
      codes.push(c);
    }
    offsets[e + 1] = codes.length;
  }
  return { name, kind: 'categorical', vocabulary: [...vocabulary], offsets, codes: Int32Array.from(codes) };
}

/** A numeric field: raw values (NaN for missing), binned by `bins`. */
export function numericField(name: string, raw: ArrayLike<number>, bins: BinSpec): FeatureField {
  checkBins(name, bins);
  const closed = bins.closed ?? 'left';
  const edges = [...bins.edges];
  const vocabulary = bins.labels !== undefined ? [...bins.labels] : binLabels(edges, closed);
  const n = raw.length;
  const values = Float64Array.from(raw);
  const offsets = new Int32Array(n + 1);
  let present = 0;
  for (let e = 0; e < n; e++) if (!Number.isNaN(values[e])) present++;
  const codes = new Int32Array(present);
  let k = 0;
  for (let e = 0; e < n; e++) {
    const bin = binIndex(values[e], edges, closed);
    if (bin >= 0) codes[k++] = bin;
    offsets[e + 1] = k;
  }
  return { name, kind: 'numeric', vocabulary, offsets, codes, raw: values, edges, closed };
}

/**
 * Edges that cut the non-missing `values` into `bins` bins of about equal counts (quantiles),
 * rounded to integers when every value is an integer. Duplicate quantiles are merged, so fewer
 * bins may result; with at most `bins` distinct values each value gets its own bin. Used when a
 * numeric column declares no edges.
 */
export function quantileEdges(values: ArrayLike<number>, bins = 5): number[] {
  const sorted = Float64Array.from(values)
    .filter((v) => !Number.isNaN(v))
    .sort();
  if (sorted.length === 0) return [0, 1];
  const integral = sorted.every((v) => Number.isInteger(v));
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1];
  const top = integral ? hi + 1 : hi + Math.max(1e-9, Math.abs(hi) * 1e-9);
  // Few distinct values (a rating-like 1..5 column): one bin per value.
  const distinct = [...new Set(sorted)];
  if (distinct.length <= bins) return [...distinct, top];
  const edges = [lo];
  for (let b = 1; b < bins; b++) {
    let q = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / bins))];
    if (integral) q = Math.round(q);
    if (q > edges[edges.length - 1]) edges.push(q);
  }
  if (top > edges[edges.length - 1]) edges.push(top);
  if (edges.length < 2) edges.push(lo + 1);
  return edges;
}

/** A feature table, checking that every field describes `count` entities. */
export function featureTable(count: number, fields: FeatureField[]): FeatureTable {
  const names = new Set<string>();
  for (const field of fields) {
    if (field.offsets.length !== count + 1) {
      throw new UsageError(
        `field "${field.name}" describes ${field.offsets.length - 1} entities, expected ${count}`,
      );
    }
    if (names.has(field.name)) throw new UsageError(`field "${field.name}" appears twice`);
    names.add(field.name);
  }
  return { count, fields };
}

/** The field called `name`, or a UsageError listing the fields there are. */
export function getField(table: FeatureTable, name: string): FeatureField {
  const field = table.fields.find((f) => f.name === name);
  if (field === undefined) {
    const known = table.fields.map((f) => f.name).join(', ') || '(none)';
    throw new UsageError(`no feature field "${name}" (fields: ${known})`);
  }
  return field;
}

/** The codes of `entity` in `field` (a view, not a copy). */
export function entityCodes(field: FeatureField, entity: number): Int32Array {
  return field.codes.subarray(field.offsets[entity], field.offsets[entity + 1]);
}

/** The vocabulary labels of `entity` in `field` ("Action", "Comedy"). */
export function entityValues(field: FeatureField, entity: number): string[] {
  return Array.from(entityCodes(field, entity), (c) => field.vocabulary[c]);
}

/**
 * A copy of `table` whose numeric field `fieldName` is re-binned from its raw values with new
 * edges (an array of edges is shorthand for `{ edges }`). The original table is not changed.
 */
export function rebin(
  table: FeatureTable,
  fieldName: string,
  bins: BinSpec | readonly number[],
): FeatureTable {
  const field = getField(table, fieldName);
  if (field.kind !== 'numeric' || field.raw === undefined) {
    throw new UsageError(
      `field "${fieldName}" is ${field.kind}, not numeric: only numeric fields can be re-binned`,
    );
  }
  const spec: BinSpec = isEdgeArray(bins) ? { edges: bins } : bins;
  const replaced = numericField(fieldName, field.raw, spec);
  return { count: table.count, fields: table.fields.map((f) => (f === field ? replaced : f)) };
}

function isEdgeArray(bins: BinSpec | readonly number[]): bins is readonly number[] {
  return Array.isArray(bins);
}

/**
 * All fields of a table laid out as one sparse 0/1 vector per entity: field `f`'s code `c` has
 * the global index `fieldStart[f] + c`, and `names[g]` says what index `g` means ("genre=Action",
 * "age=18-24"). Entity `e`'s active indices are `indices[offsets[e] .. offsets[e + 1])`, field by
 * field in table order (and by code within a multi field).
 */
export interface OneHotLayout {
  /** Number of entities. */
  readonly count: number;
  /** Total number of one-hot columns (the sum of the fields' vocabulary sizes). */
  readonly dimension: number;
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
  /** `fieldName=value` for each global index. */
  readonly names: string[];
  /** The field names, in table order. */
  readonly fields: string[];
  /** First global index of each field; `fieldStart[fields.length]` equals `dimension`. */
  readonly fieldStart: Int32Array;
  /** The field (position in `fields`) of each global index. */
  readonly fieldOf: Int32Array;
}

export function oneHotLayout(table: FeatureTable): OneHotLayout {
  const { count, fields } = table;
  const fieldStart = new Int32Array(fields.length + 1);
  for (let f = 0; f < fields.length; f++) fieldStart[f + 1] = fieldStart[f] + fields[f].vocabulary.length;
  const dimension = fieldStart[fields.length];
  const names: string[] = [];
  const fieldOf = new Int32Array(dimension);
  for (let f = 0; f < fields.length; f++) {
    for (const value of fields[f].vocabulary) names.push(`${fields[f].name}=${value}`);
    fieldOf.fill(f, fieldStart[f], fieldStart[f + 1]);
  }
  const offsets = new Int32Array(count + 1);
  for (let e = 0; e < count; e++) {
    let n = 0;
    for (const field of fields) n += field.offsets[e + 1] - field.offsets[e];
    offsets[e + 1] = offsets[e] + n;
  }
  const indices = new Int32Array(offsets[count]);
  for (let e = 0; e < count; e++) {
    let k = offsets[e];
    for (let f = 0; f < fields.length; f++) {
      const field = fields[f];
      for (let j = field.offsets[e]; j < field.offsets[e + 1]; j++)
        indices[k++] = fieldStart[f] + field.codes[j];
    }
  }
  return {
    count,
    dimension,
    offsets,
    indices,
    names,
    fields: fields.map((f) => f.name),
    fieldStart,
    fieldOf,
  };
}

/**
 * SVDFeature's user (or item) feature vector α (or β), one sparse row per entity (Chen et al.,
 * JMLR 2012, Eq. 1): the entity's own id indicator with value 1, plus one indicator per value of
 * the chosen side-feature fields (the one-hot columns of `oneHotLayout`), each with value
 * 1/√n for an entity with n side values, so that an item with five genres does not weigh five
 * times as much as one with a single genre (the toolkit leaves the values to the user; this is the
 * usual |N|^-1/2 normalisation of SVD++ and of the toolkit's implicit-feedback feature).
 *
 * Table row r < count is the id of entity r; row count + c is side column c. The layout is plain
 * typed arrays, saved with the model so that it predicts without the data set.
 */
import type { FeatureTable } from '../../data/dataset.js';
import { oneHotLayout } from '../../data/features.js';
import { HeedError } from '../../util/errors.js';
import { selectFeatureFields } from '../feature-selection.js';
import type { ModelState } from '../model.js';

export interface FeatureRows {
  /** Entities (users or items). */
  readonly count: number;
  /** Rows of the factor and bias tables: count ids + the side columns. */
  readonly tableRows: number;
  /** CSR over entities: entity e's features are offsets[e] .. offsets[e+1]-1. */
  readonly offsets: Int32Array;
  /** Table row of each feature. */
  readonly rows: Int32Array;
  /** Value α_j (β_j) of each feature. */
  readonly values: Float32Array;
}

/** The feature rows of `table`'s entities with the fields `select` names (`setting` is named in errors). */
export function featureRows(table: FeatureTable, select: string, setting: string): FeatureRows {
  const layout = oneHotLayout(selectFeatureFields(table, select, setting));
  const { count } = layout;
  const offsets = new Int32Array(count + 1);
  for (let e = 0; e < count; e++) offsets[e + 1] = offsets[e] + 1 + layout.offsets[e + 1] - layout.offsets[e];
  const rows = new Int32Array(offsets[count]);
  const values = new Float32Array(offsets[count]);
  for (let e = 0; e < count; e++) {
    let at = offsets[e];
    rows[at] = e;
    values[at++] = 1;
    const sides = layout.offsets[e + 1] - layout.offsets[e];
    for (let j = layout.offsets[e]; j < layout.offsets[e + 1]; j++) {
      rows[at] = count + layout.indices[j];
      values[at++] = 1 / Math.sqrt(sides);
    }
  }
  return { count, tableRows: count + layout.dimension, offsets, rows, values };
}

/** The arrays a saved state keeps for `rows`, under names starting with `prefix`. */
export function featureRowsArrays(
  rows: FeatureRows,
  prefix: string,
): Record<string, Int32Array | Float32Array> {
  return {
    [`${prefix}Offsets`]: rows.offsets,
    [`${prefix}Rows`]: rows.rows,
    [`${prefix}Values`]: rows.values,
  };
}

/** Rebuilds feature rows from a saved state, checking that the pieces agree. */
export function restoreFeatureRows(
  state: ModelState,
  prefix: string,
  sizes: { count: number; tableRows: number },
): FeatureRows {
  const offsets = state.arrays[`${prefix}Offsets`];
  const rows = state.arrays[`${prefix}Rows`];
  const values = state.arrays[`${prefix}Values`];
  const bad = (what: string): HeedError =>
    new HeedError(`saved model "${state.id}": ${prefix} feature rows: ${what}`);
  if (
    !(offsets instanceof Int32Array) ||
    !(rows instanceof Int32Array) ||
    !(values instanceof Float32Array)
  ) {
    throw bad('offsets, rows (int32) or values (float32) missing');
  }
  if (offsets.length !== sizes.count + 1 || offsets[0] !== 0)
    throw bad(`offsets must have ${sizes.count + 1} entries from 0`);
  const n = offsets[sizes.count];
  if (rows.length !== n || values.length !== n) throw bad(`rows and values must have ${n} entries`);
  for (let e = 0; e < sizes.count; e++)
    if (offsets[e + 1] < offsets[e]) throw bad('offsets must not decrease');
  for (const r of rows)
    if (r < 0 || r >= sizes.tableRows) throw bad(`row ${r} outside 0..${sizes.tableRows - 1}`);
  return { count: sizes.count, tableRows: sizes.tableRows, offsets, rows, values };
}

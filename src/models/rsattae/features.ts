/**
 * RSAttAE preprocessing (Section IV.A of the paper): which side features the model sees, how the
 * numeric ones are binned, and the one-hot feature matrices F_u ∈ R^{n×d_u} and F_m ∈ R^{m×d_m}.
 *
 * The paper keeps age, gender and occupation for users and release year and genres for movies, and
 * bins age at (0, 12, 18, 30, 50, 90) and release year at (1920, 1940, 1960, 1980, 2000). Its
 * preprocessing is Python; binning with those edges is most naturally `pd.cut`, whose intervals are
 * closed on the right ((0, 12], (12, 18], ...), so the bins here are right-closed too. The two
 * conventions differ only for the edge values themselves (ages 12, 18, 30, 50; years 1940, ...).
 * Values outside the outer edges fall into the outer bins (see `src/data/features.ts`); a missing
 * value (one ml-100k movie has no date) sets no column of its field.
 *
 * Besides the matrices, entities are grouped by identical feature rows. The attention of Eq. 2
 * depends on an entity's features only, so every member of a group has the same query and key;
 * the attention module works on groups (a few hundred) instead of entities (thousands), which is
 * exact and much cheaper (see `attention.ts`).
 */
import type { FeatureTable } from '../../data/dataset.js';
import { oneHotLayout, rebin, type BinSpec } from '../../data/features.js';
import { UsageError } from '../../util/errors.js';

/** The paper's bins, right-closed as `pd.cut` makes them (see the file comment). */
export const PAPER_BINS: Readonly<Record<string, BinSpec>> = {
  age: { edges: [0, 12, 18, 30, 50, 90], closed: 'right' },
  year: { edges: [1920, 1940, 1960, 1980, 2000], closed: 'right' },
};

/** One side's features as RSAttAE uses them. */
export interface EntityFeatures {
  /** Number of entities. */
  readonly count: number;
  /** Number of one-hot columns (d_u or d_m). */
  readonly dimension: number;
  /** `field=value` of each column. */
  readonly names: readonly string[];
  /** The one-hot matrix F, row-major [count, dimension], 0/1. */
  readonly matrix: Float32Array;
  /** Number of distinct feature rows. */
  readonly groups: number;
  /** Group of each entity (entities with equal feature rows share a group). */
  readonly group: Int32Array;
  /** The feature row of each group, row-major [groups, dimension]. */
  readonly groupMatrix: Float32Array;
}

/**
 * Chooses the fields named in `spec`: `all` takes every field of the table (for ml-100k these are
 * exactly the paper's: age, gender, occupation; release year, genre), `none` takes none, and
 * otherwise `spec` is a comma-separated list of field names, all of which must exist. Numeric
 * fields named `age` and `year` are re-binned with the paper's edges when `paperBins` is true.
 */
export function selectFeatures(
  table: FeatureTable,
  spec: string,
  paperBins: boolean,
  setting: string,
): FeatureTable {
  const names = table.fields.map((f) => f.name);
  let chosen: string[];
  const trimmed = spec.trim();
  if (trimmed === 'all') {
    chosen = names;
  } else if (trimmed === 'none' || trimmed === '') {
    chosen = [];
  } else {
    chosen = trimmed.split(',').map((x) => x.trim());
    for (const name of chosen) {
      if (!names.includes(name)) {
        throw new UsageError(
          `setting "${setting}": the data set has no field "${name}" (fields: ${names.join(', ') || '(none)'})`,
        );
      }
    }
  }
  let selected: FeatureTable = {
    count: table.count,
    fields: table.fields.filter((f) => chosen.includes(f.name)),
  };
  if (paperBins) {
    for (const field of selected.fields) {
      const bins = PAPER_BINS[field.name];
      if (bins !== undefined && field.kind === 'numeric' && field.raw !== undefined) {
        selected = rebin(selected, field.name, bins);
      }
    }
  }
  return selected;
}

/** The one-hot matrix and feature groups of a (selected) feature table. */
export function entityFeatures(table: FeatureTable): EntityFeatures {
  const layout = oneHotLayout(table);
  if (layout.dimension === 0) {
    // No features: one constant column, so the attention still has (equal) queries and keys and
    // reduces to the mean embedding; the weight shapes stay non-empty.
    const count = table.count;
    return {
      count,
      dimension: 1,
      names: ['(no features)'],
      matrix: new Float32Array(count).fill(1),
      groups: 1,
      group: new Int32Array(count),
      groupMatrix: Float32Array.of(1),
    };
  }
  const { count, dimension } = layout;
  const matrix = new Float32Array(count * dimension);
  const group = new Int32Array(count);
  const keyToGroup = new Map<string, number>();
  const groupRows: number[] = [];
  for (let e = 0; e < count; e++) {
    const active = layout.indices.subarray(layout.offsets[e], layout.offsets[e + 1]);
    for (const c of active) matrix[e * dimension + c] = 1;
    // Active columns are listed field by field and by code, so equal rows give equal keys.
    const key = Array.from(active)
      .sort((a, b) => a - b)
      .join(',');
    let g = keyToGroup.get(key);
    if (g === undefined) {
      g = keyToGroup.size;
      keyToGroup.set(key, g);
      groupRows.push(e);
    }
    group[e] = g;
  }
  const groups = groupRows.length;
  const groupMatrix = new Float32Array(groups * dimension);
  groupRows.forEach((e, g) =>
    groupMatrix.set(matrix.subarray(e * dimension, (e + 1) * dimension), g * dimension),
  );
  return { count, dimension, names: layout.names, matrix, groups, group, groupMatrix };
}

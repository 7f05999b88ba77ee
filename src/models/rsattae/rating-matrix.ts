/**
 * The rating matrix R (users × items) and its transpose, as the two autoencoders read them: rows of
 * observed ratings in CSR form, made dense (0 = unobserved, as in the paper's Eq. 4) when a tensor
 * needs them.
 *
 * The autoencoder's input dropout (the authors' `nn.Dropout(0.5)` in front of the encoder) only
 * ever changes observed entries, since a dropped zero is still zero; `droppedValues` therefore
 * draws one keep/drop decision per observed rating instead of one per matrix cell, with the same
 * distribution: kept values are scaled by 1 / (1 − rate) (inverted dropout).
 */
import { HeedError } from '../../util/errors.js';
import type { Rng } from '../../util/rng.js';

/** Observed ratings by row: row r's entries are `col[rowStart[r] .. rowStart[r + 1])`. */
export interface SparseRows {
  readonly rows: number;
  readonly cols: number;
  readonly rowStart: Int32Array;
  readonly col: Int32Array;
  readonly value: Float32Array;
}

/** Groups (row, col, value) triples by row. A pair given twice keeps its last value when made dense. */
export function sparseRows(
  rows: number,
  cols: number,
  row: Int32Array,
  col: Int32Array,
  value: Float32Array,
): SparseRows {
  const n = row.length;
  if (col.length !== n || value.length !== n) {
    throw new HeedError(`rating matrix: ${n} rows, ${col.length} columns and ${value.length} values given`);
  }
  const rowStart = new Int32Array(rows + 1);
  for (let k = 0; k < n; k++) {
    const r = row[k];
    const c = col[k];
    if (!(r >= 0 && r < rows && c >= 0 && c < cols)) {
      throw new HeedError(`rating matrix: entry ${k} at (${r}, ${c}) is outside ${rows} × ${cols}`);
    }
    rowStart[r + 1]++;
  }
  for (let r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
  const next = rowStart.slice(0, rows);
  const outCol = new Int32Array(n);
  const outValue = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const at = next[row[k]]++;
    outCol[at] = col[k];
    outValue[at] = value[k];
  }
  return { rows, cols, rowStart, col: outCol, value: outValue };
}

/** The matrix as a dense row-major array [rows, cols] (into `out` when given). */
export function toDense(m: SparseRows, out?: Float32Array): Float32Array {
  const dense = out ?? new Float32Array(m.rows * m.cols);
  if (dense.length !== m.rows * m.cols) throw new HeedError('rating matrix: output array has the wrong size');
  if (out !== undefined) dense.fill(0);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.rowStart[r]; k < m.rowStart[r + 1]; k++) dense[r * m.cols + m.col[k]] = m.value[k];
  }
  return dense;
}

/** 1 where a rating is observed, 0 elsewhere [rows, cols]. */
export function observedMask(m: SparseRows): Float32Array {
  const mask = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.rowStart[r]; k < m.rowStart[r + 1]; k++) mask[r * m.cols + m.col[k]] = 1;
  }
  return mask;
}

/** The observed cells as a list: row, column and value of each, in row order. */
export function cellsOf(m: SparseRows): { row: Int32Array; col: Int32Array; value: Float32Array } {
  const n = m.rowStart[m.rows];
  const row = new Int32Array(n);
  for (let r = 0; r < m.rows; r++) row.fill(r, m.rowStart[r], m.rowStart[r + 1]);
  return { row, col: m.col, value: m.value };
}

/**
 * The observed values after inverted input dropout (see the file comment), into `out`: each is
 * kept with probability 1 − rate and then scaled by 1 / (1 − rate), or set to 0.
 */
export function droppedValues(m: SparseRows, rate: number, rng: Rng, out: Float32Array): Float32Array {
  if (!(rate >= 0 && rate < 1)) throw new HeedError(`dropout rate must be in [0, 1), got ${rate}`);
  if (out.length !== m.value.length) throw new HeedError('rating matrix: output array has the wrong size');
  if (rate === 0) {
    out.set(m.value);
    return out;
  }
  const keep = 1 - rate;
  const scale = 1 / keep;
  for (let k = 0; k < out.length; k++) out[k] = rng.next() < keep ? m.value[k] * scale : 0;
  return out;
}

/** Whether each row has at least one observed rating. */
export function nonEmptyRows(m: SparseRows): Uint8Array {
  const out = new Uint8Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = m.rowStart[r + 1] > m.rowStart[r] ? 1 : 0;
  return out;
}

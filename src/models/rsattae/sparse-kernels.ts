/**
 * The WebAssembly SIMD kernels of `sparse-kernels.wat`, wrapped with bounds checks: products of a
 * sparse matrix given as a cell list (row, column, value) with dense row-major matrices.
 *
 * One `SparseKernels` owns one wasm instance whose memory is laid out once, at construction, for
 * the largest cell list and matrix it will see; every call copies its inputs in and its result
 * out (the copies are small next to the products).
 */
import { HeedError } from '../../util/errors.js';
import { SPARSE_KERNELS_WASM_BASE64 } from './sparse-kernels-wasm.js';
import { growMemory, wasmInstance, WASM_MAX_BYTES, type WasmMemory } from '../../util/wasm.js';

interface KernelExports {
  readonly memory: WasmMemory;
  scatterRows(rows: number, cols: number, vals: number, n: number, src: number, out: number, h: number): void;
  cellDots(rows: number, cols: number, n: number, a: number, b: number, out: number, h: number): void;
}

/** A list of cells of a sparse matrix: parallel row and column indices (and values, where used). */
export interface CellList {
  readonly row: Int32Array;
  readonly col: Int32Array;
}

export interface KernelCapacity {
  /** Most cells of one call. */
  readonly cells: number;
  /** Most rows of any dense matrix (input or output). */
  readonly rows: number;
  /** Row width of the dense matrices: a positive multiple of 4. */
  readonly width: number;
}

export class SparseKernels {
  readonly capacity: KernelCapacity;
  private readonly k: KernelExports;
  private readonly at: {
    rows: number;
    cols: number;
    vals: number;
    cellOut: number;
    a: number;
    b: number;
    out: number;
  };

  constructor(capacity: KernelCapacity) {
    const { cells, rows, width } = capacity;
    if (!(Number.isInteger(width) && width > 0 && width % 4 === 0)) {
      throw new HeedError(`sparse kernels: the row width must be a positive multiple of 4, got ${width}`);
    }
    if (!(Number.isInteger(cells) && cells >= 0 && Number.isInteger(rows) && rows >= 0)) {
      throw new HeedError(`sparse kernels: bad capacity (${cells} cells, ${rows} rows)`);
    }
    this.capacity = capacity;
    this.k = wasmInstance<KernelExports>(SPARSE_KERNELS_WASM_BASE64);
    let end = 64;
    const reserve = (bytes: number): number => {
      const where = end;
      end += Math.ceil(Math.max(bytes, 16) / 16) * 16;
      return where;
    };
    const matrix = rows * width * 4;
    this.at = {
      rows: reserve(cells * 4),
      cols: reserve(cells * 4),
      vals: reserve(cells * 4),
      cellOut: reserve(cells * 4),
      a: reserve(matrix),
      b: reserve(matrix),
      out: reserve(matrix),
    };
    if (end > WASM_MAX_BYTES) throw new HeedError(`sparse kernels: ${end} bytes exceed WebAssembly's 4 GiB`);
    growMemory(this.k.memory, end);
  }

  /**
   * out[rows[k], :] += vals[k] · src[cols[k], :] over the cells, into a fresh [outRows, width]
   * matrix (zeros elsewhere). Cells with value 0 are skipped.
   */
  scatterRows(
    rows: Int32Array,
    cols: Int32Array,
    vals: Float32Array,
    src: Float32Array,
    srcRows: number,
    outRows: number,
  ): Float32Array {
    const w = this.capacity.width;
    this.checkCells(rows, cols, outRows, srcRows, vals.length);
    this.checkMatrix(src, srcRows, 'source');
    this.checkMatrix(undefined, outRows, 'output');
    const mem = this.k.memory.buffer;
    const n = rows.length;
    new Int32Array(mem, this.at.rows, n).set(rows);
    new Int32Array(mem, this.at.cols, n).set(cols);
    new Float32Array(mem, this.at.vals, n).set(vals);
    new Float32Array(mem, this.at.a, srcRows * w).set(src);
    new Float32Array(mem, this.at.out, outRows * w).fill(0);
    this.k.scatterRows(this.at.rows, this.at.cols, this.at.vals, n, this.at.a, this.at.out, w);
    return new Float32Array(mem, this.at.out, outRows * w).slice();
  }

  /** out[k] = a[rows[k], :] · b[cols[k], :]: the listed cells of a·bᵀ. */
  cellDots(cells: CellList, a: Float32Array, aRows: number, b: Float32Array, bRows: number): Float32Array {
    const w = this.capacity.width;
    const { row, col } = cells;
    this.checkCells(row, col, aRows, bRows, row.length);
    this.checkMatrix(a, aRows, 'left');
    this.checkMatrix(b, bRows, 'right');
    const mem = this.k.memory.buffer;
    const n = row.length;
    new Int32Array(mem, this.at.rows, n).set(row);
    new Int32Array(mem, this.at.cols, n).set(col);
    new Float32Array(mem, this.at.a, aRows * w).set(a);
    new Float32Array(mem, this.at.b, bRows * w).set(b);
    this.k.cellDots(this.at.rows, this.at.cols, n, this.at.a, this.at.b, this.at.cellOut, w);
    return new Float32Array(mem, this.at.cellOut, n).slice();
  }

  private checkCells(
    rows: Int32Array,
    cols: Int32Array,
    rowLimit: number,
    colLimit: number,
    values: number,
  ): void {
    const n = rows.length;
    if (cols.length !== n || values !== n) {
      throw new HeedError(`sparse kernels: ${n} rows, ${cols.length} columns and ${values} values`);
    }
    if (n > this.capacity.cells) {
      throw new HeedError(`sparse kernels: ${n} cells exceed the capacity of ${this.capacity.cells}`);
    }
    for (let k = 0; k < n; k++) {
      if (!(rows[k] >= 0 && rows[k] < rowLimit && cols[k] >= 0 && cols[k] < colLimit)) {
        throw new HeedError(
          `sparse kernels: cell ${k} (${rows[k]}, ${cols[k]}) is outside ${rowLimit} × ${colLimit}`,
        );
      }
    }
  }

  private checkMatrix(m: Float32Array | undefined, rows: number, what: string): void {
    if (rows > this.capacity.rows) {
      throw new HeedError(
        `sparse kernels: ${what} matrix of ${rows} rows exceeds the capacity of ${this.capacity.rows}`,
      );
    }
    if (m !== undefined && m.length !== rows * this.capacity.width) {
      throw new HeedError(
        `sparse kernels: ${what} matrix has ${m.length} values, expected ${rows} × ${this.capacity.width}`,
      );
    }
  }
}

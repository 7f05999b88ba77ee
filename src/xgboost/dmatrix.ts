/**
 * XGBoost's data matrix. Heed builds it from a dense, row-major Float32Array (what RSAttAE's
 * supervised stage produces: one row per rating, embeddings and features side by side); XGBoost
 * copies the values, so the array may be reused or dropped after construction.
 */
import { UsageError } from '../util/errors.js';
import { OwnedHandle } from './handle.js';
import { xgboost, type NativeHandle, type Out } from './library.js';

/** Per-row float fields XGBoost knows. */
export type FloatInfoField = 'label' | 'weight' | 'base_margin' | 'label_lower_bound' | 'label_upper_bound';

export interface DMatrixOptions {
  /** The value that marks a missing entry; default NaN. */
  readonly missing?: number;
  /** Per-row weights (same length as the rows). */
  readonly weights?: Float32Array;
}

export class DMatrix {
  readonly rows: number;
  readonly cols: number;
  private readonly owned: OwnedHandle;

  private constructor(handle: NativeHandle, rows: number, cols: number) {
    this.rows = rows;
    this.cols = cols;
    const lib = xgboost();
    this.owned = new OwnedHandle(this, handle, 'DMatrix', (h) =>
      lib.check(lib.fn.XGDMatrixFree(h), 'XGDMatrixFree'),
    );
  }

  /**
   * A matrix of `rows × cols` values stored row by row in `data` (missing entries NaN, or
   * `options.missing`), with optional labels, one per row.
   */
  static fromFloat32(
    data: Float32Array,
    rows: number,
    cols: number,
    labels?: Float32Array,
    options: DMatrixOptions = {},
  ): DMatrix {
    if (!(data instanceof Float32Array))
      throw new UsageError(`DMatrix data must be a Float32Array, got ${typeof data}`);
    if (!Number.isSafeInteger(rows) || rows < 0)
      throw new UsageError(`DMatrix rows must be an integer ≥ 0, got ${rows}`);
    if (!Number.isSafeInteger(cols) || cols < 1)
      throw new UsageError(`DMatrix cols must be an integer ≥ 1, got ${cols}`);
    if (data.length !== rows * cols) {
      throw new UsageError(
        `DMatrix data has ${data.length} values; rows × cols = ${rows} × ${cols} = ${rows * cols}`,
      );
    }
    const missing = options.missing ?? Number.NaN;
    if (typeof missing !== 'number') throw new UsageError(`DMatrix option "missing" must be a number`);
    const lib = xgboost();
    const out: Out<NativeHandle | null> = [null];
    lib.check(lib.fn.XGDMatrixCreateFromMat(data, rows, cols, missing, out), 'XGDMatrixCreateFromMat');
    if (out[0] === null) throw new UsageError('XGDMatrixCreateFromMat returned no handle');
    const matrix = new DMatrix(out[0], rows, cols);
    try {
      if (labels !== undefined) matrix.setFloatInfo('label', labels);
      if (options.weights !== undefined) matrix.setFloatInfo('weight', options.weights);
    } catch (e) {
      matrix.dispose();
      throw e;
    }
    return matrix;
  }

  /** Sets one value per row of a float field (labels, weights, base margins). */
  setFloatInfo(field: FloatInfoField, values: Float32Array): void {
    if (!(values instanceof Float32Array)) throw new UsageError(`DMatrix ${field} must be a Float32Array`);
    if (values.length !== this.rows) {
      throw new UsageError(`DMatrix ${field} has ${values.length} values for ${this.rows} rows`);
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]))
        throw new UsageError(`DMatrix ${field}[${i}] is ${values[i]}; it must be finite`);
    }
    const lib = xgboost();
    lib.check(
      lib.fn.XGDMatrixSetFloatInfo(this.handle, field, values, values.length),
      'XGDMatrixSetFloatInfo',
    );
  }

  /** Rows as XGBoost counts them (a check on what it received). */
  numRow(): number {
    const lib = xgboost();
    const out: Out<number | bigint> = [0];
    lib.check(lib.fn.XGDMatrixNumRow(this.handle, out), 'XGDMatrixNumRow');
    return Number(out[0]);
  }

  /** Columns as XGBoost counts them. */
  numCol(): number {
    const lib = xgboost();
    const out: Out<number | bigint> = [0];
    lib.check(lib.fn.XGDMatrixNumCol(this.handle, out), 'XGDMatrixNumCol');
    return Number(out[0]);
  }

  /** The native handle, for the Booster; throws after `dispose()`. */
  get handle(): NativeHandle {
    return this.owned.get();
  }

  get disposed(): boolean {
    return this.owned.disposed;
  }

  /** Frees the native matrix now. Safe to call twice. Boosters that cached it keep working. */
  dispose(): void {
    this.owned.dispose();
  }
}

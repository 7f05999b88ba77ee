/**
 * An XGBoost model: trained one boosting round at a time, evaluated, used for prediction, saved
 * in XGBoost's own formats (so a model trained here loads in Python's `xgboost.Booster` and back).
 */
import { UsageError } from '../util/errors.js';
import type { DMatrix } from './dmatrix.js';
import { OwnedHandle } from './handle.js';
import { xgboost, type NativeHandle, type NativePointer, type Out } from './library.js';
import { xgboostParamPairs, type XGBoostParams } from './params.js';

/** Attribute names shared with XGBoost's Python package, so early-stopping results round-trip. */
export const BEST_ITERATION_ATTR = 'best_iteration';
export const BEST_SCORE_ATTR = 'best_score';

/** `[begin, end)` over boosting rounds, 'best' (up to the best iteration if one is recorded) or 'all'. */
export type IterationRange = readonly [number, number] | 'best' | 'all';

export interface PredictOptions {
  /** Default 'best': rounds 0..bestIteration when early stopping recorded one, otherwise all. */
  readonly iterationRange?: IterationRange;
  /** Untransformed margins instead of predictions (same thing for `reg:squarederror`). */
  readonly outputMargin?: boolean;
}

/** A data set to evaluate and the name XGBoost prints for it, e.g. `[dvalid, 'valid']`. */
export type EvalSet = readonly [DMatrix, string];

/** Model file formats: JSON, Universal Binary JSON, or XGBoost's legacy binary (`.model`). */
const MODEL_EXTENSIONS = ['.json', '.ubj', '.model'] as const;

export class Booster {
  private readonly owned: OwnedHandle;

  /**
   * A new, untrained booster. `cache` lists the matrices it will train and evaluate on, so XGBoost
   * can keep their predictions between rounds (as Python's `xgboost.train` does).
   */
  constructor(params: XGBoostParams = {}, cache: readonly DMatrix[] = []) {
    const pairs = xgboostParamPairs(params);
    if (!Array.isArray(cache)) throw new UsageError('Booster cache must be an array of DMatrix');
    const lib = xgboost();
    const handles = cache.map((m) => m.handle);
    const out: Out<NativeHandle | null> = [null];
    lib.check(
      lib.fn.XGBoosterCreate(handles.length === 0 ? null : handles, handles.length, out),
      'XGBoosterCreate',
    );
    if (out[0] === null) throw new UsageError('XGBoosterCreate returned no handle');
    this.owned = new OwnedHandle(this, out[0], 'Booster', (h) =>
      lib.check(lib.fn.XGBoosterFree(h), 'XGBoosterFree'),
    );
    try {
      this.setParams(pairs);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Loads a model saved by `save` (or by XGBoost anywhere); `params` (nthread…) apply after loading. */
  static load(path: string, params: XGBoostParams = {}): Booster {
    if (typeof path !== 'string' || path === '') throw new UsageError('Booster.load needs a file path');
    const booster = new Booster({ nthread: params.nthread ?? undefined });
    try {
      const lib = xgboost();
      lib.check(lib.fn.XGBoosterLoadModel(booster.handle, path), 'XGBoosterLoadModel');
      booster.setParams(xgboostParamPairs(params));
    } catch (e) {
      booster.dispose();
      throw e;
    }
    return booster;
  }

  /** Loads a model from bytes made by `toBytes` (any of the three formats; XGBoost detects which). */
  static fromBytes(bytes: Uint8Array, params: XGBoostParams = {}): Booster {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0)
      throw new UsageError('Booster.fromBytes needs non-empty bytes');
    const booster = new Booster({ nthread: params.nthread ?? undefined });
    try {
      const lib = xgboost();
      lib.check(
        lib.fn.XGBoosterLoadModelFromBuffer(booster.handle, bytes, bytes.length),
        'XGBoosterLoadModelFromBuffer',
      );
      booster.setParams(xgboostParamPairs(params));
    } catch (e) {
      booster.dispose();
      throw e;
    }
    return booster;
  }

  /** Sets parameters after creation (checked like the constructor's). */
  setParam(params: XGBoostParams): void {
    // xgboostParamPairs fills in nthread when absent; only pass what the caller named.
    const pairs = xgboostParamPairs(params).filter(
      ([name]) => name !== 'nthread' || params.nthread !== undefined,
    );
    this.setParams(pairs);
  }

  /** One boosting round on `dtrain` (`iter` counts from 0; XGBoost uses it to seed sampling). */
  updateOneIter(iter: number, dtrain: DMatrix): void {
    checkIteration(iter, 'updateOneIter');
    const lib = xgboost();
    lib.check(lib.fn.XGBoosterUpdateOneIter(this.handle, iter, dtrain.handle), 'XGBoosterUpdateOneIter');
  }

  /**
   * Evaluates the configured metrics on each set; returns `{ 'valid-rmse': 0.87, ... }`, keyed as
   * XGBoost prints them (`<set name>-<metric>`).
   */
  evalOneIter(iter: number, evals: readonly EvalSet[]): Record<string, number> {
    checkIteration(iter, 'evalOneIter');
    if (!Array.isArray(evals) || evals.length === 0)
      throw new UsageError('evalOneIter needs at least one [DMatrix, name] pair');
    for (const [, name] of evals) {
      if (typeof name !== 'string' || !/^[^\s:]+$/.test(name)) {
        throw new UsageError(
          `evaluation set name ${JSON.stringify(name)} must be non-empty, without spaces or ':'`,
        );
      }
    }
    const lib = xgboost();
    const out: Out<string | null> = [null];
    lib.check(
      lib.fn.XGBoosterEvalOneIter(
        this.handle,
        iter,
        evals.map(([m]) => m.handle),
        evals.map(([, name]) => name),
        evals.length,
        out,
      ),
      'XGBoosterEvalOneIter',
    );
    return parseEvalLine(out[0] ?? '');
  }

  /**
   * Predictions for every row of `dm`, one value per row for regression (more for multi-class or
   * multi-output models: rows × outputs, row-major).
   */
  predict(dm: DMatrix, options: PredictOptions = {}): Float32Array {
    const [begin, end] = this.resolveRange(options.iterationRange ?? 'best');
    const config = JSON.stringify({
      type: options.outputMargin === true ? 1 : 0,
      training: false,
      iteration_begin: begin,
      iteration_end: end,
      strict_shape: false,
    });
    const lib = xgboost();
    const shape: Out<NativePointer> = [null];
    const dim: Out<number | bigint> = [0];
    const result: Out<NativePointer> = [null];
    lib.check(
      lib.fn.XGBoosterPredictFromDMatrix(this.handle, dm.handle, config, shape, dim, result),
      'XGBoosterPredictFromDMatrix',
    );
    const dims = lib.readUint64s(shape[0], Number(dim[0]));
    const count = dims.reduce((a, b) => a * b, 1);
    return lib.copyFloats(result[0], count);
  }

  /** Boosting rounds in the model. */
  boostedRounds(): number {
    const lib = xgboost();
    const out: Out<number> = [0];
    lib.check(lib.fn.XGBoosterBoostedRounds(this.handle, out), 'XGBoosterBoostedRounds');
    return out[0];
  }

  /** The round early stopping chose (0-based), if it recorded one; survives save and load. */
  get bestIteration(): number | undefined {
    const value = this.getAttr(BEST_ITERATION_ATTR);
    if (value === undefined) return undefined;
    const n = Number(value);
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  }

  /** The validation score at `bestIteration`, if recorded. */
  get bestScore(): number | undefined {
    const value = this.getAttr(BEST_SCORE_ATTR);
    return value === undefined ? undefined : Number(value);
  }

  /** A string attribute stored in the model (saved with it). */
  getAttr(key: string): string | undefined {
    const lib = xgboost();
    const out: Out<string | null> = [null];
    const success: Out<number> = [0];
    lib.check(lib.fn.XGBoosterGetAttr(this.handle, key, out, success), 'XGBoosterGetAttr');
    return success[0] === 1 && out[0] !== null ? out[0] : undefined;
  }

  /** Sets a string attribute, or deletes it when `value` is undefined. */
  setAttr(key: string, value: string | undefined): void {
    if (typeof key !== 'string' || key === '')
      throw new UsageError('attribute key must be a non-empty string');
    const lib = xgboost();
    lib.check(lib.fn.XGBoosterSetAttr(this.handle, key, value ?? null), 'XGBoosterSetAttr');
  }

  /**
   * Saves in XGBoost's own format, chosen by the extension: `.json`, `.ubj` (binary JSON) or
   * `.model` (XGBoost's legacy binary format; XGBoost 2.x warns that it is deprecated).
   */
  save(path: string): void {
    if (typeof path !== 'string' || !MODEL_EXTENSIONS.some((ext) => path.endsWith(ext))) {
      throw new UsageError(`model path ${JSON.stringify(path)} must end in ${MODEL_EXTENSIONS.join(', ')}`);
    }
    const lib = xgboost();
    lib.check(lib.fn.XGBoosterSaveModel(this.handle, path), 'XGBoosterSaveModel');
  }

  /** The model as bytes, in `json` (UTF-8 text) or `ubj` format, for storing inside other files. */
  toBytes(format: 'json' | 'ubj' = 'ubj'): Uint8Array {
    if (format !== 'json' && format !== 'ubj')
      throw new UsageError(`model format must be "json" or "ubj", got ${String(format)}`);
    const lib = xgboost();
    const len: Out<number | bigint> = [0];
    const data: Out<NativePointer> = [null];
    lib.check(
      lib.fn.XGBoosterSaveModelToBuffer(this.handle, JSON.stringify({ format }), len, data),
      'XGBoosterSaveModelToBuffer',
    );
    return lib.copyBytes(data[0], Number(len[0]));
  }

  /** The native handle; throws after `dispose()`. */
  get handle(): NativeHandle {
    return this.owned.get();
  }

  get disposed(): boolean {
    return this.owned.disposed;
  }

  /** Frees the native model now. Safe to call twice. */
  dispose(): void {
    this.owned.dispose();
  }

  private setParams(pairs: ReadonlyArray<readonly [string, string]>): void {
    const lib = xgboost();
    for (const [name, value] of pairs) {
      lib.check(lib.fn.XGBoosterSetParam(this.handle, name, value), 'XGBoosterSetParam');
    }
  }

  private resolveRange(range: IterationRange): [number, number] {
    if (range === 'all') return [0, 0];
    if (range === 'best') {
      const best = this.bestIteration;
      return best === undefined ? [0, 0] : [0, best + 1];
    }
    if (!Array.isArray(range) || range.length !== 2)
      throw new UsageError('iterationRange must be [begin, end], "best" or "all"');
    const [begin, end] = range;
    const rounds = this.boostedRounds();
    if (
      !Number.isSafeInteger(begin) ||
      !Number.isSafeInteger(end) ||
      begin < 0 ||
      end <= begin ||
      end > rounds
    ) {
      throw new UsageError(
        `iterationRange [${begin}, ${end}] must satisfy 0 ≤ begin < end ≤ ${rounds} (rounds in the model)`,
      );
    }
    return [begin, end];
  }
}

function checkIteration(iter: number, where: string): void {
  if (!Number.isSafeInteger(iter) || iter < 0 || iter > 2 ** 31 - 1) {
    throw new UsageError(`${where}: iteration must be an integer ≥ 0, got ${iter}`);
  }
}

/**
 * Parses XGBoost's evaluation line, `[12]\ttrain-rmse:0.51\tvalid-rmse:0.87`, into
 * `{ 'train-rmse': 0.51, 'valid-rmse': 0.87 }`. Values may be `nan` or `inf`.
 */
export function parseEvalLine(line: string): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const token of line.trim().split('\t').slice(1)) {
    const colon = token.lastIndexOf(':');
    if (colon <= 0) continue;
    const key = token.slice(0, colon);
    const text = token
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    metrics[key] =
      text === 'inf' || text === '+inf'
        ? Infinity
        : text === '-inf'
          ? -Infinity
          : text === 'nan' || text === '-nan'
            ? NaN
            : Number(text);
  }
  return metrics;
}

/**
 * Checks of a neural or factorization model's settings (and of the indices `explain` is given)
 * whose errors name the model and the key: `afm-gau setting "factors" must be a positive integer,
 * got 0`. The classic MF models have their own `numberSetting` (mf-common.ts), worded
 * `model "biasedmf" setting …`.
 */
import { UsageError } from '../util/errors.js';
import { num, str } from './config.js';
import type { ModelConfig } from './model.js';

/** An integer setting of at least `min`. */
export function integerSetting(model: string, config: ModelConfig, key: string, min: number): number {
  const v = num(config, key);
  if (!Number.isInteger(v) || v < min)
    throw new UsageError(`${model} setting "${key}" must be an integer >= ${min}, got ${v}`);
  return v;
}

/** An integer setting of at least 1 (a size). */
export function positiveIntSetting(model: string, config: ModelConfig, key: string): number {
  const v = num(config, key);
  if (!Number.isInteger(v) || v < 1)
    throw new UsageError(`${model} setting "${key}" must be a positive integer, got ${v}`);
  return v;
}

/** A rate in [0, 1) (dropout). */
export function rateSetting(model: string, config: ModelConfig, key: string): number {
  const v = num(config, key);
  if (!(v >= 0 && v < 1)) throw new UsageError(`${model} setting "${key}" must be in [0, 1), got ${v}`);
  return v;
}

/** A string setting that must be one of `choices`. */
export function oneOfSetting<T extends string>(
  model: string,
  config: ModelConfig,
  key: string,
  choices: readonly T[],
): T {
  const v = str(config, key);
  if (!(choices as readonly string[]).includes(v))
    throw new UsageError(`${model} setting "${key}" must be one of ${choices.join(', ')}, got "${v}"`);
  return v as T;
}

/** A user or item index given to `explain`, which must be one the model was built for. */
export function checkExplainIndex(model: string, index: number, count: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new UsageError(`${model} explain: ${what} ${index} is outside [0, ${count})`);
}

/**
 * Merging user overrides (`--set key=value`, JSON configs) into a model's defaults. Each value is
 * parsed to the type of its default; unknown keys and unparsable values are errors naming the key.
 */
import { UsageError } from '../util/errors.js';
import type { ConfigValue, ModelConfig, ModelSpec } from './model.js';

export function resolveConfig(
  spec: ModelSpec,
  overrides: Record<string, string | ConfigValue> = {},
): ModelConfig {
  const config: ModelConfig = { ...spec.defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in spec.defaults)) {
      const known = Object.keys(spec.defaults).join(', ');
      throw new UsageError(`model "${spec.id}" has no setting "${key}" (settings: ${known})`);
    }
    config[key] = coerce(spec.id, key, spec.defaults[key], value);
  }
  return config;
}

function coerce(
  model: string,
  key: string,
  byDefault: ConfigValue,
  value: string | ConfigValue,
): ConfigValue {
  if (typeof byDefault === 'number') {
    const n = typeof value === 'number' ? value : Number(value);
    if (
      typeof value === 'boolean' ||
      (typeof value === 'string' && value.trim() === '') ||
      !Number.isFinite(n)
    ) {
      throw new UsageError(`model "${model}" setting "${key}" must be a number, got "${String(value)}"`);
    }
    return n;
  }
  if (typeof byDefault === 'boolean') {
    if (value === true || value === 'true' || value === '1') return true;
    if (value === false || value === 'false' || value === '0') return false;
    throw new UsageError(`model "${model}" setting "${key}" must be true or false, got "${String(value)}"`);
  }
  return String(value);
}

/** Reads a numeric setting, for model constructors. */
export function num(config: ModelConfig, key: string): number {
  const v = config[key];
  if (typeof v !== 'number')
    throw new UsageError(`setting "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** Reads a boolean setting, for model constructors. */
export function bool(config: ModelConfig, key: string): boolean {
  const v = config[key];
  if (typeof v !== 'boolean')
    throw new UsageError(`setting "${key}" must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** Reads a string setting, for model constructors. */
export function str(config: ModelConfig, key: string): string {
  const v = config[key];
  if (typeof v !== 'string')
    throw new UsageError(`setting "${key}" must be a string, got ${JSON.stringify(v)}`);
  return v;
}

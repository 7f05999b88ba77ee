/**
 * Merging user overrides (`--set key=value`, JSON configs) into a model's defaults. Each value is
 * parsed to its setting's type and checked against the model's schema (settings-schema.ts);
 * unknown keys, unparsable and out-of-range values are errors naming the model and the key.
 */
import { UsageError } from '../util/errors.js';
import type { ConfigValue, ModelConfig, ModelSpec } from './model.js';
import { defaultsOf, parseSetting, unknownSettingError } from './settings-schema.js';

export function resolveConfig(
  spec: ModelSpec,
  overrides: Readonly<Record<string, string | ConfigValue>> = {},
): ModelConfig {
  const config = defaultsOf(spec.settings);
  for (const [key, value] of Object.entries(overrides)) {
    const definition = Object.hasOwn(spec.settings, key) ? spec.settings[key] : undefined;
    if (definition === undefined) throw unknownSettingError(spec.id, spec.settings, key);
    config[key] = parseSetting(spec.id, key, definition, value);
  }
  return config;
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

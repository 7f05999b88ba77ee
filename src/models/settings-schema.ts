/**
 * Typed settings of a model: every key a user may `--set`, with its type, default, allowed range
 * or choices, a one-line doc and the paper the default comes from. `ModelSpec.settings` holds one
 * schema per model (declared beside the model); `defaultsOf` derives `ModelSpec.defaults` from it,
 * `parseSetting` turns `--set key=value` text into a checked value, and `checkConfig` refuses a
 * whole config (from code or from `model.json`) that breaks the schema. Errors name the model and
 * the key: `model "biasedmf" setting "factors" must be an integer >= 1, got 0`.
 *
 * Only checks of one setting at a time live here; checks across settings (SAIN's `featureDim` a
 * multiple of `heads`, fm's `burnIn` below `iterations`) stay in the models.
 */
import { UsageError } from '../util/errors.js';
import type { ConfigValue, ModelConfig } from './model.js';
import { renamedSetting } from './renamed-settings.js';

interface SettingDoc {
  /** One line for `heed models` and docs/SETTINGS.md. */
  readonly doc: string;
  /** Where the default comes from, when a paper gives it ("SAFMR Table 3"). */
  readonly paper?: string;
  /**
   * True for a setting that says how a fit runs, not what it fits (BiasedMF's `threads`): it is
   * left out of experiment run keys (`runIdentityConfig`), so a stored run is found whatever it is.
   */
  readonly execution?: boolean;
  /**
   * True for a setting added after runs were stored whose default reproduces the earlier fits
   * exactly (fm's `mcmcLayout`: `auto` is the old sampler wherever the old one could run): left out
   * of run keys at its default, so those runs are still found, and kept in them at any other value,
   * which fits something else.
   */
  readonly keyUnlessDefault?: boolean;
}

export interface NumberSetting extends SettingDoc {
  /** `integer` also refuses fractions. */
  readonly type: 'number' | 'integer';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  /** True when `min` (or `max`) itself is not allowed. */
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
}

export interface BooleanSetting extends SettingDoc {
  readonly type: 'boolean';
  readonly default: boolean;
}

export interface StringSetting extends SettingDoc {
  readonly type: 'string';
  readonly default: string;
  /** The only values allowed; absent: any text (a list of fields, a file name). */
  readonly choices?: readonly string[];
}

export type SettingDefinition = NumberSetting | BooleanSetting | StringSetting;
export type SettingsSchema = Readonly<Record<string, SettingDefinition>>;

type NumberOptions = Omit<NumberSetting, 'type' | 'default' | 'doc'>;

/** A real-valued setting. */
export function real(value: number, doc: string, options: NumberOptions = {}): NumberSetting {
  return { type: 'number', default: value, doc, ...options };
}

/** An integer setting (a size, a count, a seed). */
export function integer(value: number, doc: string, options: NumberOptions = {}): NumberSetting {
  return { type: 'integer', default: value, doc, ...options };
}

export function flag(value: boolean, doc: string, options: { paper?: string } = {}): BooleanSetting {
  return { type: 'boolean', default: value, doc, ...options };
}

/** A free-text setting, or one of `choices`. */
export function text(
  value: string,
  doc: string,
  options: { paper?: string; choices?: readonly string[]; keyUnlessDefault?: boolean } = {},
): StringSetting {
  return { type: 'string', default: value, doc, ...options };
}

/**
 * The config a run's identity holds: `config` without its `execution` settings, and without its
 * `keyUnlessDefault` settings where they are at their default.
 */
export function runIdentityConfig(schema: SettingsSchema, config: ModelConfig): ModelConfig {
  return Object.fromEntries(
    Object.entries(config).filter(([key, value]) => {
      const definition = schema[key];
      if (definition?.execution === true) return false;
      return !(definition?.keyUnlessDefault === true && value === definition.default);
    }),
  );
}

/**
 * `config` with every `execution` or `keyUnlessDefault` setting it lacks at its default: a model
 * saved before such a setting existed still loads (the setting either said how to fit, not what was
 * fitted, or its default is what the fit did before it existed).
 */
export function withExecutionDefaults(schema: SettingsSchema, config: ModelConfig): ModelConfig {
  const filled: ModelConfig = { ...config };
  for (const [key, definition] of Object.entries(schema))
    if ((definition.execution === true || definition.keyUnlessDefault === true) && !(key in filled))
      filled[key] = definition.default;
  return filled;
}

/** `ModelSpec.defaults`: every setting at its default. */
export function defaultsOf(schema: SettingsSchema): ModelConfig {
  const defaults: ModelConfig = {};
  for (const [key, definition] of Object.entries(schema)) defaults[key] = definition.default;
  return defaults;
}

/** The allowed values of a setting in words: `an integer >= 1`, `one of sum, pairwise`. */
export function describeRange(definition: SettingDefinition): string {
  if (definition.type === 'boolean') return 'true or false';
  if (definition.type === 'string') {
    return definition.choices ? `one of ${definition.choices.join(', ')}` : 'text';
  }
  const kind = definition.type === 'integer' ? 'an integer' : 'a number';
  const bounds: string[] = [];
  if (definition.min !== undefined) bounds.push(`${definition.minExclusive ? '>' : '>='} ${definition.min}`);
  if (definition.max !== undefined) bounds.push(`${definition.maxExclusive ? '<' : '<='} ${definition.max}`);
  if (definition.min !== undefined && definition.max !== undefined) {
    const open = definition.minExclusive ? '(' : '[';
    const close = definition.maxExclusive ? ')' : ']';
    return `${kind} in ${open}${definition.min}, ${definition.max}${close}`;
  }
  return bounds.length === 0 ? kind : `${kind} ${bounds.join(' and ')}`;
}

/** Checks one value against its definition; the error names the model and the key. */
export function checkSetting(
  model: string,
  key: string,
  definition: SettingDefinition,
  value: ConfigValue | undefined,
): void {
  const fail = (): never => {
    const got = typeof value === 'string' ? `"${value}"` : String(value);
    throw new UsageError(
      `model "${model}" setting "${key}" must be ${describeRange(definition)}, got ${got}`,
    );
  };
  if (definition.type === 'boolean') {
    if (typeof value !== 'boolean') fail();
    return;
  }
  if (definition.type === 'string') {
    if (typeof value !== 'string') fail();
    if (definition.choices && !definition.choices.includes(value as string)) fail();
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail();
  if (definition.type === 'integer' && !Number.isInteger(value)) fail();
  const { min, max } = definition;
  if (min !== undefined && (definition.minExclusive ? value <= min : value < min)) fail();
  if (max !== undefined && (definition.maxExclusive ? value >= max : value > max)) fail();
}

/**
 * Parses a value given as text (`--set key=value`) or as JSON to the setting's type, then checks
 * it. Numbers are not parsed from booleans, nor booleans from anything but true/false/1/0.
 */
export function parseSetting(
  model: string,
  key: string,
  definition: SettingDefinition,
  value: string | ConfigValue,
): ConfigValue {
  const parsed = parseAs(definition, value);
  checkSetting(model, key, definition, parsed);
  return parsed;
}

function parseAs(definition: SettingDefinition, value: string | ConfigValue): ConfigValue {
  if (typeof value !== 'string') return value;
  if (definition.type === 'boolean') {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    return value;
  }
  if (definition.type === 'string') return value;
  const n = value.trim() === '' ? NaN : Number(value);
  return Number.isNaN(n) ? value : n;
}

/**
 * Checks a whole config: every setting of the schema present and valid, no other key. Model
 * constructors (or their specs' `create` and `restore`) call it, so a bad config fails before any
 * data is read, whoever built it. Returns the config, for use inline.
 */
export function checkConfig(model: string, schema: SettingsSchema, config: ModelConfig): ModelConfig {
  for (const key of Object.keys(config)) {
    if (!(key in schema)) throw unknownSettingError(model, schema, key);
  }
  for (const [key, definition] of Object.entries(schema)) {
    checkSetting(model, key, definition, config[key]);
  }
  return config;
}

/**
 * The error for a key the model does not have: it suggests the setting's new name if the key is
 * an old one (`lr` is now `learningRate`), else the nearest name by edit distance.
 */
export function unknownSettingError(model: string, schema: SettingsSchema, key: string): UsageError {
  const names = Object.keys(schema);
  const renamed = renamedSetting(model, key);
  const suggestion = renamed !== undefined && renamed in schema ? renamed : nearestName(key, names);
  const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
  return new UsageError(
    `model "${model}" has no setting "${key}"${hint} (settings: ${names.join(', ') || 'none'})`,
  );
}

/** The name closest to `key` (case-insensitive edit distance), if it is close enough to be a typo. */
export function nearestName(key: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  // A third of the key's length: "factor" finds "factors", "x" finds nothing.
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions cost 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

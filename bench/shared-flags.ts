/**
 * What the model benches share on their command lines: `--set KEY=VALUE` overrides (and how they
 * are written down next to a result) and `--out FILE` for the results JSON.
 */
import type { FlagSpec } from '../src/cli/flags.js';
import type { ModelSpec } from '../src/models/model.js';
import { unknownSettingError } from '../src/models/settings-schema.js';
import { UsageError } from '../src/util/errors.js';

/** `--set KEY=VALUE`, repeatable. */
export const SET_FLAG: FlagSpec = {
  kind: 'repeatable',
  value: 'KEY=VALUE',
  description: 'Override a setting of every model that has it',
};

/**
 * Refuses an override that none of the benched models has: it would be dropped silently (each model
 * takes the overrides it has), e.g. an old setting name such as `lr`.
 */
export function checkOverrideKeys(
  overrides: Readonly<Record<string, string>>,
  specs: readonly ModelSpec[],
): void {
  for (const key of Object.keys(overrides)) {
    if (specs.length === 0 || specs.some((spec) => key in spec.settings)) continue;
    const hint = unknownSettingError(specs[0].id, specs[0].settings, key).message;
    throw new UsageError(`--set ${key}: none of the models run here has this setting (${hint})`);
  }
}

/** `--out FILE`, the results JSON, `defaultFile` when not given. */
export function outFlag(defaultFile: string): FlagSpec {
  return { kind: 'string', value: 'FILE', description: 'Results JSON', defaultText: defaultFile };
}

/** Overrides as typed on the command line (`epochs=2 factors=50`); '' for none. */
export function overridesText(overrides: Readonly<Record<string, string>>): string {
  return Object.entries(overrides)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

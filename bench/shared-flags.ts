/**
 * What the model benches share on their command lines: `--set KEY=VALUE` overrides (and how they
 * are written down next to a result) and `--out FILE` for the results JSON.
 */
import type { FlagSpec } from '../src/cli/flags.js';

/** `--set KEY=VALUE`, repeatable. */
export const SET_FLAG: FlagSpec = {
  kind: 'repeatable',
  value: 'KEY=VALUE',
  description: 'Override a setting of every model that has it',
};

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

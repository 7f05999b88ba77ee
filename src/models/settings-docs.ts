/**
 * The settings of the models as rows for `heed models` (text and `--json`) and as the Markdown of
 * docs/SETTINGS.md (`heed models --markdown`), all from the schemas, so the docs cannot drift.
 */
import { formatMarkdownTable } from '../cli/table.js';
import type { ConfigValue, ModelSpec } from './model.js';
import { RENAMED_SETTINGS } from './renamed-settings.js';
import { describeRange, type SettingsSchema } from './settings-schema.js';

export interface SettingRow {
  readonly name: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'string';
  readonly default: ConfigValue;
  /** Allowed values in words: `an integer >= 1`, `one of sum, pairwise`. */
  readonly range: string;
  readonly doc: string;
  /** Where the default comes from in a paper, if it does. */
  readonly paper?: string;
}

export function settingRows(schema: SettingsSchema): SettingRow[] {
  return Object.entries(schema).map(([name, d]) => ({
    name,
    type: d.type,
    default: d.default,
    range: describeRange(d),
    doc: d.doc,
    ...(d.paper === undefined ? {} : { paper: d.paper }),
  }));
}

/** How a default reads in text and docs: strings quoted, so the empty string shows. */
export function formatDefault(value: ConfigValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export const SETTINGS_MARKDOWN_COMMAND = 'node dist/src/cli/main.js models --markdown > docs/SETTINGS.md';

export function settingsMarkdown(models: readonly ModelSpec[]): string {
  const parts = [
    '# Model settings',
    '',
    `<!-- Generated from the models' schemas by \`${SETTINGS_MARKDOWN_COMMAND}\` (after a build); do not edit by hand. test/settings.test.ts fails when this file is out of date. -->`,
    '',
    'Every setting a model accepts with `--set key=value` (or in a JSON config): its type, default, allowed values, ' +
      'what it does and, where the default comes from a paper, where. Values are checked against this schema; an ' +
      'unknown key is refused with the nearest name suggested. The schemas live beside the models ' +
      '(`src/models/*/settings.ts`, `src/models/classic/*-settings.ts`); the checking is in ' +
      '`src/models/settings-schema.ts`.',
    '',
  ];
  for (const spec of models) {
    parts.push(`## ${spec.id}`, '', `${spec.summary}.`, '', `Reference: ${spec.reference}`, '');
    const rows = settingRows(spec.settings);
    if (rows.length === 0) {
      parts.push('No settings.', '');
      continue;
    }
    const cells = rows.map((r) => [
      `\`${r.name}\``,
      r.type,
      `\`${formatDefault(r.default)}\``,
      r.range,
      r.doc,
      r.paper ?? '',
    ]);
    parts.push(formatMarkdownTable(['Setting', 'Type', 'Default', 'Allowed', 'Description', 'Paper'], cells));
  }
  parts.push(
    '## Renamed settings',
    '',
    'Settings renamed so that one concept has one name in every model. `--set` with an old name is refused ' +
      'with the new one suggested; saved models (`model.json`) written with old names load unchanged, their keys ' +
      'renamed on load (`src/models/renamed-settings.ts`).',
    '',
  );
  const renamed = Object.entries(RENAMED_SETTINGS).flatMap(([model, names]) =>
    Object.entries(names).map(([old, now]) => [model, `\`${old}\``, `\`${now}\``]),
  );
  parts.push(formatMarkdownTable(['Model', 'Old name', 'New name'], renamed));
  return parts.join('\n');
}

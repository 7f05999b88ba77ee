/**
 * `heed models`: every model id with its summary, paper and settings (the keys `--set` accepts,
 * with type, default, allowed values, doc and paper), as text, JSON or the Markdown of
 * docs/SETTINGS.md.
 */
import { MODELS } from '../models/index.js';
import { formatDefault, settingRows, settingsMarkdown } from '../models/settings-docs.js';
import { UsageError } from '../util/errors.js';
import { printJson, type Command } from './command.js';
import { formatTable } from './table.js';

export const modelsCommand: Command = {
  spec: {
    name: 'models',
    summary: 'List the models. Shows id, summary, paper and every setting (override with --set key=value).',
    flags: {
      json: { kind: 'switch', description: 'Print one JSON array on stdout' },
      markdown: { kind: 'switch', description: 'Print the settings as Markdown (docs/SETTINGS.md)' },
    },
  },
  async run(args, io) {
    if (args.switch('json') && args.switch('markdown'))
      throw new UsageError('--json and --markdown cannot be combined');
    if (args.switch('markdown')) {
      io.stdout.write(settingsMarkdown(MODELS));
      return;
    }
    const models = MODELS.map((m) => ({
      id: m.id,
      summary: m.summary,
      reference: m.reference,
      defaults: m.defaults,
      settings: settingRows(m.settings),
    }));
    if (args.switch('json')) {
      printJson(io, models);
      return;
    }
    const blocks = models.map((m) => {
      const rows = m.settings.map((s) => [
        s.name,
        s.type,
        formatDefault(s.default),
        s.range,
        s.doc,
        s.paper ?? '-',
      ]);
      const table =
        rows.length === 0
          ? '  settings: none\n'
          : formatTable(['setting', 'type', 'default', 'allowed', 'doc', 'paper'], rows)
              .split('\n')
              .map((line) => (line === '' ? line : `  ${line}`))
              .join('\n');
      return [`${m.id}`, `  ${m.summary}`, `  reference: ${m.reference}`, table].join('\n');
    });
    io.stdout.write(blocks.join('\n'));
  },
};

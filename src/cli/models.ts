/**
 * `heed models`: every model id with its summary, paper and settings (the keys `--set` accepts,
 * with their defaults).
 */
import { MODELS } from '../models/index.js';
import { printJson, type Command } from './command.js';
import { formatConfig } from './common.js';

export const modelsCommand: Command = {
  spec: {
    name: 'models',
    summary:
      'List the models. Shows id, summary, paper and default settings (override with --set key=value).',
    flags: { json: { kind: 'switch', description: 'Print one JSON array on stdout' } },
  },
  async run(args, io) {
    const models = MODELS.map((m) => ({
      id: m.id,
      summary: m.summary,
      reference: m.reference,
      defaults: m.defaults,
    }));
    if (args.switch('json')) {
      printJson(io, models);
      return;
    }
    const blocks = models.map((m) =>
      [
        `${m.id}`,
        `  ${m.summary}`,
        `  reference: ${m.reference}`,
        `  settings:  ${formatConfig(m.defaults)}`,
      ].join('\n'),
    );
    io.stdout.write(blocks.join('\n\n') + '\n');
  },
};

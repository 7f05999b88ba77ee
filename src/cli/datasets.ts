/**
 * `heed datasets`: the data set ids Heed loads, what they hold, and where their files are
 * expected (relative to the data directory, which this command also names).
 */
import { listDatasets, resolveDataDir } from '../data/registry.js';
import { printJson, type Command } from './command.js';

export const datasetsCommand: Command = {
  spec: {
    name: 'datasets',
    summary: 'List the data sets. Shows id, description and where their files are expected.',
    flags: {
      'data-dir': { kind: 'string', value: 'DIR', description: 'Show paths under this data directory' },
      json: { kind: 'switch', description: 'Print one JSON object on stdout' },
    },
  },
  async run(args, io) {
    const dataDir = resolveDataDir(args.string('data-dir'));
    const datasets = listDatasets();
    if (args.switch('json')) {
      printJson(io, { dataDir, datasets });
      return;
    }
    const lines = [
      `data directory: ${dataDir}`,
      '  (--data-dir DIR, else $HEED_DATA_DIR, else the cache that heed data fetch fills)',
      '',
    ];
    for (const d of datasets) lines.push(d.id, `  ${d.description}`, `  files: ${d.location}`, '');
    io.stdout.write(lines.join('\n'));
  },
};

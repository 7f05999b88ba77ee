/**
 * `heed data fetch ml-100k|ml-1m`: download a MovieLens release from GroupLens into the data
 * directory, checking every data file's checksum (see `src/data/fetch.ts`). Progress goes to
 * stderr; the final path goes to stdout.
 */
import { fetchDataset } from '../data/fetch.js';
import { UsageError } from '../util/errors.js';
import { printJson, type Command } from './command.js';

export const dataFetchCommand: Command = {
  spec: {
    name: 'data fetch',
    summary:
      'Download ml-100k or ml-1m from GroupLens. The files go into the data directory and are checked against ' +
      'their checksums. ' +
      'The GroupLens terms apply: research use, cite Harper & Konstan 2015, no redistribution.',
    positionals: [{ name: 'NAME', description: 'ml-100k or ml-1m' }],
    flags: {
      dir: {
        kind: 'string',
        value: 'DIR',
        description: 'Data directory to download into',
        defaultText: '$HEED_DATA_DIR, else ~/.cache/heed',
      },
      force: { kind: 'switch', description: 'Download again even when a verified copy is there' },
      json: { kind: 'switch', description: 'Print one JSON object on stdout' },
    },
    examples: ['heed data fetch ml-100k', 'heed data fetch ml-1m --dir ./data'],
  },
  async run(args, io) {
    const name = args.positionals[0];
    if (name === undefined) throw new UsageError('heed data fetch needs a data set name: ml-100k or ml-1m');
    const dir = args.string('dir');
    const result = await fetchDataset(name, {
      ...(dir !== undefined ? { dir } : {}),
      force: args.switch('force'),
      onProgress: (message) => io.stderr.write(`${message}\n`),
    });
    if (args.switch('json')) printJson(io, result);
    else io.stdout.write(`${result.path}\n`);
  },
};

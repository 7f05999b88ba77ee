/**
 * `heed serve`: the HTTP service and explanation explorer over a saved model (`src/serve/`). It
 * prints the URL it listens on to stdout, logs one line per request to stderr, and shuts down
 * gracefully on Ctrl-C or SIGTERM: it stops accepting connections and lets requests in flight
 * finish (connections still open after a few seconds are closed). Given `--model-dir` more than
 * once, it serves every model (the explorer compares them); requests choose one with `?model=`.
 */
import type { AddressInfo } from 'node:net';
import type { Dataset } from '../data/dataset.js';
import { openArtifact } from '../models/artifact.js';
import { rebuildRatedItemsFrom } from '../serve/rated-items.js';
import { modelNames, type ServedModel } from '../serve/served-models.js';
import { createServer } from '../serve/server.js';
import { HeedError, UsageError } from '../util/errors.js';
import { openDataset } from './common.js';
import type { Command } from './command.js';

/** How long shutdown waits for open connections before closing them. */
const SHUTDOWN_GRACE_MS = 3000;

export const serveCommand: Command = {
  spec: {
    name: 'serve',
    summary:
      'Serve a saved model over HTTP: JSON endpoints /predict, /explain, /recommend, /health and an ' +
      'explanation explorer page at /. See docs/SERVE.md.',
    flags: {
      'model-dir': {
        kind: 'repeatable',
        value: 'DIR',
        required: true,
        description:
          'A directory written by heed train; give it again to serve several models (the first answers ' +
          'by default, ?model=NAME chooses another: NAME is the directory name)',
      },
      port: {
        kind: 'integer',
        value: 'N',
        description: 'Port to listen on (0: any free port)',
        defaultText: '8080',
      },
      host: { kind: 'string', value: 'HOST', description: 'Address to listen on', defaultText: '127.0.0.1' },
      'exclude-rated': {
        kind: 'switch',
        description:
          'Rebuild the training ratings from the data set (split and seed in model.json) so /recommend ' +
          'leaves out what each user rated (for every served model)',
      },
      'data-dir': {
        kind: 'string',
        value: 'DIR',
        description: 'Where the data set files are, for --exclude-rated (see heed datasets for the default)',
      },
      quiet: { kind: 'switch', description: 'No request log on stderr' },
    },
    examples: [
      'heed serve --model-dir models/afm-gau',
      'heed serve --model-dir models/afm-gau --port 0 --exclude-rated --data-dir /data',
      'heed serve --model-dir models/afm-gau --model-dir models/sain   # compare them in the explorer',
    ],
  },
  async run(args, io) {
    const port = args.integer('port') ?? 8080;
    if (!(port >= 0 && port <= 65535))
      throw new UsageError(`--port must be between 0 and 65535, got ${port}`);
    const host = args.string('host') ?? '127.0.0.1';
    if (host.trim() === '') throw new UsageError('--host must not be empty');
    const excludeRated = args.switch('exclude-rated');
    const dataDir = args.string('data-dir');
    if (dataDir !== undefined && !excludeRated) {
      throw new UsageError('--data-dir is used only with --exclude-rated');
    }
    const dirs = args.list('model-dir');
    const names = modelNames(dirs);
    const models: ServedModel[] = [];
    // Each data set is loaded once, however many of the models were trained on it.
    const datasets = new Map<string, Dataset>();
    for (const [k, dir] of dirs.entries()) {
      const artifact = await openArtifact(dir);
      if (!excludeRated) {
        models.push({ name: names[k], artifact });
        continue;
      }
      const id = artifact.manifest.dataset;
      // openDataset prints the loader's warnings, as train and evaluate do.
      const dataset = datasets.get(id) ?? (await openDataset(id, dataDir, io.stderr));
      datasets.set(id, dataset);
      const rated = rebuildRatedItemsFrom(artifact, dataset);
      io.stderr.write(`heed serve: rated items ${rated.source}\n`);
      models.push({ name: names[k], artifact, rated });
    }
    const quiet = args.switch('quiet');
    const server = createServer(models, {
      log: (line) => {
        if (!quiet) io.stderr.write(line + '\n');
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const why =
          error.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is already in use (--port; 0 picks a free one)`
            : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
              ? `cannot listen on host "${host}" (--host)`
              : error.message;
        reject(new HeedError(`heed serve: ${why}`));
      });
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    io.stdout.write(
      `heed serve: ${models.map((m) => m.artifact.manifest.model).join(', ')} listening on http://${shownHost}:${address.port}/\n`,
    );

    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (why: string): void => {
        if (stopping) return;
        stopping = true;
        process.removeListener('SIGTERM', onTerm);
        io.stderr.write(`heed serve: ${why}, shutting down\n`);
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      };
      const onTerm = (): void => stop('SIGTERM');
      process.once('SIGTERM', onTerm);
      if (io.signal?.aborted) stop('interrupted');
      io.signal?.addEventListener('abort', () => stop('interrupted'), { once: true });
    });
  },
};

/**
 * `heed serve`: the HTTP service and explanation explorer over a saved model (`src/serve/`). It
 * prints the URL it listens on to stdout, logs one line per request (stderr, a file, or nowhere),
 * and shuts down gracefully on Ctrl-C or SIGTERM: it stops accepting connections and lets
 * requests in flight finish (connections still open after a few seconds are closed). With
 * `--workers N` (N > 1) it forks N worker processes that share the port (`serve-workers.ts`).
 * Given `--model-dir` more than once, it serves every model (the explorer compares them);
 * requests choose one with `?model=`.
 */
import type { Command } from './command.js';
import { runOneServer, type ServeSettings } from './serve-one.js';
import { runWorkers } from './serve-workers.js';
import { UsageError } from '../util/errors.js';
import { modelNames } from '../serve/served-models.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../serve/server.js';

export const serveCommand: Command = {
  spec: {
    name: 'serve',
    summary:
      'Serve a saved model over HTTP: JSON endpoints /predict, /explain, /recommend, /users, /stats, ' +
      '/models, /health, /openapi.json, explanation pictures at /explain.svg and an explanation ' +
      'explorer page at /; --model-dir again serves several. See docs/SERVE.md.',
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
      workers: {
        kind: 'integer',
        value: 'N',
        description:
          'Processes serving the port (node:cluster); a worker that dies is replaced (see docs/SERVE.md)',
        defaultText: '1',
      },
      'headers-timeout': {
        kind: 'integer',
        value: 'SECONDS',
        description: 'A client must send its request headers within this time, or get 408',
        defaultText: String(DEFAULT_HEADERS_TIMEOUT_MS / 1000),
      },
      'request-timeout': {
        kind: 'integer',
        value: 'SECONDS',
        description: 'A client must send its whole request, body included, within this time, or get 408',
        defaultText: String(DEFAULT_REQUEST_TIMEOUT_MS / 1000),
      },
      log: {
        kind: 'string',
        value: 'FILE',
        description: 'Append the request log to FILE instead of stderr',
      },
      quiet: { kind: 'switch', description: 'No request log' },
    },
    examples: [
      'heed serve --model-dir models/afm-gau',
      'heed serve --model-dir models/afm-gau --port 0 --exclude-rated --data-dir /data',
      'heed serve --model-dir models/afm-gau --model-dir models/sain   # compare them in the explorer',
      'heed serve --model-dir models/biasedmf --workers 2 --log serve.log',
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
    const workers = args.integer('workers') ?? 1;
    if (!(workers >= 1 && workers <= 256)) {
      throw new UsageError(`--workers must be between 1 and 256, got ${workers}`);
    }
    const headersTimeout = args.integer('headers-timeout') ?? DEFAULT_HEADERS_TIMEOUT_MS / 1000;
    const requestTimeout = args.integer('request-timeout') ?? DEFAULT_REQUEST_TIMEOUT_MS / 1000;
    if (!(headersTimeout >= 1))
      throw new UsageError(`--headers-timeout must be at least 1, got ${headersTimeout}`);
    if (!(requestTimeout >= headersTimeout)) {
      throw new UsageError(
        `--request-timeout (${requestTimeout}) must be at least --headers-timeout (${headersTimeout}): the whole request includes its headers`,
      );
    }
    const logFile = args.string('log');
    const quiet = args.switch('quiet');
    if (quiet && logFile !== undefined) throw new UsageError('--quiet and --log exclude each other');
    if (logFile !== undefined && logFile.trim() === '') throw new UsageError('--log must name a file');
    const modelDirs = args.list('model-dir');
    // Names are checked here, so two directories with one name fail before any model loads.
    modelNames(modelDirs);
    const settings: ServeSettings = {
      modelDirs,
      port,
      host,
      excludeRated,
      ...(dataDir === undefined ? {} : { dataDir }),
      headersTimeoutMs: headersTimeout * 1000,
      requestTimeoutMs: requestTimeout * 1000,
      log: quiet ? { to: 'none' } : logFile === undefined ? { to: 'stderr' } : { to: 'file', file: logFile },
    };
    if (workers === 1) await runOneServer(settings, io);
    else await runWorkers(settings, workers, io);
  },
};

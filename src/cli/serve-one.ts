/**
 * One `heed serve` process: opens the models, listens, announces its URL, serves until Ctrl-C or
 * SIGTERM (or the primary's word, in a worker), then closes gracefully: no new connections,
 * requests in flight finish, connections still open after a few seconds are closed, and the
 * request log is flushed.
 */
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Dataset } from '../data/dataset.js';
import { openArtifact } from '../models/artifact.js';
import { rebuildRatedItemsFrom } from '../serve/rated-items.js';
import { batchedLog, type RequestLog } from '../serve/request-log.js';
import { modelNames, type ServedModel } from '../serve/served-models.js';
import { createServer } from '../serve/server.js';
import { HeedError } from '../util/errors.js';
import type { CliIo } from './command.js';
import { openDataset } from './common.js';

/** Everything `heed serve`'s flags say, in a form a worker process can be sent (JSON). */
export interface ServeSettings {
  /** Every `--model-dir`, in order: the first answers requests that name no model. */
  readonly modelDirs: readonly string[];
  readonly port: number;
  readonly host: string;
  readonly excludeRated: boolean;
  readonly dataDir?: string;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly log:
    { readonly to: 'none' } | { readonly to: 'stderr' } | { readonly to: 'file'; readonly file: string };
}

/** How long shutdown waits for open connections before closing them. */
const SHUTDOWN_GRACE_MS = 3000;

/** `model` says what is served: each served model's kind, in order (e.g. `afm-gau, biasedmf`). */
export type Announce = (model: string, url: string) => void;

export async function runOneServer(
  settings: ServeSettings,
  io: CliIo,
  announce: Announce = (model, url) => io.stdout.write(`heed serve: ${model} listening on ${url}\n`),
): Promise<void> {
  const { port, host } = settings;
  const models = await openModels(settings, io);
  const { log, close: closeLog } = openLog(settings.log, io);
  const server = createServer(models, {
    headersTimeoutMs: settings.headersTimeoutMs,
    requestTimeoutMs: settings.requestTimeoutMs,
    log: log?.line ?? false,
  });
  try {
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
    announce(models.map((m) => m.artifact.manifest.model).join(', '), `http://${shownHost}:${address.port}/`);

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
  } finally {
    closeLog();
  }
}

/** Every `--model-dir`'s model, named (`served-models.ts`), with its rated items under `--exclude-rated`. */
async function openModels(settings: ServeSettings, io: CliIo): Promise<ServedModel[]> {
  const names = modelNames(settings.modelDirs);
  const models: ServedModel[] = [];
  // Each data set is loaded once, however many of the models were trained on it.
  const datasets = new Map<string, Dataset>();
  for (const [k, dir] of settings.modelDirs.entries()) {
    const artifact = await openArtifact(dir);
    if (!settings.excludeRated) {
      models.push({ name: names[k], artifact });
      continue;
    }
    const id = artifact.manifest.dataset;
    // openDataset prints the loader's warnings, as train and evaluate do.
    const dataset = datasets.get(id) ?? (await openDataset(id, settings.dataDir, io.stderr));
    datasets.set(id, dataset);
    const rated = rebuildRatedItemsFrom(artifact, dataset);
    io.stderr.write(`heed serve: rated items ${rated.source}\n`);
    models.push({ name: names[k], artifact, rated });
  }
  return models;
}

/** The request log `settings.log` asks for; `close` flushes it (and closes its file). */
function openLog(to: ServeSettings['log'], io: CliIo): { log?: RequestLog; close: () => void } {
  if (to.to === 'none') return { close: () => {} };
  if (to.to === 'stderr') {
    const log = batchedLog((text) => io.stderr.write(text));
    return { log, close: log.flush };
  }
  let fd: number;
  try {
    fd = fs.openSync(to.file, 'a');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new HeedError(`heed serve: cannot open the request log ${to.file} (--log): ${why}`);
  }
  const log = batchedLog((text) => fs.writeSync(fd, text));
  return {
    log,
    close: () => {
      log.flush();
      fs.closeSync(fd);
    },
  };
}

/**
 * One `heed serve` process: opens the model, listens, announces its URL, serves until Ctrl-C or
 * SIGTERM (or the primary's word, in a worker), then closes gracefully: no new connections,
 * requests in flight finish, connections still open after a few seconds are closed, and the
 * request log is flushed.
 */
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { openArtifact } from '../models/artifact.js';
import { rebuildRatedItemsFrom, type RatedItems } from '../serve/rated-items.js';
import { batchedLog, type RequestLog } from '../serve/request-log.js';
import { createServer } from '../serve/server.js';
import { HeedError } from '../util/errors.js';
import type { CliIo } from './command.js';
import { openDataset } from './common.js';

/** Everything `heed serve`'s flags say, in a form a worker process can be sent (JSON). */
export interface ServeSettings {
  readonly modelDir: string;
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

export type Announce = (model: string, url: string) => void;

export async function runOneServer(
  settings: ServeSettings,
  io: CliIo,
  announce: Announce = (model, url) => io.stdout.write(`heed serve: ${model} listening on ${url}\n`),
): Promise<void> {
  const { port, host } = settings;
  const artifact = await openArtifact(settings.modelDir);
  let rated: RatedItems | undefined;
  if (settings.excludeRated) {
    // openDataset prints the loader's warnings, as train and evaluate do.
    const dataset = await openDataset(artifact.manifest.dataset, settings.dataDir, io.stderr);
    rated = rebuildRatedItemsFrom(artifact, dataset);
    io.stderr.write(`heed serve: rated items ${rated.source}\n`);
  }
  const { log, close: closeLog } = openLog(settings.log, io);
  const server = createServer(artifact, {
    ...(rated === undefined ? {} : { rated }),
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
    announce(artifact.manifest.model, `http://${shownHost}:${address.port}/`);

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

/**
 * `heed serve --workers N`: the primary process of a `node:cluster`. It forks N workers (each runs
 * `serve-worker-main.ts`: loads every model and serves, exactly as a single `heed serve` does), and
 * the workers share the port: the primary accepts connections and hands them out in turn, so a
 * connection stays with one worker and its requests are answered by that worker alone.
 *
 * A worker that dies after it started serving (a crash, an out-of-memory kill) is replaced by a
 * new one, which loads the models again; the requests that worker had in flight are lost (their
 * connections are reset), the other workers go on serving meanwhile. A worker that fails to start
 * (a bad model directory, a busy port) stops everything with its message. Ctrl-C or SIGTERM tells
 * every worker to shut down gracefully, and the primary exits when all have.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { HeedError } from '../util/errors.js';
import type { CliIo } from './command.js';
import type { ServeSettings } from './serve-one.js';

/** What a worker tells the primary. */
export type WorkerMessage =
  | { readonly type: 'listening'; readonly model: string; readonly url: string }
  | { readonly type: 'failed'; readonly message: string };

/** The environment variable that carries the settings to a worker. */
export const SETTINGS_ENV = 'HEED_SERVE_SETTINGS';

/** After asking the workers to stop, how long before they are killed (their own grace is 3 s). */
const STOP_DEADLINE_MS = 6000;

export function runWorkers(settings: ServeSettings, count: number, io: CliIo): Promise<void> {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./serve-worker-main.js', import.meta.url)), args: [] });
  const live = new Set<Worker>();
  const ready = new Set<Worker>();
  let stopping = false;
  let announced = false;
  return new Promise<void>((resolve, reject) => {
    let failure: HeedError | undefined;
    const finishWhenAllGone = (): void => {
      if (live.size > 0) return;
      process.removeListener('SIGTERM', onTerm);
      if (failure === undefined) resolve();
      else reject(failure);
    };
    const stopAll = (why: string | undefined): void => {
      if (stopping) return;
      stopping = true;
      if (why !== undefined) io.stderr.write(`heed serve: ${why}, shutting down ${live.size} workers\n`);
      for (const worker of live) if (worker.isConnected()) worker.send('stop');
      setTimeout(() => {
        for (const worker of live) worker.process.kill('SIGKILL');
      }, STOP_DEADLINE_MS).unref();
      finishWhenAllGone();
    };
    const start = (): void => {
      const worker = cluster.fork({ [SETTINGS_ENV]: JSON.stringify(settings) });
      live.add(worker);
      // A worker's IPC channel can break while it dies; its 'exit' is what counts.
      worker.on('error', () => {});
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'failed') {
          failure ??= new HeedError(message.message);
          stopAll(undefined);
        } else if (message.type === 'listening') {
          ready.add(worker);
          if (!announced && ready.size === count) {
            announced = true;
            io.stdout.write(`heed serve: ${message.model} listening on ${message.url} (${count} workers)\n`);
          }
        }
      });
      worker.on('exit', (code, signal) => {
        live.delete(worker);
        const wasReady = ready.delete(worker);
        if (stopping) return finishWhenAllGone();
        const how = signal === null ? `exit code ${code}` : signal;
        if (!wasReady) {
          failure ??= new HeedError(`heed serve: a worker stopped before it could serve (${how})`);
          return stopAll(undefined);
        }
        io.stderr.write(`heed serve: worker ${worker.process.pid} stopped (${how}); starting another\n`);
        start();
      });
    };
    const onTerm = (): void => stopAll('SIGTERM');
    process.once('SIGTERM', onTerm);
    if (io.signal?.aborted) return stopAll('interrupted');
    io.signal?.addEventListener('abort', () => stopAll('interrupted'), { once: true });
    for (let k = 0; k < count; k++) start();
  });
}

/**
 * `heed serve --workers N`: the primary process of a `node:cluster`. It forks N workers (each runs
 * `serve-worker-main.ts`: loads every model and serves, exactly as a single `heed serve` does), and
 * the workers share the port: the primary accepts connections and hands them out in turn, so a
 * connection stays with one worker and its requests are answered by that worker alone.
 *
 * A worker that dies after it started serving (a crash, an out-of-memory kill) is replaced by a
 * new one, which loads the models again; the requests that worker had in flight are lost (their
 * connections are reset), the other workers go on serving meanwhile. Replacements wait longer the
 * more workers died recently, and too many deaths stop the service (`worker-restarts.ts`); a
 * replacement that dies while loading counts as one more death. A worker of the first set that
 * fails to start (a bad model directory, a busy port), or any worker that reports a failure,
 * stops everything with its message. Ctrl-C or SIGTERM tells every worker to shut down
 * gracefully, and the primary exits when all have.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { HeedError } from '../util/errors.js';
import type { CliIo } from './command.js';
import type { ServeSettings } from './serve-one.js';
import { WorkerRestarts, type RestartPolicy } from './worker-restarts.js';

/** What a worker tells the primary. */
export type WorkerMessage =
  | { readonly type: 'listening'; readonly model: string; readonly url: string }
  | { readonly type: 'failed'; readonly message: string };

/** The environment variable that carries the settings to a worker. */
export const SETTINGS_ENV = 'HEED_SERVE_SETTINGS';

/** After asking the workers to stop, how long before they are killed (their own grace is 3 s). */
const STOP_DEADLINE_MS = 6000;

export interface WorkerOptions {
  /** The worker's script (default: `serve-worker-main.js`; tests give one that crashes). */
  readonly exec?: string;
  readonly restart?: RestartPolicy;
}

export function runWorkers(
  settings: ServeSettings,
  count: number,
  io: CliIo,
  options: WorkerOptions = {},
): Promise<void> {
  const exec = options.exec ?? fileURLToPath(new URL('./serve-worker-main.js', import.meta.url));
  cluster.setupPrimary({ exec, args: [] });
  const restarts = new WorkerRestarts(options.restart);
  const live = new Set<Worker>();
  const ready = new Set<Worker>();
  /** Replacements waiting for their delay. */
  const pending = new Set<NodeJS.Timeout>();
  let everyoneStarted = false;
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
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
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
            everyoneStarted = true;
            io.stdout.write(`heed serve: ${message.model} listening on ${message.url} (${count} workers)\n`);
          }
        }
      });
      worker.on('exit', (code, signal) => {
        live.delete(worker);
        const wasReady = ready.delete(worker);
        if (stopping) return finishWhenAllGone();
        const how = signal === null ? `exit code ${code}` : signal;
        if (!wasReady && !everyoneStarted) {
          failure ??= new HeedError(`heed serve: a worker stopped before it could serve (${how})`);
          return stopAll(undefined);
        }
        const pid = worker.process.pid;
        const decision = restarts.died();
        const { windowMs } = restarts.policy;
        if (!decision.restart) {
          failure ??= new HeedError(
            `heed serve: workers died ${decision.recentDeaths} times within ${windowMs / 1000} s ` +
              `(the last, ${pid}: ${how}); giving up instead of restarting them in a loop`,
          );
          return stopAll(undefined);
        }
        io.stderr.write(
          `heed serve: worker ${pid} stopped (${how}); starting another in ${decision.delayMs / 1000} s` +
            (decision.recentDeaths > 1
              ? ` (${decision.recentDeaths} deaths within ${windowMs / 1000} s)`
              : '') +
            '\n',
        );
        const timer = setTimeout(() => {
          pending.delete(timer);
          start();
        }, decision.delayMs);
        pending.add(timer);
      });
    };
    const onTerm = (): void => stopAll('SIGTERM');
    process.once('SIGTERM', onTerm);
    if (io.signal?.aborted) return stopAll('interrupted');
    io.signal?.addEventListener('abort', () => stopAll('interrupted'), { once: true });
    for (let k = 0; k < count; k++) start();
  });
}

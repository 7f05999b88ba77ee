/**
 * A worker of `heed serve --workers N` (`serve-workers.ts` forks this file): serves the models as a
 * single `heed serve` does, tells the primary when it listens (or why it could not start), and
 * stops when the primary says so or goes away. Ctrl-C reaches every process of the terminal's
 * group; a worker leaves it to the primary, which stops the workers in order.
 */
import { runOneServer, type ServeSettings } from './serve-one.js';
import { SETTINGS_ENV, type WorkerMessage } from './serve-workers.js';

const tell = (message: WorkerMessage): void => {
  process.send?.(message);
};

const stop = new AbortController();
process.on('message', (message) => {
  if (message === 'stop') stop.abort();
});
process.on('disconnect', () => stop.abort());
process.on('SIGINT', () => {});

try {
  const settings = JSON.parse(process.env[SETTINGS_ENV] ?? 'null') as ServeSettings;
  await runOneServer(
    settings,
    { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: stop.signal },
    (model, url) => tell({ type: 'listening', model, url }),
  );
} catch (error) {
  tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
if (process.connected) process.disconnect();

/**
 * `heed serve --workers N` replaces dead workers with back-off (src/cli/worker-restarts.ts): the
 * delay doubles with every death within the window, deaths further apart are replaced after the
 * first delay, and too many deaths stop the service with a message instead of a crash loop.
 * The loop is driven by a stand-in worker that crashes right after it starts
 * (test-helpers/crashing-serve-worker.ts).
 */
import assert from 'node:assert/strict';
import cluster from 'node:cluster';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../src/cli/command.js';
import type { ServeSettings } from '../src/cli/serve-one.js';
import { runWorkers } from '../src/cli/serve-workers.js';
import { DEFAULT_RESTART_POLICY, WorkerRestarts } from '../src/cli/worker-restarts.js';

// dist/test/… → dist/test-helpers/crashing-serve-worker.js
const CRASHING = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'test-helpers',
  'crashing-serve-worker.js',
);

/** The crashing worker never reads them. */
const SETTINGS: ServeSettings = {
  modelDirs: ['unused'],
  port: 0,
  host: '127.0.0.1',
  excludeRated: false,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  log: { to: 'none' },
};

function captureIo(signal?: AbortSignal): { io: CliIo; err: () => string } {
  const chunks: string[] = [];
  const io: CliIo = {
    stdout: { write: () => true },
    stderr: { write: (t: string) => chunks.push(t) },
    env: {},
    ...(signal === undefined ? {} : { signal }),
  };
  return { io, err: () => chunks.join('') };
}

/** Counts the workers forked while `run` runs. */
async function countingForks<T>(run: () => Promise<T>): Promise<{ result: T; forks: number }> {
  let forks = 0;
  const onFork = (): void => {
    forks++;
  };
  cluster.on('fork', onFork);
  try {
    return { result: await run(), forks };
  } finally {
    cluster.off('fork', onFork);
  }
}

test('restart delays double within the window, are capped, reset after it, and run out', () => {
  let now = 0;
  const restarts = new WorkerRestarts(DEFAULT_RESTART_POLICY, () => now);
  const delays: Array<number | undefined> = [];
  for (let k = 0; k < 6; k++) {
    const d = restarts.died();
    delays.push(d.restart ? d.delayMs : undefined);
    now += 1000;
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, undefined]);

  // Deaths a window apart are each the first of their window.
  const calm = new WorkerRestarts(DEFAULT_RESTART_POLICY, () => now);
  for (let k = 0; k < 10; k++) {
    assert.deepEqual(calm.died(), { restart: true, delayMs: 100, recentDeaths: 1 });
    now += 60_000;
  }

  const capped = new WorkerRestarts(
    { firstDelayMs: 100, maxDelayMs: 300, maxRestarts: 9, windowMs: 1000 },
    () => now,
  );
  assert.deepEqual(
    [1, 2, 3, 4].map(() => {
      const d = capped.died();
      return d.restart ? d.delayMs : -1;
    }),
    [100, 200, 300, 300],
  );
  assert.throws(
    () => new WorkerRestarts({ firstDelayMs: 10, maxDelayMs: 5, maxRestarts: 1, windowMs: 10 }),
    /bad worker restart policy/,
  );
});

test('workers that crash right after starting are restarted with growing delays, then heed serve gives up', async () => {
  process.env.HEED_TEST_WORKER_LIFE_MS = '20';
  const { io, err } = captureIo();
  const policy = { firstDelayMs: 50, maxDelayMs: 200, maxRestarts: 4, windowMs: 60_000 };
  const started = Date.now();
  const { result, forks } = await countingForks(() =>
    // One worker, so that deaths come one at a time: with two, which replacement is still
    // waiting for its delay when the fifth death stops the service depends on timing (CI saw 5
    // forks instead of 6 under load).
    runWorkers(SETTINGS, 1, io, { exec: CRASHING, restart: policy }).then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
  assert.ok(result instanceof Error, 'runWorkers must fail');
  assert.match(
    result.message,
    /^heed serve: workers died 5 times within 60 s \(the last, \d+: exit code 3\); giving up/,
  );
  // The first worker and four replacements, no more.
  assert.equal(forks, 5);
  const delays = [...err().matchAll(/starting another in ([\d.]+) s/g)].map((m) => Number(m[1]));
  assert.deepEqual(delays, [0.05, 0.1, 0.2, 0.2], err());
  // The last replacements waited their 0.2 s.
  assert.ok(Date.now() - started >= 200);
  // Nothing is left running or scheduled.
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(Object.keys(cluster.workers ?? {}).length, 0);
});

test('deaths further apart than the window are replaced after the first delay, for as long as it takes', async () => {
  process.env.HEED_TEST_WORKER_LIFE_MS = '150';
  const stop = new AbortController();
  const { io, err } = captureIo(stop.signal);
  const policy = { firstDelayMs: 20, maxDelayMs: 1000, maxRestarts: 1, windowMs: 100 };
  const { result, forks } = await countingForks(async () => {
    let settled = false;
    const running = runWorkers(SETTINGS, 1, io, { exec: CRASHING, restart: policy }).then(
      () => undefined,
      (e: unknown) => e,
    );
    void running.finally(() => (settled = true));
    while (!settled && [...err().matchAll(/starting another/g)].length < 4) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    stop.abort();
    return running;
  });
  assert.equal(result, undefined, String(result));
  assert.ok(forks >= 4);
  assert.doesNotMatch(err(), /giving up/);
  const delays = [...err().matchAll(/starting another in ([\d.]+) s/g)].map((m) => Number(m[1]));
  assert.ok(
    delays.every((d) => d === 0.02),
    err(),
  );
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HeedError } from '../src/util/errors.js';
import { waitSlice, workerExited, workerFailed } from '../src/util/worker-death.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Far beyond the few seconds a fit takes; a fit that hangs is killed then, and the test fails. */
const HANG_MS = 120_000;

/** Runs `dying-worker-fit.js kind` in its own process (a hang blocks it, not this test's thread). */
function dyingFit(
  kind: string,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['dist/test-helpers/dying-worker-fit.js', kind],
      { cwd: root, encoding: 'utf8', timeout: HANG_MS },
      (error, stdout, stderr) => {
        const failed = error as (Error & { code?: number; signal?: string }) | null;
        resolve({ code: failed?.code ?? 0, signal: failed?.signal ?? null, stdout, stderr });
      },
    );
  });
}

for (const [kind, what] of [
  ['biasedmf', 'an MF worker thread'],
  ['svdpp', 'an MF worker thread'],
  ['fm-mcmc', 'an FM worker thread'],
  ['fm-als', 'an FM worker thread'],
] as const) {
  test(
    `${kind}: a worker thread that dies mid-${kind.startsWith('fm') ? 'sweep' : 'epoch'} without throwing ends the fit with an error naming its exit code; no worker is left and the process exits by itself`,
    { timeout: 2 * HANG_MS },
    async () => {
      const run = await dyingFit(kind);
      assert.equal(
        run.signal,
        null,
        `the fit hung and was killed after ${HANG_MS} ms; stderr: ${run.stderr}`,
      );
      assert.equal(run.code, 0, run.stderr);
      const outcome = JSON.parse(run.stdout) as {
        error?: { name: string; message: string };
        liveWorkers: number;
      };
      assert.equal(outcome.error?.name, 'HeedError', run.stdout);
      assert.ok(outcome.error.message.includes(`${what} died (exit code 7)`), outcome.error.message);
      assert.equal(outcome.liveWorkers, 0);
    },
  );
}

test('waitSlice lets the event loop run while the word stays the same, where Atomics.wait would block it', async () => {
  const word = new Int32Array(new SharedArrayBuffer(4));
  // Stands for a pool's 'exit' handler: only the event loop can run it.
  let exited = false;
  setTimeout(() => (exited = true), 10);
  while (!exited) await waitSlice(word, 0, 0);
  Atomics.store(word, 0, 1);
  await waitSlice(word, 0, 0); // returns at once: the word is no longer 0
});

test('a worker killed by its memory limit becomes a HeedError that says so; thrown errors pass unchanged', async () => {
  const hoarder = new Worker('const hoard = []; for (;;) hoard.push(new Array(1e5).fill(hoard.length));', {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
  });
  // Both events come in one turn of the event loop: 'error' first, then 'exit'.
  const error = new Promise<Error>((resolve) => hoarder.once('error', resolve));
  const code = await new Promise<number>((resolve) => hoarder.once('exit', resolve));
  const death = workerFailed('an MF worker thread', await error);
  assert.ok(death instanceof HeedError);
  assert.match(death.message, /^an MF worker thread died: .*\(ERR_WORKER_OUT_OF_MEMORY\)$/);
  assert.equal(
    workerExited('an FM worker thread', code).message,
    `an FM worker thread died (exit code ${code})`,
  );
  const thrown = new Error('the kernel failed');
  assert.equal(workerFailed('an MF worker thread', thrown), thrown);
});

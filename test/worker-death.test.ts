import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

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

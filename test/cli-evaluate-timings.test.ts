import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// dist/test/cli-evaluate-timings.test.js → dist/src/cli/main.js
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

function evaluate(extra: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [
      MAIN,
      'evaluate',
      '--model',
      'biasedmf',
      '--dataset',
      'synthetic:users=60,items=80,ratings=1500',
      '--split',
      'ratio:0.9,0,0.1',
      '--set',
      'epochs=3',
      '--quiet',
      ...extra,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('evaluate --timings --json: each stage in seconds, fit as the result reports it, and the peak memory', () => {
  const r = evaluate(['--timings', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as {
    fitSeconds: number;
    nTrain: number;
    timings: Record<string, number> & { cpuSeconds: Record<string, number> };
  };
  assert.equal(result.nTrain, 1350);
  assert.deepEqual(Object.keys(result.timings), [
    'loadSeconds',
    'splitSeconds',
    'fitSeconds',
    'evaluateSeconds',
    'peakRssMiB',
    'cpuSeconds',
  ]);
  const { cpuSeconds, ...wall } = result.timings;
  for (const [name, v] of Object.entries(wall)) assert.ok(Number.isFinite(v) && v >= 0, name);
  assert.deepEqual(Object.keys(cpuSeconds), ['load', 'split', 'fit', 'evaluate']);
  for (const [name, v] of Object.entries(cpuSeconds)) assert.ok(Number.isFinite(v) && v >= 0, name);
  // Fitting takes some CPU; it can exceed its wall time only with more than one thread.
  assert.ok(cpuSeconds.fit > 0, `${cpuSeconds.fit}`);
  assert.equal(result.timings.fitSeconds, result.fitSeconds);
  // A Node process holds tens of MiB at least: the number is in MiB, not bytes or KiB.
  assert.ok(
    result.timings.peakRssMiB > 10 && result.timings.peakRssMiB < 4096,
    `${result.timings.peakRssMiB}`,
  );
});

test('evaluate --timings: one line after the table; without the flag, no timings at all', () => {
  const r = evaluate(['--timings']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /\ntimings: load \d+\.\d\d s, split \d+\.\d\d s, fit \d+\.\d\d s, evaluate \d+\.\d\d s; peak memory \d+ MiB\nCPU: load \d+\.\d\d s, split \d+\.\d\d s, fit \d+\.\d\d s, evaluate \d+\.\d\d s\n$/,
  );
  const plain = evaluate(['--json']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal((JSON.parse(plain.stdout) as { timings?: unknown }).timings, undefined);
  assert.doesNotMatch(evaluate([]).stdout, /timings/);
});

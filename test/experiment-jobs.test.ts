import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../src/data/registry.js';
import { RunClaims } from '../src/experiment/claims.js';
import { readExperimentFile } from '../src/experiment/load.js';
import { planExperiment } from '../src/experiment/plan.js';
import { runExperiment } from '../src/experiment/runner.js';

// dist/test/experiment-jobs.test.js → dist/src/cli/main.js
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-jobs-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const DATASET = 'synthetic:users=200,items=300,ratingsPerUser=40';
const EXPERIMENT = {
  version: 1,
  name: 'jobs',
  title: 'Jobs',
  dataset: DATASET,
  split: 'ratio:0.8,0.1,0.1',
  seeds: [1, 2, 3],
  metrics: ['rmse'],
  models: [
    { label: 'MF', model: 'biasedmf', settings: { epochs: 200, lrDecay: 1 }, expectedSeconds: 1 },
    { label: 'MF10', model: 'biasedmf', settings: { epochs: 200, factors: 10 }, expectedSeconds: 1 },
  ],
};

function writeExperiment(name: string): string {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ ...EXPERIMENT, name }));
  return file;
}

function storedMetrics(out: string): Map<string, unknown> {
  const runs = path.join(out, 'runs');
  return new Map(
    fs
      .readdirSync(runs)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [
        f,
        (JSON.parse(fs.readFileSync(path.join(runs, f), 'utf8')) as { metrics: unknown }).metrics,
      ]),
  );
}

/** A process that is alive until killed, whose pid can hold a claim. */
function liveProcess(): { pid: number; kill: () => Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    pid: child.pid ?? 0,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

test('a claim is exclusive while its process lives and is taken over once it dies', async () => {
  const dir = path.join(tmp, 'claims');
  fs.mkdirSync(dir, { recursive: true });
  const other = liveProcess();
  fs.writeFileSync(path.join(dir, 'k1.claim'), JSON.stringify({ pid: other.pid, host: os.hostname() }));
  const claims = new RunClaims(dir);
  assert.equal(claims.tryClaim('k1'), false, 'a live process holds k1');
  await other.kill();
  assert.equal(claims.tryClaim('k1'), true, 'its process died: the claim is stale');
  const mine = JSON.parse(fs.readFileSync(path.join(dir, 'k1.claim'), 'utf8')) as { pid: number };
  assert.equal(mine.pid, process.pid);
  // Another RunClaims of this same process sees the claim as live (the pid is ours and held).
  assert.equal(new RunClaims(dir).tryClaim('k1'), false);
  // A garbled claim file (a crash mid-write) is stale too.
  fs.writeFileSync(path.join(dir, 'k2.claim'), '{"pid": 12');
  assert.equal(claims.tryClaim('k2'), true);
  claims.releaseAll();
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('--jobs 2 fits every run once, in two processes, with the same numbers as one process', () => {
  const file = writeExperiment('jobs');
  const one = path.join(tmp, 'one');
  const two = path.join(tmp, 'two');
  const sequential = spawnSync(process.execPath, [MAIN, 'experiment', 'run', file, '--out', one, '--quiet'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(sequential.status, 0, sequential.stderr);
  const parallel = spawnSync(
    process.execPath,
    [MAIN, 'experiment', 'run', file, '--out', two, '--jobs', '2'],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  assert.equal(parallel.status, 0, parallel.stderr);
  assert.equal(parallel.stdout, sequential.stdout, 'the same table');
  assert.deepEqual(storedMetrics(two), storedMetrics(one), 'the same runs, bit for bit');
  assert.deepEqual(
    fs.readdirSync(path.join(two, 'runs')).filter((f) => !f.endsWith('.json')),
    [],
    'no claim is left behind',
  );
  // Each run fitted once: here, or by the other job (listed as such), none reused.
  const counts = /jobs: (\d+) runs fitted(?:, (\d+) by the other jobs)?, 0 reused/.exec(parallel.stderr);
  assert.ok(counts, parallel.stderr);
  const elsewhere = parallel.stderr.match(/\(fitted by another process\)/g)?.length ?? 0;
  assert.equal(Number(counts[2] ?? 0), elsewhere, parallel.stderr);
  assert.equal(Number(counts[1]) + elsewhere, 6, parallel.stderr);
});

test('a run held by another process is waited for, and fitted here once that process dies', async () => {
  const file = writeExperiment('takeover');
  const out = path.join(tmp, 'takeover');
  const experiment = readExperimentFile(file);
  const dataset = await loadDataset(DATASET);
  const plan = planExperiment({ experiment, dataset, quick: false, file });
  const held = plan.runs[0].key;
  const other = liveProcess();
  fs.mkdirSync(path.join(out, 'runs'), { recursive: true });
  fs.writeFileSync(
    path.join(out, 'runs', `${held}.claim`),
    JSON.stringify({ pid: other.pid, host: os.hostname() }),
  );
  const running = runExperiment({ experiment, file, dataset, outDir: out });
  // Let the runner fit the five free runs and start waiting, then let the holder die.
  const deadline = Date.now() + 60_000;
  const stored = (): number =>
    fs.readdirSync(path.join(out, 'runs')).filter((f) => f.endsWith('.json')).length;
  while (stored() < 5) {
    assert.ok(Date.now() < deadline, 'the free runs were not fitted within a minute');
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(fs.existsSync(path.join(out, 'runs', `${held}.json`)), false, 'the held run was not fitted');
  await other.kill();
  const outcome = await running;
  assert.equal(outcome.fitted, 6);
  assert.equal(outcome.records.length, 6);
  assert.equal(outcome.records[0].key, held, 'records stay in plan order');
});

test('--jobs outside 1..64 is refused, naming the flag', () => {
  const r = spawnSync(process.execPath, [MAIN, 'experiment', 'run', writeExperiment('bad'), '--jobs', '0'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--jobs must be between 1 and 64, got 0/);
});

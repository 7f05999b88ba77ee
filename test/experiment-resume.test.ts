import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../src/data/registry.js';
import { readExperimentFile } from '../src/experiment/load.js';
import { runExperiment } from '../src/experiment/runner.js';

// dist/test/experiment-resume.test.js → dist/src/cli/main.js
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-resume-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const DATASET = 'synthetic:users=200,items=300,ratingsPerUser=40';
/** Two models x two seeds; enough epochs that one run takes about a second, so the kill lands midway. */
const EXPERIMENT = {
  version: 1,
  name: 'resume',
  title: 'Resume',
  dataset: DATASET,
  split: 'ratio:0.8,0.1,0.1',
  seeds: [1, 2],
  metrics: ['rmse'],
  models: [
    { label: 'MF', model: 'biasedmf', settings: { epochs: 400, lrDecay: 1 }, expectedSeconds: 1 },
    {
      label: 'MF small',
      model: 'biasedmf',
      settings: { epochs: 400, lrDecay: 1, factors: 10 },
      expectedSeconds: 1,
    },
  ],
};

test('an experiment killed midway resumes without refitting its finished runs', async () => {
  const file = path.join(tmp, 'resume.json');
  const out = path.join(tmp, 'out');
  const runs = path.join(out, 'runs');
  fs.writeFileSync(file, JSON.stringify(EXPERIMENT));

  const child = spawn(process.execPath, [MAIN, 'experiment', 'run', file, '--out', out, '--quiet'], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // Kill (SIGKILL: no chance to clean up) as soon as the first run's file appears.
  const deadline = Date.now() + 120_000;
  while (!(fs.existsSync(runs) && fs.readdirSync(runs).some((f) => f.endsWith('.json')))) {
    assert.ok(Date.now() < deadline, 'no run finished within 2 minutes');
    assert.equal(child.exitCode, null, 'the experiment ended before its first run was stored');
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  await exited;

  const finished = fs.readdirSync(runs).filter((f) => f.endsWith('.json'));
  assert.ok(
    finished.length >= 1 && finished.length < 4,
    `the kill should land midway, but ${finished.length} of 4 runs were stored`,
  );
  // No half-written record is left behind: every file parses.
  const before = new Map(
    finished.map((f) => {
      const p = path.join(runs, f);
      return [f, { text: fs.readFileSync(p, 'utf8'), mtime: fs.statSync(p).mtimeMs }];
    }),
  );
  for (const { text } of before.values()) JSON.parse(text);

  const experiment = readExperimentFile(file);
  const outcome = await runExperiment({ experiment, file, dataset: await loadDataset(DATASET), outDir: out });
  assert.equal(outcome.records.length, 4);
  assert.equal(outcome.reused, finished.length);
  assert.equal(outcome.fitted, 4 - finished.length);
  for (const [f, { text, mtime }] of before) {
    const p = path.join(runs, f);
    assert.equal(fs.readFileSync(p, 'utf8'), text, `${f} was rewritten`);
    assert.equal(fs.statSync(p).mtimeMs, mtime, `${f} was touched`);
  }
  // A third run has nothing left to do.
  const again = await runExperiment({ experiment, file, dataset: await loadDataset(DATASET), outDir: out });
  assert.equal(again.fitted, 0);
  assert.equal(again.reused, 4);
});

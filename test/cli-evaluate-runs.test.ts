/**
 * `heed evaluate` fits through the experiment runner: its result equals the library's `evaluate()`
 * for the same seed, `--seeds` reports the mean and sd over seeds, and `--out DIR` keeps the runs
 * so that the same command reuses them.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { loadDataset } from '../src/data/registry.js';
import { evaluate } from '../src/eval/protocol.js';
import { runHeed as heed } from '../test-helpers/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-cli-evaluate-runs-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const DATA = 'synthetic:users=60,items=40';
const MF = ['--model', 'biasedmf', '--dataset', DATA, '--set', 'epochs=4', '--set', 'factors=8'];

test('evaluate through the runner gives what evaluate() gives for the same seed, fold by fold', async () => {
  const r = heed(['evaluate', ...MF, '--split', 'kfold:3', '--seed', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const cli = JSON.parse(r.stdout) as {
    metrics: Record<string, number>;
    folds: { metrics: Record<string, number>; nTrain: number; coldStart: object }[];
    config: Record<string, unknown>;
  };
  const direct = await evaluate({
    modelId: 'biasedmf',
    config: { epochs: '4', factors: '8' },
    dataset: loadDataset(DATA),
    split: 'kfold:3',
    seed: 2,
  });
  assert.deepEqual(cli.metrics, direct.metrics);
  assert.deepEqual(cli.config, direct.config);
  assert.equal(cli.folds.length, 3);
  cli.folds.forEach((fold, k) => {
    assert.deepEqual(fold.metrics, direct.folds?.[k].metrics);
    assert.equal(fold.nTrain, direct.folds?.[k].nTrain);
    assert.deepEqual(fold.coldStart, direct.folds?.[k].coldStart);
  });
});

test('--seeds reports each seed, the mean and the sd; --out keeps the runs and the same command reuses them', () => {
  const out = path.join(tmp, 'kept');
  const args = [
    'evaluate',
    ...MF,
    '--split',
    'ratio:0.8,0.1,0.1',
    '--seeds',
    '1,2,3',
    '--out',
    out,
    '--json',
  ];
  const first = heed(args);
  assert.equal(first.code, 0, first.stderr);
  const result = JSON.parse(first.stdout) as {
    seeds: number[];
    metrics: Record<string, number>;
    sd: Record<string, number>;
    runs: { seed: number; metrics: Record<string, number> }[];
  };
  assert.deepEqual(result.seeds, [1, 2, 3]);
  assert.deepEqual(
    result.runs.map((r) => r.seed),
    [1, 2, 3],
  );
  const rmses = result.runs.map((r) => r.metrics.rmse);
  const mean = rmses.reduce((s, v) => s + v, 0) / 3;
  assert.ok(Math.abs(result.metrics.rmse - mean) < 1e-12);
  const sd = Math.sqrt(rmses.reduce((s, v) => s + (v - mean) ** 2, 0) / 2);
  assert.ok(Math.abs(result.sd.rmse - sd) < 1e-12);
  assert.equal(new Set(rmses).size, 3, 'each seed is its own split and fit');
  assert.equal(fs.readdirSync(path.join(out, 'runs')).filter((f) => f.endsWith('.json')).length, 3);

  const again = heed(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /reused 3 of the runs stored in .*kept \(not fitted again\)/);
  assert.doesNotMatch(again.stderr, /epoch 1\//, 'nothing is fitted the second time');
  assert.deepEqual(JSON.parse(again.stdout), result);

  const text = heed(args.filter((a) => a !== '--json'));
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /seeds 1, 2, 3/);
  assert.match(text.stdout, /^mean +\d/m);
  assert.match(text.stdout, /^sd +\d/m);
});

test('--seeds is checked: a bad list, a repeated seed or --seed beside it exits 2 naming the flag', () => {
  for (const [extra, pattern] of [
    [['--seeds', '1,x'], /--seeds must be a comma list of whole numbers/],
    [['--seeds', '2,2'], /--seeds lists a seed twice/],
    [['--seeds', '1,2', '--seed', '3'], /give either --seed N or --seeds LIST, not both/],
  ] as const) {
    const r = heed(['evaluate', ...MF, ...extra]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, pattern);
  }
});

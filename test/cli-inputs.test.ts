/**
 * The command line's inputs end to end: `--split files:…`, `--scale`, `--validation-fraction`,
 * and Ctrl-C (exit 130, no artifact unless --keep-interrupted).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { openArtifact } from '../src/models/artifact.js';
import { rebuildRatedItems } from '../src/serve/rated-items.js';
import { HEED_MAIN as MAIN, runHeed as heed } from '../test-helpers/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-cli-inputs-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const DATA = path.dirname(
  write('data/ratings.csv', 'user,item,rating\na,x,4\na,y,2\nb,x,5\nb,z,1\nc,y,3\nc,z,2\n'),
);
const TRAIN = write('train.csv', 'user,item,rating\na,x,4\nb,x,5\nc,y,3\nc,z,2\n');
const TEST = write('test.csv', 'user,item,rating\na,y,2\nb,z,1\n');

test('evaluate and train accept --split files:TRAIN,TEST', () => {
  const common = ['--model', 'globalmean', '--dataset', `csv:${DATA}`, '--split', `files:${TRAIN},${TEST}`];
  const r = heed(['evaluate', ...common, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(result.split, `files:${TRAIN},${TEST}`);
  assert.equal(result.nTrain, 4);
  assert.equal(result.nTest, 2);
  // globalmean predicts the training mean 3.5 for ratings 2 and 1: RMSE sqrt((1.5² + 2.5²) / 2).
  assert.ok(Math.abs(Number(result.rmse) - Math.sqrt((1.5 ** 2 + 2.5 ** 2) / 2)) < 1e-6);

  const out = path.join(tmp, 'gm-files');
  const t = heed(['train', ...common, '--out', out, '--json']);
  assert.equal(t.code, 0, t.stderr);
  assert.equal((JSON.parse(t.stdout) as Record<string, unknown>).nTrain, 4);
  assert.ok(fs.existsSync(path.join(out, 'model.json')));
});

test('a split file row that is not in the data set exits 1 naming file:line; a bad --split exits 2', () => {
  const bad = write('bad-train.csv', 'user,item,rating\na,x,4\na,z,5\n');
  const r = heed([
    'evaluate',
    '--model',
    'globalmean',
    '--dataset',
    `csv:${DATA}`,
    '--split',
    `files:${bad},${TEST}`,
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`bad-train\\.csv:3: user "a" did not rate item "z"`));
  const empty = write('empty.csv', '');
  const e = heed([
    'evaluate',
    '--model',
    'globalmean',
    '--dataset',
    `csv:${DATA}`,
    '--split',
    `files:${TRAIN},${empty}`,
  ]);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /empty\.csv: empty file/);
  const u = heed([
    'evaluate',
    '--model',
    'globalmean',
    '--dataset',
    `csv:${DATA}`,
    '--split',
    `files:${TRAIN}`,
  ]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /--split "files:.*": write files:TRAIN,TEST/);
});

test('--scale: a csv rating outside it exits 1 with file:line; a malformed or mismatched one exits 2', () => {
  const stray = path.dirname(write('stray/ratings.csv', 'user,item,rating\na,x,4\na,y,6\nb,x,1\n'));
  const gm = ['evaluate', '--model', 'globalmean', '--dataset', `csv:${stray}`, '--split', 'ratio:0.5,0,0.5'];
  const r = heed([...gm, '--scale', '1,5']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /stray[/\\]ratings\.csv:3: field "rating": 6 is outside the rating scale 1\.\.5/);
  const undeclared = heed(gm);
  assert.equal(undeclared.code, 0, undeclared.stderr);
  assert.match(undeclared.stderr, /warning: .*no rating scale declared; using the observed range 1\.\.6/);
  for (const bad of ['5,1', '1', 'a,5', '1,5,7']) {
    const b = heed([...gm, '--scale', bad]);
    assert.equal(b.code, 2, bad);
    assert.match(b.stderr, /--scale must be MIN,MAX/);
  }
  const m = heed([
    'evaluate',
    '--model',
    'globalmean',
    '--dataset',
    'synthetic:users=20,items=30',
    '--scale',
    '0,10',
  ]);
  assert.equal(m.code, 2);
  assert.match(m.stderr, /does not match data set "synthetic:users=20,items=30", whose ratings are 1\.\.5/);
});

test('--validation-fraction: carving is announced on stderr, 0 turns it off, a bad value exits 2', async () => {
  const run = ['evaluate', '--model', 'fm', '--dataset', 'synthetic:users=60,items=80,ratingsPerUser=10'];
  const sgd = [
    '--split',
    'ratio:0.9,0,0.1',
    '--set',
    'solver=sgd',
    '--set',
    'patience=2',
    '--set',
    'epochs=3',
  ];
  const carved = heed([...run, ...sgd, '--json', '--quiet']);
  assert.equal(carved.code, 0, carved.stderr);
  assert.equal((JSON.parse(carved.stdout) as Record<string, unknown>).nValidation, 54);
  assert.match(
    carved.stderr,
    /note: .*54 of its 540 training ratings \(fraction 0\.1, seed 1\) were held out/,
  );
  const off = heed([...run, ...sgd, '--json', '--quiet', '--validation-fraction', '0']);
  assert.equal(off.code, 0, off.stderr);
  assert.equal((JSON.parse(off.stdout) as Record<string, unknown>).nValidation, 0);
  assert.doesNotMatch(off.stderr, /note:/);
  const out = path.join(tmp, 'fm-all');
  const trained = heed(['train', ...run.slice(1), ...sgd.slice(2), '--split', 'all', '--out', out, '--json']);
  assert.equal(trained.code, 0, trained.stderr);
  const summary = JSON.parse(trained.stdout) as Record<string, unknown>;
  assert.deepEqual([summary.nTrain, summary.nValidation, summary.nTest], [540, 60, 0]);
  assert.match(trained.stderr, /note: split "all" .* 60 of its 600 training ratings/);
  // heed serve --exclude-rated can still rebuild what the model was trained on, and leaves out
  // every rated item, the carved validation ratings' too.
  const rated = rebuildRatedItems(await openArtifact(out));
  assert.equal(
    rated.byUser.reduce((n, items) => n + items.length, 0),
    600,
  );
  for (const bad of ['1', '-0.1', 'half', '']) {
    const b = heed([...run, ...sgd, '--validation-fraction', bad]);
    assert.equal(b.code, 2, bad);
    assert.match(b.stderr, /--validation-fraction must be a number in \[0, 1\)/);
  }
});

/** Runs heed, sends SIGINT after the first epoch line on stderr, and resolves with how it ended. */
async function interrupt(args: readonly string[]): Promise<Result> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!sent && /epoch 1\//.test(stderr)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  assert.ok(sent, `no epoch line before the end; stderr: ${stderr}`);
  return { code, stdout, stderr };
}

/** Many SGD epochs on a small data set: seconds per run, so SIGINT lands mid-training. */
const LONG_TRAINING = [
  '--model',
  'fm',
  '--dataset',
  'synthetic',
  '--set',
  'solver=sgd',
  '--set',
  'epochs=100000',
];

test('Ctrl-C during heed train exits 130 and writes no model directory', async () => {
  const out = path.join(tmp, 'interrupted-model');
  const r = await interrupt(['train', ...LONG_TRAINING, '--split', 'ratio:0.8,0.1,0.1', '--out', out]);
  assert.equal(r.code, 130, r.stderr);
  assert.equal(fs.existsSync(out), false);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /heed: interrupted: nothing was saved to .*interrupted-model \(--keep-interrupted saves/,
  );
  // Nothing half-written beside it either.
  assert.deepEqual(
    fs.readdirSync(tmp).filter((f) => f.includes('interrupted-model')),
    [],
  );
});

test('Ctrl-C during heed train --keep-interrupted saves the model stopped early, says so, exits 130', async () => {
  const out = path.join(tmp, 'kept-model');
  const r = await interrupt([
    'train',
    ...LONG_TRAINING,
    '--split',
    'ratio:0.8,0.1,0.1',
    '--out',
    out,
    '--keep-interrupted',
  ]);
  assert.equal(r.code, 130, r.stderr);
  assert.ok(fs.existsSync(path.join(out, 'model.json')));
  assert.match(r.stdout, /stopped early by Ctrl-C/);
  assert.match(r.stderr, /heed: interrupted: saved the model stopped early to .*kept-model/);
});

test('Ctrl-C during heed evaluate exits 130; the scores go to stderr only, marked interrupted', async () => {
  const r = await interrupt(['evaluate', ...LONG_TRAINING, '--split', 'ratio:0.8,0.1,0.1', '--json']);
  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /\(interrupted: models stopped early\)/);
  assert.match(r.stderr, /heed: interrupted: the scores above are of models stopped early/);
});

/**
 * Edge cases of the experiment commands and their neighbours: Ctrl-C during `heed experiment run`
 * and `heed reproduce` (exit 130, finished runs kept, none half-stored, how to resume), the refused
 * `--catalogue-ndcg` with `--review-protocol paper`, the loader's warnings from `heed serve
 * --exclude-rated`, and the errors when an experiment's data set cannot be loaded.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/cli.js';
import { resumeCommand } from '../src/cli/experiment.js';
import { runExperiment } from '../src/experiment/runner.js';
import { readExperimentFile } from '../src/experiment/load.js';
import { loadDataset } from '../src/data/registry.js';
import { evaluate } from '../src/eval/protocol.js';
import { HEED_MAIN as MAIN, runHeedHere as heedHere } from '../test-helpers/cli.js';

// dist/test/ → the workspace's shared/data, beside the repository.
const SHARED = fileURLToPath(new URL('../../../shared/data', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-interrupt-refusals-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the heed executable and sends SIGINT once stderr matches `when`. */
async function interruptWhen(args: readonly string[], when: RegExp): Promise<Result> {
  const env = { ...process.env };
  delete env.HEED_DEBUG;
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!sent && when.test(stderr)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  assert.ok(sent, `stderr never matched ${String(when)}; stderr: ${stderr}`);
  return { code, stdout, stderr };
}

function writeExperiment(name: string, experiment: object): string {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(experiment));
  return file;
}

/** A mean that fits at once, then an FM whose SGD would run for hours: Ctrl-C lands in its fit. */
const SLOW_SECOND = {
  version: 1,
  name: 'slow-second',
  title: 'Slow second',
  dataset: 'synthetic:users=60,items=80,ratingsPerUser=20',
  split: 'ratio:0.8,0.1,0.1',
  seeds: [1],
  metrics: ['rmse'],
  models: [
    { label: 'Mean', model: 'globalmean', expectedSeconds: 1 },
    { label: 'Long FM', model: 'fm', settings: { solver: 'sgd', epochs: 100000 }, expectedSeconds: 1 },
  ],
};

test('Ctrl-C during heed experiment run exits 130, keeps the finished run, stores none half-done', async () => {
  const file = writeExperiment('slow-second', SLOW_SECOND);
  const out = path.join(tmp, 'slow-out');
  // Run 2 has started, so run 1 is finished and stored.
  const r = await interruptWhen(['experiment', 'run', file, '--out', out], /\[2\/2\] Long FM .*: fitting/);
  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stdout, '', 'a partial table is not a result: stdout stays empty');
  const runs = path.join(out, 'runs');
  const stored = fs.readdirSync(runs);
  assert.equal(stored.length, 1, `runs/ holds ${stored.join(', ')}`);
  assert.match(stored[0], /^[0-9a-f]+\.json$/);
  const record = JSON.parse(fs.readFileSync(path.join(runs, stored[0]), 'utf8')) as {
    identity: { model: string };
  };
  assert.equal(record.identity.model, 'globalmean');
  // No temporary file beside the reports either.
  assert.deepEqual(fs.readdirSync(out).sort(), ['results.json', 'results.md', 'runs']);
  assert.match(fs.readFileSync(path.join(out, 'results.md'), 'utf8'), /1 not run yet/);
  assert.match(
    r.stderr,
    new RegExp(
      `slow-second: interrupted: 1 finished runs are kept in ${runs}; the run in progress was not stored`,
    ),
  );
  assert.ok(
    r.stderr.endsWith(`heed: interrupted: to resume, run heed experiment run ${file} --out ${out}\n`),
    r.stderr,
  );
});

test('Ctrl-C during heed reproduce exits 130, stores nothing for the run in progress, says how to resume', async (t) => {
  if (!fs.existsSync(path.join(SHARED, 'ml-100k'))) {
    t.skip(`real data not found at ${path.join(SHARED, 'ml-100k')}`);
    return;
  }
  const out = path.join(tmp, 'reproduce-out');
  const r = await interruptWhen(
    ['reproduce', 'rsattae', '--quick', '--data-dir', SHARED, '--out', out],
    /\[1\/\d+\] .*: fitting/,
  );
  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stdout, '');
  const runs = path.join(out, 'rsattae-table3', 'runs');
  assert.deepEqual(fs.existsSync(runs) ? fs.readdirSync(runs) : [], []);
  assert.ok(
    r.stderr.endsWith(
      `heed: interrupted in rsattae-table3: to resume, run heed reproduce rsattae --out ${out} ` +
        `--data-dir ${SHARED} --quick\n`,
    ),
    r.stderr,
  );
});

test('an interrupted runner starts no fit but still collects the stored runs after the missing one', async () => {
  const file = writeExperiment('two-means', {
    ...SLOW_SECOND,
    name: 'two-means',
    seeds: [1, 2],
    models: [SLOW_SECOND.models[0]],
  });
  const experiment = readExperimentFile(file);
  const dataset = loadDataset(experiment.dataset);
  const outDir = path.join(tmp, 'two-means-out');
  const full = await runExperiment({ experiment, file, dataset, outDir });
  assert.equal(full.fitted, 2);
  // Seed 1's run is lost; Ctrl-C came before the runner started.
  fs.rmSync(path.join(outDir, 'runs', `${full.records[0].key}.json`));
  const stop = new AbortController();
  stop.abort();
  const stopped = await runExperiment({ experiment, file, dataset, outDir, signal: stop.signal });
  assert.equal(stopped.interrupted, true);
  assert.equal(stopped.fitted, 0);
  assert.deepEqual(
    stopped.records.map((r) => r.key),
    [full.records[1].key],
  );
  assert.deepEqual(fs.readdirSync(path.join(outDir, 'runs')), [`${full.records[1].key}.json`]);
});

test('the resume command quotes what a shell would split, with absolute paths', () => {
  assert.equal(
    resumeCommand(['experiment', 'run', "/a b/it's.json"], { outDir: '/o', dataDir: undefined, quick: true }),
    "heed experiment run '/a b/it'\\''s.json' --out /o --quick",
  );
  assert.equal(
    resumeCommand(['reproduce', 'sain'], { outDir: 'res', dataDir: 'data', quick: false }),
    `heed reproduce sain --out ${path.resolve('res')} --data-dir ${path.resolve('data')}`,
  );
});

test('--catalogue-ndcg with --review-protocol paper is refused, naming both flags', async () => {
  const r = await heedHere([
    'evaluate',
    '--model',
    'globalmean',
    '--dataset',
    'synthetic:users=20,items=30',
    '--catalogue-ndcg',
    '10',
    '--review-protocol',
    'paper',
  ]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^heed: --catalogue-ndcg cannot be combined with --review-protocol paper: /);
  // The library refuses the same combination instead of leaving the catalogue NDCG out.
  await assert.rejects(
    evaluate({
      modelId: 'globalmean',
      dataset: loadDataset('synthetic:users=20,items=30'),
      split: 'ratio:0.8,0.1,0.1',
      reviewProtocol: 'paper',
      catalogueNdcgK: 10,
    }),
    /catalogueNdcgK cannot be combined with reviewProtocol "paper"/,
  );
});

test('heed serve --exclude-rated prints the data set loader\'s warnings as "warning: …"', async () => {
  // A csv without a declared rating scale: its loader warns that it uses the observed range.
  const data = path.join(tmp, 'undeclared');
  fs.mkdirSync(data);
  fs.writeFileSync(
    path.join(data, 'ratings.csv'),
    'user,item,rating\na,x,4\na,y,2\nb,x,5\nb,z,1\nc,y,3\nc,z,2\n',
  );
  const model = path.join(tmp, 'gm-undeclared');
  const trained = await heedHere([
    'train',
    '--model',
    'globalmean',
    '--dataset',
    `csv:${data}`,
    '--split',
    'all',
    '--out',
    model,
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const warning = /^warning: .*no rating scale declared; using the observed range 1\.\.5/m;
  assert.match(trained.stderr, warning);

  const stop = new AbortController();
  let stdout = '';
  let stderr = '';
  const serving = runCli(['serve', '--model-dir', model, '--port', '0', '--exclude-rated', '--quiet'], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    signal: stop.signal,
  });
  const deadline = Date.now() + 30_000;
  while (!/listening on http/.test(stdout) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  stop.abort();
  assert.equal(await serving, 0, stderr);
  assert.match(stdout, /listening on http/);
  assert.equal(stderr.split('\n').filter((line) => warning.test(line)).length, 1, stderr);
  assert.match(stderr, /heed serve: rated items rebuilt from csv:/);
});

test('an experiment whose data set cannot be loaded fails naming what is missing', async () => {
  const experiment = (name: string, dataset: string): string =>
    writeExperiment(name, { ...SLOW_SECOND, name, dataset, models: [SLOW_SECOND.models[0]] });
  const out = ['--out', path.join(tmp, 'never')];

  const noCsv = await heedHere(['experiment', 'run', experiment('no-csv', `csv:${tmp}/absent`), ...out]);
  assert.equal(noCsv.code, 1);
  assert.match(
    noCsv.stderr,
    new RegExp(`^heed: ${tmp}/absent: directory not found \\(expected ratings\\.csv`),
  );

  const unknown = await heedHere(['experiment', 'run', experiment('unknown', 'movielens-9m'), ...out]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^heed: unknown dataset "movielens-9m"; known: ml-100k, /);

  const ml = experiment('ml', 'ml-100k');
  const empty = path.join(tmp, 'empty-data');
  fs.mkdirSync(empty);
  const lacking = await heedHere(['experiment', 'run', ml, '--data-dir', empty, ...out]);
  assert.equal(lacking.code, 1);
  assert.match(
    lacking.stderr,
    new RegExp(`^heed: ${empty}/ml-100k: MovieLens 100K not found; run \`heed data fetch ml-100k\``),
  );
  const absentDir = path.join(tmp, 'no-such-dir');
  const noDir = await heedHere(['experiment', 'run', ml, '--data-dir', absentDir, ...out]);
  assert.equal(noDir.code, 1);
  assert.equal(noDir.stderr, `heed: ${absentDir}: data directory not found (--data-dir)\n`);

  // heed reproduce loads every experiment's data set before fitting anything.
  const sain = await heedHere([
    'reproduce',
    'sain',
    '--data-dir',
    empty,
    '--out',
    path.join(tmp, 'never-sain'),
  ]);
  assert.equal(sain.code, 1);
  assert.match(sain.stderr, new RegExp(`\\nheed: ${empty}/sain: SAIN's ml-100k-r data not found`));
  const noDirReproduce = await heedHere([
    'reproduce',
    'sain',
    '--data-dir',
    absentDir,
    '--out',
    path.join(tmp, 'never-sain'),
  ]);
  assert.equal(noDirReproduce.code, 1);
  assert.match(
    noDirReproduce.stderr,
    new RegExp(`heed: ${absentDir}: data directory not found \\(--data-dir\\)\\n$`),
  );
  assert.equal(fs.existsSync(path.join(tmp, 'never')), false, 'nothing is written for a failed load');
  assert.equal(fs.existsSync(path.join(tmp, 'never-sain')), false);
});

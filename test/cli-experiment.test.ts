import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runHeed, type HeedResult } from '../test-helpers/cli.js';

// dist/test/cli-experiment.test.js → dist/src/cli/main.js
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-cli-experiment-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs heed in the temporary directory, where `heed-results/` lands by default. */
const heed = (args: readonly string[]): HeedResult => runHeed(args, { cwd: tmp });

const EXPERIMENT = {
  version: 1,
  name: 'cli-check',
  title: 'CLI check',
  dataset: 'synthetic:users=60,items=80,ratingsPerUser=20',
  split: 'kfold:2',
  seeds: [1],
  metrics: ['rmse', 'ndcg@5'],
  models: [
    { label: 'Mean', model: 'globalmean', expectedSeconds: 1, paper: { rmse: 1.1 } },
    { label: 'MF', model: 'biasedmf', settings: { epochs: 5 }, expectedSeconds: 1 },
  ],
};

test('experiment run prints the table, writes the reports, and a second run fits nothing', () => {
  const file = path.join(tmp, 'check.json');
  fs.writeFileSync(file, JSON.stringify(EXPERIMENT));
  const first = heed(['experiment', 'run', file]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^## CLI check\n/);
  assert.match(first.stdout, /\| Mean +\| `globalmean` +\| [0-9.]+ ± [0-9.]+ +\| 1\.1000 +\| [+−][0-9.]+ /);
  assert.match(first.stderr, /cli-check: 4 runs, 0 already done; expected time for the other 4: about 4 s/);
  const out = path.join(tmp, 'heed-results', 'cli-check');
  assert.equal(fs.readdirSync(path.join(out, 'runs')).length, 4);
  assert.ok(fs.existsSync(path.join(out, 'results.md')));

  const second = heed(['experiment', 'run', file, '--json']);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /cli-check: 0 runs fitted, 4 reused/);
  const summary = JSON.parse(second.stdout) as { rows: { label: string; runs: number }[] };
  assert.deepEqual(
    summary.rows.map((r) => [r.label, r.runs]),
    [
      ['Mean', 2],
      ['MF', 2],
    ],
  );
  const report = heed(['experiment', 'report', file]);
  assert.equal(report.code, 0, report.stderr);
  assert.equal(report.stdout, first.stdout);
});

test('experiment and reproduce errors name the file, the path or the paper', () => {
  const bad = path.join(tmp, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ ...EXPERIMENT, seeds: [] }));
  const r = heed(['experiment', 'run', bad]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `heed: ${bad}: $.seeds: must not be empty\n`);
  const missing = heed(['experiment', 'run', path.join(tmp, 'nope.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.json: cannot read the experiment file/);
  const paper = heed(['reproduce', 'transformers']);
  assert.equal(paper.code, 2);
  assert.match(
    paper.stderr,
    /unknown paper "transformers": choose one of sain, afm-gau, aanmf, rsattae, safmr/,
  );
  const none = heed(['experiment', 'run']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /heed experiment run needs an experiment FILE/);
});

test('experiment run --only fits the named models only; a later run fits the rest', () => {
  const file = path.join(tmp, 'only.json');
  fs.writeFileSync(file, JSON.stringify({ ...EXPERIMENT, name: 'only-check' }));
  const out = path.join(tmp, 'only-out');
  const first = heed(['experiment', 'run', file, '--out', out, '--only', 'MF']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stderr,
    /only-check: 4 runs, 0 already done; expected time for the MF runs left, 2: about 2 s/,
  );
  assert.match(first.stderr, /only-check: 2 runs fitted, 0 reused/);
  const stored = fs.readdirSync(path.join(out, 'runs'));
  assert.equal(stored.length, 2);
  for (const f of stored) {
    const record = JSON.parse(fs.readFileSync(path.join(out, 'runs', f), 'utf8')) as {
      identity: { model: string };
    };
    assert.equal(record.identity.model, 'biasedmf');
  }
  // The report covers the plan and says what is missing.
  assert.match(first.stdout, /\| MF +\| `biasedmf` +\| [0-9.]+ ± [0-9.]+/);
  const rest = heed(['experiment', 'run', file, '--out', out]);
  assert.equal(rest.code, 0, rest.stderr);
  assert.match(rest.stderr, /only-check: 2 runs fitted, 2 reused/);

  const unknown = heed(['experiment', 'run', file, '--out', out, '--only', 'MF,Nope']);
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.match(unknown.stderr, /--only: .* has no model labelled "Nope"; its labels: Mean, MF/);
});

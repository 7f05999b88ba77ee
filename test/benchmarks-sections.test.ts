/**
 * BENCHMARKS.md's experiment sections are what bench/update-benchmarks.ts writes from the stored
 * runs (so the tables cannot drift from the records), and every imported run's numbers are the
 * ones in the JSON it names as its source. Run keys hold a fingerprint of the data set, so this
 * needs the real data in ../shared/data and is skipped, with a message, without it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BENCHMARK_EXPERIMENT_FILES } from '../bench/benchmark-experiments.js';
import { benchmarkSection, regeneratedBenchmarks, sectionText } from '../bench/benchmark-sections.js';
import { libmfSectionText } from '../bench/libmf-section.js';
import { readMeasuredRuns, type MeasuredRun } from '../bench/measured-runs.js';
import { RunStore, type RunRecord } from '../src/experiment/store.js';

// dist/test/ → the repository root, and the workspace's shared/data beside it.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHARED = fileURLToPath(new URL('../../../shared/data', import.meta.url));

function realData(t: { skip(message: string): void }): boolean {
  if (fs.existsSync(path.join(SHARED, 'ml-1m'))) return true;
  t.skip(`real data not found at ${SHARED}`);
  return false;
}

test('BENCHMARKS.md sections equal what update-benchmarks writes from the stored runs', async (t) => {
  if (!realData(t)) return;
  process.chdir(ROOT);
  const markdown = fs.readFileSync('BENCHMARKS.md', 'utf8');
  const sections = BENCHMARK_EXPERIMENT_FILES.map((file) => benchmarkSection(file, SHARED));
  for (const section of sections) {
    assert.ok(
      sectionText(markdown, section.name) !== undefined,
      `BENCHMARKS.md has no section ${section.name}`,
    );
    assert.ok(section.report.records.length > 0, `${section.name}: no stored runs`);
  }
  const libmf = libmfSectionText();
  assert.ok(libmf !== undefined && sectionText(markdown, libmf.name) !== undefined, 'no LIBMF section');
  const regenerated = await regeneratedBenchmarks(markdown, [...sections, libmf], 'BENCHMARKS.md');
  assert.equal(regenerated, markdown, 'BENCHMARKS.md is stale: run node dist/bench/update-benchmarks.js');
});

/**
 * What an imported run holds for a metric: the measured test value, or for a sweep point scored
 * on validation its RMSE, the fit's bestValidationRmse (the bench kept no other validation metric).
 */
function measuredValue(m: MeasuredRun, metric: string, scoredOn: 'test' | 'validation'): number | null {
  if (scoredOn === 'test') return m.metrics[metric] ?? null;
  return metric === 'rmse' ? (m.bestValidationRmse ?? null) : null;
}

test('every imported run holds the numbers of the measured run it names as its source', (t) => {
  if (!realData(t)) return;
  process.chdir(ROOT);
  const measured = readMeasuredRuns('bench/results');
  let checked = 0;
  for (const dir of fs.readdirSync('bench/results/experiments')) {
    const runs = path.join('bench/results/experiments', dir, 'runs');
    for (const name of fs.readdirSync(runs)) {
      const record = JSON.parse(fs.readFileSync(path.join(runs, name), 'utf8')) as RunRecord;
      if (record.provenance === undefined) continue;
      const { identity } = record;
      const source = measured.filter(
        (m) =>
          m.provenance.source === record.provenance?.source &&
          m.model === identity.model &&
          m.seed === identity.seed &&
          m.fold === identity.fold &&
          Object.entries(record.metrics).every(
            ([metric, value]) => measuredValue(m, metric, identity.scoredOn) === value,
          ),
      );
      // aanmf.json holds the same AANMF+P ml-1m fit twice (two sessions), so more than one may match.
      assert.ok(source.length >= 1, `${dir}/${name}: no measured run with these numbers in its source`);
      checked++;
    }
  }
  assert.ok(checked > 0, 'no imported runs found');
});

test('a stored run shared by two planned runs takes the role of the one asking for it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-stored-as-'));
  const store = new RunStore(dir);
  const identity = {
    dataset: 'd',
    ratingsFingerprint: 'f',
    split: 'u1',
    fold: 0,
    seed: 1,
    model: 'safmr',
    config: { learningRate: 0.008 },
    reviewProtocol: 'clean' as const,
    scoredOn: 'test' as const,
    metrics: ['mse'],
  };
  store.write({
    key: 'k',
    identity,
    role: { kind: 'table', label: 'SAFMR' },
    settings: {},
    metrics: { mse: 1.03 },
    fitSeconds: 1,
    predictSeconds: 0,
    epochs: 1,
    nTrain: 1,
    nTest: 1,
    finishedAt: '2026-01-01T00:00:00.000Z',
  });
  const figure = { kind: 'figure', figure: 'fig2', label: 'SAFMR', x: 0.008 } as const;
  const asFigure = store.readFor({ key: 'k', role: figure });
  assert.deepEqual(asFigure.role, figure);
  assert.equal(asFigure.metrics.mse, 1.03);
  fs.rmSync(dir, { recursive: true });
});

test("classic.json's u1..u5 runs are read both as split uK and as fold K of u1..u5", () => {
  process.chdir(ROOT);
  const classic = readMeasuredRuns('bench/results').filter(
    (m) => m.provenance.source === path.join('bench/results', 'classic.json') && m.dataset === 'ml-100k',
  );
  const asFolds = classic.filter((m) => m.split === 'u1..u5');
  assert.ok(asFolds.length > 0, 'no u1..u5 runs read from classic.json');
  for (const fold of asFolds) {
    const single = classic.filter(
      (m) =>
        m.split === `u${fold.fold + 1}` &&
        m.fold === 0 &&
        m.model === fold.model &&
        m.seed === fold.seed &&
        m.overrides === fold.overrides,
    );
    assert.equal(
      single.length,
      1,
      `${fold.model} seed ${fold.seed} fold ${fold.fold + 1}: no single-split twin`,
    );
    assert.deepEqual(single[0].metrics, fold.metrics);
  }
  assert.equal(classic.length, 2 * asFolds.length, 'a classic ml-100k run outside u1..u5');
});

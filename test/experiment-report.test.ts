import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseExperiment } from '../src/experiment/format.js';
import { markdownReport, writeReports } from '../src/experiment/report.js';
import type { RunRecord } from '../src/experiment/store.js';
import { friedmanAcrossExperiments } from '../src/experiment/significance.js';
import { bestSweepPoint, summarize, type RowSummary } from '../src/experiment/summary.js';
import { nemenyiCriticalDifference } from '../src/stats/nemenyi.js';
import { pairedTTest } from '../src/stats/paired-t-test.js';
import { wilcoxonSignedRank } from '../src/stats/wilcoxon.js';

const EXPERIMENT_JSON = {
  version: 1,
  name: 'fixed',
  title: 'Fixed records',
  source: 'A paper, Table 1',
  dataset: 'ml-100k',
  split: 'u1',
  seeds: [1, 2],
  metrics: ['rmse', 'mae'],
  models: [
    { label: 'MF', model: 'biasedmf', expectedSeconds: 1, paper: { rmse: 0.9, mae: 0.7 } },
    { label: 'Mean', model: 'globalmean', expectedSeconds: 1, note: 'the floor' },
  ],
};
const EXPERIMENT = parseExperiment(JSON.stringify(EXPERIMENT_JSON), 'fixed.json');

function record(label: string, model: string, seed: number, rmse: number, mae: number): RunRecord {
  return {
    key: `${label}-${seed}`,
    identity: {
      dataset: 'ml-100k',
      ratingsFingerprint: 'f',
      split: 'u1',
      fold: 0,
      seed,
      model,
      config: {},
      reviewProtocol: 'clean',
      scoredOn: 'test',
      metrics: ['mae', 'rmse'],
    },
    role: { kind: 'table', label },
    settings: {},
    metrics: { rmse, mae },
    fitSeconds: 1,
    predictSeconds: 0.1,
    epochs: 1,
    nTrain: 80000,
    nTest: 20000,
    finishedAt: '2026-01-01T00:00:00.000Z',
  };
}

const RECORDS = [
  record('MF', 'biasedmf', 2, 0.93, 0.73),
  record('MF', 'biasedmf', 1, 0.91, 0.71),
  record('Mean', 'globalmean', 1, 1.15, 0.95),
  record('Mean', 'globalmean', 2, 1.15, 0.95),
];

test('the summary has mean ± sd over seeds, the paper number and the difference', () => {
  const summary = summarize(EXPERIMENT, RECORDS);
  const mf = summary.rows[0];
  assert.equal(mf.label, 'MF');
  assert.equal(mf.runs, 2);
  assert.deepEqual(mf.metrics.rmse.values, [0.91, 0.93]);
  assert.ok(Math.abs((mf.metrics.rmse.mean ?? NaN) - 0.92) < 1e-12);
  assert.ok(Math.abs((mf.metrics.rmse.sd ?? NaN) - Math.SQRT2 * 0.01) < 1e-12);
  assert.equal(mf.metrics.rmse.paper, 0.9);
  assert.ok(Math.abs((mf.metrics.rmse.difference ?? NaN) - 0.02) < 1e-12);
  assert.equal(summary.rows[1].metrics.rmse.paper, undefined);
});

test('the Markdown table shows the paper beside Heed, the difference and the notes', () => {
  const text = markdownReport(
    {
      experiment: EXPERIMENT,
      records: RECORDS,
      quick: true,
      quickNotes: ['quick run: seeds 1 of 1, 2'],
      missing: 1,
    },
    summarize(EXPERIMENT, RECORDS),
  );
  const lines = text.split('\n');
  assert.equal(lines[0], '## Fixed records (quick run)');
  assert.ok(text.includes('Paper: A paper, Table 1.'));
  assert.ok(text.includes('(1 not run yet: the numbers below are partial)'));
  const mf = lines.find((l) => l.startsWith('| MF '));
  assert.ok(mf !== undefined);
  assert.deepEqual(
    mf
      .split('|')
      .map((c) => c.trim())
      .slice(1, -1),
    ['MF', '`biasedmf`', '0.9200 ± 0.0141', '0.9000', '+0.0200', '0.7200 ± 0.0141', '0.7000', '+0.0200', '2'],
  );
  const mean = lines.find((l) => l.startsWith('| Mean '));
  assert.ok(mean?.includes('| 1.1500 '));
  assert.ok(text.includes('- Mean: the floor'));
  assert.ok(text.includes('- quick run: seeds 1 of 1, 2'));
});

test('the best sweep point has the lowest mean validation RMSE', () => {
  const sweep = (factors: number, seed: number, rmse: number): RunRecord => ({
    ...record('S', 'biasedmf', seed, rmse, 0),
    key: `s${factors}-${seed}`,
    role: { kind: 'sweep', label: 'S', point: { factors } },
  });
  // factors=8 has the single best run, factors=2 the better mean.
  const runs = [sweep(2, 1, 0.9), sweep(2, 2, 0.91), sweep(8, 1, 0.89), sweep(8, 2, 0.97)];
  assert.deepEqual(bestSweepPoint(runs, 'rmse'), { factors: 2 });
});

test("with catalogueNdcg the table has its column, the mean ± sd of each run's catalogue NDCG", () => {
  const experiment = parseExperiment(
    JSON.stringify({ ...JSON.parse(JSON.stringify(EXPERIMENT)), catalogueNdcg: 50 }),
    'catalogue.json',
  );
  const withCatalogue = (r: RunRecord, ndcg: number): RunRecord => ({
    ...r,
    identity: { ...r.identity, catalogueNdcg: 50 },
    detail: {
      split: 'u1',
      rmse: r.metrics.rmse ?? 0,
      mae: r.metrics.mae ?? 0,
      mse: 0,
      ndcg10: null,
      samplesPerSecond: 1,
      nValidation: 0,
      coldStart: { user: 0, item: 0, both: 0, fallback: 0 },
      catalogueNdcg: { k: 50, ndcg, users: 10, candidates: 100 },
    },
  });
  const records = [
    withCatalogue(RECORDS[0], 0.03),
    withCatalogue(RECORDS[1], 0.01),
    withCatalogue(RECORDS[2], 0.02),
    withCatalogue(RECORDS[3], 0.02),
  ];
  const summary = summarize(experiment, records);
  assert.deepEqual(summary.rows[0].catalogueNdcg?.values, [0.01, 0.03]);
  const text = markdownReport({ experiment, records, quick: false, quickNotes: [], missing: 0 }, summary);
  assert.ok(text.includes('| NDCG@50 (catalogue) |'));
  const mf = text.split('\n').find((l) => l.startsWith('| MF '));
  assert.equal(mf?.split('|').map((c) => c.trim())[9], '0.0200 ± 0.0141');
  // Without the setting, no column.
  assert.ok(
    !markdownReport(
      { experiment: EXPERIMENT, records: RECORDS, quick: false, quickNotes: [], missing: 0 },
      summarize(EXPERIMENT, RECORDS),
    ).includes('catalogue'),
  );
});

test('a list sweep point {} is shown as "defaults"', () => {
  const experiment = parseExperiment(
    JSON.stringify({
      ...JSON.parse(JSON.stringify(EXPERIMENT)),
      sweep: {
        label: 'S',
        model: 'biasedmf',
        kind: 'list',
        points: [{}, { l2: 0.1 }],
        metric: 'rmse',
        expectedSeconds: 1,
      },
    }),
    'list.json',
  );
  const point = (p: Record<string, number>, seed: number, rmse: number): RunRecord => ({
    ...record('S', 'biasedmf', seed, rmse, 0),
    key: `s${JSON.stringify(p)}-${seed}`,
    role: { kind: 'sweep', label: 'S', point: p },
  });
  const records = [
    ...RECORDS,
    point({}, 1, 0.9),
    point({}, 2, 0.92),
    point({ l2: 0.1 }, 1, 0.95),
    point({ l2: 0.1 }, 2, 0.95),
  ];
  const text = markdownReport(
    { experiment, records, quick: false, quickNotes: [], missing: 0 },
    summarize(experiment, records),
  );
  const rows = text.split('\n').filter((l) => l.startsWith('| defaults ') || l.startsWith('| l2=0.1 '));
  assert.deepEqual(
    rows.map((l) => l.split('|')[1].trim()),
    ['defaults', 'l2=0.1'],
  );
});

test('paired tests against the reference and Friedman across three models use the seed blocks', () => {
  const three = parseExperiment(
    JSON.stringify({
      version: 1,
      name: 'three',
      title: 'Three',
      dataset: 'ml-100k',
      split: 'u1',
      seeds: [1, 2, 3],
      metrics: ['rmse'],
      reference: 'MF',
      models: [
        { label: 'MF', model: 'biasedmf', expectedSeconds: 1 },
        { label: 'Mean', model: 'globalmean', expectedSeconds: 1 },
        { label: 'SVD++', model: 'svdpp', expectedSeconds: 1 },
      ],
    }),
    'three.json',
  );
  const mf = [0.91, 0.93, 0.92];
  const mean = [1.15, 1.16, 1.14];
  const svdpp = [0.9, 0.925, 0.91];
  const records = [1, 2, 3].flatMap((seed, i) => [
    record('MF', 'biasedmf', seed, mf[i], 0),
    record('Mean', 'globalmean', seed, mean[i], 0),
    record('SVD++', 'svdpp', seed, svdpp[i], 0),
  ]);
  const summary = summarize(three, records);
  const vsMean = summary.paired.find((p) => p.label === 'Mean' && p.metric === 'rmse');
  assert.ok(vsMean !== undefined);
  const expected = pairedTTest(mean, mf);
  assert.equal(vsMean.n, 3);
  assert.equal(vsMean.tTestP, expected.pValue);
  assert.equal(vsMean.wilcoxonP, wilcoxonSignedRank(mean, mf).pValue);
  assert.equal(summary.friedman.length, 1);
  const f = summary.friedman[0];
  assert.deepEqual(f.labels, ['MF', 'Mean', 'SVD++']);
  // SVD++ is best and the mean worst on every seed.
  assert.deepEqual(f.averageRanks, [2, 3, 1]);
  assert.equal(f.blocks, 3);
  assert.equal(f.criticalDifference, nemenyiCriticalDifference(3, 3, 0.05));
  const text = markdownReport(
    { experiment: three, records, quick: false, quickNotes: [], missing: 0 },
    summary,
  );
  assert.ok(text.includes('Paired tests against MF'));
  assert.ok(text.includes('Friedman test on RMSE over 3 blocks'));
});

test('writeReports writes results.json, results.md and an SVG per figure and per Friedman test', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-report-'));
  try {
    const withFigure = parseExperiment(
      JSON.stringify({
        version: 1,
        name: 'fig',
        title: 'Figure',
        dataset: 'ml-100k',
        split: 'u1',
        seeds: [1, 2],
        metrics: ['rmse'],
        models: [
          { label: 'MF', model: 'biasedmf', expectedSeconds: 1 },
          { label: 'Mean', model: 'globalmean', expectedSeconds: 1 },
          { label: 'SVD++', model: 'svdpp', expectedSeconds: 1 },
        ],
        figures: [
          {
            id: 'factors',
            title: 'RMSE by factors',
            metric: 'rmse',
            vary: 'factors',
            values: [8, 16],
            series: [{ label: 'MF', model: 'biasedmf', expectedSeconds: 1 }],
          },
        ],
      }),
      'fig.json',
    );
    const point = (x: number, seed: number, rmse: number): RunRecord => ({
      ...record('MF', 'biasedmf', seed, rmse, 0),
      key: `f${x}-${seed}`,
      role: { kind: 'figure', figure: 'factors', label: 'MF', x },
    });
    const records = [
      ...[1, 2].flatMap((seed) => [
        record('MF', 'biasedmf', seed, 0.92 + seed / 100, 0),
        record('Mean', 'globalmean', seed, 1.15, 0),
        record('SVD++', 'svdpp', seed, 0.9 + seed / 100, 0),
      ]),
      point(8, 1, 0.95),
      point(8, 2, 0.94),
      point(16, 1, 0.93),
      point(16, 2, 0.92),
    ];
    const written = writeReports(dir, {
      experiment: withFigure,
      records,
      quick: false,
      quickNotes: [],
      missing: 0,
    });
    assert.deepEqual(
      written.figures.map((f) => f.file),
      ['factors.svg', 'critical-difference-rmse.svg'],
    );
    for (const f of written.figures) assert.match(fs.readFileSync(path.join(dir, f.file), 'utf8'), /^<svg /);
    const json = JSON.parse(fs.readFileSync(written.json, 'utf8')) as { runs: unknown[] };
    assert.equal(json.runs.length, records.length);
    assert.ok(fs.readFileSync(written.markdown, 'utf8').includes('- [RMSE by factors](factors.svg)'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Friedman across experiments ranks the shared models over data set x metric blocks (AANMF §5.5)', () => {
  const row = (label: string, rmse: number, ndcg: number): RowSummary => ({
    label,
    model: label,
    runs: 1,
    blocks: ['seed 1 fold 1'],
    metrics: {
      rmse: { mean: rmse, sd: 0, values: [rmse] },
      'ndcg@10': { mean: ndcg, sd: 0, values: [ndcg] },
    },
  });
  const summaries = [
    {
      name: 'a',
      metrics: ['rmse', 'ndcg@10'],
      rows: [row('X', 0.9, 0.8), row('Y', 0.95, 0.7), row('Z', 1.0, 0.6)],
    },
    // 'Extra' is in one experiment only, so it is not ranked.
    {
      name: 'b',
      metrics: ['rmse', 'ndcg@10'],
      rows: [row('X', 0.85, 0.9), row('Y', 0.8, 0.95), row('Z', 0.99, 0.5), row('Extra', 0.1, 1)],
    },
  ];
  const f = friedmanAcrossExperiments(summaries);
  assert.ok(f !== undefined);
  assert.deepEqual(f.labels, ['X', 'Y', 'Z']);
  assert.deepEqual(f.blockNames, ['a rmse', 'a ndcg@10', 'b rmse', 'b ndcg@10']);
  // Lower RMSE and higher NDCG rank first: X is first in a's two blocks, Y in b's.
  assert.deepEqual(f.averageRanks, [1.5, 1.5, 3]);
  assert.equal(f.criticalDifference, nemenyiCriticalDifference(3, 4, 0.05));

  // MSE beside RMSE is the same ranking, not another block.
  const withMse = summaries.map((s) => ({
    ...s,
    metrics: [...s.metrics, 'mse'],
    rows: s.rows.map((r) => {
      const squared = (r.metrics.rmse.mean ?? NaN) ** 2;
      return { ...r, metrics: { ...r.metrics, mse: { mean: squared, sd: 0, values: [squared] } } };
    }),
  }));
  assert.deepEqual(friedmanAcrossExperiments(withMse)?.blockNames, f.blockNames);
});

test('a model of the experiment with no stored run is named, not left out', () => {
  const onlyMf = RECORDS.filter((r) => r.role.kind === 'table' && r.role.label === 'MF');
  const text = markdownReport(
    { experiment: EXPERIMENT, records: onlyMf, quick: false, quickNotes: [], missing: 2 },
    summarize(EXPERIMENT, onlyMf),
  );
  assert.ok(text.includes('Rows with no run yet: Mean.'));
  assert.ok(
    !markdownReport(
      { experiment: EXPERIMENT, records: RECORDS, quick: false, quickNotes: [], missing: 0 },
      summarize(EXPERIMENT, RECORDS),
    ).includes('Rows with no run yet'),
  );
});

test('Δ is explained only when the table has paper columns', () => {
  const withPaper = markdownReport(
    { experiment: EXPERIMENT, records: RECORDS, quick: false, quickNotes: [], missing: 0 },
    summarize(EXPERIMENT, RECORDS),
  );
  assert.ok(withPaper.includes('Δ = Heed − paper.'));
  const noPaper = parseExperiment(
    JSON.stringify({
      ...EXPERIMENT_JSON,
      models: EXPERIMENT_JSON.models.map(({ label, model }) => ({ label, model, expectedSeconds: 1 })),
    }),
    'no-paper.json',
  );
  const text = markdownReport(
    { experiment: noPaper, records: RECORDS, quick: false, quickNotes: [], missing: 0 },
    summarize(noPaper, RECORDS),
  );
  assert.ok(text.includes('Heed: mean ± sd over seeds × folds.'));
  assert.ok(!text.includes('Δ'));
});

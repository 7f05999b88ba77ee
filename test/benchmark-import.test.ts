import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { importExperimentRuns } from '../bench/measured-run-import.js';
import type { MeasuredRun } from '../bench/measured-runs.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { parseExperiment } from '../src/experiment/format.js';
import { planExperiment, type PlanContext } from '../src/experiment/plan.js';
import { RunStore, type RunRecord } from '../src/experiment/store.js';

const dataset = generateSynthetic({ users: 30, items: 40, ratingsPerUser: 10 });

function context(extra: Record<string, unknown> = {}): PlanContext {
  const experiment = parseExperiment(
    JSON.stringify({
      version: 1,
      name: 'imported',
      title: 'Imported',
      dataset: 'synthetic',
      split: 'ratio:0.8,0.1,0.1',
      seeds: [1],
      metrics: ['rmse', 'mse'],
      models: [{ label: 'Mean', model: 'globalmean', expectedSeconds: 1 }],
      sweep: {
        label: 'MF',
        model: 'biasedmf',
        kind: 'list',
        points: [{}, { l2: 0.1 }],
        metric: 'rmse',
        expectedSeconds: 1,
      },
      ...extra,
    }),
    'imported.json',
  );
  return { experiment, dataset, quick: false, file: 'imported.json' };
}

/** A measured run with the config the plan resolves for `model` and `settings` (seed 1). */
function measured(
  model: string,
  settings: Record<string, number>,
  values: { rmse: number; bestValidationRmse?: number },
  extra: Partial<MeasuredRun> = {},
): MeasuredRun {
  const planned = planExperiment(context()).runs.find(
    (r) => r.identity.model === model && JSON.stringify(r.settings) === JSON.stringify(settings),
  );
  assert.ok(planned !== undefined, `no planned ${model} ${JSON.stringify(settings)}`);
  return {
    model,
    dataset: 'synthetic',
    split: 'ratio:0.8,0.1,0.1',
    seed: 1,
    fold: 0,
    overrides: Object.entries(settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
    config: planned.identity.config,
    metrics: { rmse: values.rmse, mse: values.rmse ** 2 },
    fitSeconds: 1,
    predictSeconds: 0.1,
    epochs: 3,
    nTrain: 240,
    nTest: 30,
    reviewProtocol: 'clean',
    ...(values.bestValidationRmse !== undefined ? { bestValidationRmse: values.bestValidationRmse } : {}),
    provenance: { source: 'bench/results/x.json', date: 'then', command: 'bench x', machine: 'here' },
    ...extra,
  };
}

/** Every record in the store, as written. */
function stored(store: RunStore): RunRecord[] {
  return fs
    .readdirSync(store.dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(store.dir, f), 'utf8')) as RunRecord);
}

function tempStore(): RunStore {
  return new RunStore(fs.mkdtempSync(path.join(os.tmpdir(), 'heed-import-')));
}

test('table runs, sweep points (their validation RMSE) and the best point on test are imported', () => {
  const store = tempStore();
  const runs = [
    measured('globalmean', {}, { rmse: 1.2 }),
    measured('biasedmf', {}, { rmse: 0.95, bestValidationRmse: 0.93 }),
    measured('biasedmf', { l2: 0.1 }, { rmse: 0.97, bestValidationRmse: 0.91 }),
  ];
  const outcome = importExperimentRuns(context(), runs, store);
  // One table run, two sweep points, the best point ({l2: 0.1}) on test.
  assert.deepEqual([outcome.imported, outcome.unmatched, outcome.refused.length], [4, 0, 0]);
  const records = stored(store);
  const point = (kind: string, l2: number | undefined) =>
    records.find(
      (r) =>
        r.role.kind === kind && r.role.kind !== 'table' && r.role.kind !== 'figure' && r.role.point.l2 === l2,
    );
  assert.deepEqual(point('sweep', 0.1)?.metrics, { rmse: 0.91, mse: null });
  assert.equal(point('sweep', 0.1)?.identity.scoredOn, 'validation');
  assert.match(
    point('sweep', 0.1)?.provenance?.note ?? '',
    /bestValidationRmse as rmse; not measured then: mse/,
  );
  assert.deepEqual(point('sweep-best', 0.1)?.metrics, { rmse: 0.97, mse: 0.97 ** 2 });
  assert.equal(records.find((r) => r.role.kind === 'table')?.metrics.rmse, 1.2);
  // Again: nothing new.
  const again = importExperimentRuns(context(), runs, store);
  assert.deepEqual([again.imported, again.alreadyStored], [0, 4]);
});

test('a run of another review protocol or with a catalogue NDCG is not a clean run without it', () => {
  const store = tempStore();
  const catalogue = { k: 50, ndcg: 0.02, users: 10, candidates: 100 };
  const detail = {
    split: 'ratio',
    rmse: 1.1,
    mae: 0.9,
    mse: 1.21,
    ndcg10: null,
    samplesPerSecond: 1,
    nValidation: 30,
    coldStart: { user: 0, item: 0, both: 0, fallback: 0 },
  };
  const runs = [
    measured('globalmean', {}, { rmse: 1.3 }, { reviewProtocol: 'paper' }),
    measured('globalmean', {}, { rmse: 1.1 }, { detail: { ...detail, catalogueNdcg: catalogue } }),
  ];
  const clean = importExperimentRuns(context(), runs, store);
  assert.equal(clean.imported, 0);
  const paperStore = tempStore();
  importExperimentRuns(context({ reviewProtocol: 'paper' }), runs, paperStore);
  assert.equal(stored(paperStore).find((r) => r.role.kind === 'table')?.metrics.rmse, 1.3);
  const catalogueStore = tempStore();
  importExperimentRuns(context({ catalogueNdcg: 50 }), runs, catalogueStore);
  const table = stored(catalogueStore).find((r) => r.role.kind === 'table');
  assert.equal(table?.metrics.rmse, 1.1);
  assert.deepEqual(table?.detail?.catalogueNdcg, catalogue);
});

test('a run with the same settings but a config that differs from today is refused, naming the setting', () => {
  const store = tempStore();
  const run = measured('globalmean', {}, { rmse: 1.2 });
  const outcome = importExperimentRuns(
    context(),
    [{ ...run, config: { ...run.config, shrinkage: 99 } }],
    store,
  );
  assert.equal(outcome.imported, 0);
  assert.equal(outcome.refused.length, 1);
  assert.match(
    outcome.refused[0],
    /table Mean \(globalmean\) seed 1 fold 1 from bench\/results\/x\.json: its config differs from today's \(shrinkage: 99 → \(absent\)\)/,
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { computeMetrics, DEFAULT_METRICS, metricByName, parseMetrics } from '../src/eval/metric.js';
import { mae, ndcgAtK, rmse } from '../src/eval/metrics.js';
import { evaluate } from '../src/eval/protocol.js';
import { UsageError } from '../src/util/errors.js';

const SCORED = {
  users: Int32Array.from([0, 0, 0, 1, 1]),
  items: Int32Array.from([0, 1, 2, 0, 3]),
  truth: Float32Array.from([5, 3, 1, 4, 2]),
  values: Float32Array.from([4, 3.5, 2, 3, 3]),
};

test('parseMetrics reads names, NDCG with its k, and keys results by name', () => {
  const metrics = parseMetrics('rmse, MAE,ndcg@3');
  assert.deepEqual(
    metrics.map((m) => [m.name, m.higherIsBetter]),
    [
      ['rmse', false],
      ['mae', false],
      ['ndcg@3', true],
    ],
  );
  const values = computeMetrics(metrics, SCORED);
  assert.equal(values.rmse, rmse(SCORED.values, SCORED.truth));
  assert.equal(values.mae, mae(SCORED.values, SCORED.truth));
  const ndcg = ndcgAtK(
    { user: SCORED.users, item: SCORED.items, rating: SCORED.truth, prediction: SCORED.values },
    3,
  );
  assert.equal(values['ndcg@3'], ndcg.ndcg);
  assert.deepEqual(
    DEFAULT_METRICS.map((m) => m.name),
    ['rmse', 'mae', 'mse', 'ndcg@10'],
  );
});

test('metric errors name the flag and the bad name', () => {
  assert.throws(
    () => parseMetrics('rmse,auc'),
    (e: Error) => e instanceof UsageError && /--metrics: unknown metric "auc"/.test(e.message),
  );
  assert.throws(() => parseMetrics('ndcg@0'), /unknown metric "ndcg@0"/);
  assert.throws(() => parseMetrics('rmse,RMSE'), /"rmse" is listed twice/);
  assert.throws(() => parseMetrics(' , '), /--metrics: no metric given/);
  assert.throws(
    () => metricByName('ndcg', 'exp.json: $.metrics[0]'),
    /exp\.json: \$\.metrics\[0\]: unknown metric "ndcg"/,
  );
});

test('evaluate reports the asked-for metrics keyed by name, per fold and as the mean', async () => {
  const dataset = generateSynthetic({ users: 60, items: 80, ratingsPerUser: 20 });
  const result = await evaluate({
    modelId: 'globalmean',
    dataset,
    split: 'kfold:3',
    metrics: parseMetrics('mae,ndcg@5'),
  });
  assert.deepEqual(Object.keys(result.metrics), ['mae', 'ndcg@5']);
  const folds = result.folds ?? [];
  assert.equal(folds.length, 3);
  for (const f of folds) assert.equal(f.metrics.mae, f.mae);
  const mean = folds.reduce((s, f) => s + (f.metrics.mae ?? NaN), 0) / 3;
  assert.ok(Math.abs((result.metrics.mae ?? NaN) - mean) < 1e-12);
});

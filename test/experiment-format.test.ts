import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { kFoldSplits } from '../src/data/split.js';
import { parseExperiment } from '../src/experiment/format.js';
import { planExperiment, sweepPoints } from '../src/experiment/plan.js';
import { UsageError } from '../src/util/errors.js';

const FILE = 'my.json';
const VALID = {
  version: 1,
  name: 'check',
  title: 'Check',
  dataset: 'synthetic',
  split: 'kfold:2',
  seeds: [1, 2],
  metrics: ['rmse', 'ndcg@5'],
  reference: 'MF',
  models: [
    { label: 'Mean', model: 'globalmean', expectedSeconds: 1, paper: { rmse: 1.1 } },
    {
      label: 'MF',
      model: 'biasedmf',
      settings: { epochs: 5 },
      expectedSeconds: 2,
      quick: { settings: { epochs: 1 }, note: 'one epoch' },
    },
  ],
  figures: [
    {
      id: 'factors',
      title: 'Factors',
      metric: 'rmse',
      vary: 'factors',
      values: [2, 4, 8],
      quickValues: [2],
      series: [{ label: 'MF', model: 'biasedmf', expectedSeconds: 1 }],
    },
  ],
  quick: { seeds: [1] },
};

/** VALID's text with the value at `path` (keys and array indices) replaced by `value`. */
function variant(path: readonly (string | number)[], value: unknown): string {
  const copy = JSON.parse(JSON.stringify(VALID)) as unknown;
  let at = copy as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, unknown>;
  at[path[path.length - 1]] = value;
  return JSON.stringify(copy);
}

function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseExperiment(text, FILE),
    (e: Error) => e instanceof UsageError && pattern.test(e.message),
  );
}

test('a valid experiment parses, with its defaults filled in', () => {
  const e = parseExperiment(JSON.stringify(VALID), FILE);
  assert.equal(e.models[0].label, 'Mean');
  assert.deepEqual(e.models[0].settings, {});
  assert.deepEqual(e.metrics, ['rmse', 'ndcg@5']);
});

test('the carve fraction, the catalogue NDCG and the ratings filter are checked, each naming its path', () => {
  const e = parseExperiment(variant(['validationFraction'], 0.2), FILE);
  assert.equal(e.validationFraction, 0.2);
  assert.equal(parseExperiment(variant(['catalogueNdcg'], 5), FILE).catalogueNdcg, 5);
  assert.equal(parseExperiment(variant(['minRatings'], 3), FILE).minRatings, 3);
  rejects(variant(['validationFraction'], 1), /^my\.json: \$\.validationFraction: must be below 1/);
  rejects(variant(['validationFraction'], -0.1), /\$\.validationFraction: must be a number ≥ 0/);
  rejects(variant(['catalogueNdcg'], 0), /\$\.catalogueNdcg: must be a whole number ≥ 1/);
  const paper = JSON.parse(variant(['catalogueNdcg'], 5)) as Record<string, unknown>;
  rejects(JSON.stringify({ ...paper, reviewProtocol: 'paper' }), /\$\.catalogueNdcg: cannot be combined/);
  const predefined = JSON.parse(variant(['minRatings'], 3)) as Record<string, unknown>;
  rejects(JSON.stringify({ ...predefined, split: 'u1' }), /\$\.minRatings: cannot filter the split "u1"/);
});

test('settings left at their defaults leave run keys as they were', () => {
  const dataset = generateSynthetic({ users: 20, items: 15, seed: 3 });
  const keys = (text: string): string[] =>
    planExperiment({ experiment: parseExperiment(text, FILE), dataset, quick: false, file: FILE }).runs.map(
      (r) => r.key,
    );
  const plain = keys(JSON.stringify(VALID));
  assert.deepEqual(keys(variant(['validationFraction'], 0.1)), plain);
  assert.notDeepEqual(keys(variant(['validationFraction'], 0.2)), plain);
  assert.notDeepEqual(keys(variant(['catalogueNdcg'], 5)), plain);
  assert.notDeepEqual(keys(variant(['minRatings'], 2)), plain);
});

test('experiment errors name the file and the JSON path', () => {
  rejects('{ "version": 1, ', /^my\.json: not valid JSON/);
  rejects(variant(['version'], 2), /^my\.json: \$\.version: must be 1/);
  rejects(variant(['colour'], 'red'), /^my\.json: \$\.colour: unknown key/);
  rejects(variant(['models', 1, 'setting'], {}), /^my\.json: \$\.models\[1\]\.setting: unknown key/);
  rejects(
    variant(['models', 1, 'settings', 'epochs'], [1]),
    /\$\.models\[1\]\.settings\.epochs: must be a number, string or boolean/,
  );
  rejects(
    variant(['models', 0, 'expectedSeconds'], -1),
    /\$\.models\[0\]\.expectedSeconds: must be a number ≥ 0/,
  );
  rejects(variant(['seeds'], [1, 1.5]), /\$\.seeds\[1\]: must be a whole number/);
  rejects(variant(['metrics'], ['rmse', 'auc']), /my\.json: \$\.metrics\[1\]: unknown metric "auc"/);
  rejects(variant(['models', 0, 'paper'], { mae: 0.7 }), /\$\.models\[0\]\.paper\.mae: unknown key/);
  rejects(variant(['models', 1, 'label'], 'Mean'), /\$\.models\[1\]\.label: "Mean" is used twice/);
  rejects(variant(['reference'], 'NCF'), /\$\.reference: "NCF" is not the label/);
  rejects(variant(['split'], 'ratio:0.8'), /^my\.json: \$\.split: /);
  rejects(variant(['name'], 'My Check'), /\$\.name: must be lower-case/);
  rejects(variant(['figures', 0, 'series'], []), /\$\.figures\[0\]\.series: must not be empty/);
  rejects(
    variant(['sweep'], {
      label: 'S',
      model: 'biasedmf',
      kind: 'random',
      space: { factors: [1] },
      metric: 'rmse',
      expectedSeconds: 1,
    }),
    /\$\.sweep\.samples: a random sweep needs/,
  );
});

test('unknown models and settings are named with the file and path when planned', () => {
  const dataset = generateSynthetic({ users: 30, items: 40, ratingsPerUser: 10 });
  const plan = (text: string) =>
    planExperiment({ experiment: parseExperiment(text, FILE), dataset, quick: false, file: FILE });
  assert.throws(
    () => plan(variant(['models', 1, 'settings'], { factorz: 3 })),
    /my\.json: \$\.models\[1\]: model "biasedmf" has no setting "factorz"/,
  );
  assert.throws(() => plan(variant(['models', 1, 'model'], 'nosuch')), /my\.json: \$\.models\[1\]: .*nosuch/);
  assert.throws(
    () => plan(variant(['split'], 'u1')),
    /my\.json: \$\.split: data set "synthetic:.*" has no split "u1"/,
  );
});

test('the plan is models x seeds x folds plus figure points; --quick applies the cuts', () => {
  const dataset = generateSynthetic({ users: 30, items: 40, ratingsPerUser: 10 });
  const experiment = parseExperiment(JSON.stringify(VALID), FILE);
  const full = planExperiment({ experiment, dataset, quick: false, file: FILE });
  assert.equal(full.runs.length, (2 + 3) * 2 * 2);
  assert.equal(new Set(full.runs.map((r) => r.key)).size, full.runs.length);
  const quick = planExperiment({ experiment, dataset, quick: true, file: FILE });
  assert.equal(quick.runs.length, (2 + 1) * 1 * 2);
  const mf = quick.runs.find((r) => r.role.kind === 'table' && r.role.label === 'MF');
  assert.equal(mf?.identity.config.epochs, 1);
  assert.ok(quick.quickNotes.some((n) => n === 'MF: one epoch'));
});

test('sweep points: the whole grid, or a seeded sample of distinct points', () => {
  const sweep = parseExperiment(
    variant(['sweep'], {
      label: 'S',
      model: 'biasedmf',
      kind: 'random',
      samples: 3,
      seed: 7,
      space: { factors: [2, 4, 8], lr: [0.01, 0.02] },
      metric: 'rmse',
      expectedSeconds: 1,
    }),
    FILE,
  ).sweep;
  assert.ok(sweep !== undefined);
  const drawn = sweepPoints(sweep);
  assert.equal(drawn.length, 3);
  assert.deepEqual(sweepPoints(sweep), drawn);
  assert.equal(new Set(drawn.map((p) => JSON.stringify(p))).size, 3);
  assert.equal(sweepPoints({ ...sweep, kind: 'grid' }).length, 6);
});

test('a range of predefined splits (u1..u3) plans one run per fold; a missing split is named', () => {
  const synthetic = generateSynthetic({ users: 30, items: 40, ratingsPerUser: 10 });
  const [u1, u2, u3] = kFoldSplits(synthetic, 3, 5);
  const dataset = { ...synthetic, predefinedSplits: { u1, u2, u3 } };
  const plan = (split: string) =>
    planExperiment({
      experiment: parseExperiment(variant(['split'], split), FILE),
      dataset,
      quick: false,
      file: FILE,
    });
  const table = plan('u1..u3').runs.filter((r) => r.role.kind === 'table');
  assert.equal(table.length, 2 * 2 * 3);
  assert.deepEqual([...new Set(table.map((r) => r.identity.fold))], [0, 1, 2]);
  assert.throws(
    () => plan('u1..u4'),
    /my\.json: \$\.split: data set "synthetic:.*" has no split "u4" \(its splits: u1, u2, u3;/,
  );
});

test('the review protocol is "clean" or "paper"; another value is refused naming the field', () => {
  assert.equal(parseExperiment(variant(['reviewProtocol'], 'paper'), FILE).reviewProtocol, 'paper');
  rejects(
    variant(['reviewProtocol'], 'authors'),
    /^my\.json: \$\.reviewProtocol: must be "clean" or "paper", got "authors"/,
  );
});

const LIST_SWEEP = {
  label: 'S',
  model: 'biasedmf',
  kind: 'list',
  points: [{}, { l2: 0.01 }, { factors: 4, learningRate: 0.02 }],
  metric: 'rmse',
  expectedSeconds: 1,
};

test('a list sweep tries exactly its points, in order; a quick run keeps the first ones', () => {
  const sweep = parseExperiment(variant(['sweep'], { ...LIST_SWEEP, quick: { samples: 2 } }), FILE).sweep;
  assert.ok(sweep !== undefined);
  assert.deepEqual(sweepPoints(sweep), [{}, { l2: 0.01 }, { factors: 4, learningRate: 0.02 }]);
  assert.deepEqual(sweepPoints(sweep, sweep.quick?.samples), [{}, { l2: 0.01 }]);
  const dataset = generateSynthetic({ users: 30, items: 40, ratingsPerUser: 10 });
  const plan = planExperiment({
    experiment: parseExperiment(variant(['sweep'], LIST_SWEEP), FILE),
    dataset,
    quick: false,
    file: FILE,
  });
  const points = plan.runs.filter((r) => r.role.kind === 'sweep');
  // Three points × two seeds × two folds, each scored on validation.
  assert.equal(points.length, 3 * 2 * 2);
  assert.ok(points.every((r) => r.identity.scoredOn === 'validation'));
  assert.equal(
    points.find((r) => r.role.kind === 'sweep' && r.settings.l2 === 0.01)?.identity.config.l2,
    0.01,
  );
});

test('a list sweep is refused with the path when its points are missing, repeated or mixed with a space', () => {
  rejects(variant(['sweep'], { ...LIST_SWEEP, points: undefined }), /\$\.sweep\.points: must be an array/);
  rejects(variant(['sweep'], { ...LIST_SWEEP, points: [] }), /\$\.sweep\.points: must not be empty/);
  rejects(
    variant(['sweep'], { ...LIST_SWEEP, points: [{ l2: 0.01 }, {}, { l2: 0.01 }] }),
    /\$\.sweep\.points\[2\]: repeats \$\.sweep\.points\[0\]/,
  );
  rejects(
    variant(['sweep'], { ...LIST_SWEEP, space: { l2: [0.01] } }),
    /\$\.sweep\.space: a list sweep names its points in "points"/,
  );
  rejects(
    variant(['sweep'], { ...LIST_SWEEP, samples: 2 }),
    /\$\.sweep\.samples: a list sweep tries every point/,
  );
  rejects(
    variant(['sweep'], { ...LIST_SWEEP, kind: 'grid', space: { l2: [0.01] } }),
    /\$\.sweep\.points: only a "list" sweep has points \(this one is "grid"\)/,
  );
  rejects(
    variant(['sweep'], { ...LIST_SWEEP, kind: 'bayes' }),
    /\$\.sweep\.kind: must be "grid", "random" or "list"/,
  );
  rejects(
    variant(['sweep'], { ...LIST_SWEEP, points: [{ l2: [1] }] }),
    /\$\.sweep\.points\[0\]\.l2: must be a number/,
  );
});

test('an experiment may have no models only when it has a sweep', () => {
  rejects(variant(['models'], []), /\$\.models: must not be empty/);
  const withSweep = JSON.parse(variant(['sweep'], LIST_SWEEP)) as Record<string, unknown>;
  delete withSweep.reference;
  withSweep.models = [];
  assert.equal(parseExperiment(JSON.stringify(withSweep), FILE).models.length, 0);
});

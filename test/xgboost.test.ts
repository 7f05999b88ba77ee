import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { UsageError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';
import {
  Booster,
  DMatrix,
  RSATTAE_XGBOOST_DEFAULTS,
  XGBoostError,
  libraryCandidates,
  metricMaximizes,
  parseEvalLine,
  trainXGBoost,
  xgboostAvailable,
  xgboostInstallMessage,
  xgboostParamPairs,
} from '../src/xgboost/index.js';

const available = xgboostAvailable();

/** Skips the test (with the loader's first line of explanation) when libxgboost cannot load here. */
function needsXGBoost(t: TestContext): boolean {
  if (available.ok) return true;
  t.skip(`libxgboost not found: ${available.reason.split('\n')[0]}`);
  return false;
}

/** y = 3·x0 − 2·x1 + noise; x2 is pure noise. Row-major features, uniform in [0, 1). */
function regression(rows: number, noise: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * 3);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < 3; j++) x[i * 3 + j] = rng.next();
    y[i] = 3 * x[i * 3] - 2 * x[i * 3 + 1] + noise * rng.normal();
  }
  return { x, y };
}

function rmse(predicted: Float32Array, actual: Float32Array): number {
  assert.equal(predicted.length, actual.length);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (predicted[i] - actual[i]) ** 2;
  return Math.sqrt(s / actual.length);
}

function mean(values: Float32Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

function matrices(
  noise: number,
  seed: number,
): { train: DMatrix; valid: DMatrix; yValid: Float32Array; yTrain: Float32Array } {
  const tr = regression(400, noise, seed);
  const va = regression(200, noise, seed + 1);
  return {
    train: DMatrix.fromFloat32(tr.x, 400, 3, tr.y),
    valid: DMatrix.fromFloat32(va.x, 200, 3, va.y),
    yTrain: tr.y,
    yValid: va.y,
  };
}

test('xgboost: the library reports a 1.x or 2.x version', (t) => {
  if (!needsXGBoost(t) || !available.ok) return;
  const { major, minor, patch } = available.library.version;
  assert.ok(major === 1 || major === 2, `unexpected XGBoost ${major}.${minor}.${patch}`);
  assert.ok(Number.isInteger(minor) && Number.isInteger(patch));
});

test('xgboost: DMatrix holds what it was given and checks its shape', (t) => {
  if (!needsXGBoost(t)) return;
  const m = DMatrix.fromFloat32(new Float32Array([1, NaN, 3, 4, 5, 6]), 3, 2, new Float32Array([1, 2, 3]));
  assert.equal(m.numRow(), 3);
  assert.equal(m.numCol(), 2);
  assert.throws(() => DMatrix.fromFloat32(new Float32Array(5), 3, 2), UsageError);
  assert.throws(() => m.setFloatInfo('label', new Float32Array(2)), /2 values for 3 rows/);
  assert.throws(() => m.setFloatInfo('label', new Float32Array([1, NaN, 3])), /label\[1\]/);
  m.dispose();
  m.dispose(); // a second dispose is harmless
  assert.ok(m.disposed);
  assert.throws(() => m.numRow(), /DMatrix was disposed/);
});

test('xgboost: a small regression learns y = 3·x0 − 2·x1 far better than the mean', (t) => {
  if (!needsXGBoost(t)) return;
  const { train, valid, yTrain, yValid } = matrices(0.1, 11);
  const booster = new Booster(
    { objective: 'reg:squarederror', max_depth: 4, eta: 0.3, nthread: 2, seed: 1 },
    [train, valid],
  );
  let metrics: Record<string, number> = {};
  for (let i = 0; i < 60; i++) {
    booster.updateOneIter(i, train);
    metrics = booster.evalOneIter(i, [
      [train, 'train'],
      [valid, 'valid'],
    ]);
  }
  assert.deepEqual(Object.keys(metrics), ['train-rmse', 'valid-rmse']);
  const predValid = booster.predict(valid);
  const heldOut = rmse(predValid, yValid);
  const meanBaseline = rmse(new Float32Array(yValid.length).fill(mean(yTrain)), yValid);
  assert.ok(heldOut < 0.3, `held-out RMSE ${heldOut}`);
  assert.ok(heldOut < 0.3 * meanBaseline, `held-out RMSE ${heldOut} vs mean ${meanBaseline}`);
  // XGBoost's own evaluation agrees with RMSE computed here from the predictions.
  assert.ok(Math.abs(metrics['valid-rmse'] - heldOut) < 1e-4, `${metrics['valid-rmse']} vs ${heldOut}`);
  assert.ok(Math.abs(metrics['train-rmse'] - rmse(booster.predict(train), yTrain)) < 1e-4);
  assert.equal(booster.boostedRounds(), 60);
  // Fewer rounds predict differently (and worse on training data).
  const early = booster.predict(train, { iterationRange: [0, 5] });
  assert.ok(rmse(early, yTrain) > metrics['train-rmse']);
  assert.throws(() => booster.predict(train, { iterationRange: [0, 61] }), /rounds in the model/);
  // A disposed training matrix does not break the booster.
  train.dispose();
  assert.equal(booster.predict(valid).length, 200);
  booster.dispose();
  valid.dispose();
});

test('xgboost: early stopping records the best round and predictions use it', async (t) => {
  if (!needsXGBoost(t)) return;
  const { train, valid, yValid } = matrices(0.8, 21);
  const seen: number[] = [];
  const result = await trainXGBoost({
    params: { max_depth: 6, eta: 0.5, nthread: 2, seed: 3 },
    dtrain: train,
    rounds: 300,
    evals: [
      [train, 'train'],
      [valid, 'valid'],
    ],
    earlyStoppingRounds: 8,
    onRound: (e) => seen.push(e.iteration),
  });
  const { booster, bestIteration, bestScore, history } = result;
  assert.ok(result.stoppedEarly, `ran all ${result.roundsTrained} rounds`);
  assert.equal(result.watched, 'valid-rmse');
  assert.equal(result.roundsTrained, bestIteration + 9);
  assert.equal(booster.boostedRounds(), result.roundsTrained);
  assert.deepEqual(
    seen,
    Array.from({ length: result.roundsTrained }, (_, i) => i),
  );
  const validHistory = history['valid-rmse'];
  assert.equal(validHistory.length, result.roundsTrained);
  assert.equal(bestScore, Math.min(...validHistory));
  assert.equal(validHistory.indexOf(Math.min(...validHistory)), bestIteration);
  assert.equal(booster.bestIteration, bestIteration);
  // The default prediction uses rounds 0..best, which scores exactly the best validation RMSE.
  const byDefault = booster.predict(valid);
  assert.deepEqual(byDefault, booster.predict(valid, { iterationRange: [0, bestIteration + 1] }));
  assert.notDeepEqual(byDefault, booster.predict(valid, { iterationRange: 'all' }));
  assert.ok(Math.abs(rmse(byDefault, yValid) - (bestScore ?? NaN)) < 1e-4);
  booster.dispose();
  train.dispose();
  valid.dispose();
});

test('xgboost: aborting stops between rounds and keeps a usable booster', async (t) => {
  if (!needsXGBoost(t)) return;
  const { train, valid } = matrices(0.1, 31);
  const controller = new AbortController();
  const result = await trainXGBoost({
    params: { max_depth: 3, nthread: 2 },
    dtrain: train,
    rounds: 100,
    onRound: (e) => {
      if (e.iteration === 4) controller.abort();
    },
    signal: controller.signal,
  });
  assert.ok(result.aborted);
  assert.equal(result.roundsTrained, 5);
  assert.equal(result.bestIteration, 4);
  assert.equal(result.booster.predict(valid).length, 200);
  result.booster.dispose();
  train.dispose();
  valid.dispose();
});

test('xgboost: save → load → predict gives identical predictions in every format', async (t) => {
  if (!needsXGBoost(t)) return;
  const { train, valid } = matrices(0.8, 41);
  const { booster, bestIteration } = await trainXGBoost({
    params: { max_depth: 5, eta: 0.5, nthread: 2, subsample: 0.8, seed: 5 },
    dtrain: train,
    rounds: 200,
    evals: [[valid, 'valid']],
    earlyStoppingRounds: 5,
  });
  const expected = booster.predict(valid);
  const dir = mkdtempSync(join(tmpdir(), 'heed-xgb-'));
  try {
    for (const ext of ['json', 'ubj', 'model']) {
      const path = join(dir, `model.${ext}`);
      booster.save(path);
      const loaded = Booster.load(path, { nthread: 1 });
      assert.equal(loaded.bestIteration, bestIteration, ext);
      assert.equal(loaded.boostedRounds(), booster.boostedRounds(), ext);
      assert.deepEqual(loaded.predict(valid), expected, ext);
      loaded.dispose();
    }
    for (const format of ['json', 'ubj'] as const) {
      const bytes = booster.toBytes(format);
      if (format === 'json') assert.equal(new TextDecoder().decode(bytes.subarray(0, 1)), '{');
      const loaded = Booster.fromBytes(bytes);
      assert.deepEqual(loaded.predict(valid), expected, format);
      loaded.dispose();
    }
    assert.throws(() => booster.save(join(dir, 'model.txt')), /must end in \.json, \.ubj, \.model/);
    assert.throws(() => Booster.load(join(dir, 'missing.json')), XGBoostError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    booster.dispose();
    train.dispose();
    valid.dispose();
  }
});

test("xgboost: an invalid param surfaces XGBoost's own error text as an XGBoostError", (t) => {
  if (!needsXGBoost(t)) return;
  const { train, valid } = matrices(0.1, 51);
  // XGBoost checks parameters lazily, on the first round.
  const booster = new Booster({ objective: 'reg:no-such-objective', nthread: 1 }, [train]);
  assert.throws(
    () => booster.updateOneIter(0, train),
    (e: unknown) =>
      e instanceof XGBoostError &&
      e.call === 'XGBoosterUpdateOneIter' &&
      e.message.includes('reg:no-such-objective') &&
      e.nativeMessage.includes('reg:no-such-objective') &&
      !e.message.includes('Stack trace'),
  );
  booster.dispose();
  // A malformed value for a param Heed passes through unchecked is XGBoost's error too.
  const badValue = new Booster({ extra: { max_cat_to_onehot: 'many' } }, [train]);
  assert.throws(
    () => badValue.updateOneIter(0, train),
    (e: unknown) => e instanceof XGBoostError && /max_cat_to_onehot/.test(e.message),
  );
  badValue.dispose();
  train.dispose();
  valid.dispose();
});

test('xgboost params: numbers are checked at the boundary with errors naming the key', () => {
  assert.throws(
    () => xgboostParamPairs({ subsample: 1.5 }),
    /"subsample" must be a number > 0 and ≤ 1, got 1.5/,
  );
  assert.throws(() => xgboostParamPairs({ max_depth: 2.5 }), /"max_depth" must be an integer ≥ 0/);
  assert.throws(() => xgboostParamPairs({ eta: Number.NaN }), /"eta"/);
  assert.throws(() => xgboostParamPairs({ nthread: 0 }), /"nthread"/);
  assert.throws(() => xgboostParamPairs({ eta: 0.1, learning_rate: 0.2 }), /"learning_rate" sets "eta"/);
  assert.throws(() => xgboostParamPairs({ extra: { eta: 1 } }), /"extra.eta"/);
  assert.throws(() => xgboostParamPairs({ maxdepth: 3 } as never), /"maxdepth" is not one Heed knows/);
  const pairs = xgboostParamPairs({ ...RSATTAE_XGBOOST_DEFAULTS.params, eval_metric: ['mae', 'rmse'] });
  assert.deepEqual(pairs, [
    ['objective', 'reg:squarederror'],
    ['tree_method', 'hist'],
    ['eta', '0.01'],
    ['max_depth', '9'],
    ['subsample', '1'],
    ['colsample_bytree', '0.2'],
    ['lambda', '1'],
    ['alpha', '3'],
    ['seed', '42'],
    ['nthread', pairs.find(([k]) => k === 'nthread')?.[1] ?? ''],
    ['eval_metric', 'mae'],
    ['eval_metric', 'rmse'],
  ]);
  assert.ok(Number(pairs.find(([k]) => k === 'nthread')?.[1]) >= 1);
  assert.equal(RSATTAE_XGBOOST_DEFAULTS.rounds, 1900);
});

test('xgboost: evaluation lines and metric directions parse like XGBoost prints them', () => {
  assert.deepEqual(parseEvalLine('[12]\ttrain-rmse:0.5\tmy-valid-rmse:0.875\tvalid-auc:nan\tx-mae:inf'), {
    'train-rmse': 0.5,
    'my-valid-rmse': 0.875,
    'valid-auc': NaN,
    'x-mae': Infinity,
  });
  assert.ok(metricMaximizes('auc') && metricMaximizes('ndcg@10') && metricMaximizes('map'));
  assert.ok(!metricMaximizes('rmse') && !metricMaximizes('mape') && !metricMaximizes('mae'));
});

test('xgboost: a missing library gives the exact install commands', async () => {
  const message = xgboostInstallMessage('linux', '/nowhere/libxgboost.so', [
    { path: '/nowhere/libxgboost.so', error: 'cannot open shared object file' },
  ]);
  assert.match(message, /HEED_XGBOOST_LIB=\/nowhere\/libxgboost\.so/);
  assert.match(message, /\/nowhere\/libxgboost\.so: cannot open shared object file/);
  assert.ok(message.includes('sudo apt-get install libxgboost0'));
  assert.ok(message.includes('brew install xgboost'));
  assert.ok(message.includes('pip install xgboost'));
  assert.ok(message.includes('python3 -c "import xgboost.libpath as p; print(p.find_lib_path()[0])"'));
  assert.deepEqual(libraryCandidates('linux', undefined), ['libxgboost.so.0', 'libxgboost.so']);
  assert.deepEqual(libraryCandidates('linux', '/x/lib.so'), ['/x/lib.so']);
  assert.ok(libraryCandidates('darwin', undefined).includes('/opt/homebrew/lib/libxgboost.dylib'));
  assert.ok(xgboostInstallMessage('darwin', undefined, []).includes('xgboost/lib/libxgboost.dylib'));

  // End to end, in a fresh process (the library is loaded once per process): a bad env path fails
  // with the message, and nothing is loaded merely by importing the module.
  const moduleUrl = pathToFileURL(fileURLToPath(new URL('../src/xgboost/index.js', import.meta.url))).href;
  const script = `import(${JSON.stringify(moduleUrl)}).then((m) => { try { m.DMatrix.fromFloat32(new Float32Array(1), 1, 1); console.log('loaded'); } catch (e) { console.log(e.name + ': ' + e.message); } });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, HEED_XGBOOST_LIB: '/nonexistent/libxgboost.so' },
  });
  assert.match(
    stdout,
    /^HeedError: XGBoost's shared library could not be loaded from HEED_XGBOOST_LIB=\/nonexistent\/libxgboost\.so/,
  );
  assert.ok(stdout.includes('sudo apt-get install libxgboost0'));
});

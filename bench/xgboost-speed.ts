/**
 * How long RSAttAE's XGBoost stage takes here: boosting rounds with the paper's parameters
 * (RSATTAE_XGBOOST_DEFAULTS) on a random matrix shaped like its supervised data set (ML-100K's
 * u1.base is 80,000 ratings; each row is a user embedding, a movie embedding and both entities'
 * features, about 200 floats). Trains a few rounds and extrapolates to the paper's 1,900.
 *
 *   npx tsc -p . && node dist/bench/xgboost-speed.js [--rows 80000] [--cols 200] [--rounds 100]
 *     [--tree-method hist] [--nthread N] [--validation 0.1] [--out bench/results/tmp/xgboost-speed.json]
 *
 * Writes a JSON record to --out and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../src/util/rng.js';
import { DMatrix, RSATTAE_XGBOOST_DEFAULTS, trainXGBoost, xgboost } from '../src/xgboost/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '80000' },
    cols: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '100' },
    'tree-method': { type: 'string', default: RSATTAE_XGBOOST_DEFAULTS.params.tree_method },
    nthread: { type: 'string', default: String(availableParallelism()) },
    validation: { type: 'string', default: '0.1' },
    out: { type: 'string', default: 'bench/results/tmp/xgboost-speed.json' },
  },
});
const rows = Number(values.rows);
const cols = Number(values.cols);
const rounds = Number(values.rounds);
const nthread = Number(values.nthread);
const validationShare = Number(values.validation);

/**
 * Features: half dense Gaussian "embeddings", half 0/1 "one-hot features" (about 1 in 8 set), as
 * in the paper's concat[E_u, E_m, F_u, F_m]. Ratings 1..5 depend on a few columns plus noise, so
 * trees have something to find and grow to full depth.
 */
function makeData(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * cols);
  const y = new Float32Array(n);
  const dense = Math.floor(cols / 2);
  for (let i = 0; i < n; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) x[row + j] = j < dense ? rng.normal() : rng.next() < 0.125 ? 1 : 0;
    const signal = 0.6 * x[row] - 0.4 * x[row + 1] + 0.3 * x[row + 2] * x[row + 3] + 0.5 * x[row + dense];
    y[i] = Math.min(5, Math.max(1, Math.round(3.5 + signal + 0.9 * rng.normal())));
  }
  return { x, y };
}

const lib = xgboost();
const validRows = Math.round(rows * validationShare);
let t = performance.now();
const train = makeData(rows, 1);
const valid = makeData(validRows, 2);
const makeSeconds = (performance.now() - t) / 1000;

t = performance.now();
const dtrain = DMatrix.fromFloat32(train.x, rows, cols, train.y);
const dvalid = DMatrix.fromFloat32(valid.x, validRows, cols, valid.y);
const dmatrixSeconds = (performance.now() - t) / 1000;

const roundSeconds: number[] = [];
let last = performance.now();
t = performance.now();
const result = await trainXGBoost({
  params: { ...RSATTAE_XGBOOST_DEFAULTS.params, tree_method: values['tree-method'], nthread },
  dtrain,
  rounds,
  evals: validRows > 0 ? [[dvalid, 'valid']] : [],
  onRound: () => {
    const now = performance.now();
    roundSeconds.push((now - last) / 1000);
    last = now;
  },
});
const trainSeconds = (performance.now() - t) / 1000;

// A fresh matrix: the booster caches its predictions for matrices it trained or evaluated on.
const dfresh = DMatrix.fromFloat32(train.x, rows, cols);
t = performance.now();
const predictions = result.booster.predict(dfresh);
const predictSeconds = (performance.now() - t) / 1000;

const sorted = [...roundSeconds].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const perRound = trainSeconds / rounds;
// The first round also builds the histogram cuts (quantile sketch); later rounds reuse them.
const laterRounds = roundSeconds.slice(1);
const perLaterRound =
  laterRounds.length === 0 ? perRound : laterRounds.reduce((a, b) => a + b, 0) / laterRounds.length;
const estimated = roundSeconds[0] + perLaterRound * (RSATTAE_XGBOOST_DEFAULTS.rounds - 1);
const record = {
  date: new Date().toISOString(),
  xgboost: `${lib.version.major}.${lib.version.minor}.${lib.version.patch}`,
  library: lib.path,
  ompWaitPolicy: process.env.OMP_WAIT_POLICY ?? null,
  cpus: availableParallelism(),
  loadAverageAtEnd: loadavg()[0],
  rows,
  cols,
  validationRows: validRows,
  rounds,
  treeMethod: values['tree-method'],
  nthread,
  params: { ...RSATTAE_XGBOOST_DEFAULTS.params, tree_method: values['tree-method'], nthread },
  seconds: {
    makeData: makeSeconds,
    dmatrix: dmatrixSeconds,
    train: trainSeconds,
    perRoundMean: perRound,
    perLaterRoundMean: perLaterRound,
    perRoundMedian: median,
    firstRound: roundSeconds[0],
    predictTrainRows: predictSeconds,
    estimated1900Rounds: estimated,
  },
  finalValidRmse: result.history['valid-rmse']?.at(-1) ?? null,
  predictions: predictions.length,
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(record, null, 2)}\n`);

const table: Array<[string, string]> = [
  ['XGBoost', `${record.xgboost} (${record.library}), OMP_WAIT_POLICY=${record.ompWaitPolicy ?? 'unset'}`],
  ['data', `${rows} × ${cols} train, ${validRows} validation rows`],
  ['params', `tree_method=${record.treeMethod}, nthread=${nthread}, depth 9, eta 0.01, colsample_bytree 0.2`],
  ['DMatrix build (both)', `${dmatrixSeconds.toFixed(2)} s`],
  [`${rounds} rounds (with validation eval)`, `${trainSeconds.toFixed(2)} s`],
  ['first round (incl. histogram cuts)', `${roundSeconds[0].toFixed(3)} s`],
  ['later rounds mean / median', `${perLaterRound.toFixed(3)} / ${median.toFixed(3)} s`],
  [`predict ${rows} rows (${rounds} rounds)`, `${predictSeconds.toFixed(3)} s`],
  ['estimate for 1,900 rounds', `${(estimated / 60).toFixed(1)} min (first + 1,899 × later mean)`],
  ['load average (1 min) at end', record.loadAverageAtEnd.toFixed(2)],
];
const width = Math.max(...table.map(([k]) => k.length));
for (const [k, v] of table) console.log(`${k.padEnd(width)}  ${v}`);
console.log(`(written to ${values.out})`);
result.booster.dispose();
dfresh.dispose();
dtrain.dispose();
dvalid.dispose();

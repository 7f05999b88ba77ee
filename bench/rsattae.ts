/**
 * RSAttAE and its vanilla-autoencoder ablation on MovieLens 100K's u1 split, as
 * `heed evaluate --model rsattae --dataset ml-100k --split u1` runs them: test RMSE and MAE, the
 * time of every stage (user autoencoder, item autoencoder, embeddings, XGBoost, prediction), the
 * learned α of both autoencoders, their best epochs and validation RMSEs, and XGBoost's rounds.
 *
 * The machine may be shared: the 1-minute load average is sampled every 5 seconds during each run
 * and written down (min, mean, max) next to the timings, with the process's CPU time.
 *
 *   npx tsc -p . && node dist/bench/rsattae.js --data-dir /work/shared/data \
 *     [--models rsattae,rsattae-vanilla] [--seed 1] [--set key=value ...] [--out bench/results/rsattae.json]
 *
 * The paper (Table III) reports RMSE 0.898 on u1; the authors' code scored 0.904-0.905 here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseKeyValues } from '../src/cli/flags.js';
import { loadDataset } from '../src/data/registry.js';
import { engineInfo, initEngine } from '../src/engine/backend.js';
import { modelConfig, runFold } from '../src/eval/protocol.js';
import { getModelSpec } from '../src/models/index.js';
import type { RSAttAE, RsattaeFitDetails } from '../src/models/rsattae/model.js';
import { UsageError } from '../src/util/errors.js';
import { xgboost } from '../src/xgboost/library.js';
import { LoadSampler, loadAverages, machineSummary, round2 } from './machine-load.js';
import { overridesText } from './shared-flags.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env['HEED_DATA_DIR'] ?? '/work/shared/data' },
    models: { type: 'string', default: 'rsattae,rsattae-vanilla' },
    seed: { type: 'string', default: '1' },
    set: { type: 'string', multiple: true, default: [] },
    out: { type: 'string', default: 'bench/results/rsattae.json' },
  },
});

const overrides = parseKeyValues(values.set, 'set');
const seed = Number(values.seed);
if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);

await initEngine();
const engine = engineInfo();
const version = xgboost().version;
const dataset = await loadDataset('ml-100k', { dataDir: values['data-dir'] });
const split = dataset.predefinedSplits['u1'];
console.error(
  `engine: ${engine.backend} (simd ${engine.simd}); XGBoost ${version.major}.${version.minor}.${version.patch}; ` +
    `load ${loadAverages().join(' ')}`,
);

const runs: unknown[] = [];
for (const id of values.models.split(',')) {
  const spec = getModelSpec(id.trim());
  const config = modelConfig(spec, overrides, seed);
  const model = spec.create(config) as RSAttAE;
  const sampler = new LoadSampler();
  const cpuBefore = process.cpuUsage();
  const started = new Date().toISOString();
  const result = await runFold(model, dataset, split);
  const cpu = process.cpuUsage(cpuBefore);
  const load = sampler.stop();
  const details = model.details as RsattaeFitDetails;
  const run = {
    model: spec.id,
    dataset: dataset.id,
    split: 'u1',
    seed,
    overrides: overridesText(overrides),
    rmse: result.rmse,
    mae: result.mae,
    paperRmse: 0.898,
    seconds: {
      ...details.seconds,
      fit: result.fitSeconds,
      predict: result.predictSeconds,
      total: result.fitSeconds + result.predictSeconds,
    },
    cpuSeconds: round2((cpu.user + cpu.system) / 1e6),
    alpha: details.alpha,
    autoencoders: details.autoencoders,
    xgboost: details.xgboost,
    nTrain: details.nTrain,
    nValidation: details.nValidation,
    nTest: result.nTest,
    coldStart: result.coldStart,
    coldItemsEmbeddedFromFeatures: details.coldItems,
    loadAverage1m: load,
    started,
    config,
    backend: engine.backend,
    simd: engine.simd,
    xgboostVersion: `${version.major}.${version.minor}.${version.patch}`,
    machine: machineSummary(),
    node: process.version,
    cli:
      `node dist/src/cli/main.js evaluate --model ${spec.id} --dataset ml-100k --data-dir ${values['data-dir']} ` +
      `--split u1 --seed ${seed}${Object.entries(overrides)
        .map(([k, v]) => ` --set ${k}=${v}`)
        .join('')} --json`,
  };
  runs.push(run);
  console.error(
    `${spec.id}: RMSE ${result.rmse.toFixed(4)} MAE ${result.mae.toFixed(4)}; ` +
      `user AE ${details.seconds.userAutoencoder.toFixed(1)} s, item AE ${details.seconds.itemAutoencoder.toFixed(1)} s, ` +
      `embeddings ${details.seconds.embeddings.toFixed(1)} s, XGBoost ${details.seconds.xgboost.toFixed(1)} s, ` +
      `predict ${result.predictSeconds.toFixed(1)} s; α ${JSON.stringify(details.alpha)}; load ${load.mean} (${load.min}-${load.max})`,
  );
}

const record = {
  benchmark: 'rsattae',
  command: `node dist/bench/rsattae.js ${process.argv.slice(2).join(' ')}`.trim(),
  date: new Date().toISOString(),
  runs,
};
fs.mkdirSync(path.dirname(values.out), { recursive: true });
fs.writeFileSync(values.out, JSON.stringify(record, null, 2) + '\n');
console.error(`wrote ${values.out}`);

const rows = runs as Array<{
  model: string;
  rmse: number;
  seconds: Record<string, number>;
  alpha: { user: number | null; item: number | null };
  loadAverage1m: { mean: number };
}>;
const fmt = (v: number | null): string => (v === null ? '-' : v.toFixed(3));
console.log(
  '| model | RMSE | user AE s | item AE s | embed s | XGBoost s | fit s | predict s | α user | α item | load |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const s = r.seconds;
  console.log(
    `| ${r.model} | ${r.rmse.toFixed(4)} | ${s.userAutoencoder.toFixed(1)} | ${s.itemAutoencoder.toFixed(1)} | ` +
      `${s.embeddings.toFixed(1)} | ${s.xgboost.toFixed(1)} | ${s.fit.toFixed(1)} | ${s.predict.toFixed(1)} | ` +
      `${fmt(r.alpha.user)} | ${fmt(r.alpha.item)} | ${r.loadAverage1m.mean} |`,
  );
}

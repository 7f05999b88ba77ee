/**
 * Training speed of `svdfeature` and `cdl` on MovieLens 1M (issue 12): one fit of each with its
 * shipped defaults but a fixed, small number of epochs and no early stopping, on the seeded
 * 90/10 split, timed in wall and CPU seconds (the machine is shared; CPU seconds are what the wall
 * time would be on an idle machine, the fits being single-threaded).
 *
 *   npx tsc -p . && node dist/bench/feature-baselines-speed.js --data-dir ../shared/data
 *     [--svdfeature-epochs 5] [--cdl-epochs 2] [--out bench/results/feature-baselines-speed.json]
 *
 * Prints a table and writes a JSON record to --out.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/data/registry.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { resolveConfig } from '../src/models/config.js';
import { getModelSpec } from '../src/models/index.js';
import { loadAverages, machineSummary, round2 } from './machine-load.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    'svdfeature-epochs': { type: 'string', default: '5' },
    'cdl-epochs': { type: 'string', default: '2' },
    out: { type: 'string', default: 'bench/results/feature-baselines-speed.json' },
  },
});

const dataset = loadDataset('ml-1m', values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] });
const splitText = 'ratio:0.9,0,0.1';
const [split] = makeSplits(dataset, parseSplitSpec(splitText), 1);
const train = { dataset, indices: split.train };
const runs = [];
for (const [id, epochs] of [
  ['svdfeature', values['svdfeature-epochs']],
  ['cdl', values['cdl-epochs']],
] as const) {
  const spec = getModelSpec(id);
  const config = resolveConfig(spec, { epochs, patience: '0' });
  const model = spec.create(config);
  const load = loadAverages();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const report = await model.fit(train);
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  runs.push({
    model: id,
    epochs: report.epochs,
    trainingRatings: split.train.length,
    wallSeconds: round2(wall),
    cpuSeconds: round2(cpuSeconds),
    cpuSecondsPerEpoch: round2(cpuSeconds / report.epochs),
    ratingsPerCpuSecond: Math.round(report.samplesProcessed / cpuSeconds),
    loadAverageAtStart: load,
  });
}

const record = {
  date: new Date().toISOString(),
  command: process.argv.slice(1).join(' '),
  machine: machineSummary(),
  node: process.version,
  dataset: 'ml-1m',
  split: splitText,
  seed: 1,
  runs,
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(record, null, 2)}\n`);
console.log('| model | epochs | wall s | CPU s | CPU s / epoch | ratings / CPU s | load at start |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of runs) {
  console.log(
    `| ${r.model} | ${r.epochs} | ${r.wallSeconds} | ${r.cpuSeconds} | ${r.cpuSecondsPerEpoch} | ${r.ratingsPerCpuSecond.toLocaleString('en-US')} | ${r.loadAverageAtStart.join(' ')} |`,
  );
}

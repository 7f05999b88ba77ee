/**
 * RSAttAE's autoencoders on one thread against two (`autoencoderThreads`), on MovieLens 100K's u1
 * split with the shipped settings: alternating fits (1, 2, then 2, 1, …) that stop after one
 * XGBoost round, since only the autoencoder stage changes with the setting. Per fit: the wall time
 * of both autoencoders, each one's own time, the process's CPU seconds over the fit, the load
 * average, and a SHA-256 of both embedding tables, which must be equal for every fit (the two
 * thread counts compute the same bits).
 *
 *   npx tsc -p . && bench/run-at-priority.sh node dist/bench/rsattae-cores.js --data-dir ../shared/data \
 *     [--pairs 2] [--set key=value ...] [--out bench/results/rsattae-cores.json]
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseKeyValues } from '../src/cli/flags.js';
import { loadDataset } from '../src/data/registry.js';
import { initEngine } from '../src/engine/backend.js';
import { modelConfig } from '../src/eval/protocol.js';
import { getModelSpec } from '../src/models/index.js';
import type { RSAttAE, RsattaeFitDetails } from '../src/models/rsattae/model.js';
import { HeedError, UsageError } from '../src/util/errors.js';
import { LoadSampler, machineSummary, round2 } from './machine-load.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env['HEED_DATA_DIR'] ?? '/work/shared/data' },
    pairs: { type: 'string', default: '2' },
    set: { type: 'string', multiple: true, default: [] },
    out: { type: 'string', default: 'bench/results/rsattae-cores.json' },
  },
});
const pairs = Number(values.pairs);
if (!Number.isInteger(pairs) || pairs < 1)
  throw new UsageError(`--pairs must be an integer >= 1, got "${values.pairs}"`);
const overrides = { ...parseKeyValues(values.set, 'set'), rounds: 1, xgbPatience: 0 };

await initEngine();
const dataset = await loadDataset('ml-100k', { dataDir: values['data-dir'] });
const split = dataset.predefinedSplits['u1'];
const spec = getModelSpec('rsattae');

interface Fit {
  readonly threads: number;
  readonly autoencoders: number;
  readonly user: number;
  readonly item: number;
  readonly fit: number;
  readonly cpu: number;
  readonly load: number;
  readonly embeddingsSha256: string;
}

async function fit(threads: number): Promise<Fit> {
  const model = spec.create(modelConfig(spec, { ...overrides, autoencoderThreads: threads }, 1)) as RSAttAE;
  const sampler = new LoadSampler();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await model.fit({ dataset, indices: split.train });
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const load = sampler.stop();
  const seconds = (model.details as RsattaeFitDetails).seconds;
  const arrays = model.state().arrays;
  const hash = createHash('sha256');
  for (const name of ['user.embedding', 'item.embedding']) {
    const a = arrays[name];
    hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  const row: Fit = {
    threads,
    autoencoders: round2(seconds.autoencoders),
    user: round2(seconds.userAutoencoder),
    item: round2(seconds.itemAutoencoder),
    fit: round2(wall),
    cpu: round2((cpu.user + cpu.system) / 1e6),
    load: load.mean,
    embeddingsSha256: hash.digest('hex'),
  };
  console.error(JSON.stringify(row));
  return row;
}

const fits: Fit[] = [];
for (let p = 0; p < pairs; p++) {
  for (const threads of p % 2 === 0 ? [1, 2] : [2, 1]) fits.push(await fit(threads));
}
const hashes = new Set(fits.map((f) => f.embeddingsSha256));
if (hashes.size !== 1) throw new HeedError(`the embeddings differ between fits: ${[...hashes].join(', ')}`);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const summary = [1, 2].map((threads) => {
  const mine = fits.filter((f) => f.threads === threads);
  return {
    threads,
    medianAutoencoderSeconds: round2(median(mine.map((f) => f.autoencoders))),
    medianCpuSeconds: round2(median(mine.map((f) => f.cpu))),
  };
});
const record = {
  benchmark: 'rsattae-cores',
  command: `node dist/bench/rsattae-cores.js ${process.argv.slice(2).join(' ')}`.trim(),
  date: new Date().toISOString(),
  machine: machineSummary(),
  node: process.version,
  overrides,
  fits,
  summary,
  speedup: round2(summary[0].medianAutoencoderSeconds / summary[1].medianAutoencoderSeconds),
};
fs.mkdirSync(path.dirname(values.out), { recursive: true });
fs.writeFileSync(values.out, JSON.stringify(record, null, 2) + '\n');
console.log('| autoencoderThreads | both AEs s (median) | fit CPU s (median) |');
console.log('| --- | --- | --- |');
for (const s of summary)
  console.log(`| ${s.threads} | ${s.medianAutoencoderSeconds} | ${s.medianCpuSeconds} |`);
console.log(`speed-up ${record.speedup}×; embeddings equal in all ${fits.length} fits (${[...hashes][0]})`);
console.error(`wrote ${values.out}`);

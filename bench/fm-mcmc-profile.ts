/**
 * Times an MCMC sampler (`fm`, or `bayes-svdpp` with --model) on one split and fingerprints what it
 * computed, so that a speed change to the sampler can be checked to leave its results bit-identical.
 *
 *   node dist/bench/fm-mcmc-profile.js --data-dir ../shared/data [--model fm] [--dataset ml-100k]
 *        [--split u1] [--seed 1] [--set iterations=30 --set burnIn=10 ...]
 *
 * Prints fit seconds (wall and process CPU), sweeps per second, the test RMSE to full precision
 * and an FNV-1a hash of the kept draws (fm: w0, w, V; otherwise every saved array) and of the test predictions: equal hashes mean
 * equal bits.
 */
import { fileURLToPath } from 'node:url';
import { gatherRatings } from '../src/data/dataset.js';
import { loadDataset } from '../src/data/registry.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { getModelSpec } from '../src/models/index.js';
import type { ModelConfig } from '../src/models/model.js';
import { UsageError } from '../src/util/errors.js';

/** FNV-1a over the bytes of typed arrays. */
function fnv1a(arrays: ReadonlyArray<ArrayBufferView>): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function parseValue(text: string): number | string | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

async function main(argv: string[]): Promise<void> {
  let dataDir: string | undefined;
  let modelId = 'fm';
  let datasetId = 'ml-100k';
  let splitText = 'u1';
  let seed = 1;
  const overrides: ModelConfig = {};
  for (let k = 0; k < argv.length; k++) {
    const flag = argv[k];
    const value = argv[k + 1];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    k++;
    if (flag === '--data-dir') dataDir = value;
    else if (flag === '--model') modelId = value;
    else if (flag === '--dataset') datasetId = value;
    else if (flag === '--split') splitText = value;
    else if (flag === '--seed') seed = Number(value);
    else if (flag === '--set') {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new UsageError(`--set ${value}: expected key=value`);
      overrides[value.slice(0, eq)] = parseValue(value.slice(eq + 1));
    } else throw new UsageError(`unknown flag ${flag}`);
  }
  const dataset = loadDataset(datasetId, dataDir === undefined ? {} : { dataDir });
  const split = makeSplits(dataset, parseSplitSpec(splitText), seed)[0];
  const spec = getModelSpec(modelId);
  const config: ModelConfig = { ...spec.defaults, seed, ...overrides };
  const model = spec.create(config);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const report = await model.fit({ dataset, indices: split.train });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const test = gatherRatings({ dataset, indices: split.test });
  const predicted = model.predict(test.user, test.item);
  let se = 0;
  for (let k = 0; k < predicted.length; k++) se += (predicted[k] - test.rating[k]) ** 2;
  const arrays = model.state().arrays;
  const names = modelId === 'fm' ? ['w0', 'w', 'v'] : Object.keys(arrays).sort();
  const draws = names.map((name) => arrays[name]).filter((a) => a !== undefined);
  const out = {
    model: modelId,
    dataset: datasetId,
    split: splitText,
    seed,
    overrides,
    sweeps: report.epochs,
    fitWallSeconds: wall,
    fitCpuSeconds: (cpu.user + cpu.system) / 1e6,
    sweepsPerSecond: report.epochs / wall,
    samplesPerSecond: report.samplesProcessed / wall,
    rmse: Math.sqrt(se / Math.max(1, predicted.length)),
    drawsHash: fnv1a(draws),
    predictionsHash: fnv1a([predicted]),
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`fm-mcmc-profile: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

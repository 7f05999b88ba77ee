/**
 * SAIN on its own data and split (`sain-ml100k`, SAIN's 80/10/10 split of MovieLens 100K): training
 * speed and accuracy, with the tensor backend and the machine's load recorded next to every number.
 *
 * - Speed: for each batch size, one training epoch over the 80,000 training ratings (no
 *   validation), timed by wall clock and by this process's CPU time. The machine may be shared:
 *   samples per CPU-second is what one unloaded core would give, and the load average is written
 *   down with each timing.
 * - Accuracy: `evaluate` as `heed evaluate --model sain --dataset sain-ml100k` runs it (early
 *   stopping on the validation split, best weights kept), with the test RMSE and MAE, the best
 *   epoch and the validation RMSE of every epoch.
 *
 *   npx tsc -p . && nice -n -20 node dist/bench/sain.js --data-dir /work/shared/data \
 *     [--speed-batches 128,512 (default: the model's default batch size)] [--no-accuracy] [--no-speed] [--seed 1] [--set key=value ...] \
 *     [--out bench/results/sain.json]
 *
 * The paper (Table 2) reports test RMSE 0.8847 and MAE 0.6958 on this split.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseKeyValues } from '../src/cli/flags.js';
import { loadDataset } from '../src/data/registry.js';
import { engineInfo, initEngine } from '../src/engine/backend.js';
import { evaluate } from '../src/eval/protocol.js';
import { resolveConfig } from '../src/models/config.js';
import type { ModelConfig, ProgressEvent } from '../src/models/model.js';
import { Sain, sainSpec } from '../src/models/sain/sain.js';
import { loadAverages } from './machine-load.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env['HEED_DATA_DIR'] ?? '/work/shared/data' },
    'speed-batches': { type: 'string', default: '' },
    'no-speed': { type: 'boolean', default: false },
    'no-accuracy': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    set: { type: 'string', multiple: true, default: [] },
    out: { type: 'string', default: 'bench/results/sain.json' },
  },
});

const overrides = parseKeyValues(values.set, 'set');
const seed = Number(values.seed);
const defaultBatch = resolveConfig(sainSpec, overrides)['batchSize'] as number;
const batchSizes = values['no-speed']
  ? []
  : values['speed-batches'] === ''
    ? [defaultBatch]
    : values['speed-batches'].split(',').map(Number);

/**
 * This process's scheduling priority: its nice value and, on Linux with autogrouping, its
 * session's autogroup nice (with autogroups on, `nice` alone only ranks a process against its own
 * session, not against other users' jobs).
 */
function priority(): { nice: number; autogroup?: string } {
  let autogroup: string | undefined;
  try {
    autogroup = fs.readFileSync('/proc/self/autogroup', 'utf8').trim();
  } catch {
    autogroup = undefined;
  }
  return autogroup === undefined ? { nice: os.getPriority() } : { nice: os.getPriority(), autogroup };
}

await initEngine();
const engine = engineInfo();
const dataset = await loadDataset('sain-ml100k', { dataDir: values['data-dir'] });
const split = dataset.predefinedSplits['sain'];
const train = { dataset, indices: split.train };
console.error(
  `engine: ${engine.backend} (simd ${engine.simd}, threads ${engine.threads}); load ${loadAverages().join(' ')}`,
);

interface SpeedRow {
  batchSize: number;
  samples: number;
  seconds: number;
  cpuSeconds: number;
  samplesPerSecond: number;
  samplesPerCpuSecond: number;
  loadBefore: number[];
  loadAfter: number[];
}

const speed: SpeedRow[] = [];
for (const batchSize of batchSizes) {
  const config: ModelConfig = resolveConfig(sainSpec, {
    ...overrides,
    batchSize,
    epochs: 1,
    patience: 0,
    seed,
  });
  const model = new Sain(config);
  const loadBefore = loadAverages();
  const cpu0 = process.cpuUsage();
  const report = await model.fit(train);
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // The fit's own clock covers the epoch only (not building the token rows or the parameters).
  const row: SpeedRow = {
    batchSize,
    samples: report.samplesProcessed,
    seconds: report.seconds,
    cpuSeconds,
    samplesPerSecond: report.samplesProcessed / report.seconds,
    samplesPerCpuSecond: report.samplesProcessed / cpuSeconds,
    loadBefore,
    loadAfter: loadAverages(),
  };
  speed.push(row);
  console.error(
    `speed: batch ${batchSize}: ${row.samplesPerSecond.toFixed(0)} samples/s wall, ` +
      `${row.samplesPerCpuSecond.toFixed(0)} per CPU-second (epoch ${row.seconds.toFixed(1)} s; load ${row.loadAfter[0]})`,
  );
}

let accuracy: Record<string, unknown> | undefined;
if (!values['no-accuracy']) {
  const epochs: Array<ProgressEvent & { load: number[] }> = [];
  const cpu0 = process.cpuUsage();
  const result = await evaluate({
    modelId: 'sain',
    config: overrides,
    dataset,
    split: 'sain',
    seed,
    onProgress: (p) => {
      if (p.epoch === undefined) return;
      epochs.push({ ...p.epoch, load: loadAverages() });
      console.error(
        `epoch ${p.epoch.epoch}: train loss ${p.epoch.trainLoss?.toFixed(4)}, validation RMSE ` +
          `${p.epoch.validationRmse?.toFixed(4)} (${p.epoch.seconds.toFixed(0)} s, load ${loadAverages()[0]})`,
      );
    },
  });
  const cpu = process.cpuUsage(cpu0);
  let best = epochs[0];
  for (const e of epochs) if ((e.validationRmse ?? Infinity) < (best.validationRmse ?? Infinity)) best = e;
  accuracy = {
    split: 'sain',
    testRmse: result.rmse,
    testMae: result.mae,
    bestEpoch: best?.epoch,
    bestValidationRmse: best?.validationRmse,
    epochsRun: result.epochs,
    fitSeconds: result.fitSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    config: result.config,
    history: epochs,
    paper: { rmse: 0.8847, mae: 0.6958 },
  };
  console.error(
    `accuracy: test RMSE ${result.rmse.toFixed(4)}, MAE ${result.mae.toFixed(4)}, best epoch ${best?.epoch} ` +
      `of ${result.epochs} (paper: 0.8847 / 0.6958)`,
  );
}

const record = {
  bench: 'sain',
  date: new Date().toISOString(),
  command: process.argv.slice(1).join(' '),
  engine,
  priority: priority(),
  machine: {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  dataset: {
    id: dataset.id,
    train: split.train.length,
    validation: split.validation.length,
    test: split.test.length,
  },
  seed,
  overrides,
  speed,
  ...(accuracy === undefined ? {} : { accuracy }),
};
fs.mkdirSync(path.dirname(values.out), { recursive: true });
fs.writeFileSync(values.out, JSON.stringify(record, null, 2) + '\n');
console.error(`written: ${values.out}`);

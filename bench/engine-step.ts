/**
 * Training throughput of a SAIN-shaped step on Heed's engine, with and without the replacement
 * BatchMatMul kernel (src/engine/kernels/batch-matmul.ts).
 *
 * The step is SAIN-shaped (bench/engine-sain-task.ts): d = 64, 2 heads, ~7 tokens per sample,
 * top-K 5, batch norm, dropout, three MSE losses, Adam with L2 1e-4.
 *
 *   npx tsc -p . && node dist/bench/engine-step.js [--batches 128,512] [--seconds 3]
 *     [--variants stock-all,stock,fast] [--out bench/results/engine-step.json]
 *
 * Writes a JSON record to --out and prints a table. Keep runs short: the machine is shared.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { engineInfo, initEngine } from '../src/engine/backend.js';
import { useFastBatchMatMul, useReplacedKernels } from '../src/engine/kernels/index.js';
import { Adam } from '../src/engine/optimizer.js';
import { trainStep } from '../src/engine/train-loop.js';
import { Rng } from '../src/util/rng.js';
import { D, HEADS, N, TOKENS, sainShapedTask, syntheticData } from './engine-sain-task.js';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '128,512' },
    seconds: { type: 'string', default: '3' },
    variants: { type: 'string', default: 'stock-all,stock,fast' },
    out: { type: 'string', default: 'bench/results/engine-step.json' },
  },
});
const batchSizes = values.batches.split(',').map(Number);
const seconds = Number(values.seconds);
/**
 * stock-all: tfjs's own kernels everywhere (plus the two it lacks); stock: Heed's replacement
 * kernels except BatchMatMul; fast: all of Heed's kernels.
 */
const variants = values.variants.split(',') as Array<'stock-all' | 'stock' | 'fast'>;

interface Row {
  variant: string;
  batchSize: number;
  steps: number;
  seconds: number;
  /** CPU seconds of this process over the same steps (user + system). */
  cpuSeconds: number;
  samplesPerSecond: number;
  /** Samples per CPU second: what an unloaded core would give, on a machine shared by others. */
  samplesPerCpuSecond: number;
  msPerStep: number;
}

await initEngine({ backend: 'auto' });
const info = engineInfo();
const data = syntheticData();
const rows: Row[] = [];
for (const batchSize of batchSizes) {
  for (const variant of variants) {
    useFastBatchMatMul(variant === 'fast');
    useReplacedKernels(variant !== 'stock-all');
    const task = sainShapedTask(data);
    const rng = new Rng(5);
    const adam = new Adam({ learningRate: 1e-3, l2: 1e-4 });
    const dense = task.params.denseParams().filter((p) => p.trainable);
    const order = rng.permutation(N);
    let at = 0;
    const next = (): Int32Array => {
      if (at + batchSize > N) at = 0;
      const batch = order.subarray(at, at + batchSize);
      at += batchSize;
      return batch;
    };
    for (let i = 0; i < 5; i++) trainStep(task, next(), rng, adam, dense); // warm-up
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    let steps = 0;
    while (performance.now() - start < seconds * 1000) {
      trainStep(task, next(), rng, adam, dense);
      steps++;
    }
    const elapsed = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    rows.push({
      variant,
      batchSize,
      steps,
      seconds: elapsed,
      cpuSeconds,
      samplesPerSecond: (steps * batchSize) / elapsed,
      samplesPerCpuSecond: (steps * batchSize) / cpuSeconds,
      msPerStep: (1000 * elapsed) / steps,
    });
    task.params.dispose();
  }
}
useFastBatchMatMul(true);
useReplacedKernels(true);

const record = {
  bench: 'engine-step',
  date: new Date().toISOString(),
  engine: info,
  shape: { d: D, heads: HEADS, tokensPerSample: TOKENS, topK: 5 },
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    loadavg: loadavg(),
    node: process.version,
  },
  command: process.argv.slice(1).join(' '),
  rows,
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, JSON.stringify(record, null, 2) + '\n');

console.log(
  `engine: ${info.backend} (simd ${info.simd}, threads ${info.threads}); load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log('| kernels | batch | steps | ms/step (wall) | samples/s (wall) | samples per CPU-second |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.variant} | ${r.batchSize} | ${r.steps} | ${r.msPerStep.toFixed(1)} | ${Math.round(r.samplesPerSecond)} | ${Math.round(r.samplesPerCpuSecond)} |`,
  );
}
console.log(`written: ${values.out}`);

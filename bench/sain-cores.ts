/**
 * SAIN training speed on one core against both cores (issue 13's Must-show: samples/s with both
 * cores at least 1.6x the one-core figure, same run): the same fit on the same data with the same
 * settings (shipped defaults, seed 1), `threads=1` and `threads=2` alternating, several rounds.
 * `batchSize` is per thread (docs/ENGINE.md, "Data-parallel steps"): a two-thread step takes two
 * batches, so an epoch is the same samples in half as many steps.
 *
 * Each fit trains 2 epochs over the first `--samples` training ratings of SAIN's split of
 * `sain-ml100k`, without validation. The speed is that of the second epoch (samples / its wall
 * seconds), so the one-time start of the worker threads (engine and replica, ~1-2 s) is not in
 * it; the whole fit's seconds are recorded too. The ratio is median(threads=2) / median(threads=1).
 * The machine may be shared: load averages are written beside every run, and a 2-core speedup
 * means something only on a quiet machine (1-minute load well below the core count).
 *
 *   npx tsc -p . && node dist/bench/sain-cores.js --data-dir ../shared/data \
 *     [--samples 25600] [--rounds 3] [--out bench/results/sain-cores.json] [--markdown BENCHMARKS.md]
 *
 * Each round also runs two one-thread fits at once in two child processes (`--single`), which share
 * nothing: their summed samples/s against one fit alone is the ceiling this machine puts on any
 * two-core version of the same work (the cores' shared caches and memory bandwidth are in it).
 *
 * Takes ~2 minutes on a quiet 2-core machine at the default sizes.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { engineInfo } from '../src/engine/backend.js';
import { resolveConfig } from '../src/models/config.js';
import { Sain, sainSpec } from '../src/models/sain/sain.js';
import { sainSpeedData } from './sain-speed-data.js';
import { loadAverages, machineSummary } from './machine-load.js';
import {
  sainCoresMarkdown,
  updateSainCoresSection,
  type SainCoresResult,
  type SainCoresRun,
} from './sain-cores-report.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env['HEED_DATA_DIR'] ?? '../shared/data' },
    samples: { type: 'string', default: '25600' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results/sain-cores.json' },
    markdown: { type: 'string' },
    single: { type: 'boolean', default: false },
  },
});

const { samples, rounds, train, splitTrainRatings } = await sainSpeedData(values);

async function run(threads: number, round: number): Promise<SainCoresRun> {
  const config = resolveConfig(sainSpec, { epochs: 2, patience: 0, threads });
  const model = new Sain(config);
  const epochEnds: number[] = [];
  const epochCpu: number[] = [];
  const loadBefore = loadAverages();
  const cpu0 = process.cpuUsage();
  const report = await model.fit(train, {
    onProgress: (e) => {
      epochEnds.push(e.seconds);
      const c = process.cpuUsage(cpu0);
      epochCpu.push((c.user + c.system) / 1e6);
    },
  });
  const cpu = process.cpuUsage(cpu0);
  const epochSeconds = epochEnds[1] - epochEnds[0];
  const row: SainCoresRun = {
    round,
    threads,
    samplesPerSecond: samples / epochSeconds,
    secondEpochSeconds: epochSeconds,
    secondEpochCpuSeconds: epochCpu[1] - epochCpu[0],
    fitSeconds: report.seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    loadBefore,
    loadAfter: loadAverages(),
  };
  console.error(
    `round ${round}, threads ${threads}: ${row.samplesPerSecond.toFixed(0)} samples/s (epoch 2: ` +
      `${epochSeconds.toFixed(2)} s, ${(epochCpu[1] - epochCpu[0]).toFixed(2)} CPU s; fit ${report.seconds.toFixed(2)} s; load ${row.loadAfter[0]})`,
  );
  return row;
}

if (values.single) {
  // A child of the ceiling round: one one-thread fit, its row on stdout.
  console.log(JSON.stringify(await run(1, 0)));
  process.exit(0);
}

/** One one-thread fit in a child process of this bench, started now. */
function child(): Promise<SainCoresRun> {
  const args = [process.argv[1], '--single', '--data-dir', values['data-dir'], '--samples', String(samples)];
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout) as SainCoresRun),
    ),
  );
}

/** Two one-thread fits at once, as one row (see `SainCoresRun.copies`). */
async function pair(round: number): Promise<SainCoresRun> {
  const loadBefore = loadAverages();
  const both = await Promise.all([child(), child()]);
  const row: SainCoresRun = {
    round,
    threads: 1,
    copies: 2,
    samplesPerSecond: both[0].samplesPerSecond + both[1].samplesPerSecond,
    secondEpochSeconds: Math.max(both[0].secondEpochSeconds, both[1].secondEpochSeconds),
    secondEpochCpuSeconds: both[0].secondEpochCpuSeconds + both[1].secondEpochCpuSeconds,
    fitSeconds: Math.max(both[0].fitSeconds, both[1].fitSeconds),
    cpuSeconds: both[0].cpuSeconds + both[1].cpuSeconds,
    loadBefore,
    loadAfter: loadAverages(),
  };
  console.error(
    `round ${round}, two one-thread fits at once: ${row.samplesPerSecond.toFixed(0)} samples/s summed`,
  );
  return row;
}

const runs: SainCoresRun[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const threads of [1, 2]) runs.push(await run(threads, round));
  runs.push(await pair(round));
}

const result: SainCoresResult = {
  bench: 'sain-cores',
  date: new Date().toISOString(),
  command: `node dist/bench/sain-cores.js --data-dir ${values['data-dir']} --samples ${samples} --rounds ${rounds}`,
  machine: machineSummary(),
  engine: engineInfo().backend,
  dataset: `sain-ml100k, split sain, first ${samples} of ${splitTrainRatings} training ratings`,
  runs,
};
fs.mkdirSync(path.dirname(values.out), { recursive: true });
fs.writeFileSync(values.out, JSON.stringify(result, null, 2) + '\n');
console.log(sainCoresMarkdown(result));
console.error(`written: ${values.out}`);
if (values.markdown !== undefined) {
  fs.writeFileSync(
    values.markdown,
    await updateSainCoresSection(fs.readFileSync(values.markdown, 'utf8'), result, values.markdown),
  );
  console.error(`updated: ${values.markdown}`);
}

/**
 * How long `npm start` (the demo) takes here, as a new user runs it after `npm ci`: wall seconds,
 * and the CPU seconds of npm and everything it started (the shell's `times`), with the machine's
 * load average while it ran, since the two cores are shared.
 *
 *   npx tsc -p . && node dist/bench/demo-start.js [--runs 3] [--out bench/results/demo-start.json]
 *
 * Each run writes its report into a fresh temporary directory (`--out` of the demo), so no run
 * finds an earlier report. Writes a JSON record to --out and prints one line per run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { LoadSampler, loadAverages, machineSummary, round2 } from './machine-load.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results/demo-start.json' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, got ${values.runs}`);

interface Run {
  readonly wallSeconds: number;
  readonly cpuUserSeconds: number;
  readonly cpuSystemSeconds: number;
  readonly loadBefore: number[];
  readonly loadDuring: { min: number; mean: number; max: number; samples: number };
}

const COMMAND = 'npm start -- --quiet --out REPORT';
const measured: Run[] = [];
for (let r = 1; r <= runs; r++) {
  const dir = mkdtempSync(join(tmpdir(), 'heed-demo-start-'));
  const report = join(dir, 'report.html');
  const loadBefore = loadAverages();
  const sampler = new LoadSampler();
  const start = performance.now();
  // `times` prints the shell's and then its children's user and system CPU time.
  const child = spawnSync(
    'sh',
    ['-c', `npm start --silent -- --quiet --out '${report}' > /dev/null; s=$?; times; exit $s`],
    {
      encoding: 'utf8',
    },
  );
  const wallSeconds = (performance.now() - start) / 1000;
  const loadDuring = sampler.stop();
  rmSync(dir, { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`run ${r}: npm start failed (${child.status}): ${child.stderr}`);
  const [user, system] = childrenCpu(child.stdout);
  measured.push({
    wallSeconds: round2(wallSeconds),
    cpuUserSeconds: user,
    cpuSystemSeconds: system,
    loadBefore,
    loadDuring,
  });
  console.log(
    `run ${r}: ${round2(wallSeconds)} s wall, ${round2(user + system)} s CPU (user ${user}, system ${system}), ` +
      `load ${loadBefore[0]} before, ${loadDuring.mean} mean during`,
  );
}
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(
  values.out,
  JSON.stringify(
    {
      command: COMMAND,
      machine: machineSummary(),
      node: process.version,
      date: new Date().toISOString(),
      runs: measured,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${values.out}`);

/** The children's user and system seconds from the second line `times` prints ("0m4.340s 0m0.550s"). */
function childrenCpu(stdout: string): [number, number] {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const seconds = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2) throw new Error(`cannot read the CPU times from "${line}"`);
  return [round2(seconds[0]), round2(seconds[1])];
}

/**
 * Load test of `heed serve` on loopback: requests/s and p50/p99 latency of `GET /predict` (one
 * pair, also from a single connection), `POST /predict` (100 pairs), `GET /recommend` (k=10) and `GET /explain`, for each saved
 * model given, with 1 and 2 workers; then what the request log costs (single predictions of the
 * first model with the log off, to a file, and to stderr read through a pipe: requests/s, and the
 * server's CPU time per request, which other jobs on the machine sway much less).
 *
 * Every run is bounded: a warm-up of 1 s, then `--seconds` of counted requests (at most
 * 2,000,000), from `--connections` keep-alive connections, each waiting for its reply before
 * sending the next (bench/load-generator.ts). The load generator runs in this process and shares
 * the machine's cores with the server. Configurations are run in turn, `--rounds` times, in
 * reverse order every other round, and the table gives the median over the rounds; the load
 * average and the busiest processes are written down before and after.
 *
 *   npx tsc -p . && node dist/bench/load-test.js --model-dir DIR [--model-dir DIR ...] \
 *     [--workers 1,2] [--seconds 3] [--connections 10] [--rounds 3] [--sections table,log]
 *     [--out bench/results/load-test.json]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { rawRequest, runLoad, type LoadResult } from './load-generator.js';
import { loadAverages, machineSummary } from './machine-load.js';
import { startServerProcess } from './serve-process.js';

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string', multiple: true, default: [] },
    workers: { type: 'string', default: '1,2' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results/load-test.json' },
    sections: { type: 'string', default: 'table,log' },
  },
});
const sections = new Set(values.sections.split(','));

const modelDirs = values['model-dir'];
const workerCounts = values.workers.split(',').map(Number);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
if (modelDirs.length === 0) throw new Error('give at least one --model-dir');
for (const [name, v] of Object.entries({ seconds, connections, rounds })) {
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`--${name} must be a positive number`);
}
if (!workerCounts.every((w) => Number.isInteger(w) && w >= 1)) throw new Error('--workers: e.g. 1,2');

// dist/bench/load-test.js → dist/src/cli/main.js
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

interface Manifest {
  readonly model: string;
  readonly users: string[];
  readonly items: string[];
}

interface Scenario {
  readonly name: string;
  readonly request: Buffer;
  /** Connections for this scenario only (default: --connections). */
  readonly connections?: number;
}

/** The requests of the table, for one model; `/explain` only for a model that explains. */
function scenarios(manifest: Manifest, explains: boolean): Scenario[] {
  // MovieLens' first pair of the README (user 196, item 242) when the model has it.
  const user = manifest.users.includes('196') ? '196' : manifest.users[0];
  const item = manifest.items.includes('242') ? '242' : manifest.items[0];
  const pairs = Array.from({ length: 100 }, (_, k) => ({
    user: manifest.users[(k * 7) % manifest.users.length],
    item: manifest.items[(k * 13) % manifest.items.length],
  }));
  const single = rawRequest('GET', `/predict?user=${user}&item=${item}`);
  return [
    { name: 'GET /predict (1 pair)', request: single },
    // One request at a time: its latency alone, with no queue of other clients' requests ahead.
    { name: 'GET /predict (1 pair, 1 connection)', request: single, connections: 1 },
    {
      name: 'POST /predict (100 pairs)',
      request: rawRequest('POST', '/predict', JSON.stringify({ pairs })),
    },
    { name: 'GET /recommend (k=10)', request: rawRequest('GET', `/recommend?user=${user}&k=10`) },
    ...(explains
      ? [{ name: 'GET /explain', request: rawRequest('GET', `/explain?user=${user}&item=${item}`) }]
      : []),
  ];
}

function load(port: number, request: Buffer, clients = connections): Promise<LoadResult> {
  return runLoad({
    port,
    request,
    connections: clients,
    warmupMs: 1000,
    durationMs: seconds * 1000,
    maxRequests: 2_000_000,
  });
}

/** The busiest processes right now (other people's jobs share the machine). */
function busiest(): string[] {
  try {
    const text = execFileSync('ps', ['-eo', 'pcpu,args', '--sort=-pcpu'], { encoding: 'utf8' });
    return text
      .split('\n')
      .slice(1, 6)
      .map((line) => line.trim().slice(0, 140));
  } catch {
    return [];
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Row {
  readonly model: string;
  readonly modelDir: string;
  readonly workers: number;
  readonly scenario: string;
  readonly runs: LoadResult[];
}

const before = { loadAverages: loadAverages(), busiest: busiest() };
console.error(`machine: ${machineSummary()}; load ${before.loadAverages.join(' ')}`);
const rows = new Map<string, Row>();
const configs = sections.has('table')
  ? modelDirs.flatMap((dir) => workerCounts.map((workers) => ({ dir, workers })))
  : [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? configs : [...configs].reverse();
  for (const { dir, workers } of order) {
    const server = await startServerProcess([
      MAIN,
      'serve',
      '--model-dir',
      dir,
      '--port',
      '0',
      '--workers',
      String(workers),
      '--quiet',
    ]);
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as Manifest;
      const health = (await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()) as {
        explains: boolean;
      };
      for (const scenario of scenarios(manifest, health.explains)) {
        const result = await load(server.port, scenario.request, scenario.connections);
        const bad = Object.keys(result.statuses).filter((s) => s !== '200');
        if (bad.length > 0) throw new Error(`${manifest.model} ${scenario.name}: statuses ${bad.join(', ')}`);
        // By directory: two saved models of one id (a small and a big biasedmf) get rows of their own.
        const key = `${dir}|${workers}|${scenario.name}`;
        const row = rows.get(key) ?? {
          model: manifest.model,
          modelDir: dir,
          workers,
          scenario: scenario.name,
          runs: [],
        };
        row.runs.push(result);
        rows.set(key, row);
        console.error(
          `round ${round + 1}: ${manifest.model}, ${workers} worker(s), ${scenario.name}: ` +
            `${Math.round(result.perSecond)} req/s, p50 ${result.p50Ms.toFixed(3)} ms, p99 ${result.p99Ms.toFixed(3)} ms`,
        );
      }
    } finally {
      await server.stop();
    }
  }
}

/** Single predictions of the first model with the request log off, to a file, and to a pipe. */
const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'heed-load-')), 'requests.log');
const logVariants: Array<{ name: string; flags: string[] }> = [
  { name: '--quiet (no log)', flags: ['--quiet'] },
  { name: `--log FILE`, flags: ['--log', logFile] },
  { name: 'log to stderr (a pipe)', flags: [] },
];
const logRuns = new Map<string, Array<LoadResult & { cpuMicrosPerRequest: number }>>();
const firstDir = modelDirs[0];
const firstManifest = JSON.parse(fs.readFileSync(path.join(firstDir, 'model.json'), 'utf8')) as Manifest;
const single = scenarios(firstManifest, false)[0];
for (let round = 0; round < rounds && sections.has('log'); round++) {
  const order = round % 2 === 0 ? logVariants : [...logVariants].reverse();
  for (const variant of order) {
    const server = await startServerProcess([
      MAIN,
      'serve',
      '--model-dir',
      firstDir,
      '--port',
      '0',
      ...variant.flags,
    ]);
    try {
      // Server CPU time per request: what the log adds to each request, and much less swayed
      // than requests/s by other jobs competing for the cores.
      const cpuBefore = server.cpuSeconds();
      const loaded = await load(server.port, single.request);
      const result = {
        ...loaded,
        cpuMicrosPerRequest: ((server.cpuSeconds() - cpuBefore) * 1e6) / loaded.allReplies,
      };
      logRuns.set(variant.name, [...(logRuns.get(variant.name) ?? []), result]);
      console.error(
        `round ${round + 1}: log ${variant.name}: ${Math.round(result.perSecond)} req/s, p99 ${result.p99Ms.toFixed(3)} ms, ` +
          `${result.cpuMicrosPerRequest.toFixed(1)} µs server CPU per request`,
      );
    } finally {
      await server.stop();
    }
  }
}
fs.rmSync(path.dirname(logFile), { recursive: true, force: true });
const after = { loadAverages: loadAverages(), busiest: busiest() };

const fmt = (v: number, digits: number): string => v.toFixed(digits);
const summary = (runs: readonly LoadResult[]) => ({
  perSecond: median(runs.map((r) => r.perSecond)),
  p50Ms: median(runs.map((r) => r.p50Ms)),
  p99Ms: median(runs.map((r) => r.p99Ms)),
});
const lines = [
  `| model | workers | request | requests/s | p50 ms | p99 ms |`,
  `| ----- | ------: | ------- | ---------: | -----: | -----: |`,
  ...[...rows.values()].map((row) => {
    const s = summary(row.runs);
    return `| ${row.model} (${path.basename(row.modelDir)}) | ${row.workers} | ${row.scenario} | ${Math.round(s.perSecond)} | ${fmt(s.p50Ms, 3)} | ${fmt(s.p99Ms, 3)} |`;
  }),
  '',
  `Request log cost, ${firstManifest.model}, 1 worker, ${single.name}:`,
  '',
  `| log | requests/s | p50 ms | p99 ms | server CPU µs per request |`,
  `| --- | ---------: | -----: | -----: | ------------------------: |`,
  ...[...logRuns.entries()].map(([name, runs]) => {
    const s = summary(runs);
    const cpu = median(runs.map((r) => r.cpuMicrosPerRequest));
    return `| ${name} | ${Math.round(s.perSecond)} | ${fmt(s.p50Ms, 3)} | ${fmt(s.p99Ms, 3)} | ${fmt(cpu, 1)} |`;
  }),
];
console.log(lines.join('\n'));
console.log(`\nload average before ${before.loadAverages.join(' ')}, after ${after.loadAverages.join(' ')}`);
console.log(`busiest processes before:\n  ${before.busiest.join('\n  ')}`);
fs.mkdirSync(path.dirname(values.out), { recursive: true });
fs.writeFileSync(
  values.out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: machineSummary(),
      settings: { workers: workerCounts, seconds, connections, rounds, warmupMs: 1000 },
      before,
      after,
      rows: [...rows.values()],
      log: Object.fromEntries(logRuns),
    },
    null,
    1,
  ) + '\n',
);
console.error(`results written to ${values.out}`);

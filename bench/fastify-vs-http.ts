/**
 * Fastify or node:http for `heed serve`? The same handlers and artifact behind both
 * (bench/fastify-server.ts and `heed serve --quiet`), the same loopback load
 * (bench/load-generator.ts), run in turn `--rounds` times, reversed every other round; prints
 * each run, the medians and the ratio Fastify / node:http of requests per second. `--baseline
 * MAIN_JS` adds a third server, `heed serve --quiet` of another build (e.g. the main branch's
 * dist/src/cli/main.js), to compare this build's server with it under the same conditions.
 *
 *   npx tsc -p . && node dist/bench/fastify-vs-http.js --model-dir DIR [--seconds 3] [--rounds 4] [--connections 10]
 *     [--baseline OTHER/dist/src/cli/main.js]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rawRequest, runLoad, type LoadResult } from './load-generator.js';
import { loadAverages } from './machine-load.js';
import { startServerProcess } from './serve-process.js';

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '10' },
    baseline: { type: 'string' },
  },
});
const dir = values['model-dir'];
if (dir === undefined) throw new Error('--model-dir is required');
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);

const here = path.dirname(fileURLToPath(import.meta.url));
const servers = [
  {
    name: 'node:http',
    args: [
      path.join(here, '..', 'src', 'cli', 'main.js'),
      'serve',
      '--model-dir',
      dir,
      '--port',
      '0',
      '--quiet',
    ],
  },
  { name: 'fastify', args: [path.join(here, 'fastify-server.js'), dir] },
  ...(values.baseline === undefined
    ? []
    : [{ name: 'baseline', args: [values.baseline, 'serve', '--model-dir', dir, '--port', '0', '--quiet'] }]),
];
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
  users: string[];
  items: string[];
};
const pairs = Array.from({ length: 100 }, (_, k) => ({
  user: manifest.users[(k * 7) % manifest.users.length],
  item: manifest.items[(k * 13) % manifest.items.length],
}));
const requests = [
  {
    name: 'GET /predict (1 pair)',
    bytes: rawRequest('GET', `/predict?user=${manifest.users[0]}&item=${manifest.items[0]}`),
  },
  { name: 'POST /predict (100 pairs)', bytes: rawRequest('POST', '/predict', JSON.stringify({ pairs })) },
];

const runs = new Map<string, LoadResult[]>();
const loadBefore = loadAverages();
for (let round = 0; round < rounds; round++) {
  for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
    const running = await startServerProcess(server.args);
    try {
      for (const request of requests) {
        const result = await runLoad({
          port: running.port,
          request: request.bytes,
          connections,
          warmupMs: 1000,
          durationMs: seconds * 1000,
          maxRequests: 2_000_000,
        });
        if (Object.keys(result.statuses).some((s) => s !== '200')) {
          throw new Error(`${server.name} ${request.name}: ${JSON.stringify(result.statuses)}`);
        }
        const key = `${server.name}|${request.name}`;
        runs.set(key, [...(runs.get(key) ?? []), result]);
        console.log(
          `round ${round + 1} ${server.name.padEnd(9)} ${request.name.padEnd(26)} ${Math.round(result.perSecond)} req/s  p50 ${result.p50Ms.toFixed(3)} ms  p99 ${result.p99Ms.toFixed(3)} ms`,
        );
      }
    } finally {
      await running.stop();
    }
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
console.log(
  `\nmedians over ${rounds} rounds (load average before ${loadBefore.join(' ')}, after ${loadAverages().join(' ')}):`,
);
for (const request of requests) {
  const of = (name: string) => runs.get(`${name}|${request.name}`) ?? [];
  const http = median(of('node:http').map((r) => r.perSecond));
  const fastify = median(of('fastify').map((r) => r.perSecond));
  const p99 = (name: string) => median(of(name).map((r) => r.p99Ms)).toFixed(3);
  console.log(
    `${request.name}: node:http ${Math.round(http)} req/s (p99 ${p99('node:http')} ms), fastify ${Math.round(fastify)} req/s (p99 ${p99('fastify')} ms), fastify / node:http = ${(fastify / http).toFixed(3)}`,
  );
  if (values.baseline !== undefined) {
    const baseline = median(of('baseline').map((r) => r.perSecond));
    console.log(
      `${request.name}: baseline ${Math.round(baseline)} req/s (p99 ${p99('baseline')} ms), node:http / baseline = ${(http / baseline).toFixed(3)}`,
    );
  }
}

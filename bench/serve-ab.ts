/**
 * This build's `heed serve` against another build's (e.g. the main branch's), both running at once
 * on the same model, loaded in turn for `--seconds` each, `--rounds` times, the first one to be
 * loaded alternating. Unlike bench/fastify-vs-http.ts (a fresh server per round), both servers stay
 * up, so each is compared with the other in the same minute. Prints requests/s and the server's
 * CPU time per request for every run, and the medians.
 *
 *   npx tsc -p . && node dist/bench/serve-ab.js --model-dir DIR --other OTHER/dist/src/cli/main.js \
 *     [--seconds 2] [--rounds 8] [--connections 10]
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rawRequest, runLoad } from './load-generator.js';
import { loadAverages } from './machine-load.js';
import { startServerProcess, type ServerProcess } from './serve-process.js';

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string' },
    other: { type: 'string' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '10' },
  },
});
const dir = values['model-dir'];
const other = values.other;
if (dir === undefined || other === undefined) throw new Error('--model-dir and --other are required');

const here = path.dirname(fileURLToPath(import.meta.url));
const serve = (main: string): Promise<ServerProcess> =>
  startServerProcess([main, 'serve', '--model-dir', dir, '--port', '0', '--quiet']);
const servers: Record<string, ServerProcess> = {
  this: await serve(path.join(here, '..', 'src', 'cli', 'main.js')),
  other: await serve(other),
};
const request = rawRequest('GET', '/predict?user=196&item=242');
const perSecond: Record<string, number[]> = { this: [], other: [] };
const cpu: Record<string, number[]> = { this: [], other: [] };
console.log(`load average ${loadAverages().join(' ')}`);
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const name of round % 2 === 0 ? ['this', 'other'] : ['other', 'this']) {
      const server = servers[name];
      const cpuBefore = server.cpuSeconds();
      const result = await runLoad({
        port: server.port,
        request,
        connections: Number(values.connections),
        warmupMs: 500,
        durationMs: Number(values.seconds) * 1000,
        maxRequests: 10_000_000,
      });
      const micros = ((server.cpuSeconds() - cpuBefore) * 1e6) / result.allReplies;
      perSecond[name].push(result.perSecond);
      cpu[name].push(micros);
      console.log(
        `round ${round + 1} ${name.padEnd(5)} ${Math.round(result.perSecond)} req/s, ` +
          `p50 ${result.p50Ms.toFixed(3)} ms, p99 ${result.p99Ms.toFixed(3)} ms, ${micros.toFixed(1)} µs CPU per request`,
      );
    }
  }
} finally {
  for (const server of Object.values(servers)) await server.stop();
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
for (const name of ['this', 'other']) {
  console.log(
    `${name}: median ${Math.round(median(perSecond[name]))} req/s, ${median(cpu[name]).toFixed(1)} µs CPU per request`,
  );
}
console.log(`this / other requests/s: ${(median(perSecond.this) / median(perSecond.other)).toFixed(3)}`);
console.log(`load average ${loadAverages().join(' ')}`);

/**
 * What one request-log line costs the server, measured without HTTP (so other jobs on the machine
 * sway it far less than a load test): the line formatted as server.ts formats it, handed to
 * `batchedLog` writing to a file, against one `fs.writeSync` per line, over `--lines` lines.
 * Compare with the server CPU time per request from bench/load-test.ts.
 *
 *   npx tsc -p . && node dist/bench/request-log-cost.js [--lines 1000000]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { batchedLog } from '../src/serve/request-log.js';
import { loadAverages } from './machine-load.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' } } });
const lines = Number(values.lines);
if (!(Number.isInteger(lines) && lines >= 1000))
  throw new Error('--lines must be an integer of at least 1000');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-log-cost-'));
const fd = fs.openSync(path.join(dir, 'requests.log'), 'a');
const start = performance.now();

/** Microseconds per line of `logLine`, formatting included, flushed at the end. */
function timePerLine(logLine: (text: string) => void, flush: () => void): number {
  const begin = performance.now();
  for (let k = 0; k < lines; k++) {
    const ms = (performance.now() - start).toFixed(1);
    logLine(`heed serve: GET /predict?user=196&item=${k % 1682} 200 ${ms} ms`);
  }
  flush();
  return ((performance.now() - begin) * 1000) / lines;
}

console.log(`load average ${loadAverages().join(' ')}; ${lines} lines per variant, 3 rounds`);
for (let round = 1; round <= 3; round++) {
  const batched = batchedLog((text) => fs.writeSync(fd, text));
  const batchedMicros = timePerLine(batched.line, batched.flush);
  const eachMicros = timePerLine(
    (text) => fs.writeSync(fd, text + '\n'),
    () => {},
  );
  console.log(
    `round ${round}: batched ${batchedMicros.toFixed(3)} µs per line, one write per line ${eachMicros.toFixed(3)} µs per line`,
  );
}
fs.closeSync(fd);
fs.rmSync(dir, { recursive: true, force: true });

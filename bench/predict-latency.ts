/**
 * The latency of one prediction without HTTP: `predictRaw` on a saved model, called in a loop in
 * this process (2,000 warm-up calls, then `--calls` timed one by one). Beside bench/load-test.ts it
 * separates the model's own time from the server's.
 *
 *   npx tsc -p . && node dist/bench/predict-latency.js --model-dir DIR [--model-dir DIR ...] [--calls 5000]
 */
import { parseArgs } from 'node:util';
import { openArtifact, predictRaw } from '../src/models/artifact.js';
import { loadAverages } from './machine-load.js';

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string', multiple: true, default: [] },
    calls: { type: 'string', default: '5000' },
  },
});
const calls = Number(values.calls);
if (!(Number.isInteger(calls) && calls >= 100)) throw new Error('--calls must be an integer of at least 100');

console.log(`load average ${loadAverages().join(' ')}`);
for (const dir of values['model-dir']) {
  const artifact = await openArtifact(dir);
  const user = artifact.manifest.users.includes('196') ? '196' : artifact.manifest.users[0];
  const item = artifact.manifest.items.includes('242') ? '242' : artifact.manifest.items[0];
  for (let k = 0; k < 2000; k++) predictRaw(artifact, user, item);
  const times = new Float64Array(calls);
  for (let k = 0; k < calls; k++) {
    const start = performance.now();
    predictRaw(artifact, user, item);
    times[k] = performance.now() - start;
  }
  times.sort();
  const at = (q: number): string => times[Math.floor(q * (calls - 1))].toFixed(3);
  console.log(
    `${artifact.manifest.model}: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms (${calls} calls)`,
  );
}

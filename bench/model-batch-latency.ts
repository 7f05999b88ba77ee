/**
 * The model's share of the heavier requests, without HTTP: `predictPairs` of 100 pairs (what
 * `POST /predict` runs, the pairs of bench/load-test.ts) and `recommendForUser` over every item
 * (what `GET /recommend` runs), on saved models, in this process: 5 warm-up calls, then `--calls`
 * timed one by one; the median and the fastest. Give `--root` another build's directory (its
 * `dist/` must be built) to time that build's code on the same models.
 *
 *   npx tsc -p . && node dist/bench/model-batch-latency.js --model-dir DIR [--model-dir DIR ...] \
 *     [--calls 30] [--root /work/main]
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type * as Artifacts from '../src/models/artifact.js';
import type * as PredictBatch from '../src/serve/predict-batch.js';
import type * as Recommend from '../src/serve/recommend.js';
import { loadAverages } from './machine-load.js';

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string', multiple: true, default: [] },
    calls: { type: 'string', default: '30' },
    root: { type: 'string' },
  },
});
const calls = Number(values.calls);
if (!(Number.isInteger(calls) && calls >= 5)) throw new Error('--calls must be an integer of at least 5');

/** A module of this build, or of the build under --root. */
async function load<T>(relative: string): Promise<T> {
  const url =
    values.root === undefined
      ? new URL(`../src/${relative}`, import.meta.url).href
      : pathToFileURL(path.join(path.resolve(values.root), 'dist', 'src', relative)).href;
  return (await import(url)) as T;
}
const { openArtifact } = await load<typeof Artifacts>('models/artifact.js');
const { predictPairs } = await load<typeof PredictBatch>('serve/predict-batch.js');
const { recommendForUser } = await load<typeof Recommend>('serve/recommend.js');

console.log(`build ${values.root ?? 'this one'}; load average ${loadAverages().join(' ')}`);
for (const dir of values['model-dir']) {
  const artifact = await openArtifact(dir);
  const { users, items } = artifact.manifest;
  const pairs = Array.from({ length: 100 }, (_, k) => ({
    user: users[(k * 7) % users.length],
    item: items[(k * 13) % items.length],
  }));
  const user = artifact.users.index.get(users.includes('196') ? '196' : users[0]) ?? 0;
  const cases: Array<[string, () => unknown]> = [
    ['100 pairs', () => predictPairs(artifact, pairs)],
    [`recommend (${items.length} items)`, () => recommendForUser(artifact, user, 10)],
  ];
  for (const [name, run] of cases) {
    for (let k = 0; k < 5; k++) run();
    const times: number[] = [];
    for (let k = 0; k < calls; k++) {
      const start = performance.now();
      run();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${artifact.manifest.model}, ${name}: median ${times[Math.floor(calls / 2)].toFixed(2)} ms, ` +
        `fastest ${times[0].toFixed(2)} ms (${calls} calls)`,
    );
  }
}
console.log(`load average ${loadAverages().join(' ')}`);

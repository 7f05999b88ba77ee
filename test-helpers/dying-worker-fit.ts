/**
 * Runs one multi-threaded fit whose worker thread dies mid-epoch or mid-sweep (the pools' test
 * hooks make it call `process.exit(7)`, as a worker killed by its memory limit would die: without
 * throwing), for `test/worker-death.test.ts`. Run as its own process, so that a fit that hangs is
 * killed by the test's timeout instead of blocking the test runner's thread. Prints one JSON line:
 * how the fit ended and how many worker threads are still alive, then lets the process end by
 * itself (a worker left running would keep it alive).
 *
 * Usage: node dist/test-helpers/dying-worker-fit.js biasedmf|svdpp|fm-mcmc|fm-als
 */
import { loadDataset } from '../src/data/registry.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { biasedMfSpec } from '../src/models/classic/biased-mf.js';
import { fitFmAls } from '../src/models/classic/fm-als.js';
import { buildFmLayout } from '../src/models/classic/fm-design.js';
import { fitFmMcmc } from '../src/models/classic/fm-mcmc.js';
import { fmTrainingData } from '../src/models/classic/fm-solver.js';
import { exitNextSweepForTest, liveFmWorkers } from '../src/models/classic/fm-sweep-pool.js';
import { exitNextEpochForTest, liveMfWorkers } from '../src/models/classic/mf-worker-pool.js';
import { svdppSpec } from '../src/models/classic/svdpp.js';
import { resolveConfig } from '../src/models/config.js';

const EXIT_CODE = 7;

async function fit(kind: string): Promise<void> {
  // 45,000 training ratings: enough for two MF threads.
  const dataset = loadDataset('synthetic:users=1000,items=400,ratingsPerUser=50', {});
  const [split] = makeSplits(dataset, parseSplitSpec('ratio:0.9,0,0.1'), 1);
  if (kind === 'biasedmf' || kind === 'svdpp') {
    const spec = kind === 'biasedmf' ? biasedMfSpec : svdppSpec;
    const model = spec.create(resolveConfig(spec, { factors: 8, epochs: 3, threads: 2 }));
    exitNextEpochForTest(EXIT_CODE);
    await model.fit({ dataset, indices: split.train });
    return;
  }
  const { user, item, rating } = dataset.ratings;
  const train = {
    user: Int32Array.from(split.train, (t) => user[t]),
    item: Int32Array.from(split.train, (t) => item[t]),
    rating: Float64Array.from(split.train, (t) => rating[t]),
  };
  const layout = buildFmLayout(dataset, { features: 'ids', multiWeight: 'mean' });
  const data = fmTrainingData(layout, train, dataset.scale);
  const common = { factors: 4, iterations: 3, initStd: 0.1, seed: 1, threads: 2 };
  exitNextSweepForTest(EXIT_CODE);
  if (kind === 'fm-mcmc') await fitFmMcmc(data, { ...common, burnIn: 1, samples: 2, clipSamples: true });
  else if (kind === 'fm-als')
    await fitFmAls(data, { ...common, regBias: 0, regLinear: 1, regPair: 1, patience: 0 });
  else throw new Error(`dying-worker-fit: unknown kind "${kind}"`);
}

let error: { name: string; message: string } | undefined;
try {
  await fit(process.argv[2]);
} catch (e) {
  error = { name: (e as Error).name, message: (e as Error).message };
}
// Terminated workers are counted out on their 'exit' events, a moment after the fit has ended.
for (let wait = 0; wait < 50 && liveMfWorkers() + liveFmWorkers() > 0; wait++) {
  await new Promise((resolve) => setTimeout(resolve, 20));
}
console.log(JSON.stringify({ error, liveWorkers: liveMfWorkers() + liveFmWorkers() }));

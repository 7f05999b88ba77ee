import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../src/data/dataset.js';
import { loadDataset } from '../src/data/registry.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { biasedMfSpec } from '../src/models/classic/biased-mf.js';
import {
  newBlockSchedule,
  releaseBlock,
  startScheduleEpoch,
  takeBlock,
} from '../src/models/classic/mf-block-schedule.js';
import { fitThreads, gridBins } from '../src/models/classic/mf-parallel.js';
import { liveMfWorkers } from '../src/models/classic/mf-worker-pool.js';
import { svdppSpec } from '../src/models/classic/svdpp.js';
import { resolveConfig } from '../src/models/config.js';
import { runIdentityConfig } from '../src/models/settings-schema.js';
import type { ConfigValue, ModelSpec, RatingModel } from '../src/models/model.js';
import { UsageError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** 4,050 training ratings by default; `large` (45,000) is enough for two threads. */
function synthetic(large = false): { dataset: Dataset; train: Int32Array; test: Int32Array } {
  const id = large
    ? 'synthetic:users=1000,items=400,ratingsPerUser=50'
    : 'synthetic:users=150,items=120,ratingsPerUser=30';
  const dataset = loadDataset(id, {});
  const [split] = makeSplits(dataset, parseSplitSpec('ratio:0.9,0,0.1'), 1);
  return { dataset, train: split.train, test: split.test };
}

async function fitted(
  spec: ModelSpec,
  dataset: Dataset,
  train: Int32Array,
  settings: Record<string, ConfigValue>,
): Promise<RatingModel> {
  const model = spec.create(resolveConfig(spec, settings));
  await model.fit({ dataset, indices: train });
  return model;
}

function testRmse(model: RatingModel, dataset: Dataset, part: Int32Array): number {
  const { user, item, rating } = dataset.ratings;
  const predicted = model.predict(
    Int32Array.from(part, (t) => user[t]),
    Int32Array.from(part, (t) => item[t]),
  );
  let se = 0;
  for (let t = 0; t < part.length; t++) se += (predicted[t] - rating[part[t]]) ** 2;
  return Math.sqrt(se / part.length);
}

/** Waits (briefly) for exiting worker threads to be counted out. */
async function liveWorkersSettled(): Promise<number> {
  for (let wait = 0; wait < 50 && liveMfWorkers() > 0; wait++) await new Promise((r) => setTimeout(r, 20));
  return liveMfWorkers();
}

test('threads=1 predicts bit for bit what BiasedMF and SVD++ predicted before threads existed', async () => {
  // SHA-256 of the float32 predictions for every (user, item) pair, recorded with commit 755f7df
  // (the last one without the `threads` setting), same data, split and settings.
  const before: Record<string, string> = {
    biasedmf: 'cb76e5fa4ff3ad1fb3ccac52627fb29091b80bf9f9df887052e540f6e18cd978',
    svdpp: '1fc8eb23cfde2789a795f9efeef4c46ae161bace991377452eeb429f2cb14995',
  };
  const { dataset, train } = synthetic();
  const users = dataset.users.ids.length;
  const items = dataset.items.ids.length;
  const u = Int32Array.from({ length: users * items }, (_, t) => Math.floor(t / items));
  const i = Int32Array.from({ length: users * items }, (_, t) => t % items);
  for (const spec of [biasedMfSpec, svdppSpec]) {
    const model = await fitted(spec, dataset, train, { factors: 12, epochs: 7, threads: 1 });
    const p = model.predict(u, i);
    const hash = createHash('sha256')
      .update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength))
      .digest('hex');
    assert.equal(hash, before[spec.id], spec.id);
  }
});

test('threads=2 fits finite predictions as accurate as threads=1, and leaves no worker behind', async () => {
  const { dataset, train, test: held } = synthetic(true);
  assert.equal(fitThreads(2, train.length), 2);
  for (const spec of [biasedMfSpec, svdppSpec]) {
    const settings = { factors: 12, epochs: 20 };
    const one = testRmse(await fitted(spec, dataset, train, { ...settings, threads: 1 }), dataset, held);
    const model = await fitted(spec, dataset, train, { ...settings, threads: 2 });
    const all = model.predict(
      Int32Array.from({ length: 1000 }, (_, t) => t),
      new Int32Array(1000),
    );
    assert.ok(all.every(Number.isFinite), spec.id);
    const two = testRmse(model, dataset, held);
    assert.ok(Math.abs(two - one) < 0.01, `${spec.id}: test RMSE ${two} on 2 threads, ${one} on 1`);
    assert.equal(await liveWorkersSettled(), 0, spec.id);
    // No epoch at all: the workers start and are terminated unused.
    await fitted(spec, dataset, train, { ...settings, epochs: 0, threads: 2 });
    assert.equal(await liveWorkersSettled(), 0, `${spec.id} with 0 epochs`);
  }
});

test('a fit on threads that throws terminates its worker threads', async () => {
  const { dataset, train } = synthetic(true);
  for (const spec of [biasedMfSpec, svdppSpec]) {
    const diverging = { factors: 8, epochs: 5, threads: 2, learningRate: 50, biasLearningRate: 50 };
    await assert.rejects(fitted(spec, dataset, train, diverging), /training diverged in epoch \d+/);
    assert.equal(await liveWorkersSettled(), 0, spec.id);
  }
});

test('the threads setting: 0 means every core, at most one per 20,000 ratings; bad values refused by name', () => {
  assert.equal(fitThreads(0, 10_000_000), availableParallelism());
  assert.equal(fitThreads(3, 10_000_000), 3);
  assert.equal(fitThreads(4, 50_000), 2);
  assert.equal(fitThreads(2, 100), 1);
  for (const spec of [biasedMfSpec, svdppSpec]) {
    assert.equal(spec.defaults.threads, 0);
    for (const bad of [-1, 1.5, 257]) {
      assert.throws(
        () => spec.create(resolveConfig(spec, { threads: bad })),
        (e: unknown) =>
          e instanceof UsageError &&
          e.message === `model "${spec.id}" setting "threads" must be an integer in [0, 256], got ${bad}`,
      );
    }
  }
});

test('heed evaluate --set threads=x fails naming the setting', () => {
  let failed: { status: number; stderr: string } | undefined;
  try {
    execFileSync(
      process.execPath,
      [
        'dist/src/cli/main.js',
        'evaluate',
        '--model',
        'biasedmf',
        '--dataset',
        'synthetic',
        '--set',
        'threads=x',
      ],
      { cwd: root, encoding: 'utf8', stdio: 'pipe' },
    );
  } catch (e) {
    failed = e as { status: number; stderr: string };
  }
  assert.ok(failed !== undefined, 'the command should fail');
  assert.notEqual(failed.status, 0);
  assert.match(failed.stderr, /"threads"/);
});

test('block schedule: every block once per epoch; held blocks never share a row or column', () => {
  const bins = gridBins(2);
  assert.ok(bins > 2 * 2, 'more than twice the threads, as LIBMF requires');
  const state = newBlockSchedule(bins);
  const rng = new Rng(5);
  for (let epoch = 0; epoch < 3; epoch++) {
    startScheduleEpoch(state, bins);
    // Threads holding blocks at once (as many as there are rows): rows and columns all distinct.
    const held = Array.from({ length: bins }, () => takeBlock(state, bins, rng));
    assert.equal(new Set(held.map((b) => Math.floor(b / bins))).size, bins);
    assert.equal(new Set(held.map((b) => b % bins)).size, bins);
    const seen = new Set(held);
    for (const block of held) releaseBlock(state, bins, block);
    // One thread taking the rest one at a time: each block exactly once, then -1.
    for (let block = takeBlock(state, bins, rng); block >= 0; block = takeBlock(state, bins, rng)) {
      assert.ok(!seen.has(block), `block ${block} taken twice in epoch ${epoch}`);
      seen.add(block);
      releaseBlock(state, bins, block);
    }
    assert.equal(seen.size, bins * bins);
  }
});

test('experiment run keys leave threads out: a stored run is found whatever threads it ran on', () => {
  for (const spec of [biasedMfSpec, svdppSpec]) {
    const identity = (threads: number) => runIdentityConfig(spec.settings, resolveConfig(spec, { threads }));
    assert.equal('threads' in identity(2), false, spec.id);
    assert.deepEqual(identity(2), identity(1), spec.id);
    assert.equal(identity(1).factors, spec.defaults.factors, spec.id);
  }
});

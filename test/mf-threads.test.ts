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
  abandonSchedule,
  blockingSleep,
  newBlockSchedule,
  releaseBlock,
  startScheduleEpoch,
  takeBlock,
  type Sleep,
} from '../src/models/classic/mf-block-schedule.js';
import { fitThreads, gridBins } from '../src/models/classic/mf-parallel.js';
import { liveMfWorkers } from '../src/models/classic/mf-worker-pool.js';
import { svdppSpec } from '../src/models/classic/svdpp.js';
import { resolveConfig } from '../src/models/config.js';
import { runIdentityConfig } from '../src/models/settings-schema.js';
import type { ConfigValue, ModelSpec, RatingModel } from '../src/models/model.js';
import { UsageError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';
import { idMap } from '../test-helpers/datasets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** 45,000 training ratings: enough for two threads. */
function synthetic(): { dataset: Dataset; train: Int32Array; test: Int32Array } {
  const dataset = loadDataset('synthetic:users=1000,items=400,ratingsPerUser=50', {});
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

/**
 * A 150 × 120 data set of 4,500 ratings (30 distinct items per user, 1..5 from a user bias, an item
 * bias and noise), built here from a fixed integer hash rather than by a loader, so that the
 * bit-for-bit test below does not change when the synthetic generator does. It uses nothing but the
 * `Dataset` shape, which is the same in 755f7df, so the same function ran there to record the hashes.
 */
function fixedDataset(): Dataset {
  const users = 150;
  const items = 120;
  const perUser = 30;
  // mulberry32: a tiny, fully specified PRNG, so the data depends on no project code.
  let state = 0x9e3779b9;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const userBias = Float64Array.from({ length: users }, () => next() - 0.5);
  const itemBias = Float64Array.from({ length: items }, () => 1.5 * (next() - 0.5));
  const user = new Int32Array(users * perUser);
  const item = new Int32Array(users * perUser);
  const rating = new Float32Array(users * perUser);
  const order = Int32Array.from({ length: items }, (_, i) => i);
  let r = 0;
  for (let u = 0; u < users; u++) {
    for (let k = 0; k < perUser; k++) {
      const j = k + Math.floor(next() * (items - k));
      const i = order[j];
      order[j] = order[k];
      order[k] = i;
      user[r] = u;
      item[r] = i;
      rating[r] = Math.min(5, Math.max(1, Math.round(3.5 + userBias[u] + itemBias[i] + (next() - 0.5))));
      r++;
    }
  }
  return {
    id: 'mf-threads-fixed',
    users: idMap('u', users),
    items: idMap('i', items),
    ratings: { user, item, rating },
    scale: { min: 1, max: 5 },
    userFeatures: { count: users, fields: [] },
    itemFeatures: { count: items, fields: [] },
    predefinedSplits: {},
  };
}

function sha256(a: Int32Array | Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');
}

test('threads=1 predicts bit for bit what BiasedMF and SVD++ predicted before threads existed', async () => {
  // SHA-256 of the float32 predictions for every (user, item) pair, recorded by running commit
  // 755f7df (the last one without the `threads` setting) on fixedDataset() (the same function,
  // copied into a script there), with the same split (ratio:0.9,0,0.1, seed 1) and settings.
  // The data's own hashes guard against the data drifting from what those were recorded on.
  const before: Record<string, string> = {
    biasedmf: '899316251d8940b64782151d7856dfd34d112f8f53c6101e3d3edaf4c504df5f',
    svdpp: '276dc085ecf306076689b631e645f5b0d6f79466b4ff2fc8747912a7e73046dd',
  };
  const dataset = fixedDataset();
  assert.equal(
    sha256(dataset.ratings.item),
    '286748c69f3cb8e9a5f981aeff698577da580dde1e096231e6e76310b5969dd2',
    'fixedDataset items changed',
  );
  assert.equal(
    sha256(dataset.ratings.rating),
    '5fa1b588dd28b67a0028fff0b584919aa8caf8942bf722d2d08be4fc4076f0f6',
    'fixedDataset ratings changed',
  );
  const [{ train }] = makeSplits(dataset, parseSplitSpec('ratio:0.9,0,0.1'), 1);
  const users = dataset.users.ids.length;
  const items = dataset.items.ids.length;
  const u = Int32Array.from({ length: users * items }, (_, t) => Math.floor(t / items));
  const i = Int32Array.from({ length: users * items }, (_, t) => t % items);
  for (const spec of [biasedMfSpec, svdppSpec]) {
    const model = await fitted(spec, dataset, train, { factors: 12, epochs: 7, threads: 1 });
    assert.equal(sha256(model.predict(u, i)), before[spec.id], spec.id);
  }
});

test('threads=2 fits finite predictions as accurate as threads=1, and leaves no worker behind', async () => {
  const { dataset, train, test: held } = synthetic();
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
  const { dataset, train } = synthetic();
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

test('block schedule: every block once per epoch; held blocks never share a row or column', async () => {
  const bins = gridBins(2);
  assert.ok(bins > 2 * 2, 'more than twice the threads, as LIBMF requires');
  const state = newBlockSchedule(bins);
  const rng = new Rng(5);
  const take = async (): Promise<number> => takeBlock(state, bins, rng, blockingSleep);
  for (let epoch = 0; epoch < 3; epoch++) {
    startScheduleEpoch(state, bins);
    // Threads holding blocks at once (as many as there are rows): rows and columns all distinct.
    const held: number[] = [];
    for (let thread = 0; thread < bins; thread++) held.push(await take());
    assert.equal(new Set(held.map((b) => Math.floor(b / bins))).size, bins);
    assert.equal(new Set(held.map((b) => b % bins)).size, bins);
    const seen = new Set(held);
    for (const block of held) await releaseBlock(state, bins, block, blockingSleep);
    // One thread taking the rest one at a time: each block exactly once, then -1.
    for (let block = await take(); block >= 0; block = await take()) {
      assert.ok(!seen.has(block), `block ${block} taken twice in epoch ${epoch}`);
      seen.add(block);
      await releaseBlock(state, bins, block, blockingSleep);
    }
    assert.equal(seen.size, bins * bins);
  }
});

/**
 * A `Sleep` for a thread that is about to sleep when the schedule is abandoned (another thread found
 * that a worker died): it records what a bounded Atomics.wait then returns.
 */
function abandonedJustBeforeSleeping(waits: string[]): Sleep {
  return (state, index, value) => {
    abandonSchedule(state);
    waits.push(Atomics.wait(state, index, value, 1000));
  };
}

test('an abandoned block schedule hands out no block, also to a thread that would wait for one', async () => {
  const bins = gridBins(2);
  const state = newBlockSchedule(bins);
  const rng = new Rng(3);
  startScheduleEpoch(state, bins);
  // Every row busy: another takeBlock now waits for a release that a dead thread never sends.
  for (let row = 0; row < bins; row++) assert.ok((await takeBlock(state, bins, rng, blockingSleep)) >= 0);
  const waits: string[] = [];
  assert.equal(await takeBlock(state, bins, rng, abandonedJustBeforeSleeping(waits)), -1);
  assert.deepEqual(waits, ['not-equal'], 'abandoning changes the word the thread sleeps on');
  assert.equal(await takeBlock(state, bins, rng, blockingSleep), -1);
});

test('a thread waiting for the schedule lock that a dead thread holds gets no block once it is abandoned', async () => {
  const bins = gridBins(2);
  const state = newBlockSchedule(bins);
  const rng = new Rng(4);
  startScheduleEpoch(state, bins);
  // Word 0 is the lock: held by a thread that died inside takeBlock or releaseBlock.
  Atomics.store(state, 0, 1);
  const waits: string[] = [];
  assert.equal(await takeBlock(state, bins, rng, abandonedJustBeforeSleeping(waits)), -1);
  assert.deepEqual(
    waits,
    ['not-equal'],
    'abandoning changes the lock word, so no waiter sleeps on it forever',
  );
  await releaseBlock(state, bins, 0, blockingSleep);
  assert.equal(await takeBlock(state, bins, rng, blockingSleep), -1);
});

test('experiment run keys leave threads out: a stored run is found whatever threads it ran on', () => {
  for (const spec of [biasedMfSpec, svdppSpec]) {
    const identity = (threads: number) => runIdentityConfig(spec.settings, resolveConfig(spec, { threads }));
    assert.equal('threads' in identity(2), false, spec.id);
    assert.deepEqual(identity(2), identity(1), spec.id);
    assert.equal(identity(1).factors, spec.defaults.factors, spec.id);
  }
});

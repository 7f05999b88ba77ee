import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { loadArtifact, predictRaw, saveArtifact, MODEL_FILE, PARAMS_FILE } from '../src/models/artifact.js';
import { GlobalMean } from '../src/models/classic/global-mean.js';
import { LABELS_FILE } from '../src/models/labels.js';
import type { FitReport, ModelConfig, ModelSpec, ModelState, RatingModel } from '../src/models/model.js';
import { FALLBACK_SHRINKAGE, trainingStats } from '../src/models/predictor.js';
import { real } from '../src/models/settings-schema.js';
import { DataError } from '../src/util/errors.js';
import { ratingsDataset } from '../test-helpers/datasets.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-artifact-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function dataset(): Dataset {
  return ratingsDataset(
    [
      ['alice', 'm1', 5],
      ['alice', 'm2', 3],
      ['bob', 'm1', 4],
      ['bob', 'm3', 2],
      ['carol', 'm2', 1], // carol and m4 appear only in the last two rows, which are not trained on
      ['dave', 'm4', 3],
    ],
    'tiny',
  );
}

/** A model with one array of each dtype: prediction = offset + userBias[u] + itemBias[i] + tag[u]/100. */
class VectorModel implements RatingModel {
  readonly id = 'vector';
  readonly handlesColdStart = false;
  constructor(
    readonly config: ModelConfig,
    public userBias: Float32Array = new Float32Array(0),
    public itemBias: Float64Array = new Float64Array(0),
    public tag: Int32Array = new Int32Array(0),
    public offset = 0,
  ) {}
  async fit(train: RatingSubset): Promise<FitReport> {
    const d = train.dataset;
    this.userBias = Float32Array.from({ length: d.users.ids.length }, (_, u) => 0.1 * (u + 1));
    this.itemBias = Float64Array.from({ length: d.items.ids.length }, (_, i) => Math.PI / (i + 1));
    this.tag = Int32Array.from({ length: d.users.ids.length }, (_, u) => -7 * u);
    this.offset = Number(this.config.offset);
    return { epochs: 1, samplesProcessed: train.indices.length };
  }
  predict(users: Int32Array, items: Int32Array): Float32Array {
    return Float32Array.from(
      users,
      (u, k) => this.offset + this.userBias[u] + this.itemBias[items[k]] + this.tag[u] / 100,
    );
  }
  state(): ModelState {
    return {
      id: this.id,
      config: this.config,
      meta: { offset: this.offset },
      arrays: { userBias: this.userBias, itemBias: this.itemBias, tag: this.tag },
    };
  }
}

const vectorSpec: ModelSpec = {
  id: 'vector',
  summary: 'test model',
  reference: '-',
  settings: { offset: real(1, 'added to every prediction') },
  defaults: { offset: 1 },
  create: (config) => new VectorModel(config),
  restore: (s) =>
    new VectorModel(
      s.config,
      s.arrays.userBias as Float32Array,
      s.arrays.itemBias as Float64Array,
      s.arrays.tag as Int32Array,
      (s.meta as { offset: number }).offset,
    ),
};
const getSpec = (): ModelSpec => vectorSpec;

async function fitted(): Promise<{ data: Dataset; model: VectorModel; train: RatingSubset }> {
  const data = dataset();
  const train = { dataset: data, indices: Int32Array.of(0, 1, 2, 3) };
  const model = new VectorModel({ offset: 1.5 });
  await model.fit(train);
  return { data, model, train };
}

function savedCopy(name: string, model: RatingModel, data: Dataset, train: RatingSubset): string {
  const dir = path.join(tmp, name);
  saveArtifact(dir, { model, dataset: data, stats: trainingStats(train), provenance: { split: 'rows 0-3' } });
  return dir;
}

test('artifact round trip: same predictions, ids, scale, config and fallback statistics', async () => {
  const { data, model, train } = await fitted();
  const dir = savedCopy('roundtrip', model, data, train);
  assert.deepEqual(fs.readdirSync(dir).sort(), [LABELS_FILE, MODEL_FILE, PARAMS_FILE]);
  const loaded = loadArtifact(dir, { getSpec });
  assert.equal(loaded.manifest.model, 'vector');
  assert.equal(loaded.manifest.dataset, 'tiny');
  assert.deepEqual(loaded.manifest.config, { offset: 1.5 });
  assert.deepEqual(loaded.users.ids, ['alice', 'bob', 'carol', 'dave']);
  assert.deepEqual(loaded.manifest.scale, { min: 1, max: 5 });
  assert.equal(loaded.manifest.provenance.split, 'rows 0-3');
  const manifestArrays = loaded.manifest.arrays.map((a) => `${a.group}/${a.name}:${a.dtype}:${a.length}`);
  assert.deepEqual(manifestArrays, [
    'model/userBias:float32:4',
    'model/itemBias:float64:4',
    'model/tag:int32:4',
    'training/userCount:int32:4',
    'training/userSum:float64:4',
    'training/itemCount:int32:4',
    'training/itemSum:float64:4',
  ]);
  for (const a of loaded.manifest.arrays) assert.equal(a.offset % 8, 0, 'arrays start 8-byte aligned');
  // Every pair the original answers, the loaded one answers identically (bit for bit).
  const users = Int32Array.of(0, 0, 1, 1, 0, 1);
  const items = Int32Array.of(0, 1, 0, 2, 2, 1);
  assert.deepEqual(loaded.model.predict(users, items), model.predict(users, items));
  const restored = loaded.model as VectorModel;
  assert.deepEqual(restored.itemBias, model.itemBias); // float64 survives exactly
  assert.deepEqual(restored.tag, model.tag);

  // Raw ids: a warm pair, a user with no training ratings, an id never seen at all.
  const warm = predictRaw(loaded, 'alice', 'm2');
  assert.equal(warm.coldStart, 'none');
  assert.equal(warm.source, 'model');
  assert.ok(Math.abs(warm.rating - (1.5 + 0.1 + Math.PI / 2)) < 1e-6);
  const mu = 14 / 4;
  const m1Fallback = (9 + FALLBACK_SHRINKAGE * mu) / (2 + FALLBACK_SHRINKAGE);
  const carol = predictRaw(loaded, 'carol', 'm1');
  assert.deepEqual(carol, {
    user: 'carol',
    item: 'm1',
    rating: Math.fround(m1Fallback),
    coldStart: 'user',
    source: 'fallback',
  });
  const stranger = predictRaw(loaded, 'zed', 'm1');
  assert.equal(stranger.coldStart, 'user');
  assert.equal(stranger.rating, carol.rating);
  const both = predictRaw(loaded, 'zed', 'm99');
  assert.deepEqual([both.coldStart, both.rating], ['both', Math.fround(mu)]);
  assert.equal(predictRaw(loaded, 'bob', 'm4').coldStart, 'item');
});

test('a shipped model (globalmean) round-trips through the model registry', async () => {
  const { data, train } = await fitted();
  const model = new GlobalMean({});
  await model.fit(train);
  const dir = savedCopy('globalmean', model, data, train);
  const loaded = loadArtifact(dir);
  assert.equal(loaded.model.id, 'globalmean');
  assert.deepEqual(predictRaw(loaded, 'bob', 'm3'), {
    user: 'bob',
    item: 'm3',
    rating: 3.5,
    coldStart: 'none',
    source: 'model',
  });
});

function expectDataError(fn: () => unknown, file: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.match(e.message, pattern);
    return true;
  });
}

test('corruption is detected and named: truncation, checksum, missing files, version', async () => {
  const { data, model, train } = await fitted();

  const truncated = savedCopy('truncated', model, data, train);
  const params = path.join(truncated, PARAMS_FILE);
  const size = fs.statSync(params).size;
  fs.truncateSync(params, size - 5);
  expectDataError(
    () => loadArtifact(truncated, { getSpec }),
    params,
    /truncated: array "itemSum" needs bytes \d+\.\.\d+ but the file has \d+ bytes/,
  );

  const flipped = savedCopy('flipped', model, data, train);
  const flippedParams = path.join(flipped, PARAMS_FILE);
  const bytes = fs.readFileSync(flippedParams);
  bytes[20] ^= 0xff; // inside itemBias (userBias is bytes 0..15)
  fs.writeFileSync(flippedParams, bytes);
  expectDataError(
    () => loadArtifact(flipped, { getSpec }),
    flippedParams,
    /checksum mismatch for array "itemBias"/,
  );

  const noParams = savedCopy('no-params', model, data, train);
  fs.rmSync(path.join(noParams, PARAMS_FILE));
  expectDataError(
    () => loadArtifact(noParams, { getSpec }),
    path.join(noParams, PARAMS_FILE),
    /file not found/,
  );

  const noManifest = savedCopy('no-manifest', model, data, train);
  fs.rmSync(path.join(noManifest, MODEL_FILE));
  expectDataError(
    () => loadArtifact(noManifest, { getSpec }),
    path.join(noManifest, MODEL_FILE),
    /not a saved Heed model/,
  );

  const future = savedCopy('future', model, data, train);
  const manifestFile = path.join(future, MODEL_FILE);
  const json = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(manifestFile, JSON.stringify({ ...json, version: 99 }));
  expectDataError(
    () => loadArtifact(future, { getSpec }),
    manifestFile,
    /field "version": format version 99 is not supported/,
  );
  fs.writeFileSync(manifestFile, '{"format": "heed-model", ');
  expectDataError(() => loadArtifact(future, { getSpec }), manifestFile, /not valid JSON/);

  expectDataError(
    () => loadArtifact(path.join(tmp, 'nowhere')),
    path.join(tmp, 'nowhere'),
    /model directory not found/,
  );
});

test('saving never leaves a half-written directory and never overwrites unrelated files', async () => {
  const { data, model, train } = await fitted();
  // A model whose state cannot be saved: nothing appears at the target.
  const broken = new VectorModel({});
  broken.state = () => ({
    id: 'vector',
    config: {},
    meta: null,
    arrays: { bad: [1, 2] as unknown as Float32Array },
  });
  const target = path.join(tmp, 'never');
  assert.throws(
    () => saveArtifact(target, { model: broken, dataset: data, stats: trainingStats(train) }),
    /array "bad" must be/,
  );
  assert.equal(fs.existsSync(target), false);
  assert.deepEqual(
    fs.readdirSync(tmp).filter((f) => f.includes('never')),
    [],
  );

  // A non-empty directory that is not a saved model is refused and left alone.
  const precious = path.join(tmp, 'precious');
  fs.mkdirSync(precious);
  fs.writeFileSync(path.join(precious, 'thesis.tex'), 'do not delete');
  assert.throws(
    () => saveArtifact(precious, { model, dataset: data, stats: trainingStats(train) }),
    /refusing to save the model to .*precious/,
  );
  assert.equal(fs.readFileSync(path.join(precious, 'thesis.tex'), 'utf8'), 'do not delete');

  // A previous model is replaced whole.
  const dir = savedCopy('replace', model, data, train);
  fs.writeFileSync(path.join(dir, 'stale.txt'), 'old');
  savedCopy('replace', model, data, train);
  assert.deepEqual(fs.readdirSync(dir).sort(), [LABELS_FILE, MODEL_FILE, PARAMS_FILE]);
  assert.ok(loadArtifact(dir, { getSpec }).model instanceof VectorModel);
});

/**
 * Saved models: a directory with everything `predict` needs, and nothing that needs the data set.
 *
 *   model.json  format name and version, model id, config, the model's JSON meta, dataset id, the
 *               raw user and item ids (dense index i ↔ ids[i]), the rating scale, the global
 *               training mean and shrinkage of the cold-start fallback, and a manifest of arrays;
 *   params.bin  the arrays, little-endian, each at an 8-byte-aligned offset;
 *   labels.json the data set's display names: item titles, feature labels (see `labels.ts`);
 *               optional, so models saved before it existed still load (their ids are shown).
 *
 * Manifest entry: { group, name, dtype, length, offset, byteLength, sha256 }. Group `model` holds
 * the model's own `ModelState.arrays`; group `training` holds the per-user and per-item counts and
 * sums the cold-start fallback needs (see `predictor.ts`).
 *
 * Saving builds the directory beside its target and renames it into place (`writeDirAtomicSync`),
 * so an interrupted save never leaves a half-written model. Loading checks everything it reads
 * and fails naming the file and the problem: a missing file, another format version, a truncated
 * array, a checksum mismatch.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { endianness } from 'node:os';
import * as path from 'node:path';
import type { Dataset, IdMap } from '../data/dataset.js';
import { statisticsProblem, type RatingStatistics } from '../data/rating-statistics.js';
import { DataError, HeedError } from '../util/errors.js';
import { isDirectory, writeDirAtomicSync, writeFileAtomic } from '../util/io.js';
import { getModelSpec } from './index.js';
import { ArtifactLabels, LABELS_FILE, labelsOfDataset, readLabels } from './labels.js';
import type { JsonValue, ModelConfig, ModelSpec, ModelState, RatingModel } from './model.js';
import { Predictor, type PairPrediction, type TrainingStats } from './predictor.js';
import { migrateConfig } from './renamed-settings.js';
import { withExecutionDefaults } from './settings-schema.js';

export const ARTIFACT_FORMAT = 'heed-model';
export const ARTIFACT_VERSION = 1;
export const MODEL_FILE = 'model.json';
export const PARAMS_FILE = 'params.bin';

export type ArrayDtype = 'float32' | 'float64' | 'int32';
type NumericArray = Float32Array | Float64Array | Int32Array;

export interface ArrayEntry {
  readonly group: 'model' | 'training';
  readonly name: string;
  readonly dtype: ArrayDtype;
  readonly length: number;
  readonly offset: number;
  readonly byteLength: number;
  readonly sha256: string;
}

/** The parsed `model.json`. */
export interface ArtifactManifest {
  readonly format: typeof ARTIFACT_FORMAT;
  readonly version: number;
  readonly model: string;
  readonly config: ModelConfig;
  readonly meta: JsonValue;
  readonly dataset: string;
  readonly users: string[];
  readonly items: string[];
  readonly scale: { readonly min: number; readonly max: number };
  readonly training: { readonly globalMean: number; readonly ratings: number; readonly shrinkage: number };
  /** How the model was trained (split, seed, date), for people reading the file. */
  readonly provenance: { readonly [key: string]: JsonValue };
  /** The data set's and the training ratings' statistics; absent in models saved before they were stored. */
  readonly statistics?: SavedStatistics;
  readonly arrays: ArrayEntry[];
}

export interface SavedStatistics {
  readonly dataset: RatingStatistics;
  readonly training: RatingStatistics;
}

export interface SaveOptions {
  readonly model: RatingModel;
  /** The dataset the model was fitted on (its id, raw ids and scale are saved). */
  readonly dataset: Dataset;
  readonly stats: TrainingStats;
  readonly provenance?: { readonly [key: string]: JsonValue };
  /** Shown by the explorer (`GET /stats`); see `src/data/rating-statistics.ts`. */
  readonly statistics?: SavedStatistics;
}

/** A loaded model, ready to answer raw-id queries. */
export interface LoadedArtifact {
  readonly dir: string;
  readonly manifest: ArtifactManifest;
  readonly model: RatingModel;
  readonly predictor: Predictor;
  readonly users: IdMap;
  readonly items: IdMap;
  /** Display names by raw id: `labels.item('242')` is "Kolya (1996)" (see `labels.ts`). */
  readonly labels: ArtifactLabels;
}

/** A prediction for raw ids; `coldStart` says which of them had no training ratings. */
export interface RawPrediction extends PairPrediction {
  readonly user: string;
  readonly item: string;
}

const BYTES: Record<ArrayDtype, number> = { float32: 4, float64: 8, int32: 4 };

/**
 * Saves a fitted model to `dir`. An existing `dir` is replaced only when it is empty or is itself
 * a saved model (it has a model.json), so a mistyped `--out` cannot wipe an unrelated directory.
 */
export function saveArtifact(dir: string, options: SaveOptions): ArtifactManifest {
  const { model, dataset, stats } = options;
  guardTarget(dir);
  const state: ModelState = model.state();
  const arrays: Array<{ group: ArrayEntry['group']; name: string; data: NumericArray }> = [
    ...Object.entries(state.arrays).map(([name, data]) => ({ group: 'model' as const, name, data })),
    { group: 'training', name: 'userCount', data: stats.userCount },
    { group: 'training', name: 'userSum', data: stats.userSum },
    { group: 'training', name: 'itemCount', data: stats.itemCount },
    { group: 'training', name: 'itemSum', data: stats.itemSum },
  ];
  if (
    stats.userCount.length !== dataset.users.ids.length ||
    stats.itemCount.length !== dataset.items.ids.length
  ) {
    throw new HeedError(`saveArtifact: the training statistics do not belong to dataset "${dataset.id}"`);
  }

  const entries: ArrayEntry[] = [];
  let size = 0;
  for (const { group, name, data } of arrays) {
    const dtype = dtypeOf(data, name);
    size = align8(size);
    entries.push({
      group,
      name,
      dtype,
      length: data.length,
      offset: size,
      byteLength: data.length * BYTES[dtype],
      sha256: '',
    });
    size += data.length * BYTES[dtype];
  }
  const params = new Uint8Array(size);
  for (let a = 0; a < arrays.length; a++) {
    const entry = entries[a];
    writeLittleEndian(arrays[a].data, entry.dtype, params, entry.offset);
    const bytes = params.subarray(entry.offset, entry.offset + entry.byteLength);
    entries[a] = { ...entry, sha256: sha256(bytes) };
  }

  const manifest: ArtifactManifest = {
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    model: state.id,
    config: state.config,
    meta: state.meta,
    dataset: dataset.id,
    users: dataset.users.ids,
    items: dataset.items.ids,
    scale: { min: dataset.scale.min, max: dataset.scale.max },
    training: { globalMean: stats.globalMean, ratings: stats.ratings, shrinkage: stats.shrinkage },
    provenance: { savedAt: new Date().toISOString(), ...(options.provenance ?? {}) },
    ...(options.statistics === undefined ? {} : { statistics: options.statistics }),
    arrays: entries,
  };
  writeDirAtomicSync(dir, (tmp) => {
    writeFileAtomic(path.join(tmp, PARAMS_FILE), params);
    writeFileAtomic(path.join(tmp, MODEL_FILE), JSON.stringify(manifest, null, 1) + '\n');
    // Compact: it holds every entity's feature codes, which nobody reads by eye.
    writeFileAtomic(path.join(tmp, LABELS_FILE), JSON.stringify(labelsOfDataset(dataset)) + '\n');
  });
  return manifest;
}

export interface LoadOptions {
  /** How a model id becomes a spec; defaults to `getModelSpec` (the models Heed ships). */
  readonly getSpec?: (id: string) => ModelSpec;
}

/**
 * `loadArtifact` for any saved model, neural ones included: starts the tensor engine first when the
 * model runs on it, since restoring and predicting are synchronous. The CLI and the service use this.
 */
export async function openArtifact(dir: string, options: LoadOptions = {}): Promise<LoadedArtifact> {
  if (!isDirectory(dir)) throw new DataError(dir, undefined, undefined, 'model directory not found');
  const spec = (options.getSpec ?? getModelSpec)(readManifest(path.join(dir, MODEL_FILE)).model);
  if (spec.usesEngine === true) {
    // Imported here so that loading a classic model never loads TensorFlow.js.
    const { initEngine } = await import('../engine/backend.js');
    await initEngine();
  }
  return loadArtifact(dir, options);
}

/** Loads and verifies a saved model; every failure names the file and what is wrong with it. */
export function loadArtifact(dir: string, options: LoadOptions = {}): LoadedArtifact {
  if (!isDirectory(dir)) throw new DataError(dir, undefined, undefined, 'model directory not found');
  const manifestFile = path.join(dir, MODEL_FILE);
  const paramsFile = path.join(dir, PARAMS_FILE);
  const manifest = readManifest(manifestFile);

  let params: Buffer;
  try {
    params = fs.readFileSync(paramsFile);
  } catch {
    throw new DataError(
      paramsFile,
      undefined,
      undefined,
      `file not found (the model's parameters, listed in ${MODEL_FILE})`,
    );
  }
  const model: Record<string, NumericArray> = {};
  const training: Record<string, NumericArray> = {};
  for (const entry of manifest.arrays) {
    const end = entry.offset + entry.byteLength;
    if (end > params.length) {
      throw new DataError(
        paramsFile,
        undefined,
        undefined,
        `truncated: array "${entry.name}" needs bytes ${entry.offset}..${end} but the file has ${params.length} bytes`,
      );
    }
    const bytes = params.subarray(entry.offset, end);
    const digest = sha256(bytes);
    if (digest !== entry.sha256) {
      throw new DataError(
        paramsFile,
        undefined,
        undefined,
        `checksum mismatch for array "${entry.name}" (sha256 ${digest}, ${MODEL_FILE} says ${entry.sha256}): the file is corrupt`,
      );
    }
    const target = entry.group === 'model' ? model : training;
    target[entry.name] = readLittleEndian(bytes, entry.dtype, entry.length);
  }

  const nUsers = manifest.users.length;
  const nItems = manifest.items.length;
  const stats: TrainingStats = {
    globalMean: manifest.training.globalMean,
    ratings: manifest.training.ratings,
    shrinkage: manifest.training.shrinkage,
    userCount: trainingArray(training, 'userCount', Int32Array, nUsers, manifestFile),
    userSum: trainingArray(training, 'userSum', Float64Array, nUsers, manifestFile),
    itemCount: trainingArray(training, 'itemCount', Int32Array, nItems, manifestFile),
    itemSum: trainingArray(training, 'itemSum', Float64Array, nItems, manifestFile),
  };
  const spec = (options.getSpec ?? getModelSpec)(manifest.model);
  const restored = spec.restore({
    id: manifest.model,
    // Models saved before settings were renamed (issue #10) load with the new names, and those
    // saved before an execution setting existed (BiasedMF's `threads`) with its default.
    config: withExecutionDefaults(
      spec.settings,
      migrateConfig(manifest.model, manifest.config, manifestFile),
    ),
    meta: manifest.meta,
    arrays: model,
  });
  const users = idMap(manifest.users);
  const items = idMap(manifest.items);
  return {
    dir,
    manifest,
    model: restored,
    predictor: new Predictor(restored, stats, manifest.scale),
    users,
    items,
    labels: new ArtifactLabels(readLabels(path.join(dir, LABELS_FILE), users, items), users, items),
  };
}

/**
 * Predicts for raw ids. An id the training data never had is not an error: the answer says
 * `coldStart: "user"` (or `"item"`, `"both"`) and comes from the documented fallback.
 */
export function predictRaw(artifact: LoadedArtifact, user: string, item: string): RawPrediction {
  const u = artifact.users.index.get(user) ?? -1;
  const i = artifact.items.index.get(item) ?? -1;
  return { user, item, ...artifact.predictor.predictOne(u, i) };
}

function guardTarget(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (!isDirectory(dir))
    throw new HeedError(`cannot save the model to ${dir}: it exists and is not a directory`);
  const entries = fs.readdirSync(dir);
  if (entries.length > 0 && !entries.includes(MODEL_FILE)) {
    throw new HeedError(
      `refusing to save the model to ${dir}: the directory is not empty and is not a saved Heed model (choose a new or empty directory)`,
    );
  }
}

function readManifest(file: string): ArtifactManifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new DataError(
      file,
      undefined,
      undefined,
      'file not found: this is not a saved Heed model directory',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DataError(
      file,
      undefined,
      undefined,
      `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!isObject(json)) throw new DataError(file, undefined, undefined, 'expected a JSON object');
  const bad = (field: string, problem: string): never => {
    throw new DataError(file, undefined, field, problem);
  };
  if (json.format !== ARTIFACT_FORMAT)
    bad('format', `expected "${ARTIFACT_FORMAT}", got ${JSON.stringify(json.format)}`);
  if (json.version !== ARTIFACT_VERSION) {
    bad(
      'version',
      `format version ${JSON.stringify(json.version)} is not supported (this Heed reads version ${ARTIFACT_VERSION})`,
    );
  }
  if (typeof json.model !== 'string') bad('model', 'expected a model id string');
  if (typeof json.dataset !== 'string') bad('dataset', 'expected a dataset id string');
  if (!isObject(json.config)) bad('config', 'expected an object');
  for (const key of ['users', 'items'] as const) {
    const ids = json[key];
    if (!Array.isArray(ids) || !ids.every((v) => typeof v === 'string'))
      bad(key, 'expected an array of id strings');
  }
  const scale = json.scale;
  if (
    !isObject(scale) ||
    typeof scale.min !== 'number' ||
    typeof scale.max !== 'number' ||
    !(scale.min < scale.max)
  ) {
    bad('scale', 'expected { "min": number, "max": number } with min < max');
  }
  const training = json.training;
  if (
    !isObject(training) ||
    typeof training.globalMean !== 'number' ||
    typeof training.ratings !== 'number' ||
    typeof training.shrinkage !== 'number'
  ) {
    bad('training', 'expected { "globalMean", "ratings", "shrinkage" } numbers');
  }
  if (!Array.isArray(json.arrays)) bad('arrays', 'expected the array manifest');
  const arrays = json.arrays as unknown[];
  arrays.forEach((entry, i) => {
    const field = `arrays[${i}]`;
    if (!isObject(entry)) return bad(field, 'expected an object');
    if (entry.group !== 'model' && entry.group !== 'training')
      bad(`${field}.group`, 'expected "model" or "training"');
    if (typeof entry.name !== 'string') bad(`${field}.name`, 'expected a string');
    if (entry.dtype !== 'float32' && entry.dtype !== 'float64' && entry.dtype !== 'int32') {
      bad(`${field}.dtype`, `expected float32, float64 or int32, got ${JSON.stringify(entry.dtype)}`);
    }
    for (const key of ['length', 'offset', 'byteLength'] as const) {
      const v = entry[key];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
        bad(`${field}.${key}`, 'expected an integer ≥ 0');
    }
    if (entry.byteLength !== (entry.length as number) * BYTES[entry.dtype as ArrayDtype]) {
      bad(
        `${field}.byteLength`,
        `${String(entry.byteLength)} bytes do not hold ${String(entry.length)} ${String(entry.dtype)} values`,
      );
    }
    if (typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256))
      bad(`${field}.sha256`, 'expected a sha256 hex digest');
  });
  if (!isObject(json.provenance)) bad('provenance', 'expected an object');
  if (json.statistics !== undefined) {
    const statistics = json.statistics;
    if (!isObject(statistics)) bad('statistics', 'expected { "dataset", "training" }');
    for (const part of ['dataset', 'training'] as const) {
      const problem = statisticsProblem((statistics as Record<string, unknown>)[part]);
      if (problem !== undefined) bad(`statistics.${part}`, problem);
    }
  }
  return json as unknown as ArtifactManifest;
}

function trainingArray<T extends Int32Array | Float64Array>(
  arrays: Record<string, NumericArray>,
  name: string,
  type: { new (n: number): T },
  length: number,
  file: string,
): T {
  const a = arrays[name];
  if (!(a instanceof type) || a.length !== length) {
    throw new DataError(
      file,
      undefined,
      'arrays',
      `training array "${name}" is missing or does not have ${length} entries`,
    );
  }
  return a;
}

function idMap(ids: string[]): IdMap {
  return { ids, index: new Map(ids.map((id, i) => [id, i])) };
}

function dtypeOf(data: unknown, name: string): ArrayDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  throw new HeedError(`saveArtifact: array "${name}" must be a Float32Array, Float64Array or Int32Array`);
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

function writeLittleEndian(data: NumericArray, dtype: ArrayDtype, out: Uint8Array, offset: number): void {
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + offset, data.length * BYTES[dtype]);
  for (let i = 0; i < data.length; i++) {
    if (dtype === 'float32') view.setFloat32(i * 4, data[i], true);
    else if (dtype === 'float64') view.setFloat64(i * 8, data[i], true);
    else view.setInt32(i * 4, data[i], true);
  }
}

function readLittleEndian(bytes: Uint8Array, dtype: ArrayDtype, length: number): NumericArray {
  const out =
    dtype === 'float32'
      ? new Float32Array(length)
      : dtype === 'float64'
        ? new Float64Array(length)
        : new Int32Array(length);
  if (LITTLE_ENDIAN_HOST) {
    // Copy: `bytes` is a view into the file buffer, possibly at an offset the typed array cannot use.
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < length; i++) {
    if (dtype === 'float32') out[i] = view.getFloat32(i * 4, true);
    else if (dtype === 'float64') out[i] = view.getFloat64(i * 8, true);
    else out[i] = view.getInt32(i * 4, true);
  }
  return out;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

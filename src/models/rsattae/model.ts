/**
 * RSAttAE: two attention-based autoencoders (one over users' rows of the rating matrix, one over
 * movies' rows of its transpose) learn embeddings, and XGBoost predicts ratings from
 * concat[E_u, E_m, F_u, F_m].
 *
 * Dadashzadeh Taromi, Heydari, Hooshmand & Ramezani, "RSAttAE: An Information-Aware
 * Attention-based Autoencoder Recommender System" (code: github.com/ComputationIASBS/RecommSys).
 * Section IV.A preprocessing → `features.ts`; Eq. 1-3 → `autoencoder.ts`, `attention.ts`; Eq. 4
 * and training → `sparse-ops.ts`, `train-autoencoder.ts`; Section IV.D and Table II →
 * `supervised.ts`; cold start → `cold-start.ts`.
 *
 * The fit, stage by stage:
 *
 * 1. Hold out `validationFraction` (10%, as the paper does with u1.base) of the training ratings, seeded,
 *    unless the caller passes validation ratings (then those are held out and never used
 *    otherwise).
 * 2. Train the user and the item autoencoder on the remaining ratings, full batch, for `epochs`
 *    epochs, reporting the held-out reconstruction RMSE after every epoch.
 * 3. Embed every user and item by the encoders (Eq. 1) from all training ratings (the held-out part
 *    included, as the authors' code does); entities without ratings get feature-based embeddings
 *    (`cold-start.ts`).
 * 4. Train XGBoost on one row per training rating with those embeddings (the paper's supervised
 *    set), watching the held-out ratings with early stopping. A held-out rating's row takes its
 *    embeddings from the encoders applied to the training ratings without the held-out part, so
 *    that, as for a test pair, its own rating is not in the encoder's input; otherwise the
 *    validation RMSE would reward memorised ratings and say nothing about test pairs.
 *
 * Predictions use the embeddings of step 3 for every pair, cold users and items included
 * (`handlesColdStart`).
 *
 * ## Which autoencoder weights (`restoreBest`, `epochs`)
 *
 * Keeping the weights of the epoch with the lowest held-out reconstruction RMSE (~120-140 epochs
 * here) gave worse ratings at the end (u1.test RMSE 0.908) than training on: the supervised stage
 * reads ratings back out of the embeddings, and somewhat over-fitted encoders serve it better. The
 * number of epochs was chosen on the supervised stage's validation RMSE (the held-out 10%, never
 * the test set): 200 → 0.8981, 250 → 0.8974, 300 → 0.9001, 350 → 0.8989, 500 → 0.9025; so the default keeps the
 * last of 250 epochs. `restoreBest: true` restores the best reconstruction epoch instead, with
 * `patience`. See README.md in this folder for the measurements.
 */
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import { initEngine } from '../../engine/backend.js';
import { Booster } from '../../xgboost/booster.js';
import { RSATTAE_XGBOOST_DEFAULTS, type XGBoostParams } from '../../xgboost/params.js';
import type { XGBoostRoundEvent } from '../../xgboost/train.js';
import { DataError, HeedError, UsageError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { bool, num, str } from '../config.js';
import type {
  AttentionWeight,
  Explanation,
  FitOptions,
  FitReport,
  JsonValue,
  ModelConfig,
  ModelSpec,
  ModelState,
  RatingModel,
} from '../model.js';
import { fillColdEmbeddings } from './cold-start.js';
import { entityFeatures, selectFeatures, type EntityFeatures } from './features.js';
import { nonEmptyRows, sparseRows } from './rating-matrix.js';
import {
  packBytes,
  predictRows,
  rowWidth,
  supervisedRows,
  trainSupervised,
  unpackBytes,
  type EntityBlocks,
} from './supervised.js';
import { trainBothAutoencoders } from './both-autoencoders.js';
import type { AutoencoderSettings, TrainedAutoencoder } from './train-autoencoder.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { RSATTAE_SETTINGS } from './settings.js';

export const RSATTAE_DEFAULTS: ModelConfig = defaultsOf(RSATTAE_SETTINGS);

/** How long each stage of the last fit took, and what it learned. */
export interface RsattaeFitDetails {
  readonly seconds: {
    readonly userAutoencoder: number;
    readonly itemAutoencoder: number;
    /** Both autoencoders, wall time: their sum, or less when they train at once (`autoencoderThreads`). */
    readonly autoencoders: number;
    readonly embeddings: number;
    readonly xgboost: number;
  };
  /** The learned α of each autoencoder (null for the vanilla one). */
  readonly alpha: { readonly user: number | null; readonly item: number | null };
  readonly autoencoders: {
    readonly user: AutoencoderSummary;
    readonly item: AutoencoderSummary;
  };
  readonly xgboost: {
    readonly roundsTrained: number;
    readonly bestIteration: number;
    readonly bestValidationRmse: number | null;
  };
  readonly nTrain: number;
  readonly nValidation: number;
  /** Users and items that got feature-based embeddings (no training ratings). */
  readonly coldUsers: number;
  readonly coldItems: number;
}

interface AutoencoderSummary {
  readonly epochs: number;
  /** The epoch whose weights were kept (the last one unless `restoreBest`). */
  readonly keptEpoch: number;
  /** The epoch with the lowest held-out reconstruction RMSE. */
  readonly bestEpoch: number;
  readonly bestValidationRmse: number | null;
}

/** One side's state after fitting: everything prediction and explanation need. */
interface SideState {
  readonly count: number;
  readonly dim: number;
  readonly embedding: Float32Array;
  readonly features: Float32Array;
  readonly featureDim: number;
  readonly featureNames: string[];
  readonly group: Int32Array;
  readonly groupLabels: string[];
  /** Warm entities per feature group (the attention's key counts). */
  readonly keyCount: Int32Array;
  /** Group-to-group attention weights [G, G]; empty for the vanilla variant. */
  readonly attention: Float32Array;
}

interface Fitted {
  readonly user: SideState;
  readonly item: SideState;
  readonly booster: Booster;
  readonly boosterBytes: number;
  readonly details: RsattaeFitDetails | null;
}

export class RSAttAE implements RatingModel {
  readonly id: string;
  readonly handlesColdStart = true;
  readonly config: ModelConfig;
  /** False for the vanilla-autoencoder ablation (the paper's Fig. 4B). */
  readonly attention: boolean;
  private fitted: Fitted | undefined;

  constructor(config: ModelConfig, attention = true) {
    this.config = config;
    this.attention = attention;
    this.id = attention ? 'rsattae' : 'rsattae-vanilla';
    readSettings(this.id, config); // fail early on bad settings
  }

  /** Stage timings, α and best epochs of the last fit (null after `restore`). */
  get details(): RsattaeFitDetails | null {
    return this.fitted?.details ?? null;
  }

  async fit(train: RatingSubset, options: FitOptions = {}): Promise<FitReport> {
    const s = readSettings(this.id, this.config);
    await initEngine();
    const dataset = train.dataset;
    const nUsers = dataset.users.ids.length;
    const nItems = dataset.items.ids.length;
    const all = gatherRatings(train);
    const n = all.rating.length;
    if (n === 0) throw new HeedError(`rsattae: the training set of "${dataset.id}" is empty`);

    const userFeatures = entityFeatures(
      selectFeatures(dataset.userFeatures, s.userFields, s.paperBins, 'userFeatures'),
    );
    const itemFeatures = entityFeatures(
      selectFeatures(dataset.itemFeatures, s.itemFields, s.paperBins, 'itemFeatures'),
    );

    // 1. Held-out ratings, a seeded choice.
    const perm = new Rng((s.seed ^ 0x52a77ae) >>> 0).permutation(n);
    const external = options.validation !== undefined ? gatherRatings(options.validation) : undefined;
    const carve = external === undefined || external.rating.length === 0;
    const nHeld = carve ? Math.round(n * s.validation) : 0;
    if (carve && nHeld > 0 && nHeld >= n) {
      throw new UsageError(
        `rsattae: "validationFraction" ${s.validation} leaves no training ratings of ${n}`,
      );
    }
    const isHeld = new Uint8Array(n);
    for (let j = 0; j < nHeld; j++) isHeld[perm[j]] = 1;
    const trainPos = positions(isHeld, 0);
    const heldOut = carve ? pick(all, positions(isHeld, 1)) : (external as Triples);
    const aeTrain = pick(all, trainPos);

    // 2. The two autoencoders.
    const aeSettings: AutoencoderSettings = {
      hidden: s.hidden,
      dim: s.dim,
      attentionDim: s.attentionDim,
      attention: this.attention,
      dropout: s.dropout,
      epochs: s.epochs,
      learningRate: s.lr,
      weightDecay: s.weightDecay,
      restoreBest: s.restoreBest,
      patience: s.patience,
      seed: s.seed,
    };
    const progress = options.onProgress;
    const common = {
      settings: aeSettings,
      clip: dataset.scale,
      ...(progress ? { onProgress: progress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    let t = performance.now();
    const both = await trainBothAutoencoders(
      {
        ...common,
        name: 'user',
        rows: sparseRows(nUsers, nItems, aeTrain.user, aeTrain.item, aeTrain.rating),
        validation: { row: heldOut.user, col: heldOut.item, rating: heldOut.rating },
        features: userFeatures,
      },
      {
        ...common,
        name: 'item',
        rows: sparseRows(nItems, nUsers, aeTrain.item, aeTrain.user, aeTrain.rating),
        validation: { row: heldOut.item, col: heldOut.user, rating: heldOut.rating },
        features: itemFeatures,
      },
      s.autoencoderThreads,
    );
    const autoencodersSeconds = seconds(t);
    const { user: userAe, item: itemAe } = both;
    try {
      // 3. Embeddings from all training ratings; and, for the held-out rows, from all but those.
      t = performance.now();
      const final = embedAll(userAe, itemAe, all, nUsers, nItems);
      const userBlocks = [blocks(final.user, userFeatures, s.dim)];
      const itemBlocks = [blocks(final.item, itemFeatures, s.dim)];
      const trainRows = supervisedRows(aeTrain.user, aeTrain.item, userBlocks, itemBlocks);
      let heldRows: Float32Array;
      if (carve && heldOut.rating.length > 0) {
        const withoutHeld = embedAll(userAe, itemAe, aeTrain, nUsers, nItems);
        heldRows = supervisedRows(
          heldOut.user,
          heldOut.item,
          [blocks(withoutHeld.user, userFeatures, s.dim)],
          [blocks(withoutHeld.item, itemFeatures, s.dim)],
        );
      } else {
        heldRows = supervisedRows(heldOut.user, heldOut.item, userBlocks, itemBlocks);
      }
      const embeddingSeconds = seconds(t);

      // 4. XGBoost.
      t = performance.now();
      const xgbStarted = t;
      const job = {
        params: xgboostParams(s, aeTrain.rating),
        rounds: s.rounds,
        earlyStopping: s.earlyStopping,
        train: { rows: trainRows, labels: aeTrain.rating },
        validation: { rows: heldRows, labels: heldOut.rating },
        width: rowWidth(userBlocks[0], itemBlocks[0]),
      };
      const onRound = (e: XGBoostRoundEvent): void => {
        const rmse = e.metrics['valid-rmse'];
        progress?.({
          epoch: e.iteration + 1,
          epochs: e.rounds,
          seconds: seconds(xgbStarted),
          ...(rmse !== undefined ? { validationRmse: rmse } : {}),
        });
      };
      let result = await trainSupervised({
        ...job,
        ...(progress ? { onRound } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (result.roundsTrained === 0) {
        // Aborted before the first round: one round keeps the model usable, as FitOptions promises.
        result.booster.dispose();
        result = await trainSupervised({ ...job, rounds: 1, earlyStopping: 0 });
      }
      const xgbSeconds = seconds(t);

      const userKeys = nonEmptyRows(sparseRows(nUsers, nItems, all.user, all.item, all.rating));
      const itemKeys = nonEmptyRows(sparseRows(nItems, nUsers, all.item, all.user, all.rating));
      const details: RsattaeFitDetails = {
        seconds: {
          userAutoencoder: both.seconds.user,
          itemAutoencoder: both.seconds.item,
          autoencoders: autoencodersSeconds,
          embeddings: embeddingSeconds,
          xgboost: xgbSeconds,
        },
        alpha: { user: userAe.alpha ?? null, item: itemAe.alpha ?? null },
        autoencoders: { user: summary(userAe), item: summary(itemAe) },
        xgboost: {
          roundsTrained: result.roundsTrained,
          bestIteration: result.bestIteration,
          bestValidationRmse: result.bestScore ?? null,
        },
        nTrain: aeTrain.rating.length,
        nValidation: heldOut.rating.length,
        coldUsers: final.coldUsers,
        coldItems: final.coldItems,
      };
      const bytes = result.booster.toBytes('ubj');
      this.fitted?.booster.dispose();
      this.fitted = {
        user: sideState(userAe, userFeatures, final.user, s.dim, userKeys),
        item: sideState(itemAe, itemFeatures, final.item, s.dim, itemKeys),
        booster: result.booster,
        boosterBytes: bytes.length,
        details,
      };
      this.boosterBytes = bytes;
      const aeEpochs = userAe.report.epochs + itemAe.report.epochs;
      return {
        epochs: aeEpochs,
        samplesProcessed: aeEpochs * aeTrain.rating.length + result.roundsTrained * aeTrain.rating.length,
      };
    } finally {
      userAe.dispose();
      itemAe.dispose();
    }
  }

  /** The booster's bytes (XGBoost's UBJSON), kept for `state()`. */
  private boosterBytes: Uint8Array | undefined;

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const f = this.requireFitted();
    if (users.length !== items.length)
      throw new HeedError(`rsattae: ${users.length} users for ${items.length} items`);
    const ub = sideBlocks(f.user);
    const ib = sideBlocks(f.item);
    const rows = supervisedRows(users, items, [ub], [ib]);
    return predictRows(f.booster, rows, rowWidth(ub, ib));
  }

  /**
   * The prediction and the two attention distributions behind its embeddings: which groups of
   * users (and of movies), described by their features, the user's (the movie's) feature query
   * attended to in Eq. 2. Weights are per group of key entities (they sum to 1); the label names
   * the group's features and how many entities it has. The vanilla variant has no attention and
   * returns no groups.
   */
  explain(user: number, item: number): Explanation {
    const f = this.requireFitted();
    const prediction = this.predict(Int32Array.of(user), Int32Array.of(item))[0];
    const groups: Array<{ name: string; weights: AttentionWeight[] }> = [];
    if (f.user.attention.length > 0) {
      groups.push({
        name: 'users attended to (user autoencoder, Eq. 2)',
        weights: attendedGroups(f.user, user, 'users'),
      });
    }
    if (f.item.attention.length > 0) {
      groups.push({
        name: 'items attended to (item autoencoder, Eq. 2)',
        weights: attendedGroups(f.item, item, 'items'),
      });
    }
    return { model: this.id, user, item, prediction, groups };
  }

  state(): ModelState {
    const f = this.requireFitted();
    const bytes = this.boosterBytes ?? f.booster.toBytes('ubj');
    const arrays: Record<string, Float32Array | Int32Array> = { booster: packBytes(bytes) };
    for (const [name, side] of [
      ['user', f.user],
      ['item', f.item],
    ] as const) {
      arrays[`${name}.embedding`] = side.embedding;
      arrays[`${name}.features`] = side.features;
      arrays[`${name}.group`] = side.group;
      arrays[`${name}.keyCount`] = side.keyCount;
      arrays[`${name}.attention`] = side.attention;
    }
    const sideMeta = (side: SideState): JsonValue => ({
      count: side.count,
      dim: side.dim,
      featureNames: side.featureNames,
      groupLabels: side.groupLabels,
    });
    const meta: JsonValue = {
      boosterBytes: bytes.length,
      user: sideMeta(f.user),
      item: sideMeta(f.item),
      fit: f.details === null ? null : (JSON.parse(JSON.stringify(f.details)) as JsonValue),
    };
    return { id: this.id, config: { ...this.config }, meta, arrays };
  }

  static restore(state: ModelState, attention: boolean): RSAttAE {
    const model = new RSAttAE(state.config, attention);
    const source = `saved model "${state.id}"`;
    const meta = state.meta as {
      boosterBytes?: unknown;
      user?: unknown;
      item?: unknown;
      fit?: unknown;
    } | null;
    if (meta === null || typeof meta !== 'object' || typeof meta.boosterBytes !== 'number') {
      throw new DataError(source, undefined, 'meta', 'missing the booster size (boosterBytes)');
    }
    const booster = state.arrays['booster'];
    if (!(booster instanceof Int32Array))
      throw new DataError(source, undefined, 'booster', 'expected int32 words');
    const bytes = unpackBytes(booster, meta.boosterBytes);
    const user = restoreSide(state, 'user', meta.user, source);
    const item = restoreSide(state, 'item', meta.item, source);
    model.fitted = {
      user,
      item,
      booster: Booster.fromBytes(bytes),
      boosterBytes: bytes.length,
      details: null,
    };
    model.boosterBytes = bytes;
    return model;
  }

  private requireFitted(): Fitted {
    if (this.fitted === undefined)
      throw new HeedError(`model "${this.id}" is not fitted yet: call fit() first`);
    return this.fitted;
  }
}

// ---------------------------------------------------------------------------------------------
// Settings

interface Settings {
  readonly seed: number;
  readonly validation: number;
  readonly userFields: string;
  readonly itemFields: string;
  readonly paperBins: boolean;
  readonly dim: number;
  readonly hidden: number;
  readonly attentionDim: number;
  readonly dropout: number;
  readonly epochs: number;
  readonly lr: number;
  readonly weightDecay: number;
  readonly patience: number;
  readonly restoreBest: boolean;
  readonly rounds: number;
  readonly maxDepth: number;
  readonly xgbLearningRate: number;
  readonly subsample: number;
  readonly colsampleBytree: number;
  readonly regLambda: number;
  readonly regAlpha: number;
  readonly earlyStopping: number;
  readonly treeMethod: string;
  readonly threads: number;
  readonly autoencoderThreads: number;
  /** undefined: the mean training rating. */
  readonly baseScore: number | undefined;
}

/** The settings of a config checked against the schema, plus the checks the schema cannot state. */
function readSettings(model: string, config: ModelConfig): Settings {
  checkConfig(model, RSATTAE_SETTINGS, config);
  const hidden = num(config, 'hidden');
  if (hidden % 4 !== 0)
    throw new UsageError(`model "${model}" setting "hidden" must be a multiple of 4, got ${hidden}`);
  return {
    seed: num(config, 'seed'),
    validation: num(config, 'validationFraction'),
    userFields: str(config, 'userFeatures'),
    itemFields: str(config, 'itemFeatures'),
    paperBins: bool(config, 'paperBins'),
    dim: num(config, 'factors'),
    hidden,
    attentionDim: num(config, 'attentionDim'),
    dropout: num(config, 'dropout'),
    epochs: num(config, 'epochs'),
    lr: num(config, 'learningRate'),
    weightDecay: num(config, 'l2'),
    patience: num(config, 'patience'),
    restoreBest: bool(config, 'restoreBest'),
    rounds: num(config, 'rounds'),
    maxDepth: num(config, 'maxDepth'),
    xgbLearningRate: num(config, 'xgbLearningRate'),
    subsample: num(config, 'subsample'),
    colsampleBytree: num(config, 'colsampleBytree'),
    regLambda: num(config, 'regLambda'),
    regAlpha: num(config, 'regAlpha'),
    earlyStopping: num(config, 'xgbPatience'),
    treeMethod: str(config, 'treeMethod'),
    threads: num(config, 'threads'),
    autoencoderThreads: num(config, 'autoencoderThreads'),
    baseScore: baseScoreOf(config),
  };
}

function baseScoreOf(config: ModelConfig): number | undefined {
  const v = config['baseScore'];
  if (v === 'mean') return undefined;
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(x)) {
    throw new UsageError(`rsattae setting "baseScore" must be "mean" or a number, got ${JSON.stringify(v)}`);
  }
  return x;
}

function xgboostParams(s: Settings, labels: Float32Array): XGBoostParams {
  let mean = 0;
  for (const r of labels) mean += r;
  mean /= Math.max(1, labels.length);
  return {
    ...RSATTAE_XGBOOST_DEFAULTS.params,
    max_depth: s.maxDepth,
    learning_rate: s.xgbLearningRate,
    subsample: s.subsample,
    colsample_bytree: s.colsampleBytree,
    reg_lambda: s.regLambda,
    reg_alpha: s.regAlpha,
    tree_method: s.treeMethod,
    seed: s.seed,
    base_score: s.baseScore ?? mean,
    ...(s.threads > 0 ? { nthread: s.threads } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Fitting helpers

interface Triples {
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly rating: Float32Array;
}

function positions(flags: Uint8Array, value: number): Int32Array {
  let count = 0;
  for (let k = 0; k < flags.length; k++) if (flags[k] === value) count++;
  const out = new Int32Array(count);
  for (let k = 0, j = 0; k < flags.length; k++) if (flags[k] === value) out[j++] = k;
  return out;
}

function pick(all: Triples, pos: Int32Array): Triples {
  return {
    user: Int32Array.from(pos, (p) => all.user[p]),
    item: Int32Array.from(pos, (p) => all.item[p]),
    rating: Float32Array.from(pos, (p) => all.rating[p]),
  };
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

/** The user and item embedding tables from the given ratings, with cold rows filled from features. */
function embedAll(
  userAe: TrainedAutoencoder,
  itemAe: TrainedAutoencoder,
  ratings: Triples,
  nUsers: number,
  nItems: number,
): { user: Float32Array; item: Float32Array; coldUsers: number; coldItems: number } {
  const userRows = sparseRows(nUsers, nItems, ratings.user, ratings.item, ratings.rating);
  const itemRows = sparseRows(nItems, nUsers, ratings.item, ratings.user, ratings.rating);
  const user = userAe.embed(userRows);
  const item = itemAe.embed(itemRows);
  const coldUsers = fillColdEmbeddings(user, nonEmptyRows(userRows), userAe);
  const coldItems = fillColdEmbeddings(item, nonEmptyRows(itemRows), itemAe);
  return { user, item, coldUsers, coldItems };
}

function blocks(embedding: Float32Array, features: EntityFeatures, dim: number): EntityBlocks {
  return { embedding, features: features.matrix, count: features.count, dim, featureDim: features.dimension };
}

function summary(ae: TrainedAutoencoder): AutoencoderSummary {
  return {
    epochs: ae.report.epochs,
    keptEpoch: ae.keptEpoch,
    bestEpoch: ae.report.bestEpoch,
    bestValidationRmse: ae.report.bestValidationRmse ?? null,
  };
}

function sideState(
  ae: TrainedAutoencoder,
  features: EntityFeatures,
  embedding: Float32Array,
  dim: number,
  keys: Uint8Array,
): SideState {
  const keyCount = new Int32Array(features.groups);
  for (let e = 0; e < features.count; e++) if (keys[e] !== 0) keyCount[features.group[e]]++;
  return {
    count: features.count,
    dim,
    embedding,
    features: features.matrix,
    featureDim: features.dimension,
    featureNames: [...features.names],
    group: features.group,
    groupLabels: groupLabels(features),
    keyCount,
    attention: ae.groupWeights(keys) ?? new Float32Array(0),
  };
}

/** "age=18-29, gender=M, occupation=student" for each feature group. */
function groupLabels(features: EntityFeatures): string[] {
  const labels: string[] = [];
  for (let g = 0; g < features.groups; g++) {
    const active: string[] = [];
    for (let c = 0; c < features.dimension; c++) {
      if (features.groupMatrix[g * features.dimension + c] !== 0) active.push(features.names[c]);
    }
    labels.push(active.join(', ') || '(no features)');
  }
  return labels;
}

function sideBlocks(side: SideState): EntityBlocks {
  return {
    embedding: side.embedding,
    features: side.features,
    count: side.count,
    dim: side.dim,
    featureDim: side.featureDim,
  };
}

/**
 * The whole attention distribution of the entity's group over the groups with keys, largest first.
 * All of them, so the weights sum to 1: `heed explain --top` and the service cut it for display.
 */
function attendedGroups(side: SideState, entity: number, noun: string): AttentionWeight[] {
  if (!(entity >= 0 && entity < side.count))
    throw new HeedError(`rsattae explain: no ${noun.slice(0, -1)} ${entity}`);
  const G = side.groupLabels.length;
  const g = side.group[entity];
  const row = side.attention.subarray(g * G, (g + 1) * G);
  const order = Array.from({ length: G }, (_, h) => h)
    .filter((h) => side.keyCount[h] > 0)
    .sort((a, b) => row[b] - row[a] || a - b);
  return order.map((h) => ({
    feature: `${side.groupLabels[h]} (${side.keyCount[h]} ${noun})`,
    weight: row[h],
  }));
}

function restoreSide(state: ModelState, name: 'user' | 'item', meta: unknown, source: string): SideState {
  const m = meta as
    { count?: unknown; dim?: unknown; featureNames?: unknown; groupLabels?: unknown } | undefined;
  if (
    m === undefined ||
    m === null ||
    typeof m.count !== 'number' ||
    typeof m.dim !== 'number' ||
    !Array.isArray(m.featureNames) ||
    !Array.isArray(m.groupLabels)
  ) {
    throw new DataError(source, undefined, `meta.${name}`, 'missing count, dim, featureNames or groupLabels');
  }
  const count = m.count;
  const dim = m.dim;
  const featureNames = m.featureNames.map(String);
  const groupLabels = m.groupLabels.map(String);
  const G = groupLabels.length;
  const float = (key: string, length: number | undefined): Float32Array => {
    const a = state.arrays[`${name}.${key}`];
    if (!(a instanceof Float32Array))
      throw new DataError(source, undefined, `${name}.${key}`, 'missing float32 array');
    if (length !== undefined && a.length !== length) {
      throw new DataError(
        source,
        undefined,
        `${name}.${key}`,
        `expected ${length} values, found ${a.length}`,
      );
    }
    return a;
  };
  const ints = (key: string, length: number): Int32Array => {
    const a = state.arrays[`${name}.${key}`];
    if (!(a instanceof Int32Array))
      throw new DataError(source, undefined, `${name}.${key}`, 'missing int32 array');
    if (a.length !== length) {
      throw new DataError(
        source,
        undefined,
        `${name}.${key}`,
        `expected ${length} values, found ${a.length}`,
      );
    }
    return a;
  };
  const attention = float('attention', undefined);
  if (attention.length !== 0 && attention.length !== G * G) {
    throw new DataError(
      source,
      undefined,
      `${name}.attention`,
      `expected 0 or ${G * G} values, found ${attention.length}`,
    );
  }
  const group = ints('group', count);
  for (let e = 0; e < count; e++) {
    if (!(group[e] >= 0 && group[e] < G)) {
      throw new DataError(source, undefined, `${name}.group`, `entity ${e} names group ${group[e]} of ${G}`);
    }
  }
  return {
    count,
    dim,
    embedding: float('embedding', count * dim),
    features: float('features', count * featureNames.length),
    featureDim: featureNames.length,
    featureNames,
    group,
    groupLabels,
    keyCount: ints('keyCount', G),
    attention,
  };
}

export const rsattaeSpec: ModelSpec = {
  id: 'rsattae',
  summary:
    'RSAttAE: attention autoencoders of the rating matrix (user and item) + XGBoost on [E_u, E_m, F_u, F_m]',
  reference:
    'Dadashzadeh Taromi, Heydari, Hooshmand & Ramezani, RSAttAE: An Information-Aware Attention-based Autoencoder Recommender System (code: github.com/ComputationIASBS/RecommSys)',
  settings: RSATTAE_SETTINGS,
  defaults: RSATTAE_DEFAULTS,
  create: (config) => new RSAttAE(config, true),
  restore: (state) => RSAttAE.restore(state, true),
  usesEngine: true,
  testSettings: {
    factors: 4,
    hidden: 8,
    attentionDim: 4,
    epochs: 3,
    rounds: 10,
    maxDepth: 3,
    colsampleBytree: 1,
    xgbPatience: 0,
    threads: 1,
    autoencoderThreads: 1,
  },
};

export const rsattaeVanillaSpec: ModelSpec = {
  id: 'rsattae-vanilla',
  summary: "RSAttAE's ablation (Fig. 4B): vanilla autoencoders without feature attention, + XGBoost",
  reference: rsattaeSpec.reference,
  settings: RSATTAE_SETTINGS,
  defaults: RSATTAE_DEFAULTS,
  create: (config) => new RSAttAE(config, false),
  restore: (state) => RSAttAE.restore(state, false),
  usesEngine: true,
  testSettings: rsattaeSpec.testSettings,
};

/**
 * SAIN, the Self-Attentive Integration Network (Yun, Kim, Ko and Kang, SIGIR 2019) as a Heed
 * `RatingModel`: fitting with the engine's training loop (Adam, early stopping on validation RMSE,
 * best weights kept), predicting the combined score (§2.3), explaining a prediction by its
 * per-head feature × feature attention (§3.5.1, Figure 3) and its α_CF (Eq. 7), saving and
 * restoring.
 *
 * Defaults are the paper's (§3.3): d = 64 for the feedback vectors and the user and item
 * representations, one self-attention layer with two heads, K = 8 (§3.5.2, Figure 4), batch norm,
 * Adam with learning rate 1e-3 and L2 1e-4; dropout is 0.2, not the paper's 0.1 (chosen on SAIN's
 * validation split, see `dropout` and docs/SAIN.md, which records every setting tried with its
 * validation and test numbers). From SAIN's code
 * (github.com/seongjunyun/SAIN), where the paper is silent: feature token embeddings of width 16
 * (its `d_model`; 64 was both slower and worse on validation here), batch size 128, Q/K/V
 * projections with ReLU, initialisation std 0.01, one map slot per genre value, and the L2 penalty
 * of whole tables with every row updated by every Adam step (`l2Estimator` dense). Heed departs
 * from it in one place, measured on SAIN's validation split: the feature token table is
 * initialised at std 1 and not L2-penalised, because with the penalty the attention collapsed to
 * uniform weights (see `featureL2`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import { engineStarted, initEngine } from '../../engine/backend.js';
import type { Activation } from '../../engine/layers/dense.js';
import { loadState, toModelState } from '../neural-state.js';
import { Params } from '../../engine/params.js';
import { StepContext } from '../../engine/step.js';
import { train, type TrainReport } from '../../engine/train-loop.js';
import { HeedError, UsageError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { bool, num, str } from '../config.js';
import { ratingValidation } from '../rating-validation.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { SAIN_SETTINGS } from './settings.js';
import { threadsOf, trainSettingsOf } from '../train-settings.js';
import type {
  AttentionWeight,
  Explanation,
  FitOptions,
  JsonValue,
  ModelConfig,
  ModelSpec,
  ModelState,
  RatingModel,
} from '../model.js';
import {
  featureTokens,
  tokenBatch,
  type FeatureTokens,
  type MultiSlots,
  type TokenField,
} from './feature-tokens.js';
import { startTokensFromFm } from './fm-token-init.js';
import { plainSainPredictor, type PlainSainPredict } from './plain-forward.js';
import { rowWeights } from './frequency-l2.js';
import { sainReplica, sainTrainingLoss } from './training-task.js';
import {
  declareSainNetwork,
  sainForward,
  type SainNetwork,
  type SainOutputs,
  type SainSettings,
  type SainSizes,
} from './sain-network.js';

export const SAIN_ID = 'sain';

export const SAIN_DEFAULTS: ModelConfig = defaultsOf(SAIN_SETTINGS);

const PREDICT_BATCH = 4096;

interface Fitted {
  readonly tokens: FeatureTokens;
  readonly params: Params;
  readonly net: SainNetwork;
  readonly scale: { readonly min: number; readonly max: number };
}

export class Sain implements RatingModel {
  readonly id = SAIN_ID;
  /** Unseen users and items have untrained feedback vectors and biases: the predictor falls back. */
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  /** The training loop's report of the last `fit` (best epoch, history), for benchmarks. */
  lastReport: TrainReport | undefined;
  private fitted: Fitted | undefined;
  private plain: { readonly fitted: Fitted; readonly predict: PlainSainPredict } | undefined;

  constructor(config: ModelConfig) {
    this.config = { ...SAIN_DEFAULTS, ...config };
    checkSainConfig(this.config);
  }

  async fit(trainSet: RatingSubset, options: FitOptions = {}): Promise<TrainReport> {
    await initEngine();
    const c = this.config;
    const { dataset } = trainSet;
    const tokens = featureTokens(
      dataset.userFeatures,
      dataset.itemFeatures,
      str(c, 'multiSlots') as MultiSlots,
    );
    const { user, item, rating } = gatherRatings(trainSet);
    if (rating.length === 0) throw new UsageError('sain: the training set is empty');
    let sum = 0;
    for (let k = 0; k < rating.length; k++) sum += rating[k];
    const sizes: SainSizes = {
      users: dataset.users.ids.length,
      items: dataset.items.ids.length,
      vocabulary: tokens.vocabularySize,
      userSlots: tokens.userSlotCount,
      itemSlots: tokens.itemSlotCount,
      dim: num(c, 'factors'),
      featureDim: num(c, 'featureDim'),
      heads: num(c, 'heads'),
      layers: num(c, 'layers'),
      initStd: num(c, 'initStd'),
      featureInitStd: num(c, 'featureInitStd'),
      featureL2: bool(c, 'featureL2') && str(c, 'l2Estimator') !== 'frequency' ? 2 : 0,
      globalMean: sum / rating.length,
      tableL2: str(c, 'l2Estimator') === 'frequency' ? 0 : 2,
      tables: str(c, 'l2Estimator') === 'dense' ? 'dense' : 'sparse',
    };
    this.fitted?.params.dispose();
    const params = new Params(num(c, 'seed'));
    const net = declareSainNetwork(params, sizes);
    if (str(c, 'featureInit') === 'fm') {
      const copied = await startTokensFromFm(
        trainSet,
        tokens,
        net.features.value,
        sizes.featureDim,
        num(c, 'seed'),
      );
      if (net.features.kind === 'dense') net.features.sync();
      if (copied === 0)
        throw new HeedError('sain featureInit=fm: no feature token matched an FM design column');
    }
    const fitted: Fitted = { tokens, params, net, scale: { ...dataset.scale } };
    this.fitted = fitted;

    const trainSettings = this.settings(true);
    const predictSettings = this.settings(false);
    const lambda = num(c, 'l2');
    const weights =
      str(c, 'l2Estimator') === 'frequency' && lambda > 0
        ? rowWeights(user, item, { users: sizes.users, items: sizes.items, tokens: sizes.vocabulary }, tokens)
        : undefined;
    if (weights !== undefined && !bool(c, 'featureL2')) weights.token.fill(0);
    const data = { user, item, rating, tokens, settings: trainSettings, lambda, weights };
    const threads = threadsOf(c);
    this.lastReport = await train(
      {
        params,
        size: rating.length,
        loss: sainTrainingLoss(fitted.net, data),
        replica: threads > 1 ? sainReplica({ ...data, sizes, seed: num(c, 'seed') }) : undefined,
        validation: ratingValidation(
          options.validation,
          dataset.scale,
          (users, items, ctx) => this.forward(fitted, users, items, predictSettings, ctx).combined,
        ),
      },
      { ...trainSettingsOf(c), threads },
      { onProgress: options.onProgress, signal: options.signal, predictBatchSize: PREDICT_BATCH },
    );
    return this.lastReport;
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const fitted = this.model();
    if (users.length !== items.length) {
      throw new UsageError(`sain.predict: ${users.length} users but ${items.length} items`);
    }
    // The plain-JavaScript pass (plain-forward.ts): the tensor pass's numbers without the
    // engine's per-operation cost, which was most of a single prediction's time.
    const out = this.plainPredictor(fitted)(users, items);
    const fallback = fitted.net.globalBias.value[0];
    for (let k = 0; k < out.length; k++) if (!Number.isFinite(out[k])) out[k] = fallback;
    return out;
  }

  /**
   * The attention of the prediction for (user, item): for every interaction layer, head and
   * query feature, one group with the query's weights over the pair's features (each group sums
   * to 1; features dropped by the top-K selection have weight 0), named
   * `head h: <query feature>` (`layer l, head h: …` with several layers); then the α_CF of the
   * user and of the item (Eq. 7) as two groups `user integration` and `item integration`.
   */
  explain(user: number, item: number): Explanation {
    const fitted = this.model();
    const users = Int32Array.of(user);
    const items = Int32Array.of(item);
    const batch = tokenBatch(fitted.tokens, users, items);
    const layers = num(this.config, 'layers');
    const heads = num(this.config, 'heads');
    const t = batch.length;
    const { prediction, attention, alphaUser, alphaItem } = tf.tidy(() => {
      const ctx = inferenceContext();
      const out = this.forwardTokens(fitted, users, items, batch, this.settings(false), ctx);
      return {
        prediction: (out.combined.dataSync() as Float32Array)[0],
        attention: out.attention.map((a) => (a.dataSync() as Float32Array).slice()),
        alphaUser: (out.alphaUser.dataSync() as Float32Array)[0],
        alphaItem: (out.alphaItem.dataSync() as Float32Array)[0],
      };
    });
    const real: number[] = [];
    for (let j = 0; j < t; j++) if (batch.mask[j] !== 0) real.push(j);
    const name = (j: number): string => fitted.tokens.names[batch.ids[j]];
    const groups: Array<{ name: string; weights: AttentionWeight[] }> = [];
    attention.forEach((a, l) => {
      for (let h = 0; h < heads; h++) {
        for (const q of real) {
          const weights = real.map((k) => ({ feature: name(k), weight: a[(h * t + q) * t + k] }));
          const prefix = layers > 1 ? `layer ${l + 1}, head ${h + 1}` : `head ${h + 1}`;
          groups.push({ name: `${prefix}: ${name(q)}`, weights });
        }
      }
    });
    groups.push({
      name: 'user integration',
      weights: [
        { feature: 'feedback', weight: alphaUser },
        { feature: 'content', weight: 1 - alphaUser },
      ],
    });
    groups.push({
      name: 'item integration',
      weights: [
        { feature: 'feedback', weight: alphaItem },
        { feature: 'content', weight: 1 - alphaItem },
      ],
    });
    const clipped = Math.min(fitted.scale.max, Math.max(fitted.scale.min, prediction));
    return {
      model: this.id,
      user,
      item,
      prediction: Number.isFinite(clipped) ? clipped : fitted.net.globalBias.value[0],
      groups,
    };
  }

  state(): ModelState {
    const { tokens, params, net, scale } = this.model();
    const field = (f: TokenField): JsonValue => ({
      name: f.name,
      multi: f.multi,
      width: f.width,
      column: f.column,
    });
    const meta: JsonValue = {
      sizes: { ...net.sizes },
      scale: { min: scale.min, max: scale.max },
      tokens: {
        vocabularySize: tokens.vocabularySize,
        names: [...tokens.names],
        userFields: tokens.userFields.map(field),
        itemFields: tokens.itemFields.map(field),
        userWidth: tokens.userWidth,
        itemWidth: tokens.itemWidth,
        multiSlots: tokens.multiSlots,
        userSlotCount: tokens.userSlotCount,
        itemSlotCount: tokens.itemSlotCount,
      },
    };
    const state = toModelState(this.id, this.config, params, meta);
    return {
      ...state,
      arrays: {
        ...state.arrays,
        'tokens.userRows': tokens.userRows,
        'tokens.itemRows': tokens.itemRows,
        'tokens.slotOfToken': tokens.slotOfToken,
      },
    };
  }

  static restore(state: ModelState): Sain {
    const model = new Sain(state.config);
    const meta = state.meta as unknown as SavedMeta;
    const source = `saved model "${state.id}"`;
    if (meta === null || typeof meta !== 'object' || meta.sizes === undefined || meta.tokens === undefined) {
      throw new HeedError(`${source}: meta lacks the SAIN sizes and token layout`);
    }
    const userRows = state.arrays['tokens.userRows'];
    const itemRows = state.arrays['tokens.itemRows'];
    const slotOfToken = state.arrays['tokens.slotOfToken'];
    if (
      !(userRows instanceof Int32Array) ||
      !(itemRows instanceof Int32Array) ||
      !(slotOfToken instanceof Int32Array)
    ) {
      throw new HeedError(`${source}: the token rows must be saved as int32 arrays`);
    }
    const tokens: FeatureTokens = { ...meta.tokens, userRows, itemRows, slotOfToken };
    const params = new Params(num(model.config, 'seed'));
    const net = declareSainNetwork(params, meta.sizes);
    loadState(params, state);
    model.fitted = { tokens, params, net, scale: meta.scale };
    return model;
  }

  /** Built once per fitted network; it reads the current weights on every call. */
  private plainPredictor(fitted: Fitted): PlainSainPredict {
    if (this.plain?.fitted !== fitted) {
      const { topK, projection } = this.settings(false);
      this.plain = { fitted, predict: plainSainPredictor(fitted.net, fitted.tokens, { topK, projection }) };
    }
    return this.plain.predict;
  }

  private model(): Fitted {
    if (this.fitted === undefined) throw new HeedError('sain: the model is not fitted yet (call fit first)');
    if (!engineStarted()) {
      throw new HeedError('sain: the tensor engine is not started: await initEngine() before predicting');
    }
    return this.fitted;
  }

  private settings(training: boolean): SainSettings {
    const c = this.config;
    const k = num(c, 'topK');
    const useTopK = k > 0 && (training || bool(c, 'topKAtInference'));
    return {
      topK: useTopK ? k : undefined,
      dropout: num(c, 'dropout'),
      projection: str(c, 'qkvActivation') as Activation,
    };
  }

  private forward(
    fitted: Fitted,
    users: Int32Array,
    items: Int32Array,
    settings: SainSettings,
    ctx: StepContext,
  ): SainOutputs {
    return this.forwardTokens(fitted, users, items, tokenBatch(fitted.tokens, users, items), settings, ctx);
  }

  private forwardTokens(
    fitted: Fitted,
    users: Int32Array,
    items: Int32Array,
    tokens: ReturnType<typeof tokenBatch>,
    settings: SainSettings,
    ctx: StepContext,
  ): SainOutputs {
    return sainForward(fitted.net, { users, items, tokens }, settings, ctx);
  }
}

interface SavedMeta {
  readonly sizes: SainSizes;
  readonly scale: { readonly min: number; readonly max: number };
  readonly tokens: Omit<FeatureTokens, 'userRows' | 'itemRows' | 'slotOfToken'>;
}

/** Inference draws no random numbers; the Rng is only there to satisfy the context. */
function inferenceContext(): StepContext {
  return new StepContext(false, new Rng(0));
}

/** The schema's checks, then the one across settings. */
function checkSainConfig(c: ModelConfig): void {
  checkConfig(SAIN_ID, SAIN_SETTINGS, c);
  if (num(c, 'featureDim') % num(c, 'heads') !== 0) {
    throw new UsageError(
      `sain setting "featureDim" (${num(c, 'featureDim')}) must be a multiple of "heads" (${num(c, 'heads')})`,
    );
  }
}

export const sainSpec: ModelSpec = {
  id: SAIN_ID,
  summary: 'SAIN: self-attention over user and item feature tokens, integrated with MF by attention',
  reference: 'Yun, Kim, Ko and Kang. SAIN: Self-Attentive Integration Network for Recommendation. SIGIR 2019',
  settings: SAIN_SETTINGS,
  defaults: SAIN_DEFAULTS,
  create: (config) => new Sain(config),
  restore: (state) => Sain.restore(state),
  usesEngine: true,
  testSettings: { factors: 8, featureDim: 4, topK: 4, epochs: 2, batchSize: 64 },
};

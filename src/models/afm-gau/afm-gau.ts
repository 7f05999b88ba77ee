/**
 * AFM: the Attention-driven Factor Model with Gated Attention Units.
 *
 * Jingwu Chen, Fuzhen Zhuang, Xin Hong, Xiang Ao, Xing Xie, Qing He. "Attention-driven Factor
 * Model for Explainable Personalized Recommendation". SIGIR 2018 (short paper), pp. 909-912.
 * Not to be confused with the Attentional Factorization Machine (Xiao et al., IJCAI 2017) that
 * DeepCTR calls AFM: hence the id `afm-gau`.
 *
 * - Feature extraction layer (Sec. 3.1): a user vector u_i ∈ R^k; for item j the set
 *   X_j = {x_j0, x_j1, …}: x_j0 the embedding of the item id, x_jl the embedding of each of the
 *   item's one-hot features (its genres, director, …; `feature-slots.ts`).
 * - Attention-driven integration layer, the GAU (Eq. 2-3, `gau.ts`): α_i = softmax(W_a u_i) over the
 *   item's feature vectors, v_ij = Σ_l α_il x_jl.
 * - Interaction layer: the inner product ŷ = u_iᵀ v_ij (Eq. 4, `interaction: inner`, the default)
 *   or an MLP ŷ = f_MLP(u_i, v_ij) (Eq. 5, `interaction: mlp`) with, as in the paper's set-up
 *   (Sec. 4.1.3), one hidden layer with sigmoid activation. The MLP's input is u ⊙ v (`mlpInput:
 *   product`, the default: NFM's interaction layer on the pair, the paper trains NFM and AFM with the
 *   same layer) or the concatenation [u; v] of NCF's MLP (`mlpInput: concat`).
 * - Square loss (Sec. 4.1.3), embedding size k = 64.
 *
 * Differences from the paper, each a setting: Adam instead of plain SGD (the engine's optimizer;
 * the paper gives no SGD learning rate or schedule), the inner product rather than the sigmoid MLP
 * by default (see `interaction`), and global, user and item bias terms (`biases: true`, started at
 * the damped-mean baseline), which the paper does not mention; `biases: false` gives exactly Eq. 4
 * or 5.
 * The explanation of a prediction is the user's attention distribution α over the item's features
 * (Sec. 3.2 "Personalized Explanation").
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RatingSubset } from '../../data/dataset.js';
import {
  applyDense,
  declareDense,
  Params,
  StepContext,
  type DenseLayer,
  type TrainReport,
} from '../../engine/index.js';
import { loadState } from '../neural-state.js';
import { UsageError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { bool, num, str } from '../config.js';
import type {
  AttentionWeight,
  Explanation,
  FitOptions,
  ModelConfig,
  ModelSpec,
  ModelState,
  RatingModel,
} from '../model.js';
import { featureSlots, namedSlotWeights, type FeatureSlots } from './feature-slots.js';
import { slotGatedAttention } from './gau.js';
import { startBiasesAtBaseline } from './baseline-biases.js';
import { fitPairs, requireEngine } from '../pair-training.js';
import { plainAfmGauPredictor, type AfmGauWeights, type PlainAfmGauPredict } from './plain-forward.js';
import { restoreSlotModel, slotModelState, type SlotSide } from './slot-model-state.js';
import { checkExplainIndex } from '../setting-checks.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { AFM_GAU_SETTINGS, type AFM_GAU_INTERACTIONS, type AFM_GAU_MLP_INPUTS } from './settings.js';

export const AFM_GAU_ID = 'afm-gau';

/** AFM-GAU attends over item features: it saves the items' slots. */
const ITEM_SLOTS: SlotSide = { entities: 'items', array: 'itemSlots' };

export const AFM_GAU_DEFAULTS: ModelConfig = defaultsOf(AFM_GAU_SETTINGS);

type Interaction = (typeof AFM_GAU_INTERACTIONS)[number];
type MlpInput = (typeof AFM_GAU_MLP_INPUTS)[number];

/** The weights, built once the data set's sizes are known (at fit or restore). */
interface Network extends AfmGauWeights {
  readonly params: Params;
}

interface Forward {
  readonly prediction: tf.Tensor1D;
  /** [B, 1 + width] attention over the slots (slot 0: the item id). */
  readonly weights: tf.Tensor2D;
}

export class AfmGau implements RatingModel {
  readonly id = AFM_GAU_ID;
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  private readonly k: number;
  private readonly interaction: Interaction;
  private readonly mlpInput: MlpInput;
  private net: Network | undefined;
  private plain: { readonly net: Network; readonly predict: PlainAfmGauPredict } | undefined;
  /** The last fit's training report (epochs, best epoch, history). */
  lastReport: TrainReport | undefined;

  constructor(config: ModelConfig) {
    this.config = { ...config };
    checkConfig(this.id, AFM_GAU_SETTINGS, config);
    this.k = num(config, 'factors');
    this.interaction = str(config, 'interaction') as Interaction;
    this.mlpInput = str(config, 'mlpInput') as MlpInput;
  }

  async fit(trainSet: RatingSubset, options: FitOptions = {}): Promise<TrainReport> {
    const ds = trainSet.dataset;
    const slots = featureSlots(ds.itemFeatures, str(this.config, 'itemFeatures'), 'itemFeatures');
    this.net?.params.dispose();
    const net = this.build(ds.users.ids.length, ds.items.ids.length, slots);
    startBiasesAtBaseline(net, trainSet);
    this.net = net;
    this.lastReport = await fitPairs(
      net.params,
      (u, i, ctx) => this.forward(net, u, i, ctx),
      trainSet,
      this.config,
      options,
    );
    return this.lastReport;
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const net = this.fitted();
    if (users.length !== items.length)
      throw new UsageError(`${this.id} predict: ${users.length} users but ${items.length} items`);
    // The plain-JavaScript pass (plain-forward.ts): the tensor pass's scores without the
    // engine's per-operation cost, and the user's logits computed once for /recommend.
    if (this.plain?.net !== net) this.plain = { net, predict: plainAfmGauPredictor(net, this.mlpInput) };
    return this.plain.predict(users, items);
  }

  /** The user's attention over the item's features (Eq. 2), named: "item id", "genre=Action", … */
  explain(user: number, item: number): Explanation {
    const net = this.fitted();
    checkExplainIndex(this.id, user, net.users, 'user');
    checkExplainIndex(this.id, item, net.items, 'item');
    const { prediction, weights } = tf.tidy(() => {
      const f = this.forward(
        net,
        Int32Array.of(user),
        Int32Array.of(item),
        new StepContext(false, new Rng(0)),
      );
      return { prediction: f.prediction.dataSync()[0], weights: Array.from(f.weights.dataSync()) };
    });
    const named = [
      { feature: 'item id', weight: weights[0] },
      ...namedSlotWeights(net.slots, item, weights, 1),
    ];
    return { model: this.id, user, item, prediction, groups: [{ name: 'item features', weights: named }] };
  }

  /**
   * The user's attention distribution over every item feature, α_i = softmax(W_a u_i) of Eq. 2
   * with all n + 1 rows ("item id" first), as the paper's Fig. 1 shows it. An item's explanation
   * is this distribution restricted to the item's own features and renormalised.
   */
  userAttention(user: number): AttentionWeight[] {
    const net = this.fitted();
    checkExplainIndex(this.id, user, net.users, 'user');
    const k = this.k;
    const u = net.user.value.subarray(user * k, (user + 1) * k);
    const logits = Array.from({ length: net.wa.rows }, (_, l) => {
      let dot = 0;
      for (let d = 0; d < k; d++) dot += u[d] * net.wa.value[l * k + d];
      return dot;
    });
    const max = Math.max(...logits);
    const exps = logits.map((logit) => Math.exp(logit - max));
    const total = exps.reduce((sum, e) => sum + e, 0);
    const names = ['item id', ...net.slots.names];
    return names.map((feature, l) => ({ feature, weight: exps[l] / total }));
  }

  state(): ModelState {
    const net = this.fitted();
    return slotModelState(this.id, this.config, net, ITEM_SLOTS);
  }

  static restore(state: ModelState): AfmGau {
    const { users, items, slots } = restoreSlotModel(AFM_GAU_ID, state, ITEM_SLOTS);
    const model = new AfmGau(state.config);
    model.net = model.build(users, items, slots);
    loadState(model.net.params, state);
    return model;
  }

  private fitted(): Network {
    if (this.net === undefined)
      throw new UsageError('afm-gau: call fit() (or restore a saved model) before predicting');
    requireEngine(this.id);
    return this.net;
  }

  private build(users: number, items: number, slots: FeatureSlots): Network {
    const k = this.k;
    const params = new Params(num(this.config, 'seed'));
    const init = { kind: 'normal', std: num(this.config, 'initStd') } as const;
    const features = slots.names.length;
    const user = params.table('user', users, k, { init });
    const vectors = params.table('vectors', items + features, k, { init });
    const wa = params.table('wa', 1 + features, k, { init });
    let hidden: DenseLayer | undefined;
    let out: DenseLayer | undefined;
    if (this.interaction === 'mlp') {
      const inDim = this.mlpInput === 'product' ? k : 2 * k;
      hidden = declareDense(params, 'mlp.hidden', inDim, num(this.config, 'hidden'));
      out = declareDense(params, 'mlp.out', num(this.config, 'hidden'), 1);
    }
    if (!bool(this.config, 'biases')) return { params, users, items, slots, user, vectors, wa, hidden, out };
    const zeros = { init: { kind: 'zeros' } } as const;
    return {
      params,
      users,
      items,
      slots,
      user,
      vectors,
      wa,
      hidden,
      out,
      mu: params.dense('mu', [1], { init: { kind: 'zeros' }, l2: 0 }),
      userBias: params.table('userBias', users, 1, zeros),
      itemBias: params.table('itemBias', items, 1, zeros),
    };
  }

  private forward(net: Network, users: Int32Array, items: Int32Array, ctx: StepContext): Forward {
    const b = users.length;
    const { width, codes } = net.slots;
    const s = 1 + width;
    // Slot 0: the item id (x_j0, W_a row 0); slot 1 + t: the item's t-th feature value, or padding.
    const vectorIds = new Int32Array(b * s);
    const waIds = new Int32Array(b * s);
    const present = new Float32Array(b * s);
    for (let n = 0; n < b; n++) {
      const item = items[n];
      vectorIds[n * s] = item;
      waIds[n * s] = 0;
      present[n * s] = 1;
      for (let t = 0; t < width; t++) {
        const code = codes[item * width + t];
        const at = n * s + 1 + t;
        vectorIds[at] = code < 0 ? -1 : net.items + code;
        waIds[at] = code < 0 ? -1 : 1 + code;
        present[at] = code < 0 ? 0 : 1;
      }
    }
    const u = ctx.lookup(net.user, users) as tf.Tensor2D;
    const x = ctx.lookup(net.vectors, vectorIds, [b, s]) as tf.Tensor3D;
    const waRows = ctx.lookup(net.wa, waIds, [b, s]) as tf.Tensor3D;
    const gau = slotGatedAttention(u, waRows, x, present);
    const v = gau.output;
    let score: tf.Tensor1D;
    if (net.hidden === undefined || net.out === undefined) {
      score = tf.sum(tf.mul(u, v), 1); // Eq. 4
    } else {
      const input = this.mlpInput === 'product' ? tf.mul(u, v) : tf.concat([u, v], 1);
      const h = ctx.dropout(applyDense(input, net.hidden, 'sigmoid'), num(this.config, 'dropout'));
      score = tf.reshape(applyDense(h, net.out), [b]); // Eq. 5
    }
    if (net.mu !== undefined && net.userBias !== undefined && net.itemBias !== undefined) {
      const biases = tf.add(ctx.lookup(net.userBias, users, [b]), ctx.lookup(net.itemBias, items, [b]));
      score = tf.add(tf.add(score, tf.reshape(biases, [b])), net.mu.variable);
    }
    return { prediction: score, weights: gau.weights };
  }
}

export const afmGauSpec: ModelSpec = {
  id: AFM_GAU_ID,
  summary:
    'Attention-driven Factor Model: Gated Attention Units weigh each item feature per user (explainable)',
  reference:
    'J. Chen et al., "Attention-driven Factor Model for Explainable Personalized Recommendation", SIGIR 2018',
  settings: AFM_GAU_SETTINGS,
  defaults: AFM_GAU_DEFAULTS,
  create: (config) => new AfmGau(config),
  restore: (state) => AfmGau.restore(state),
  usesEngine: true,
  testSettings: { factors: 4, hidden: 4, epochs: 2, batchSize: 64 },
};

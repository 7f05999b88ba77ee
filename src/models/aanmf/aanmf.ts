/**
 * AANMF and AANMF+P: Attribute-aware Attentional Neural Matrix Factorization.
 *
 * Paper: ../shared/papers/aanmf.txt (Information Technology and Control; code at
 * github.com/Holy-Shine/AANMF). The model, bottom to top:
 *
 * - Input and embedding layer (Sec. 4.1): the user vector p_u, the item vector q_i and one vector
 *   a_j per user attribute value (gender, age group, occupation on MovieLens: Sec. 5.1, Table 2).
 * - Attention cell (Algorithm 1, `attention-cell.ts`): λ_j, how much attribute j matters to this
 *   user for this item, from [a_j, q_i] through tanh and ReLU layers and a softmax over I_u.
 * - Pooling: attribute-weighted p'_u = p_u + Σ λ_j a_j (Eq. 4; model `aanmf`) or pair-wise pooling
 *   (Eq. 5-6; model `aanmf-p`, "AANMF+P" of Table 4).
 * - Fully connected layers: "our model simply adds some dense layer onto the element-wise product
 *   of user and item" (Sec. 6): p'_u ⊙ q_i through `fcLayers` ReLU layers of K units and a linear
 *   output (`fcInput: concat` feeds [p'_u; q_i] instead, as the repository's later AANMF.py does).
 *   Sec. 5.3 gives AANMF and NFM "the same two fully connected layers before the final output".
 * - MSE loss (Eq. 7) and Adam (Sec. 4.2, Algorithm 2).
 *
 * Not in the paper, each a setting: global, user and item bias terms added to the output
 * (`biases`, started at the damped-mean baseline), dropout on the fully connected layers, L2 on the
 * weights, per-rating L2 on p'_u and q_i (`productL2`) and on the biases (`biasL2`). `attention:
 * false` gives every attribute the weight 1/|I_u|, the ablation of the paper's code. The
 * explanation of a prediction is λ, named by attribute ("gender=F", "age=25-34",
 * "occupation=writer").
 *
 * Defaults (chosen on validation RMSE of ml-100k's seeded 8:1:1 split; the runs, and why λ used
 * to come out uniform, are in README.md beside this file): the inner product of p'_u and q_i
 * (`fcLayers: 0`, the official code's default `num_fc_layer=None`; the paper's two FC layers
 * remain a setting), attribute vectors N(0, 1) as PyTorch's default embedding in that code, no L2
 * on the parameters under Adam but a per-rating L2 of 0.1 on the two vectors of the product, and
 * an attention cell without L2 whose score bias b2 starts at 1 (issue 3).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RatingSubset } from '../../data/dataset.js';
import {
  applyDense,
  Params,
  StepContext,
  type DenseLayer,
  type DenseParam,
  type Init,
  type TableParam,
  type TrainReport,
} from '../../engine/index.js';
import { loadState } from '../neural-state.js';
import { UsageError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { featureSlots, namedSlotWeights, type FeatureSlots } from '../afm-gau/feature-slots.js';
import { startBiasesAtBaseline } from '../afm-gau/baseline-biases.js';
import { fitPairs, predictPairs, requireEngine } from '../pair-training.js';
import { restoreSlotModel, slotModelState, type SlotSide } from '../afm-gau/slot-model-state.js';
import { checkExplainIndex } from '../setting-checks.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { AANMF_P_SETTINGS, AANMF_SETTINGS, type AANMF_FC_INPUTS, type AANMF_POOLINGS } from './settings.js';
import { bool, num, str } from '../config.js';
import type { Explanation, FitOptions, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import {
  attentionCell,
  pairwisePooling,
  weightedPooling,
  type AttentionCellWeights,
} from './attention-cell.js';

type Pooling = (typeof AANMF_POOLINGS)[number];
type FcInput = (typeof AANMF_FC_INPUTS)[number];

/** AANMF attends over user attributes: it saves the users' slots. */
const USER_SLOTS: SlotSide = { entities: 'users', array: 'userSlots' };

export const AANMF_DEFAULTS: ModelConfig = defaultsOf(AANMF_SETTINGS);

interface Network {
  readonly params: Params;
  readonly users: number;
  readonly items: number;
  readonly slots: FeatureSlots;
  readonly p: TableParam;
  readonly q: TableParam;
  readonly attributes: TableParam;
  readonly w1: DenseParam;
  readonly b1: DenseParam;
  readonly w2: DenseParam;
  readonly b2: DenseParam;
  readonly fc: DenseLayer[];
  /** The output unit; none for the plain inner product (no FC layers over p'_u ⊙ q_i). */
  readonly out?: DenseLayer;
  readonly mu?: DenseParam;
  readonly userBias?: TableParam;
  readonly itemBias?: TableParam;
}

interface Forward {
  readonly prediction: tf.Tensor1D;
  /** Training only: the per-rating penalties, productL2 · mean ‖p'_u‖² + ‖q_i‖² and biasL2 · mean b_u² + b_i². */
  readonly penalty?: tf.Scalar;
  /** [B, width] λ over the user's attribute slots (0 on padding). */
  readonly lambda: tf.Tensor2D;
}

export class Aanmf implements RatingModel {
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  private readonly k: number;
  private readonly pooling: Pooling;
  private readonly fcInput: FcInput;
  private net: Network | undefined;
  lastReport: TrainReport | undefined;

  constructor(
    readonly id: string,
    config: ModelConfig,
  ) {
    this.config = { ...config };
    checkConfig(id, AANMF_SETTINGS, config);
    this.k = num(config, 'factors');
    this.pooling = str(config, 'pooling') as Pooling;
    this.fcInput = str(config, 'fcInput') as FcInput;
  }

  async fit(trainSet: RatingSubset, options: FitOptions = {}): Promise<TrainReport> {
    const ds = trainSet.dataset;
    const slots = featureSlots(ds.userFeatures, str(this.config, 'userFeatures'), 'userFeatures');
    if (slots.width === 0) {
      throw new UsageError(
        `${this.id}: data set "${ds.id}" gives the users no attributes (userFeatures=${str(this.config, 'userFeatures')}); AANMF attends over user attributes`,
      );
    }
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
    return predictPairs(this.id, (u, i, ctx) => this.forward(net, u, i, ctx), users, items);
  }

  /** λ of Algorithm 1: the weight of each of the user's attributes for this item. */
  explain(user: number, item: number): Explanation {
    const net = this.fitted();
    checkExplainIndex(this.id, user, net.users, 'user');
    checkExplainIndex(this.id, item, net.items, 'item');
    const { prediction, lambda } = tf.tidy(() => {
      const f = this.forward(
        net,
        Int32Array.of(user),
        Int32Array.of(item),
        new StepContext(false, new Rng(0)),
      );
      return { prediction: f.prediction.dataSync()[0], lambda: Array.from(f.lambda.dataSync()) };
    });
    const weights = namedSlotWeights(net.slots, user, lambda, 0);
    return { model: this.id, user, item, prediction, groups: [{ name: 'user attributes', weights }] };
  }

  state(): ModelState {
    const net = this.fitted();
    return slotModelState(this.id, this.config, net, USER_SLOTS);
  }

  static restore(id: string, state: ModelState): Aanmf {
    const { users, items, slots } = restoreSlotModel(id, state, USER_SLOTS);
    const model = new Aanmf(id, state.config);
    model.net = model.build(users, items, slots);
    loadState(model.net.params, state);
    return model;
  }

  private fitted(): Network {
    if (this.net === undefined)
      throw new UsageError(`${this.id}: call fit() (or restore a saved model) before predicting`);
    requireEngine(this.id);
    return this.net;
  }

  private build(users: number, items: number, slots: FeatureSlots): Network {
    const k = this.k;
    const params = new Params(num(this.config, 'seed'));
    const init = { kind: 'normal', std: num(this.config, 'initStd') } as const;
    const p = params.table('p', users, k, { init });
    const q = params.table('q', items, k, { init });
    // No L2 on the attribute vectors: a batch touches every one of these few rows, so a per-step
    // penalty would act on them hundreds of times more often than on a user's or item's row, and
    // under pair-wise pooling (p_u ⊙ Σ λ_j a_j) shrinking them to zero switches the factors off.
    const attributes = params.table('attributes', slots.names.length, k, {
      init: { kind: 'normal', std: num(this.config, 'attributeInitStd') },
      l2: 0,
    });
    const cellL2 = num(this.config, 'cellL2');
    const w1 = params.dense('cell.w1', [2 * k, k], { l2: cellL2 });
    const b1 = params.dense('cell.b1', [k], { init: { kind: 'zeros' }, l2: 0 });
    const w2 = params.dense('cell.w2', [k, 1], { l2: cellL2 });
    const b2 = params.dense('cell.b2', [1], {
      init: { kind: 'constant', value: num(this.config, 'cellBias') },
      l2: 0,
    });
    const fcL2 = num(this.config, 'fcL2');
    const fc: DenseLayer[] = [];
    let width = this.fcInput === 'product' ? k : 2 * k;
    for (let l = 0; l < num(this.config, 'fcLayers'); l++) {
      fc.push(fcLayer(params, `fc.${l}`, width, k, fcL2, { kind: 'glorot' }));
      width = k;
    }
    // Without hidden layers over the product p'_u ⊙ q_i the output is their inner product, as the
    // official code's `num_fc_layer=None` (torch.bmm of the two vectors): a trainable output
    // weight per factor would let the model escape productL2 by scaling p'_u and q_i down by c
    // and that weight up by c².
    const out =
      fc.length === 0 && this.fcInput === 'product'
        ? undefined
        : fcLayer(
            params,
            'out',
            width,
            1,
            fcL2,
            // Starting at 1, a single output unit over [p'_u; q_i] starts as their sum.
            fc.length === 0 ? { kind: 'constant', value: 1 } : { kind: 'glorot' },
          );
    const net = { params, users, items, slots, p, q, attributes, w1, b1, w2, b2, fc, out };
    if (!bool(this.config, 'biases')) return net;
    const zeros = { init: { kind: 'zeros' } } as const;
    return {
      ...net,
      mu: params.dense('mu', [1], { init: { kind: 'zeros' }, l2: 0 }),
      userBias: params.table('userBias', users, 1, zeros),
      itemBias: params.table('itemBias', items, 1, zeros),
    };
  }

  private forward(net: Network, users: Int32Array, items: Int32Array, ctx: StepContext): Forward {
    const b = users.length;
    const { width, codes } = net.slots;
    const attributeIds = new Int32Array(b * width);
    const present = new Float32Array(b * width);
    for (let n = 0; n < b; n++) {
      for (let s = 0; s < width; s++) {
        const code = codes[users[n] * width + s];
        attributeIds[n * width + s] = code;
        present[n * width + s] = code < 0 ? 0 : 1;
      }
    }
    const pu = ctx.lookup(net.p, users) as tf.Tensor2D;
    const qi = ctx.lookup(net.q, items) as tf.Tensor2D;
    const a = ctx.lookup(net.attributes, attributeIds, [b, width]) as tf.Tensor3D;
    let lambda: tf.Tensor2D;
    if (bool(this.config, 'attention')) {
      const cell: AttentionCellWeights = {
        w1: net.w1.variable as tf.Tensor2D,
        b1: net.b1.variable as tf.Tensor1D,
        w2: net.w2.variable as tf.Tensor2D,
        b2: net.b2.variable as tf.Tensor1D,
      };
      lambda = attentionCell(a, qi, cell, present);
    } else {
      // Uniform 1/|I_u| over the present attributes.
      const uniform = new Float32Array(b * width);
      for (let n = 0; n < b; n++) {
        let c = 0;
        for (let s = 0; s < width; s++) c += present[n * width + s];
        for (let s = 0; s < width; s++) uniform[n * width + s] = c > 0 ? present[n * width + s] / c : 0;
      }
      lambda = tf.tensor2d(uniform, [b, width]);
    }
    const pooled = this.pooling === 'sum' ? weightedPooling(pu, a, lambda) : pairwisePooling(pu, a, lambda);
    let h: tf.Tensor = this.fcInput === 'product' ? tf.mul(pooled, qi) : tf.concat([pooled, qi], 1);
    h = ctx.dropout(h, num(this.config, 'inputDropout'));
    const rate = num(this.config, 'dropout');
    for (const layer of net.fc) h = ctx.dropout(applyDense(h, layer, 'relu'), rate);
    let score = (
      net.out === undefined ? tf.sum(h, 1) : tf.reshape(applyDense(h, net.out), [b])
    ) as tf.Tensor1D;
    let biases: tf.Tensor2D | undefined;
    if (net.mu !== undefined && net.userBias !== undefined && net.itemBias !== undefined) {
      biases = tf.concat(
        [ctx.lookup(net.userBias, users), ctx.lookup(net.itemBias, items)],
        1,
      ) as tf.Tensor2D;
      score = tf.add(tf.add(score, tf.sum(biases, 1)), net.mu.variable);
    }
    if (!ctx.training) return { prediction: score, lambda };
    // Per-rating penalties (see productL2 and biasL2), as SGD matrix factorisation regularises.
    const terms: tf.Scalar[] = [];
    const productL2 = num(this.config, 'productL2');
    if (productL2 > 0) {
      const norms = tf.add(tf.sum(tf.square(pooled), 1), tf.sum(tf.square(qi), 1));
      terms.push(tf.mul(tf.mean(norms), productL2));
    }
    const biasL2 = num(this.config, 'biasL2');
    if (biasL2 > 0 && biases !== undefined) terms.push(tf.mul(tf.mean(tf.sum(tf.square(biases), 1)), biasL2));
    if (terms.length === 0) return { prediction: score, lambda };
    return { prediction: score, lambda, penalty: terms.length === 1 ? terms[0] : tf.addN(terms) };
  }
}

/** A fully connected layer `name.w` [in, out] and `name.b` [out] with its own L2 multiplier. */
function fcLayer(
  params: Params,
  name: string,
  inDim: number,
  outDim: number,
  l2: number,
  init: Init,
): DenseLayer {
  return {
    w: params.dense(`${name}.w`, [inDim, outDim], { init, l2 }),
    b: params.dense(`${name}.b`, [outDim], { init: { kind: 'zeros' }, l2: 0 }),
  };
}

const REFERENCE =
  'AANMF: Attribute-aware Attentional Neural Matrix Factorization, Information Technology and Control (code: github.com/Holy-Shine/AANMF)';

export const aanmfSpec: ModelSpec = {
  id: 'aanmf',
  summary:
    'AANMF: attention over user attributes conditioned on the item, weighted pooling, MLP (explainable)',
  reference: REFERENCE,
  settings: AANMF_SETTINGS,
  defaults: AANMF_DEFAULTS,
  create: (config) => new Aanmf('aanmf', config),
  restore: (state) => Aanmf.restore('aanmf', state),
  usesEngine: true,
  testSettings: { factors: 4, epochs: 2, batchSize: 64 },
};

export const aanmfPSpec: ModelSpec = {
  id: 'aanmf-p',
  summary:
    'AANMF+P: AANMF with pair-wise pooling of the user vector and its weighted attributes (explainable)',
  reference: REFERENCE,
  settings: AANMF_P_SETTINGS,
  defaults: defaultsOf(AANMF_P_SETTINGS),
  create: (config) => new Aanmf('aanmf-p', config),
  restore: (state) => Aanmf.restore('aanmf-p', state),
  usesEngine: true,
  testSettings: aanmfSpec.testSettings,
};

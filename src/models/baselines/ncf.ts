/**
 * NCF: the NeuMF model of He et al., "Neural Collaborative Filtering", WWW 2017, §3.4, adapted to
 * explicit rating regression as the SAIN paper compared it (SAIN §3.2-3.3, Table 2).
 *
 *   φ_GMF = p_uᴳ ⊙ q_iᴳ                                                    (Eq. 9, GMF)
 *   φ_MLP = a_L(W_Lᵀ(… a_1(W_1ᵀ [p_uᴹ; q_iᴹ] + b_1) …) + b_L)              (Eq. 11, MLP)
 *   ŷ_ui  = hᵀ [φ_GMF; φ_MLP] + b                                            (Eq. 12, NeuMF)
 *
 * GMF and MLP have separate user and item embeddings (§3.4: "allow GMF and MLP to learn separate
 * embeddings"). The MLP is a tower halving its size per layer with ReLU activations (§3.3, §4.1).
 *
 * Adaptation to ratings (the paper predicts implicit feedback with a sigmoid and log loss): the
 * output is linear, trained on squared error, and its bias b starts at the mean training rating
 * (a zero start would spend the first epochs learning the mean). Sizes are SAIN's (§3.3: embedding
 * dimension 64 for the MF models): 64-dimensional GMF embeddings and 64-dimensional MLP embeddings
 * per side, so the tower is 128 → 64 → 32 → 16. Embeddings start from N(0, 0.01²) (NCF §4.1); the
 * dense layers from Glorot uniform. The paper's optional pre-training of GMF and MLP is not done
 * (SAIN does not mention it).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RatingSubset } from '../../data/dataset.js';
import { applyDense, declareDense, declareMlp, mlp, type DenseLayer } from '../../engine/layers/dense.js';
import { loadState, toModelState } from '../neural-state.js';
import { Params, type TableParam } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { HeedError } from '../../util/errors.js';
import { num } from '../config.js';
import type { FitOptions, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import { fitPairs, meanRating, predictPairs, type PairFitReport } from '../pair-training.js';
import { savedEntityCounts } from '../saved-entity-counts.js';
import { layerSizes, positiveInt } from './neural-training.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { NCF_SETTINGS } from './settings.js';

export const NCF_DEFAULTS: ModelConfig = defaultsOf(NCF_SETTINGS);

/** The NeuMF network over a fixed number of users and items. */
export class NeuMF {
  readonly params: Params;
  private readonly gmfUser: TableParam;
  private readonly gmfItem: TableParam;
  private readonly mlpUser: TableParam;
  private readonly mlpItem: TableParam;
  private readonly tower: DenseLayer[];
  readonly output: DenseLayer;

  constructor(
    readonly config: ModelConfig,
    readonly users: number,
    readonly items: number,
  ) {
    const factors = positiveInt(config, 'factors');
    const mlpFactors = positiveInt(config, 'mlpFactors');
    const hidden = layerSizes(config, 'mlpLayers');
    const std = num(config, 'initStd');
    this.params = new Params(num(config, 'seed'));
    const init = { init: { kind: 'normal' as const, std } };
    this.gmfUser = this.params.table('gmf.user', users, factors, init);
    this.gmfItem = this.params.table('gmf.item', items, factors, init);
    this.mlpUser = this.params.table('mlp.user', users, mlpFactors, init);
    this.mlpItem = this.params.table('mlp.item', items, mlpFactors, init);
    this.tower = hidden.length === 0 ? [] : declareMlp(this.params, 'mlp.layer', [2 * mlpFactors, ...hidden]);
    const mlpOut = hidden.length === 0 ? 2 * mlpFactors : hidden[hidden.length - 1];
    this.output = declareDense(this.params, 'predict', factors + mlpOut, 1);
  }

  /** Eq. 12 for each pair. */
  score(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor1D {
    const gmf = tf.mul(ctx.lookup(this.gmfUser, users), ctx.lookup(this.gmfItem, items));
    const joined = tf.concat([ctx.lookup(this.mlpUser, users), ctx.lookup(this.mlpItem, items)], 1);
    const phiMlp =
      this.tower.length === 0
        ? joined
        : mlp(joined, this.tower, { activation: 'relu', outputActivation: 'relu' });
    return tf.reshape(applyDense(tf.concat([gmf, phiMlp], 1), this.output), [-1]) as tf.Tensor1D;
  }
}

export class NCF implements RatingModel {
  readonly id = 'ncf';
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  network: NeuMF | undefined;
  lastReport: PairFitReport | undefined;

  constructor(config: ModelConfig) {
    this.config = config;
  }

  async fit(
    trainSet: RatingSubset,
    options: FitOptions & { allowCpu?: boolean } = {},
  ): Promise<PairFitReport> {
    const { dataset } = trainSet;
    const net = new NeuMF(this.config, dataset.users.ids.length, dataset.items.ids.length);
    const bias = net.output.b;
    if (bias !== undefined) {
      bias.value[0] = meanRating(trainSet);
      bias.sync();
    }
    this.network?.params.dispose();
    this.network = net;
    this.lastReport = await fitPairs(
      net.params,
      (u, i, ctx) => ({ prediction: net.score(u, i, ctx) }),
      trainSet,
      this.config,
      options,
    );
    return this.lastReport;
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const net = this.fitted();
    return predictPairs(this.id, (u, i, ctx) => ({ prediction: net.score(u, i, ctx) }), users, items);
  }

  state(): ModelState {
    const net = this.fitted();
    return toModelState(this.id, this.config, net.params, { users: net.users, items: net.items });
  }

  static restore(state: ModelState): NCF {
    const { users, items } = savedEntityCounts(state);
    const model = new NCF({ ...state.config });
    model.network = new NeuMF(model.config, users, items);
    loadState(model.network.params, state);
    return model;
  }

  private fitted(): NeuMF {
    if (this.network === undefined) throw new HeedError('ncf: call fit() before predict() or state()');
    return this.network;
  }
}

export const ncfSpec: ModelSpec = {
  usesEngine: true,
  id: 'ncf',
  summary: 'NCF (NeuMF: GMF + MLP tower over user and item ids), rating regression, SAIN set-up',
  reference: 'He et al., Neural Collaborative Filtering, WWW 2017 (NeuMF, Eq. 12)',
  settings: NCF_SETTINGS,
  defaults: NCF_DEFAULTS,
  create: (config) => new NCF(checkConfig('ncf', NCF_SETTINGS, config)),
  restore: (state) => NCF.restore({ ...state, config: checkConfig('ncf', NCF_SETTINGS, state.config) }),
  testSettings: { factors: 4, mlpFactors: 4, mlpLayers: '8,4', epochs: 2, batchSize: 64 },
};

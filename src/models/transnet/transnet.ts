/**
 * TransNet as a Heed model (Catherine & Cohen, RecSys 2017), and the model class SAFMR shares:
 * the network of `transnet-network.ts` with a rating head, fitted with the review models' loop,
 * saved with its review context.
 */
import type { RatingSubset } from '../../data/dataset.js';
import { declareFm, fm } from '../../engine/layers/fm.js';
import { loadState } from '../../engine/model-state.js';
import { HeedError } from '../../util/errors.js';
import { meanRating, predictPairs } from '../baselines/neural-training.js';
import type { FitOptions, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import { positiveIntSetting } from '../setting-checks.js';
import { ReviewContext } from '../review/review-context.js';
import { REVIEW_TEXT_DEFAULTS, reviewTextSettings } from '../review/review-settings.js';
import { fitReviewNetwork, REVIEW_TRAINING_DEFAULTS, type ReviewFitReport } from '../review/review-training.js';
import { TransNetNetwork, type RatingHeadFactory } from './transnet-network.js';

export const TRANSNET_DEFAULTS = {
  ...REVIEW_TEXT_DEFAULTS,
  /** Fully connected tanh layers of the transform (Table 3: 2). */
  transformLayers: 2,
  /** FM factor dimension (TransNets: 8). */
  factors: 8,
  ...REVIEW_TRAINING_DEFAULTS,
} as const satisfies ModelConfig;

/** A model of the TransNets family: TransNet itself, or SAFMR with its own rating head. */
export class TransNetFamilyModel implements RatingModel {
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  network: TransNetNetwork | undefined;
  lastReport: ReviewFitReport | undefined;

  constructor(
    readonly id: string,
    config: ModelConfig,
    private readonly head: (config: ModelConfig) => RatingHeadFactory,
  ) {
    this.config = config;
  }

  async fit(train: RatingSubset, options: FitOptions & { allowCpu?: boolean } = {}): Promise<ReviewFitReport> {
    const settings = reviewTextSettings(this.id, this.config);
    const context = ReviewContext.forTraining(train, settings);
    const net = new TransNetNetwork(this.id, this.config, settings, context, this.head(this.config), meanRating(train), true);
    this.network?.params.dispose();
    this.network = net;
    const report = await fitReviewNetwork({
      model: this.id,
      params: net.params,
      context,
      train,
      config: this.config,
      lowestReviewCount: settings.lowestReviewCount,
      loss: (batch, ctx) => net.loss(batch, ctx),
      predict: (u, i, ctx) => net.score(u, i, ctx),
      fit: options,
    });
    this.lastReport = { ...report, notes: [...net.notes, ...report.notes] };
    return this.lastReport;
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const net = this.fitted();
    return predictPairs((u, i, ctx) => net.score(u, i, ctx), users, items);
  }

  state(): ModelState {
    const net = this.fitted();
    const context = net.context.state();
    return {
      id: this.id,
      config: { ...this.config },
      meta: { context: context.meta },
      arrays: { ...net.params.arrays(), ...context.arrays },
    };
  }

  /** Rebuilds the network from a saved state (the caller made `this` with the saved config). */
  restoreFrom(state: ModelState): this {
    const meta = state.meta as { context?: unknown } | null;
    const context = ReviewContext.restore(state, (meta?.context ?? null) as never);
    const settings = reviewTextSettings(this.id, this.config);
    this.network = new TransNetNetwork(this.id, this.config, settings, context, this.head(this.config), 0, false);
    loadState(this.network.params, state);
    return this;
  }

  fitted(): TransNetNetwork {
    if (this.network === undefined) throw new HeedError(`${this.id}: call fit() before predict() or state()`);
    return this.network;
  }
}

/** TransNets' rating head: a factorization machine over the text vector. */
export const fmHead =
  (config: ModelConfig): RatingHeadFactory =>
  (params, name, inDim, mean) => {
    const layer = declareFm(params, name, inDim, positiveIntSetting('transnet', config, 'factors'), mean);
    return { score: (x) => fm(x, layer) };
  };

export const transnetSpec: ModelSpec = {
  usesEngine: true,
  id: 'transnet',
  summary: 'TransNet: source network transformed to approximate the target review\'s CNN vector, FM heads, L1',
  reference: 'Catherine & Cohen, TransNets: Learning to Transform for Recommendation, RecSys 2017 (§3)',
  defaults: TRANSNET_DEFAULTS,
  create: (config) => new TransNetFamilyModel('transnet', config, fmHead),
  restore: (state) => new TransNetFamilyModel('transnet', { ...state.config }, fmHead).restoreFrom(state),
};

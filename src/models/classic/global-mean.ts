/**
 * Predicts the mean training rating for every pair: the floor every other model must beat.
 */
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import type { FitReport, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';

export class GlobalMean implements RatingModel {
  readonly id = 'globalmean';
  readonly handlesColdStart = true;
  readonly config: ModelConfig;
  private mean = 0;

  constructor(config: ModelConfig) {
    this.config = config;
  }

  async fit(train: RatingSubset): Promise<FitReport> {
    const { rating } = gatherRatings(train);
    let sum = 0;
    for (let k = 0; k < rating.length; k++) sum += rating[k];
    this.mean = rating.length > 0 ? sum / rating.length : 0;
    return { epochs: 1, samplesProcessed: rating.length };
  }

  predict(users: Int32Array): Float32Array {
    return new Float32Array(users.length).fill(this.mean);
  }

  state(): ModelState {
    return { id: this.id, config: this.config, meta: { mean: this.mean }, arrays: {} };
  }

  static restore(state: ModelState): GlobalMean {
    const model = new GlobalMean(state.config);
    const meta = state.meta as { mean: number };
    model.mean = meta.mean;
    return model;
  }
}

export const globalMeanSpec: ModelSpec = {
  id: 'globalmean',
  summary: 'Mean training rating for every pair (the floor to beat)',
  reference: '-',
  settings: {},
  defaults: {},
  create: (config) => new GlobalMean(config),
  restore: (state) => GlobalMean.restore(state),
};

/**
 * BaselineOnly: the baseline predictor r̂_ui = μ + b_u + b_i, with no interaction term.
 *
 * Koren, "Factor in the neighbors: scalable and accurate collaborative filtering", ACM TKDD 4(1),
 * 2010, Section 2.1 (Eq. 1 and the regularised least squares of Eq. 2); also Koren 2008 (KDD),
 * Section 2.1. Fitted as Surprise's `BaselineOnly` does it, by one of:
 * - `als` (default, Surprise's defaults reg_i = 10, reg_u = 15, 10 epochs; settings `itemL2`,
 *   `userL2`): alternating exact minimisation, each epoch first every item bias then every user
 *   bias,
 *     b_i = Σ_{u∈R(i)} (r_ui - μ - b_u) / (λ_i + |R(i)|),
 *     b_u = Σ_{i∈R(u)} (r_ui - μ - b_i) / (λ_u + |R(u)|);
 * - `sgd` (Surprise's lr 0.005, reg 0.02, here `learningRate` and `l2`; it uses 20 epochs there):
 *   per rating, in a fresh seeded random order each epoch, e = r_ui - r̂_ui, b_u += γ(e - λ b_u),
 *   b_i += γ(e - λ b_i).
 * Users and items without training ratings keep zero biases.
 */
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import { Rng } from '../../util/rng.js';
import { num, str } from '../config.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { BASELINE_SETTINGS } from './baseline-settings.js';
import type { FitOptions, FitReport, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import {
  checkConverging,
  meanRating,
  progressEvent,
  stateArray64,
  stateMeta,
  subsetRmse,
  yieldToEventLoop,
} from './mf-common.js';

export const BASELINE_DEFAULTS: ModelConfig = defaultsOf(BASELINE_SETTINGS);

type Method = 'als' | 'sgd';

export class BaselineOnly implements RatingModel {
  readonly id = 'baseline';
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  private readonly method: Method;
  private mean = 0;
  private userBias: Float64Array = new Float64Array(0);
  private itemBias: Float64Array = new Float64Array(0);

  constructor(config: ModelConfig) {
    this.config = config;
    checkConfig(this.id, BASELINE_SETTINGS, config);
    this.method = str(config, 'solver') as Method;
  }

  async fit(train: RatingSubset, options: FitOptions = {}): Promise<FitReport> {
    const c = this.config;
    const epochs = num(c, 'epochs');
    const { user, item, rating } = gatherRatings(train);
    const n = rating.length;
    const mean = meanRating(rating);
    const bu = new Float64Array(train.dataset.users.ids.length);
    const bi = new Float64Array(train.dataset.items.ids.length);
    this.mean = mean;
    this.userBias = bu;
    this.itemBias = bi;
    const score = (u: number, i: number): number => mean + bu[u] + bi[i];

    // ALS needs |R(u)|, |R(i)| and per-entity sums; SGD needs a shuffled order.
    const userCount = new Float64Array(bu.length);
    const itemCount = new Float64Array(bi.length);
    for (let t = 0; t < n; t++) {
      userCount[user[t]]++;
      itemCount[item[t]]++;
    }
    const regUser = num(c, 'userL2');
    const regItem = num(c, 'itemL2');
    const lr = num(c, 'learningRate');
    const reg = num(c, 'l2');
    const rng = new Rng(num(c, 'seed'));
    const order = new Int32Array(n);
    for (let t = 0; t < n; t++) order[t] = t;
    const sums = new Float64Array(Math.max(bu.length, bi.length));

    const started = performance.now();
    let done = 0;
    while (done < epochs && !options.signal?.aborted) {
      let sse = 0;
      if (this.method === 'als') {
        sums.fill(0);
        for (let t = 0; t < n; t++) sums[item[t]] += rating[t] - mean - bu[user[t]];
        for (let i = 0; i < bi.length; i++) bi[i] = itemCount[i] > 0 ? sums[i] / (regItem + itemCount[i]) : 0;
        sums.fill(0);
        for (let t = 0; t < n; t++) sums[user[t]] += rating[t] - mean - bi[item[t]];
        for (let u = 0; u < bu.length; u++) bu[u] = userCount[u] > 0 ? sums[u] / (regUser + userCount[u]) : 0;
        for (let t = 0; t < n; t++) {
          const e = rating[t] - score(user[t], item[t]);
          sse += e * e;
        }
      } else {
        rng.shuffle(order);
        for (let s = 0; s < n; s++) {
          const t = order[s];
          const u = user[t];
          const i = item[t];
          const e = rating[t] - (mean + bu[u] + bi[i]);
          sse += e * e;
          bu[u] += lr * (e - reg * bu[u]);
          bi[i] += lr * (e - reg * bi[i]);
        }
      }
      if (this.method === 'sgd') checkConverging(this.id, sse, done + 1, lr);
      done++;
      if (options.onProgress) {
        const validation = options.validation ? subsetRmse(options.validation, score) : undefined;
        options.onProgress(progressEvent(done, epochs, started, sse, n, validation));
      }
      if (done < epochs) await yieldToEventLoop();
    }
    return { epochs: done, samplesProcessed: done * n };
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const out = new Float32Array(users.length);
    for (let t = 0; t < users.length; t++) {
      const u = users[t];
      const i = items[t];
      let score = this.mean;
      if (u >= 0 && u < this.userBias.length) score += this.userBias[u];
      if (i >= 0 && i < this.itemBias.length) score += this.itemBias[i];
      out[t] = score;
    }
    return out;
  }

  state(): ModelState {
    return {
      id: this.id,
      config: this.config,
      meta: { mean: this.mean, users: this.userBias.length, items: this.itemBias.length },
      arrays: { userBias: this.userBias, itemBias: this.itemBias },
    };
  }

  static restore(state: ModelState): BaselineOnly {
    const model = new BaselineOnly(state.config);
    const meta = stateMeta(state, ['mean', 'users', 'items']);
    model.mean = meta.mean;
    model.userBias = stateArray64(state, 'userBias', meta.users);
    model.itemBias = stateArray64(state, 'itemBias', meta.items);
    return model;
  }
}

export const baselineSpec: ModelSpec = {
  id: 'baseline',
  summary: 'Baseline predictor μ + b_u + b_i (user and item biases), ALS or SGD as in Surprise',
  reference:
    'Koren. Factor in the neighbors: scalable and accurate collaborative filtering. ACM TKDD 4(1), 2010 (Sec. 2.1)',
  settings: BASELINE_SETTINGS,
  defaults: BASELINE_DEFAULTS,
  create: (config) => new BaselineOnly(config),
  restore: (state) => BaselineOnly.restore(state),
};

/**
 * SVDFeature: feature-based matrix factorisation (Chen, Zhang, Zheng, Ding, Zheng & Yu,
 * "SVDFeature: a toolkit for feature-based collaborative filtering", JMLR 13, 2012), the second
 * baseline of AFM-GAU's Table 2 ("We use the official implementation").
 *
 * The user's latent vector is the weighted sum of the factors of its features (its id and the
 * chosen user fields), the item's likewise (its id and, by default, every item field: what
 * Heed's afm-gau attends over), each feature with its own bias (Eq. 1, `sgd-step.ts`). It is
 * trained as the toolkit trains it: plain SGD over the ratings in a fresh seeded random order each
 * epoch, weight decay applied to the rows a rating touches.
 *
 * Defaults, chosen on validation (ml-1m, `--split ratio:0.8,0.1,0.1 --seed 1`, the validation
 * part only; BENCHMARKS.md): factors 64 as AFM-GAU gives every model, the toolkit's MovieLens
 * demo learning rate 0.005, and the weight decay and epochs that scored best there.
 *
 * Entities without training ratings keep a zero id row, so they are predicted from their side
 * features alone; users have none by default, so the predictor's cold-start fallback answers
 * them (`handlesColdStart` is false).
 */
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import { Rng } from '../../util/rng.js';
import { BestEpoch } from '../best-epoch.js';
import { num, str } from '../config.js';
import type { FitOptions, FitReport, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import {
  checkConverging,
  meanRating,
  progressEvent,
  stateArray,
  stateMeta,
  subsetRmse,
  yieldToEventLoop,
} from '../classic/mf-common.js';
import { featureRows, featureRowsArrays, restoreFeatureRows, type FeatureRows } from './feature-rows.js';
import { SVDFEATURE_SETTINGS } from './settings.js';
import { newSums, predictPair, sgdStep, type SvdFeatureParams } from './sgd-step.js';

interface Fitted {
  readonly params: SvdFeatureParams;
  readonly users: FeatureRows;
  readonly items: FeatureRows;
}

export class SvdFeature implements RatingModel {
  readonly id = 'svdfeature';
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  private fitted: Fitted | undefined;

  constructor(config: ModelConfig) {
    this.config = config;
    checkConfig(this.id, SVDFEATURE_SETTINGS, config);
  }

  async fit(train: RatingSubset, options: FitOptions = {}): Promise<FitReport> {
    const c = this.config;
    const k = num(c, 'factors');
    const epochs = num(c, 'epochs');
    const rng = new Rng(num(c, 'seed'));
    const { dataset } = train;
    const users = featureRows(dataset.userFeatures, str(c, 'userFeatures'), 'userFeatures');
    const items = featureRows(dataset.itemFeatures, str(c, 'itemFeatures'), 'itemFeatures');
    const { user, item, rating } = gatherRatings(train);
    const n = rating.length;

    const params: SvdFeatureParams = {
      mean: meanRating(rating),
      factors: k,
      userFactors: initialFactors(rng, users, user, k, num(c, 'initStd')),
      itemFactors: initialFactors(rng, items, item, k, num(c, 'initStd')),
      userBias: new Float32Array(users.tableRows),
      itemBias: new Float32Array(items.tableRows),
    };
    this.fitted = { params, users, items };

    const order = Int32Array.from({ length: n }, (_, t) => t);
    const sums = newSums(k);
    const best = new BestEpoch<SvdFeatureParams>(num(c, 'patience'));
    const step = { lr: num(c, 'learningRate'), l2: num(c, 'l2'), biasL2: num(c, 'biasL2') };
    const started = performance.now();
    let done = 0;
    while (done < epochs && !options.signal?.aborted) {
      shuffle(rng, order);
      let sse = 0;
      for (let t = 0; t < n; t++) {
        const x = order[t];
        const e = sgdStep(params, users, items, user[x], item[x], rating[x], step, sums);
        sse += e * e;
      }
      checkConverging(this.id, sse, done + 1, step.lr);
      done++;
      step.lr *= num(c, 'lrDecay');
      const validationRmse = options.validation
        ? subsetRmse(options.validation, (u, i) => predictPair(params, users, items, u, i, sums))
        : undefined;
      options.onProgress?.(progressEvent(done, epochs, started, sse, n, validationRmse));
      if (validationRmse !== undefined && best.observe(done, validationRmse, () => copyParams(params))) break;
      if (done < epochs) await yieldToEventLoop();
    }
    const kept = best.best();
    if (kept) this.fitted = { params: kept.params, users, items };
    return {
      epochs: done,
      samplesProcessed: done * n,
      ...(kept ? { bestEpoch: kept.epoch, bestValidationRmse: kept.rmse } : {}),
    };
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const out = new Float32Array(users.length);
    const f = this.fitted;
    if (!f) return out;
    const sums = newSums(f.params.factors);
    for (let t = 0; t < users.length; t++) {
      const u = users[t];
      const i = items[t];
      // Indices beyond the fitted tables (a data set grown since) get μ.
      out[t] =
        u < f.users.count && i < f.items.count
          ? predictPair(f.params, f.users, f.items, u, i, sums)
          : f.params.mean;
    }
    return out;
  }

  state(): ModelState {
    const f = this.fitted;
    if (!f) return { id: this.id, config: this.config, meta: null, arrays: {} };
    const p = f.params;
    return {
      id: this.id,
      config: this.config,
      meta: {
        mean: p.mean,
        users: f.users.count,
        userRows: f.users.tableRows,
        items: f.items.count,
        itemRows: f.items.tableRows,
      },
      arrays: {
        userFactors: p.userFactors,
        itemFactors: p.itemFactors,
        userBias: p.userBias,
        itemBias: p.itemBias,
        ...featureRowsArrays(f.users, 'user'),
        ...featureRowsArrays(f.items, 'item'),
      },
    };
  }

  static restore(state: ModelState): SvdFeature {
    const model = new SvdFeature(state.config);
    if (state.meta === null) return model;
    const meta = stateMeta(state, ['mean', 'users', 'userRows', 'items', 'itemRows']);
    const k = num(model.config, 'factors');
    const users = restoreFeatureRows(state, 'user', { count: meta.users, tableRows: meta.userRows });
    const items = restoreFeatureRows(state, 'item', { count: meta.items, tableRows: meta.itemRows });
    model.fitted = {
      users,
      items,
      params: {
        mean: meta.mean,
        factors: k,
        userFactors: stateArray(state, 'userFactors', meta.userRows * k),
        itemFactors: stateArray(state, 'itemFactors', meta.itemRows * k),
        userBias: stateArray(state, 'userBias', meta.userRows),
        itemBias: stateArray(state, 'itemBias', meta.itemRows),
      },
    };
    return model;
  }
}

/**
 * N(0, std²) factors for every side-feature row and for the id rows of entities with training
 * ratings (the toolkit draws them all; an id never trained would only add noise to a prediction).
 */
function initialFactors(rng: Rng, f: FeatureRows, rated: Int32Array, k: number, std: number): Float32Array {
  const seen = new Uint8Array(f.count);
  for (const e of rated) seen[e] = 1;
  const table = new Float32Array(f.tableRows * k);
  for (let r = 0; r < f.tableRows; r++) {
    if (r < f.count && !seen[r]) continue;
    for (let c = 0; c < k; c++) table[r * k + c] = rng.normal() * std;
  }
  return table;
}

function shuffle(rng: Rng, order: Int32Array): void {
  for (let t = order.length - 1; t > 0; t--) {
    const s = rng.int(t + 1);
    const x = order[t];
    order[t] = order[s];
    order[s] = x;
  }
}

function copyParams(p: SvdFeatureParams): SvdFeatureParams {
  return {
    ...p,
    userFactors: p.userFactors.slice(),
    itemFactors: p.itemFactors.slice(),
    userBias: p.userBias.slice(),
    itemBias: p.itemBias.slice(),
  };
}

export const svdFeatureSpec: ModelSpec = {
  id: 'svdfeature',
  summary:
    'SVDFeature: user and item factors as sums of their features’ factors, with biases; SGD as the toolkit',
  reference:
    'Chen, Zhang, Zheng, Ding, Zheng & Yu. SVDFeature: a toolkit for feature-based collaborative filtering. JMLR 13, 2012',
  settings: SVDFEATURE_SETTINGS,
  defaults: defaultsOf(SVDFEATURE_SETTINGS),
  create: (config) => new SvdFeature(config),
  restore: (state) => SvdFeature.restore(state),
  testSettings: { factors: 4, epochs: 5 },
};

/**
 * CDL: Collaborative Deep Learning (Wang, Wang & Yeung, KDD 2015), the third baseline of AFM-GAU's
 * Table 2. A stacked denoising autoencoder over each item's content (`sdae.ts`) is coupled with
 * probabilistic matrix factorisation: the item's latent vector is its content code plus an offset,
 * v_j = θ_j + ε_j with ε_j ~ N(0, λ_v⁻¹ I) (Sec. 3.2, step 3; AFM-GAU §4.2: "item feature vector
 * plus a bias"), and a rating is r̂_ij = μ + u_iᵀ v_j (μ, the mean training rating, see
 * `pmf-updates.ts`).
 *
 * The content X_c,j is the one-hot vector of the item's chosen fields (for MovieLens: release
 * decade and genres, what Heed's afm-gau attends over; the paper's content is a bag of words).
 * Learning is the paper's MAP estimation (Sec. 3.3): the SDAE is pre-trained to reconstruct the
 * content, then each iteration runs a few SDAE passes towards the current v_j, recomputes θ_j and
 * updates every u_i and then every v_j in closed form.
 *
 * Defaults: K = 64 as AFM-GAU gives every model; λ_n, λ_w, the noise and the layer sizes as the
 * paper's CiteULike set-up; λ_u, λ_v and the iterations chosen on validation (ml-1m,
 * `--split ratio:0.8,0.1,0.1 --seed 1`, the validation part only; BENCHMARKS.md).
 *
 * Users without training ratings keep u_i = 0 (predicted μ): the predictor's cold-start fallback
 * answers them (`handlesColdStart` is false). Items without ratings get v_j = θ_j.
 */
import { gatherRatings, type FeatureTable, type RatingSubset } from '../../data/dataset.js';
import { oneHotLayout } from '../../data/features.js';
import { UsageError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { BestEpoch } from '../best-epoch.js';
import {
  meanRating,
  progressEvent,
  stateArray64,
  stateMeta,
  subsetRmse,
  yieldToEventLoop,
} from '../classic/mf-common.js';
import { num, str } from '../config.js';
import { selectFeatureFields } from '../feature-selection.js';
import type { FitOptions, FitReport, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { CDL_SETTINGS } from './settings.js';
import { groupRatings, solveRows } from './pmf-updates.js';
import { encodeAll, initSdae, sdaePass, SdaeOptimizer } from './sdae.js';

interface Fitted {
  readonly mean: number;
  readonly users: number;
  readonly items: number;
  /** u_i, [users × K]. */
  readonly userVectors: Float64Array;
  /** v_j, [items × K]. */
  readonly itemVectors: Float64Array;
}

export class Cdl implements RatingModel {
  readonly id = 'cdl';
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  private readonly k: number;
  private fitted: Fitted | undefined;

  constructor(config: ModelConfig) {
    this.config = config;
    checkConfig(this.id, CDL_SETTINGS, config);
    this.k = num(config, 'factors');
  }

  async fit(train: RatingSubset, options: FitOptions = {}): Promise<FitReport> {
    const c = this.config;
    const k = this.k;
    const rng = new Rng(num(c, 'seed'));
    const { dataset } = train;
    const nUsers = dataset.users.ids.length;
    const nItems = dataset.items.ids.length;
    const { inputs, content } = contentMatrix(dataset.itemFeatures, str(c, 'itemFeatures'));
    const { user, item, rating } = gatherRatings(train);
    const mean = meanRating(rating);
    const byUser = groupRatings(user, item, rating, mean, nUsers);
    const byItem = groupRatings(item, user, rating, mean, nItems);

    const sdae = initSdae(rng, inputs, num(c, 'hidden'), k);
    const optimizer = new SdaeOptimizer(sdae, num(c, 'learningRate'));
    const sdaeSettings = {
      lambdaN: num(c, 'lambdaN'),
      lambdaW: num(c, 'lambdaW'),
      noise: num(c, 'noise'),
      batchSize: num(c, 'batchSize'),
    };
    for (let e = 0; e < num(c, 'pretrainEpochs') && !options.signal?.aborted; e++) {
      sdaePass(sdae, optimizer, content, nItems, undefined, { ...sdaeSettings, lambdaV: 0 }, rng);
    }
    let theta = encodeAll(sdae, content, nItems);
    // v_j = θ_j + ε_j with a small random ε_j (the first u_i are solved from these).
    const itemVectors = theta.slice();
    for (let p = 0; p < itemVectors.length; p++) itemVectors[p] += rng.normal() * num(c, 'initStd');
    const userVectors = new Float64Array(nUsers * k);

    const fitted: Fitted = { mean, users: nUsers, items: nItems, userVectors, itemVectors };
    this.fitted = fitted;
    const lambdaV = num(c, 'lambdaV');
    const epochs = num(c, 'epochs');
    const best = new BestEpoch<Fitted>(num(c, 'patience'));
    const started = performance.now();
    let done = 0;
    while (done < epochs && !options.signal?.aborted) {
      if (done > 0) {
        for (let e = 0; e < num(c, 'sdaeEpochs'); e++) {
          sdaePass(sdae, optimizer, content, nItems, itemVectors, { ...sdaeSettings, lambdaV }, rng);
        }
        theta = encodeAll(sdae, content, nItems);
      }
      solveRows(userVectors, itemVectors, byUser, k, num(c, 'lambdaU'), undefined);
      solveRows(itemVectors, userVectors, byItem, k, lambdaV, theta);
      done++;
      const score = (u: number, i: number): number => this.score(fitted, u, i);
      const sse = trainingSse(byUser, fitted, k);
      const validationRmse = options.validation ? subsetRmse(options.validation, score) : undefined;
      options.onProgress?.(progressEvent(done, epochs, started, sse, rating.length, validationRmse));
      if (
        validationRmse !== undefined &&
        best.observe(done, validationRmse, () => ({
          ...fitted,
          userVectors: userVectors.slice(),
          itemVectors: itemVectors.slice(),
        }))
      ) {
        break;
      }
      if (done < epochs) await yieldToEventLoop();
    }
    const kept = best.best();
    if (kept) this.fitted = kept.params;
    return {
      epochs: done,
      samplesProcessed: done * rating.length,
      ...(kept ? { bestEpoch: kept.epoch, bestValidationRmse: kept.rmse } : {}),
    };
  }

  private score(f: Fitted, u: number, i: number): number {
    if (u >= f.users || i >= f.items) return f.mean;
    const k = this.k;
    let dot = 0;
    for (let p = 0; p < k; p++) dot += f.userVectors[u * k + p] * f.itemVectors[i * k + p];
    return f.mean + dot;
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const out = new Float32Array(users.length);
    const f = this.fitted;
    if (!f) return out;
    for (let t = 0; t < users.length; t++) out[t] = this.score(f, users[t], items[t]);
    return out;
  }

  state(): ModelState {
    const f = this.fitted;
    if (!f) return { id: this.id, config: this.config, meta: null, arrays: {} };
    return {
      id: this.id,
      config: this.config,
      meta: { mean: f.mean, users: f.users, items: f.items },
      arrays: { userVectors: f.userVectors, itemVectors: f.itemVectors },
    };
  }

  static restore(state: ModelState): Cdl {
    const model = new Cdl(state.config);
    if (state.meta === null) return model;
    const meta = stateMeta(state, ['mean', 'users', 'items']);
    model.fitted = {
      ...meta,
      userVectors: stateArray64(state, 'userVectors', meta.users * model.k),
      itemVectors: stateArray64(state, 'itemVectors', meta.items * model.k),
    };
    return model;
  }
}

/** X_c: the one-hot content of every item, [items × inputs]. */
function contentMatrix(table: FeatureTable, select: string): { inputs: number; content: Float64Array } {
  const layout = oneHotLayout(selectFeatureFields(table, select, 'itemFeatures'));
  if (layout.dimension === 0) {
    throw new UsageError(
      `model "cdl" setting "itemFeatures" ("${select}") selects no item content; CDL encodes the item's content, so choose at least one field`,
    );
  }
  const content = new Float64Array(layout.count * layout.dimension);
  for (let j = 0; j < layout.count; j++) {
    for (let t = layout.offsets[j]; t < layout.offsets[j + 1]; t++)
      content[j * layout.dimension + layout.indices[t]] = 1;
  }
  return { inputs: layout.dimension, content };
}

/** Σ (r − r̂)² over the training ratings, for the progress line. */
function trainingSse(byUser: ReturnType<typeof groupRatings>, f: Fitted, k: number): number {
  let sse = 0;
  for (let u = 0; u < f.users; u++) {
    for (let t = byUser.offsets[u]; t < byUser.offsets[u + 1]; t++) {
      const i = byUser.other[t];
      let dot = 0;
      for (let p = 0; p < k; p++) dot += f.userVectors[u * k + p] * f.itemVectors[i * k + p];
      const e = byUser.residual[t] - dot;
      sse += e * e;
    }
  }
  return sse;
}

export const cdlSpec: ModelSpec = {
  id: 'cdl',
  summary: 'Collaborative Deep Learning: an SDAE over item content coupled with PMF (v_j = θ_j + ε_j)',
  reference: 'Wang, Wang & Yeung. Collaborative Deep Learning for Recommender Systems. KDD 2015',
  settings: CDL_SETTINGS,
  defaults: defaultsOf(CDL_SETTINGS),
  create: (config) => new Cdl(config),
  restore: (state) => Cdl.restore(state),
  testSettings: { factors: 4, hidden: 8, epochs: 3, pretrainEpochs: 2, sdaeEpochs: 1 },
};

/**
 * Bayesian SVD++ flipped: Rendle, Zhang & Koren (2019), "On the Difficulty of Evaluating
 * Baselines" (arXiv 1905.01395), Sec. 3. A Bayesian factorization machine (Gibbs sampling as libFM,
 * Rendle 2012 Sec. 4.3) over the one-hot user, the one-hot item, the items the user rated (SVD++'s
 * implicit feedback, Koren 2008) and the users who rated the item (the "flipped" block), with the
 * data set's side features as optional extra groups (`layout.ts`). The implicit blocks make rows
 * long, so the sampler works on the user and item blocks once per entity (`relational-gibbs.ts`,
 * Rendle 2013), and a fitted model keeps each entity's part of every kept draw (`samples.ts`).
 */
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import { HeedError, UsageError } from '../../util/errors.js';
import { bool, num, str } from '../config.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import type {
  Explanation,
  FitOptions,
  FitReport,
  JsonValue,
  ModelConfig,
  ModelSpec,
  ModelState,
  RatingModel,
} from '../model.js';
import type { MultiWeight } from '../classic/fm-design.js';
import { buildSvdppLayout, type ImplicitBlocks, type ImplicitWeight } from './layout.js';
import { resolveChains, runChains } from './chains.js';
import { predictMean, type SvdppSamples } from './samples.js';
import { BAYES_SVDPP_SETTINGS } from './settings.js';

const ID = 'bayes-svdpp';

interface Fitted {
  /** Every chain's kept draws, chain after chain. */
  readonly samples: SvdppSamples;
  readonly chains: number;
  readonly users: number;
  readonly items: number;
  readonly scale: { readonly min: number; readonly max: number };
}

export class BayesSvdpp implements RatingModel {
  readonly id = ID;
  /** A user or item without training ratings keeps its id at 0 and is predicted from the rest. */
  readonly handlesColdStart = true;
  readonly config: ModelConfig;
  private fitted: Fitted | undefined;

  constructor(config: ModelConfig) {
    this.config = config;
    checkSettings(config);
  }

  async fit(train: RatingSubset, options: FitOptions = {}): Promise<FitReport> {
    const c = this.config;
    const dataset = train.dataset;
    const ratings = gatherRatings(train);
    if (ratings.rating.length === 0) throw new UsageError(`${ID}: the training set has no ratings`);
    // Implicit blocks from the training ratings only: nothing of validation or test reaches them.
    const layout = buildSvdppLayout(dataset, ratings, {
      features: str(c, 'features'),
      multiWeight: str(c, 'multiWeight') as MultiWeight,
      implicit: str(c, 'implicit') as ImplicitBlocks,
      implicitWeight: str(c, 'implicitWeight') as ImplicitWeight,
    });
    let validation: { user: Int32Array; item: Int32Array; target: Float64Array } | undefined;
    if (options.validation && options.validation.indices.length > 0) {
      if (options.validation.dataset !== dataset)
        throw new UsageError(`${ID}: validation ratings must come from the training data set`);
      const v = gatherRatings(options.validation);
      validation = { user: v.user, item: v.item, target: Float64Array.from(v.rating) };
    }
    const chains = resolveChains(num(c, 'chains'));
    const { samples, sweeps } = await runChains(
      {
        layout,
        user: ratings.user,
        item: ratings.item,
        target: Float64Array.from(ratings.rating),
        scale: dataset.scale,
      },
      {
        factors: num(c, 'factors'),
        iterations: num(c, 'iterations'),
        burnIn: num(c, 'burnIn'),
        samples: num(c, 'samples'),
        initStd: num(c, 'initStd'),
        seed: num(c, 'seed'),
        clipSamples: bool(c, 'clipSamples'),
      },
      chains,
      { validation, onProgress: options.onProgress, signal: options.signal },
    );
    this.fitted = {
      samples,
      chains,
      users: dataset.users.ids.length,
      items: dataset.items.ids.length,
      scale: { min: dataset.scale.min, max: dataset.scale.max },
    };
    return { epochs: sweeps, samplesProcessed: chains * sweeps * ratings.rating.length };
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const fitted = this.model();
    checkPairs(fitted, users, items);
    const clip = bool(this.config, 'clipSamples') ? fitted.scale : undefined;
    return Float32Array.from(predictMean(fitted.samples, users, items, clip));
  }

  /**
   * Splits the unclipped mean prediction into its three relational parts, averaged over the kept
   * draws: the global bias, the user's block and the item's block on their own (a(u), a(i)), and
   * their interaction <q(u), q(i)> (see `samples.ts`).
   */
  explain(user: number, item: number): Explanation {
    const fitted = this.model();
    const users = Int32Array.of(user);
    const items = Int32Array.of(item);
    checkPairs(fitted, users, items);
    const { samples } = fitted;
    const { count, factors } = samples;
    let bias = 0;
    let userPart = 0;
    let itemPart = 0;
    let interaction = 0;
    for (let s = 0; s < count; s++) {
      const u = s * fitted.users + user;
      const i = s * fitted.items + item;
      bias += samples.w0[s];
      userPart += samples.userA[u];
      itemPart += samples.itemA[i];
      for (let f = 0; f < factors; f++)
        interaction += samples.userQ[u * factors + f] * samples.itemQ[i * factors + f];
    }
    const mean = (x: number): number => x / Math.max(1, count);
    return {
      model: ID,
      user,
      item,
      prediction: this.predict(users, items)[0],
      groups: [
        {
          name: 'relational parts',
          weights: [
            { feature: 'bias', weight: mean(bias) },
            { feature: 'user block (id, features, rated items)', weight: mean(userPart) },
            { feature: 'item block (id, features, raters)', weight: mean(itemPart) },
            { feature: 'user × item interaction', weight: mean(interaction) },
          ],
        },
      ],
    };
  }

  state(): ModelState {
    const { samples, chains, users, items, scale } = this.model();
    const meta: JsonValue = {
      samples: samples.count,
      chains,
      factors: samples.factors,
      users,
      items,
      scale: { ...scale },
    };
    return {
      id: ID,
      config: { ...this.config },
      meta,
      arrays: {
        w0: samples.w0,
        userA: samples.userA,
        userQ: samples.userQ,
        itemA: samples.itemA,
        itemQ: samples.itemQ,
      },
    };
  }

  static restore(state: ModelState): BayesSvdpp {
    if (state.id !== ID) throw new UsageError(`${ID}: cannot restore a saved "${state.id}" model`);
    const model = new BayesSvdpp(state.config);
    const meta = state.meta as {
      samples?: unknown;
      chains?: unknown;
      factors?: unknown;
      users?: unknown;
      items?: unknown;
      scale?: { min?: unknown; max?: unknown };
    } | null;
    const count = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
    if (
      !meta ||
      !count(meta.samples) ||
      !count(meta.factors) ||
      !count(meta.users) ||
      !count(meta.items) ||
      (meta.chains !== undefined && !count(meta.chains)) ||
      typeof meta.scale?.min !== 'number' ||
      typeof meta.scale.max !== 'number'
    ) {
      throw new HeedError(`${ID}: saved state meta lacks samples, factors, users, items or scale`);
    }
    const f32 = (name: string): Float32Array => {
      const x = state.arrays[name];
      if (!(x instanceof Float32Array))
        throw new HeedError(`${ID}: saved state lacks Float32Array "${name}"`);
      return x;
    };
    const w0 = state.arrays.w0;
    if (!(w0 instanceof Float64Array)) throw new HeedError(`${ID}: saved state lacks Float64Array "w0"`);
    const samples: SvdppSamples = {
      count: meta.samples,
      factors: meta.factors,
      w0,
      userA: f32('userA'),
      userQ: f32('userQ'),
      itemA: f32('itemA'),
      itemQ: f32('itemQ'),
    };
    const S = samples.count;
    if (
      w0.length !== S ||
      samples.userA.length !== S * meta.users ||
      samples.itemA.length !== S * meta.items ||
      samples.userQ.length !== S * meta.users * meta.factors ||
      samples.itemQ.length !== S * meta.items * meta.factors
    ) {
      throw new HeedError(`${ID}: saved state arrays do not match its samples, factors, users and items`);
    }
    model.fitted = {
      samples,
      // Models saved before chains existed ran one.
      chains: meta.chains === undefined ? 1 : (meta.chains as number),
      users: meta.users,
      items: meta.items,
      scale: { min: meta.scale.min, max: meta.scale.max },
    };
    return model;
  }

  private model(): Fitted {
    if (!this.fitted) throw new UsageError(`${ID}: call fit() (or restore a saved model) before predicting`);
    return this.fitted;
  }
}

function checkPairs(fitted: Fitted, users: Int32Array, items: Int32Array): void {
  if (users.length !== items.length)
    throw new UsageError(`predict: ${users.length} users but ${items.length} items; give one item per user`);
  for (let k = 0; k < users.length; k++) {
    if (!(users[k] >= 0 && users[k] < fitted.users))
      throw new UsageError(`predict: user index ${users[k]} (pair ${k}) is outside 0..${fitted.users - 1}`);
    if (!(items[k] >= 0 && items[k] < fitted.items))
      throw new UsageError(`predict: item index ${items[k]} (pair ${k}) is outside 0..${fitted.items - 1}`);
  }
}

/** Rejects settings that would make a fit meaningless, naming the key. */
function checkSettings(c: ModelConfig): void {
  checkConfig(ID, BAYES_SVDPP_SETTINGS, c);
  if (num(c, 'burnIn') >= num(c, 'iterations')) {
    throw new UsageError(
      `${ID} setting "burnIn" (${num(c, 'burnIn')}) must be below "iterations" (${num(c, 'iterations')})`,
    );
  }
}

export const bayesSvdppSpec: ModelSpec = {
  id: ID,
  summary:
    'Bayesian SVD++ flipped: MCMC factorization machine over user, item, the items the user rated and the users who rated the item',
  reference:
    'S. Rendle, L. Zhang, Y. Koren, "On the Difficulty of Evaluating Baselines", arXiv:1905.01395, 2019; ' +
    'S. Rendle, "Scaling Factorization Machines to Relational Data", VLDB 2013',
  settings: BAYES_SVDPP_SETTINGS,
  defaults: defaultsOf(BAYES_SVDPP_SETTINGS),
  create: (config) => new BayesSvdpp(config),
  restore: (state) => BayesSvdpp.restore(state),
  testSettings: { factors: 2, iterations: 6, burnIn: 2, samples: 3 },
};

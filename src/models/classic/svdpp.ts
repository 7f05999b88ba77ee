/**
 * SVD++: biased matrix factorisation plus implicit feedback from which items a user rated.
 *
 * Koren, "Factorization meets the neighborhood: a multifaceted collaborative filtering model",
 * KDD 2008, Eq. 15:
 *     r̂_ui = μ + b_u + b_i + q_iᵀ (p_u + |N(u)|^-1/2 Σ_{j∈N(u)} y_j),
 * where N(u) is the set of items u rated in the TRAINING data. It is fitted by SGD on the
 * regularised squared error, with the updates given below Eq. 15 in the paper:
 *     b_u += γ_b(e - λ_b b_u),  b_i += γ_b(e - λ_b b_i),
 *     p_u += γ(e q_i - λ p_u),  q_i += γ(e (p_u + |N(u)|^-1/2 Σ y_j) - λ q_i),
 *     ∀ j ∈ N(u): y_j += γ(e |N(u)|^-1/2 q_i - λ_y y_j).
 *
 * Deviation from the paper, for speed (documented in `mf-kernels.wat`): ratings are visited
 * grouped by user, users in a fresh seeded random order each epoch and each user's ratings
 * shuffled too. The implicit sum z_u = |N(u)|^-1/2 Σ y_j is computed once per user visit and held
 * fixed during it; the y_j gradients e·|N(u)|^-1/2·q_i of the user's ratings are summed and applied
 * once, after the user's last rating, with the regularisation decay the per-rating steps would have
 * applied, (1 - γ λ_y)^|N(u)|. Per-rating y updates (as Surprise's SVDpp does them) cost
 * O(|N(u)| k) per rating, i.e. O(Σ_u |N(u)|² k) per epoch; this costs O(#ratings · k), the same order
 * as BiasedMF. The deviation costs little accuracy: with Surprise's SVDpp settings (factors 20,
 * 20 epochs, lr 0.007, reg 0.02, init std 0.1) it scored RMSE 0.9321 on ml-100k u1 where Surprise
 * scored 0.9330, and 0.8564 on an ml-1m 90/10 split where Surprise scored 0.8539 on its own split.
 *
 * Users and items without training ratings have zero factors and biases (see `biased-mf.ts`); a
 * user's N(u) is kept in the model (as CSR) so predictions use exactly the training items.
 */
import type { RatingSubset } from '../../data/dataset.js';
import { HeedError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { num } from '../config.js';
import type { FitOptions, FitReport, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { SVDPP_SETTINGS } from './svdpp-settings.js';
import {
  biasedFactorsState,
  fittedBiasedFactors,
  noBiasedFactors,
  predictBiasedFactors,
  restoreBiasedFactors,
  type BiasedFactors,
} from './biased-factors.js';
import { biasedSgdSettings, factorTrainingData, initFactors, stateArray, unpad } from './mf-common.js';
import { SvdppTrainer, paddedStride } from './mf-kernels.js';
import { fitThreads, SvdppWorkers } from './mf-parallel.js';
import { MfWorkerPool } from './mf-worker-pool.js';
import { runSgdEpochs } from './sgd-epochs.js';

/**
 * Shipped defaults, one set for ml-100k and ml-1m, chosen on validation splits carved from the
 * training data (as for `biasedmf`, whose tuned settings they share), never on the test ratings.
 * Surprise's SVDpp uses factors 20, epochs 20, lr 0.007, reg 0.02, init std 0.1 for everything.
 * The implicit factors y_j want a small regularisation: their decay is applied once for every
 * rating of every user who rated item j, so popular items' y_j shrink hard otherwise.
 */
export const SVDPP_DEFAULTS: ModelConfig = defaultsOf(SVDPP_SETTINGS);

export class SVDpp implements RatingModel {
  readonly id = 'svdpp';
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  private readonly factors: number;
  /** μ, b_u, b_i, p_u and q_i. */
  private fitted: BiasedFactors;
  /** y_j, [items × factors] row-major. */
  private implicitFactors: Float32Array = new Float32Array(0);
  /**
   * Per user, p_u + |N(u)|^-1/2 Σ_{j∈N(u)} y_j: the whole user side of Eq. 15, computed once after
   * fitting (and on restore) from the saved N(u), so `predict` is a plain dot product.
   */
  private userVectors: Float32Array = new Float32Array(0);
  /** N(u) in CSR form: the items of user u are `implicitItems[implicitOffsets[u] .. [u+1])`. */
  private implicitOffsets: Int32Array = new Int32Array(1);
  private implicitItems: Int32Array = new Int32Array(0);

  constructor(config: ModelConfig) {
    this.config = config;
    checkConfig(this.id, SVDPP_SETTINGS, config);
    this.factors = num(config, 'factors');
    this.fitted = noBiasedFactors(this.factors);
  }

  async fit(train: RatingSubset, options: FitOptions = {}): Promise<FitReport> {
    const s = biasedSgdSettings(this.config);
    const firstLrImplicit = num(this.config, 'implicitLearningRate');
    const regImplicit = num(this.config, 'implicitL2');
    const rng = new Rng(s.seed);
    const { user, item, rating, users: nUsers, items: nItems, counts, mean } = factorTrainingData(train);
    const n = rating.length;
    const k = this.factors;
    const stride = paddedStride(k);

    // On more than one thread, workers run the passes while this thread shuffles (mf-parallel.ts).
    const threads = fitThreads(s.threads, n);
    const pool = threads > 1 ? new MfWorkerPool(threads) : undefined;
    try {
      const trainer = new SvdppTrainer(nUsers, nItems, stride, user, item, rating, threads);
      const workers = pool && new SvdppWorkers(pool, trainer);
      initFactors(rng, trainer.userFactors, nUsers, k, stride, s.initStd, counts.users);
      initFactors(rng, trainer.itemFactors, nItems, k, stride, s.initStd, counts.items);
      initFactors(rng, trainer.implicitFactors, nItems, k, stride, s.initStd, counts.items);
      // N(u), in item order, before any shuffling: what predictions will use.
      const visit = trainer.visitOrder();
      this.implicitOffsets = visit.offsets;
      this.implicitItems = visit.items;
      for (let u = 0; u < nUsers; u++) visit.items.subarray(visit.offsets[u], visit.offsets[u + 1]).sort();

      const score = (): ((u: number, i: number) => number) => {
        const vectors = this.userSide(trainer.userFactors, trainer.implicitFactors, stride, nUsers);
        return (u, i) => {
          let dot = 0;
          for (let f = 0; f < k; f++) dot += vectors[u * k + f] * trainer.itemFactors[i * stride + f];
          return mean + trainer.userBias[u] + trainer.itemBias[i] + dot;
        };
      };

      const done = await runSgdEpochs(
        {
          model: this.id,
          epochs: s.epochs,
          lrDecay: s.lrDecay,
          ratings: n,
          epoch: ({ lr, lrBias, lrImplicit }) => {
            trainer.shuffle(rng);
            const rates = { lr, reg: s.reg, lrBias, regBias: s.regBias };
            return workers
              ? workers.epoch(mean, rates, lrImplicit, regImplicit)
              : trainer.epoch(mean, rates, lrImplicit, regImplicit);
          },
          validationScore: score,
        },
        { lr: s.lr, lrBias: s.lrBias, lrImplicit: firstLrImplicit },
        options,
      );

      this.fitted = fittedBiasedFactors(trainer, { mean, users: nUsers, items: nItems, factors: k }, stride);
      this.implicitFactors = unpad(trainer.implicitFactors, nItems, k, stride);
      this.userVectors = this.userSide(this.fitted.userFactors, this.implicitFactors, k, nUsers);
      return { epochs: done, samplesProcessed: done * n };
    } finally {
      await pool?.close();
    }
  }

  /** p_u + |N(u)|^-1/2 Σ_{j∈N(u)} y_j for each of `users` users, as [users × factors] (rows of P, Y at `stride`). */
  private userSide(P: Float32Array, Y: Float32Array, stride: number, users: number): Float32Array {
    const k = this.factors;
    const out = new Float32Array(users * k);
    const sum = new Float64Array(k);
    const { implicitOffsets: offsets, implicitItems: items } = this;
    for (let u = 0; u < users; u++) {
      const first = offsets[u];
      const last = offsets[u + 1];
      sum.fill(0);
      for (let t = first; t < last; t++) {
        const at = items[t] * stride;
        for (let f = 0; f < k; f++) sum[f] += Y[at + f];
      }
      const norm = last > first ? 1 / Math.sqrt(last - first) : 0;
      for (let f = 0; f < k; f++) out[u * k + f] = P[u * stride + f] + norm * sum[f];
    }
    return out;
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    return predictBiasedFactors(this.fitted, this.userVectors, users, items);
  }

  state(): ModelState {
    const { meta, arrays } = biasedFactorsState(this.fitted);
    return {
      id: this.id,
      config: this.config,
      meta,
      arrays: {
        ...arrays,
        implicitFactors: this.implicitFactors,
        implicitOffsets: this.implicitOffsets,
        implicitItems: this.implicitItems,
      },
    };
  }

  static restore(state: ModelState): SVDpp {
    const model = new SVDpp(state.config);
    const meta = restoreBiasedFactors(state, model.factors);
    model.fitted = meta;
    const k = model.factors;
    model.implicitFactors = stateArray(state, 'implicitFactors', meta.items * k);
    const offsets = state.arrays.implicitOffsets;
    const items = state.arrays.implicitItems;
    if (
      !(offsets instanceof Int32Array) ||
      offsets.length !== meta.users + 1 ||
      !(items instanceof Int32Array)
    ) {
      throw new HeedError(
        'saved model "svdpp": arrays "implicitOffsets" and "implicitItems" must be int32, offsets users + 1 long',
      );
    }
    for (let u = 0; u < meta.users; u++) {
      if (offsets[u] > offsets[u + 1] || offsets[u] < 0 || offsets[u + 1] > items.length) {
        throw new HeedError(`saved model "svdpp": array "implicitOffsets" is not increasing at user ${u}`);
      }
    }
    for (let t = 0; t < items.length; t++) {
      if (items[t] < 0 || items[t] >= meta.items) {
        throw new HeedError(
          `saved model "svdpp": array "implicitItems" has item ${items[t]} outside 0..${meta.items - 1}`,
        );
      }
    }
    model.implicitOffsets = offsets;
    model.implicitItems = items;
    model.userVectors = model.userSide(meta.userFactors, model.implicitFactors, k, meta.users);
    return model;
  }
}

export const svdppSpec: ModelSpec = {
  id: 'svdpp',
  summary: 'SVD++: biased MF plus implicit feedback from the items each user rated, SGD in WebAssembly SIMD',
  reference:
    'Koren. Factorization meets the neighborhood: a multifaceted collaborative filtering model. KDD 2008',
  settings: SVDPP_SETTINGS,
  defaults: SVDPP_DEFAULTS,
  create: (config) => new SVDpp(config),
  restore: (state) => SVDpp.restore(state),
  testSettings: { factors: 4, epochs: 5 },
};

/**
 * BiasedMF: matrix factorisation with user and item biases, trained by plain SGD.
 *
 * Koren, Bell & Volinsky, "Matrix factorization techniques for recommender systems", IEEE
 * Computer 42(8), 2009: the prediction is Eq. 4,
 *     r̂_ui = μ + b_u + b_i + q_iᵀ p_u,
 * fitted by minimising Eq. 5 (squared error plus λ(‖p_u‖² + ‖q_i‖² + b_u² + b_i²)) with the
 * stochastic-gradient steps of the paper's "Learning algorithms" section, over the training
 * ratings in a fresh seeded random order each epoch:
 *     e = r_ui - r̂_ui,  b_u += γ_b(e - λ_b b_u),  b_i += γ_b(e - λ_b b_i),
 *     p_u += γ(e q_i - λ p_u),  q_i += γ(e p_u - λ q_i)   (both from the old values).
 * Surprise's `SVD` is the same model. The epochs run in the WebAssembly SIMD kernel of
 * `mf-kernels.wat` (float32), at several million ratings per second.
 *
 * Users and items without training ratings keep zero factors and biases, so they are predicted
 * as μ (plus the other side's bias); the predictor outside the model answers them with its
 * cold-start fallback instead (`handlesColdStart` is false).
 */
import type { RatingSubset } from '../../data/dataset.js';
import { Rng } from '../../util/rng.js';
import { num } from '../config.js';
import type { FitOptions, FitReport, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { BIASED_MF_SETTINGS } from './biased-mf-settings.js';
import {
  biasedFactorsState,
  fittedBiasedFactors,
  noBiasedFactors,
  predictBiasedFactors,
  restoreBiasedFactors,
  type BiasedFactors,
  type TrainedTables,
} from './biased-factors.js';
import { biasedSgdSettings, factorTrainingData, initFactors } from './mf-common.js';
import { BiasedTrainer, paddedStride } from './mf-kernels.js';
import { fitThreads, ParallelBiasedTrainer } from './mf-parallel.js';
import { MfWorkerPool } from './mf-worker-pool.js';
import { runSgdEpochs } from './sgd-epochs.js';

/**
 * Shipped defaults, one set for ml-100k and ml-1m, chosen on validation splits carved from the
 * training data (10% of u1.base; 10% of the ml-1m 90% training part), never on the test ratings.
 * Compared with Surprise's SVD defaults (factors 100, epochs 20, lr 0.005, reg 0.02, init std
 * 0.1), they regularise twice as hard, start from much smaller factors (std 0.01: the factors
 * grow out of a bias-only solution instead of fitting noise first) and run 60 epochs with the
 * learning rates decaying by 3% per epoch, so that training converges rather than overfits.
 */
export const BIASED_MF_DEFAULTS: ModelConfig = defaultsOf(BIASED_MF_SETTINGS);

export class BiasedMF implements RatingModel {
  readonly id = 'biasedmf';
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  private readonly factors: number;
  private fitted: BiasedFactors;

  constructor(config: ModelConfig) {
    this.config = config;
    checkConfig(this.id, BIASED_MF_SETTINGS, config);
    this.factors = num(config, 'factors');
    this.fitted = noBiasedFactors(this.factors);
  }

  async fit(train: RatingSubset, options: FitOptions = {}): Promise<FitReport> {
    const s = biasedSgdSettings(this.config);
    const threads = fitThreads(s.threads, train.indices.length);
    if (threads > 1) return this.fitOnThreads(threads, train, options);
    const rng = new Rng(s.seed);
    const { user, item, rating, users: nUsers, items: nItems, counts, mean } = factorTrainingData(train);
    const n = rating.length;
    const k = this.factors;
    const stride = paddedStride(k);

    const trainer = new BiasedTrainer(nUsers, nItems, stride, user, item, rating);
    initFactors(rng, trainer.userFactors, nUsers, k, stride, s.initStd, counts.users);
    initFactors(rng, trainer.itemFactors, nItems, k, stride, s.initStd, counts.items);

    const score = trainedScore(trainer, mean, k);
    const done = await runSgdEpochs(
      {
        model: this.id,
        epochs: s.epochs,
        lrDecay: s.lrDecay,
        ratings: n,
        epoch: ({ lr, lrBias }) => {
          trainer.shuffle(rng);
          return trainer.epoch(mean, { lr, reg: s.reg, lrBias, regBias: s.regBias });
        },
        validationScore: () => score,
      },
      { lr: s.lr, lrBias: s.lrBias },
      options,
    );

    this.fitted = fittedBiasedFactors(trainer, { mean, users: nUsers, items: nItems, factors: k }, stride);
    return { epochs: done, samplesProcessed: done * n };
  }

  /**
   * The same model fitted on `threads` worker threads (`mf-parallel.ts`), with LIBMF's block
   * schedule. Not reproducible bit for bit.
   */
  private async fitOnThreads(threads: number, train: RatingSubset, options: FitOptions): Promise<FitReport> {
    const s = biasedSgdSettings(this.config);
    // Started first: the other threads boot while this one prepares the data; this thread is the
    // last of the `threads`.
    const pool = new MfWorkerPool(threads - 1);
    try {
      const k = this.factors;
      const init = { factors: k, std: s.initStd, seed: s.seed };
      const trainer = new ParallelBiasedTrainer(pool, train, init, new Rng(s.seed));
      const { mean, count, stride } = trainer;
      const done = await runSgdEpochs(
        {
          model: this.id,
          epochs: s.epochs,
          lrDecay: s.lrDecay,
          ratings: count,
          epoch: ({ lr, lrBias }) => trainer.epoch({ lr, reg: s.reg, lrBias, regBias: s.regBias }),
          validationScore: () => trainedScore(trainer.tables(), mean, k),
        },
        { lr: s.lr, lrBias: s.lrBias },
        options,
      );
      const sizes = {
        mean,
        users: train.dataset.users.ids.length,
        items: train.dataset.items.ids.length,
        factors: k,
      };
      this.fitted = fittedBiasedFactors(trainer.tables(), sizes, stride);
      return { epochs: done, samplesProcessed: done * count };
    } finally {
      await pool.close();
    }
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    return predictBiasedFactors(this.fitted, this.fitted.userFactors, users, items);
  }

  state(): ModelState {
    return { id: this.id, config: this.config, ...biasedFactorsState(this.fitted) };
  }

  static restore(state: ModelState): BiasedMF {
    const model = new BiasedMF(state.config);
    model.fitted = restoreBiasedFactors(state, model.factors);
    return model;
  }
}

/** μ + b_u + b_i + q_i·p_u read from a trainer's tables (for validation scores between epochs). */
function trainedScore(trainer: TrainedTables & { stride: number }, mean: number, k: number) {
  const { userFactors: P, itemFactors: Q, userBias, itemBias, stride } = trainer;
  return (u: number, i: number): number => {
    let dot = 0;
    const pu = u * stride;
    const qi = i * stride;
    for (let f = 0; f < k; f++) dot += P[pu + f] * Q[qi + f];
    return mean + userBias[u] + itemBias[i] + dot;
  };
}

export const biasedMfSpec: ModelSpec = {
  id: 'biasedmf',
  summary: 'Biased matrix factorisation (μ + b_u + b_i + q_iᵀp_u), SGD in WebAssembly SIMD',
  reference:
    'Koren, Bell & Volinsky. Matrix factorization techniques for recommender systems. IEEE Computer 42(8), 2009',
  settings: BIASED_MF_SETTINGS,
  defaults: BIASED_MF_DEFAULTS,
  create: (config) => new BiasedMF(config),
  restore: (state) => BiasedMF.restore(state),
  testSettings: { factors: 4, epochs: 5 },
};

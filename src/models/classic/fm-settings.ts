/**
 * Settings of `fm` (Rendle, "Factorization Machines with libFM", ACM TIST 2012). `l2` appears in
 * three parts because w0, w and V are regularised separately, as libFM's `-regular r0,r1,r2`
 * does; `alsL2` is a fourth: ALS solves against the summed squared error over all ratings, so its
 * λ is on another scale than SGD's per-rating one.
 */
import { MULTI_WEIGHTS } from './fm-design.js';
import { flag, integer, real, text, type SettingsSchema } from '../settings-schema.js';

export const FM_SOLVERS = ['mcmc', 'sgd', 'als'] as const;

/** `mcmcLayout`: rows, blocks, or auto (blocks only when rows would not fit; `fm-blocks.ts`). */
export const FM_MCMC_LAYOUTS = ['auto', 'rows', 'blocks'] as const;
export type FmMcmcLayout = (typeof FM_MCMC_LAYOUTS)[number];

export const FM_SETTINGS: SettingsSchema = {
  solver: text('mcmc', 'mcmc (Bayesian, libFM’s default and best), sgd or als', {
    choices: FM_SOLVERS,
    paper: 'Rendle TIST 2012 §4',
  }),
  features: text('all', 'all, ids (user and item id only), or a comma list of field names'),
  multiWeight: text('mean', 'Weight of each value of a multi-valued field: mean (1/n, libFM), sqrt, one', {
    choices: MULTI_WEIGHTS,
  }),
  factors: integer(8, 'k, the dimension of the factors v_j (0: no pairwise part)', { min: 0 }),
  iterations: integer(200, 'mcmc and als: sweeps over all parameters', { min: 1 }),
  burnIn: integer(20, 'mcmc: sweeps discarded before draws are kept (must be below iterations)', {
    min: 0,
  }),
  samples: integer(100, 'mcmc: most posterior draws kept for prediction (thinned evenly)', { min: 1 }),
  mcmcLayout: text(
    'auto',
    'mcmc: rows (per-rating design, WebAssembly kernels), blocks (per-user and per-item sums, for data too large for rows) or auto (blocks only then)',
    // The same posterior either way, but not the same draws: `auto` is the row sampler wherever
    // it fits (every fm run stored before this setting existed), so only a forced layout enters
    // run keys; models saved before it load with auto.
    { choices: FM_MCMC_LAYOUTS, paper: 'Rendle VLDB 2013 §4-5', keyUnlessDefault: true },
  ),
  clipSamples: flag(true, 'mcmc: clip each draw’s prediction to the rating scale, as libFM does'),
  initStd: real(0.1, 'Standard deviation of the initial factors (libFM’s init_stdev)', { min: 0 }),
  epochs: integer(60, 'sgd: passes over the training ratings', { min: 1 }),
  learningRate: real(0.005, 'sgd: the step size', { min: 0, minExclusive: true }),
  biasL2: real(0, 'sgd: L2 on the global bias w0, per rating', { min: 0 }),
  linearL2: real(0.02, 'sgd: L2 on the linear weights w, per rating', { min: 0 }),
  pairL2: real(0.08, 'sgd: L2 on the pairwise factors V, per rating', { min: 0 }),
  alsL2: real(20, 'als: L2 on w and V against the summed squared error over all ratings', { min: 0 }),
  patience: integer(0, 'sgd and als: epochs without a better validation RMSE before stopping (0: off)', {
    min: 0,
  }),
  seed: integer(1, 'Seed of the initial factors, the sgd order and the mcmc draws', { min: 0 }),
  threads: integer(1, 'mcmc, als: threads sweeping one-hot runs (0: all cores); same bits on any', {
    min: 0,
    max: 256,
    execution: true,
  }),
};

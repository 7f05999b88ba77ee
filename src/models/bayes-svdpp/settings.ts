/**
 * Settings of `bayes-svdpp` (Rendle, Zhang & Koren 2019, Sec. 3). Defaults were chosen on
 * validation data only (docs/BAYES-SVDPP.md lists the runs); the hyperpriors are libFM's fixed ones.
 */
import { MULTI_WEIGHTS } from '../classic/fm-design.js';
import { flag, integer, real, text, type SettingsSchema } from '../settings-schema.js';
import { IMPLICIT_BLOCKS, IMPLICIT_WEIGHTS } from './layout.js';

export const BAYES_SVDPP_SETTINGS: SettingsSchema = {
  implicit: text('both', 'Implicit blocks: both (SVD++ flipped), items (SVD++), users (flipped only), none', {
    choices: IMPLICIT_BLOCKS,
  }),
  implicitWeight: text(
    'sqrt',
    'Value of each implicit column: sqrt (1/√|N|, unit length) or mean (1/|N|, sums to 1)',
    {
      choices: IMPLICIT_WEIGHTS,
    },
  ),
  features: text(
    'ids',
    'Side features as extra one-hot groups: ids (none), all, or a comma list of field names',
  ),
  multiWeight: text('mean', 'Weight of each value of a multi-valued side field: mean (1/n), sqrt, one', {
    choices: MULTI_WEIGHTS,
  }),
  factors: integer(32, 'k, the dimension of the factors v_j', { min: 0 }),
  iterations: integer(200, 'Gibbs sweeps over all parameters', { min: 1 }),
  burnIn: integer(20, 'Sweeps discarded before draws are kept (must be below iterations)', { min: 0 }),
  samples: integer(
    90,
    'Most posterior draws kept for prediction per chain (thinned evenly over the sweeps after burn-in)',
    {
      min: 1,
    },
  ),
  clipSamples: flag(true, 'Clip each draw’s prediction to the rating scale before averaging, as libFM does'),
  initStd: real(0.1, 'Standard deviation of the initial factors (libFM’s init_stdev)', { min: 0 }),
  // A fixed count, not "one per core": the number of chains changes the draws, so a core-dependent
  // default would give different numbers for the same seed on different machines.
  chains: integer(
    2,
    'Independent Gibbs chains, each on its own worker thread, their kept draws pooled (they run at once on as many cores as there are); 0 = one per core (at most 4)',
    { min: 0 },
  ),
  seed: integer(1, 'Seed of the initial factors and the draws', { min: 0 }),
};

/**
 * Settings of `cdl` (Wang, Wang & Yeung, "Collaborative Deep Learning for Recommender Systems",
 * KDD 2015). λ_n, λ_w, the masking noise and the one hidden layer of 200 units on each side come
 * from the paper's CiteULike set-up (Sec. 5, the 8000-200-50-200-8000 SDAE); λ_u, λ_v, the
 * iterations and no pre-training were chosen on validation (see README.md).
 */
import { integer, real, text, type SettingsSchema } from '../settings-schema.js';

const PAPER = 'CDL §5';

export const CDL_SETTINGS: SettingsSchema = {
  factors: integer(64, 'K, the size of u_i, v_j and of the SDAE’s middle layer (AFM-GAU §4.1.3 uses 64)', {
    min: 1,
    paper: 'AFM-GAU §4.1.3',
  }),
  itemFeatures: text('all', 'Item fields that make the item’s content vector X_c: all or a comma list'),
  hidden: integer(200, 'Units of the SDAE’s hidden layer on each side of the middle layer', {
    min: 1,
    paper: PAPER,
  }),
  lambdaU: real(25, 'λ_u, the precision of the user vectors’ prior', { min: 0, minExclusive: true }),
  lambdaV: real(25, 'λ_v, the precision of v_j around the item’s content code θ_j', {
    min: 0,
    minExclusive: true,
  }),
  lambdaN: real(1000, 'λ_n, the precision of the reconstruction of the clean content', {
    min: 0,
    paper: PAPER,
  }),
  lambdaW: real(0.0001, 'λ_w, L2 on the SDAE’s weights and biases', { min: 0, paper: PAPER }),
  noise: real(0.3, 'Fraction of the content inputs masked to 0 (the denoising corruption)', {
    min: 0,
    max: 1,
    maxExclusive: true,
    paper: PAPER,
  }),
  epochs: integer(10, 'Outer iterations: SDAE passes, then one update of every u_i and v_j', { min: 0 }),
  pretrainEpochs: integer(
    0,
    'Passes of the SDAE over the items (reconstruction only) before the first iteration',
    {
      min: 0,
    },
  ),
  sdaeEpochs: integer(2, 'Passes of the SDAE over the items in every outer iteration', { min: 0 }),
  learningRate: real(0.001, 'Adam step size of the SDAE', { min: 0, minExclusive: true }),
  batchSize: integer(64, 'Items per SDAE step', { min: 1 }),
  initStd: real(0.1, 'Standard deviation of the normal initial offsets ε_j = v_j − θ_j', { min: 0 }),
  patience: integer(
    2,
    'Iterations without a better validation RMSE before stopping, keeping the best (0: off)',
    {
      min: 0,
    },
  ),
  seed: integer(1, 'Seed of the initial weights, the corruption and the item order'),
};

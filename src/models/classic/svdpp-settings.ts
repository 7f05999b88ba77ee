/** Settings of `svdpp` (Koren KDD 2008, Eq. 15), tuned on validation splits like `biasedmf`'s. */
import { integer, real, type SettingsSchema } from '../settings-schema.js';
import { BIASED_SGD_SETTINGS } from './biased-mf-settings.js';

export const SVDPP_SETTINGS: SettingsSchema = {
  factors: integer(100, 'Latent factors k of p_u, q_i and y_j', { min: 1 }),
  epochs: integer(50, 'Passes over the training ratings', { min: 0 }),
  ...BIASED_SGD_SETTINGS,
  implicitLearningRate: real(0.005, 'SGD step size of the implicit factors y_j', { min: 0 }),
  implicitL2: real(0.005, 'λ_y, L2 on the implicit factors y_j (a separate λ from l2: see svdpp.ts)', {
    min: 0,
  }),
};

/**
 * Settings of `acmf` (Yu, Wang, Wang & Gao, Applied Intelligence 46, 2017). The paper gives the
 * model and its objective but no values Heed could take for MovieLens' 8:1:1 split; the defaults
 * were chosen on the validation part of ml-100k's ratio:0.8,0.1,0.1 split, seed 1 (README.md in
 * this folder has the measurements), never on its test part.
 */
import { integer, real, text, type SettingsSchema } from '../settings-schema.js';

export const ACMF_SETTINGS: SettingsSchema = {
  factors: integer(10, 'Latent factors of U_u and V_i', { min: 1 }),
  neighbours: integer(10, 'K, the most coupled-similar items each item is pulled towards (N⁺(i))', {
    min: 0,
  }),
  coupling: real(0.5, 'α, weight of the item coupling regulariser ½ Σ_i Σ_{f∈N⁺(i)} S_if ‖V_i − V_f‖²', {
    min: 0,
  }),
  itemFeatures: text('all', 'Item fields whose values are the coupled attributes: all, or a comma list'),
  epochs: integer(60, 'Passes over the training ratings', { min: 0 }),
  learningRate: real(0.01, 'γ, the SGD step size', { min: 0 }),
  l2: real(0.05, 'λ, L2 on U_u and V_i per rating', { min: 0 }),
  lrDecay: real(0.97, 'The learning rate is multiplied by this after every epoch', {
    min: 0,
    minExclusive: true,
  }),
  initStd: real(0.1, 'Standard deviation of the normal initial factors', { min: 0 }),
  seed: integer(1, 'Seed of the initial factors and of the rating order'),
};

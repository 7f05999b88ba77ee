/**
 * Settings of `biasedmf` and the SGD settings SVD++ shares with it (Koren, Bell & Volinsky 2009,
 * Eq. 4-5). The defaults were tuned on validation splits (see `BIASED_MF_DEFAULTS`), not taken from
 * the paper, which gives none.
 */
import { integer, real, type SettingsSchema } from '../settings-schema.js';

export const BIASED_SGD_SETTINGS: SettingsSchema = {
  learningRate: real(0.01, 'γ, the SGD step size of the factors p_u and q_i', { min: 0 }),
  l2: real(0.04, 'λ, L2 on the factors per rating', { min: 0 }),
  biasLearningRate: real(0.005, 'γ_b, the SGD step size of the biases b_u and b_i', { min: 0 }),
  biasL2: real(0.02, 'λ_b, L2 on the biases per rating', { min: 0 }),
  initStd: real(0.01, 'Standard deviation of the normal initial factors', { min: 0 }),
  lrDecay: real(0.97, 'Every learning rate is multiplied by this after every epoch', {
    min: 0,
    minExclusive: true,
  }),
  seed: integer(1, 'Seed of the initial factors and of the rating order'),
  threads: integer(
    0,
    'Threads the SGD epochs run on (0: every core); at most one per 20,000 training ratings; only a one-thread fit is reproducible bit for bit (docs/THREADS.md)',
    { min: 0, max: 256, execution: true },
  ),
};

export const BIASED_MF_SETTINGS: SettingsSchema = {
  factors: integer(100, 'Latent factors k of p_u and q_i', { min: 1 }),
  epochs: integer(60, 'Passes over the training ratings', { min: 0 }),
  ...BIASED_SGD_SETTINGS,
};

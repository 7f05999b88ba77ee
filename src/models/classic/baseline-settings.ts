/** Settings of `baseline` (BaselineOnly, Koren TKDD 2010 §2.1), with Surprise's defaults. */
import { integer, real, text, type SettingsSchema } from '../settings-schema.js';

export const BASELINE_SETTINGS: SettingsSchema = {
  solver: text('als', 'How the biases are fitted: als (alternating exact minimisation) or sgd', {
    choices: ['als', 'sgd'],
  }),
  epochs: integer(10, 'Passes over the training ratings (Surprise: 10)', { min: 0 }),
  userL2: real(15, 'als: λ_u, L2 on the user biases (Surprise reg_u: 15)', {
    min: 0,
    paper: 'Koren TKDD 2010 Eq. 2',
  }),
  itemL2: real(10, 'als: λ_i, L2 on the item biases (Surprise reg_i: 10)', {
    min: 0,
    paper: 'Koren TKDD 2010 Eq. 2',
  }),
  learningRate: real(0.005, 'sgd: γ, the step size (Surprise: 0.005)', { min: 0 }),
  l2: real(0.02, 'sgd: λ, L2 on both biases per rating (Surprise: 0.02)', { min: 0 }),
  seed: integer(1, 'Seed of the sgd rating order'),
};

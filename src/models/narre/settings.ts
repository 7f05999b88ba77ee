/** Settings of `narre` (Chen et al., WWW 2018), sizes from its official code. */
import { REVIEW_TEXT_SETTINGS, REVIEW_TRAINING } from '../review/review-settings.js';
import { integer, real, type SettingsSchema } from '../settings-schema.js';
import { trainingSettings } from '../train-settings.js';

export const NARRE_SETTINGS: SettingsSchema = {
  ...REVIEW_TEXT_SETTINGS,
  factors: integer(32, 'Latent factors of the id embeddings and text features (official code: 32)', {
    min: 1,
  }),
  attentionDim: integer(32, 'Hidden size of the review attention (official code: 32)', { min: 1 }),
  ...trainingSettings(REVIEW_TRAINING),
  /**
   * The official code adds 0.001·½‖W‖² to a loss that sums ½·error² over a batch of 100; on the
   * mean squared error this loop minimises, the same balance is 2·0.001/100 = 2e-5.
   */
  l2: real(2e-5, "L2 on the attention's W_O and W_u only (official 0.001 on a summed loss, batch 100)", {
    min: 0,
  }),
};

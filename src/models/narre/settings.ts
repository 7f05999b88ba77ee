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
  l2: real(0.001, 'L2 on the attention weights only (official code: 0.001)', { min: 0 }),
};

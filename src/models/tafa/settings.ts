/** Settings of `tafa` (Zhou et al., RecSys 2020), sizes from its code (models/TAFA.py). */
import { REVIEW_TEXT_SETTINGS, REVIEW_TRAINING } from '../review/review-settings.js';
import { integer, real, type SettingsSchema } from '../settings-schema.js';
import { trainingSettings } from '../train-settings.js';

export const TAFA_SETTINGS: SettingsSchema = {
  ...REVIEW_TEXT_SETTINGS,
  rank: integer(500, 'Width of the interaction encoder (TAFA’s rank: 500)', { min: 1 }),
  attentionDim: integer(256, 'Size of the fused representation (TAFA’s attention_size: 256)', { min: 1 }),
  inputDropout: real(0.5, 'Dropout of the observed entries of the input row (TAFA: 0.5)', {
    min: 0,
    max: 1,
    maxExclusive: true,
  }),
  ...trainingSettings({ ...REVIEW_TRAINING, learningRate: 0.001 }),
};

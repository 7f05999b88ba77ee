/** Settings of `safmr`: TransNet's, with SAFMR's learning rate (Table 3: 0.008). */
import { REVIEW_TRAINING } from '../review/review-settings.js';
import type { SettingsSchema } from '../settings-schema.js';
import { trainingSettings } from '../train-settings.js';
import { TRANSNET_SETTINGS } from '../transnet/settings.js';

export const SAFMR_SETTINGS: SettingsSchema = {
  ...TRANSNET_SETTINGS,
  ...trainingSettings({ ...REVIEW_TRAINING, learningRate: { value: 0.008, paper: 'SAFMR Table 3' } }),
};

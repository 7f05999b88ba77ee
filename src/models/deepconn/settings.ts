/** Settings of `deepconn` (Zheng et al., WSDM 2017) on the shared review-model settings. */
import { REVIEW_TEXT_SETTINGS, REVIEW_TRAINING, TEXT_VECTOR_SETTINGS } from '../review/review-settings.js';
import { integer, type SettingsSchema } from '../settings-schema.js';
import { trainingSettings } from '../train-settings.js';

export const DEEPCONN_SETTINGS: SettingsSchema = {
  ...REVIEW_TEXT_SETTINGS,
  ...TEXT_VECTOR_SETTINGS,
  factors: integer(8, 'Factor dimension of the FM over [x_u, y_i] (TransNets’ FM: 8)', { min: 1 }),
  ...trainingSettings(REVIEW_TRAINING),
};

/** Settings of `transnet` (Catherine & Cohen, RecSys 2017), shared by SAFMR. */
import { REVIEW_TEXT_SETTINGS, REVIEW_TRAINING, TEXT_VECTOR_SETTINGS } from '../review/review-settings.js';
import { integer, text, type SettingsSchema } from '../settings-schema.js';
import { trainingSettings } from '../train-settings.js';

export const TRANSNET_SETTINGS: SettingsSchema = {
  ...REVIEW_TEXT_SETTINGS,
  ...TEXT_VECTOR_SETTINGS,
  transformLayers: integer(2, 'Fully connected tanh layers of the transform', {
    min: 1,
    paper: 'SAFMR Table 3',
  }),
  factors: integer(8, 'Factor dimension of the FM rating heads (TransNets: 8)', { min: 1 }),
  ratingLoss: text('l1', 'Loss of the two rating predictions: l1 (TransNets, SAFMR Eq. 11-14) or l2', {
    choices: ['l1', 'l2'],
    paper: 'SAFMR Eq. 11-14',
  }),
  ...trainingSettings(REVIEW_TRAINING),
};

/**
 * Settings of `svdfeature` (Chen et al., "SVDFeature: a toolkit for feature-based collaborative
 * filtering", JMLR 13, 2012). The toolkit's own defaults (learning_rate 0.01, init sigma 0.01,
 * no weight decay) and its MovieLens demo (learning_rate 0.005, wd_user = wd_item = 0.004) are
 * the starting point; the defaults below were chosen on validation (see svdfeature.ts).
 */
import { integer, real, text, type SettingsSchema } from '../settings-schema.js';

const TOOLKIT = 'SVDFeature toolkit';

export const SVDFEATURE_SETTINGS: SettingsSchema = {
  factors: integer(64, 'k, the size of every feature factor (AFM-GAU §4.1.3 uses 64 for all models)', {
    min: 1,
    paper: 'AFM-GAU §4.1.3',
  }),
  userFeatures: text('none', 'User feature fields added to the user id: all, none or a comma list'),
  itemFeatures: text('all', 'Item feature fields added to the item id: all, none or a comma list'),
  epochs: integer(60, 'Passes over the training ratings (num_round)', { min: 0 }),
  learningRate: real(0.005, 'SGD step size of every parameter (learning_rate)', { min: 0, paper: TOOLKIT }),
  l2: real(0.01, 'Weight decay of the factors per touched feature and rating (wd_user = wd_item)', {
    min: 0,
  }),
  biasL2: real(0, 'Weight decay of the biases per touched feature and rating (wd_user_bias = wd_item_bias)', {
    min: 0,
    paper: TOOLKIT,
  }),
  lrDecay: real(1, 'The learning rate is multiplied by this after every epoch (decay_rate)', {
    min: 0,
    minExclusive: true,
    paper: TOOLKIT,
  }),
  initStd: real(0.01, 'Standard deviation of the normal initial factors (u_init_sigma, i_init_sigma)', {
    min: 0,
    paper: TOOLKIT,
  }),
  patience: integer(
    3,
    'Epochs without a better validation RMSE before stopping, keeping the best epoch (0: off)',
    {
      min: 0,
    },
  ),
  seed: integer(1, 'Seed of the initial factors and of the rating order'),
};

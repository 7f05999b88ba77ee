/**
 * Settings of the neural baselines NCF, NFM and xDeepFM, trained in SAIN's set-up (its code's
 * optimiser and batch size; sain/README.md).
 */
import { flag, integer, real, text, type SettingsSchema } from '../settings-schema.js';
import { trainingSettings } from '../train-settings.js';

/** Training settings every neural baseline accepts. */
export const TRAINING_SETTINGS: SettingsSchema = trainingSettings({
  epochs: 25,
  batchSize: 128,
  learningRate: 1e-3,
  l2: 1e-4,
  lrDecay: 1,
  plateauDecay: 1,
  weightAverage: 0,
  patience: 3,
  seed: 1,
});

const LAYERS_DOC = 'comma list of sizes, or none';

export const NCF_SETTINGS: SettingsSchema = {
  factors: integer(64, 'Dimension of the GMF user and item embeddings', { min: 1 }),
  mlpFactors: integer(64, 'Dimension of the MLP user and item embeddings (the tower’s input is twice this)', {
    min: 1,
  }),
  mlpLayers: text(
    '64,32,16',
    `Hidden sizes of the MLP tower after the concatenated embeddings (${LAYERS_DOC})`,
    {
      paper: 'He et al. WWW 2017 §4.1 (tower, halving per layer)',
    },
  ),
  initStd: real(0.01, 'Standard deviation of the embeddings’ Gaussian initialisation', {
    min: 0,
    paper: 'He et al. WWW 2017 §4.1',
  }),
  ...TRAINING_SETTINGS,
};

/** Settings every FM-family baseline has, besides its network's. */
export const FIELD_MODEL_SETTINGS: SettingsSchema = {
  userFeatures: text('all', 'User feature fields to use: all, none, or a comma list (e.g. "age,gender")'),
  itemFeatures: text('all', 'Item feature fields to use: all, none, or a comma list (e.g. "genre,director")'),
  ...TRAINING_SETTINGS,
};

export const NFM_SETTINGS: SettingsSchema = {
  factors: integer(16, 'Dimension k of every field’s embedding', { min: 1 }),
  mlpLayers: text(
    '128,128',
    `Hidden sizes of the MLP over the Bi-Interaction vector (${LAYERS_DOC}; none: NFM-0)`,
  ),
  biDropout: real(0, 'Dropout on the Bi-Interaction vector (DeepCTR’s bi_dropout)', {
    min: 0,
    max: 1,
    maxExclusive: true,
  }),
  dropout: real(0, 'Dropout after each hidden layer', { min: 0, max: 1, maxExclusive: true }),
  initStd: real(1e-4, 'Standard deviation of the embeddings’ Gaussian initialisation (DeepCTR’s init_std)', {
    min: 0,
  }),
  ...FIELD_MODEL_SETTINGS,
};

export const XDEEPFM_SETTINGS: SettingsSchema = {
  factors: integer(16, 'Dimension D of every field’s embedding', { min: 1 }),
  mlpLayers: text('256,256', `Hidden sizes of the DNN over the concatenated embeddings (${LAYERS_DOC})`),
  cinLayers: text('128,128', `Feature maps per CIN layer (${LAYERS_DOC})`),
  cinSplitHalf: flag(
    true,
    'Each CIN layer but the last feeds half its maps forward and pools the other half',
  ),
  cinActivation: text(
    'relu',
    'Activation of the CIN feature maps: linear (the paper’s Eq. 6) or relu (DeepCTR)',
    {
      choices: ['linear', 'relu', 'sigmoid', 'tanh'],
    },
  ),
  dropout: real(0, 'Dropout after each DNN layer', { min: 0, max: 1, maxExclusive: true }),
  initStd: real(1e-4, 'Standard deviation of the embeddings’ Gaussian initialisation (DeepCTR’s init_std)', {
    min: 0,
  }),
  ...FIELD_MODEL_SETTINGS,
};

/**
 * Settings of `rsattae` and `rsattae-vanilla`: the paper's architecture (d = 64; the authors'
 * hidden width 128, dropout 0.5, weight decay 1e-5) and its XGBoost setup 4 of Table II; README.md
 * in this folder says how the training schedule was chosen on the validation part of u1.base.
 */
import { RSATTAE_XGBOOST_DEFAULTS } from '../../xgboost/params.js';
import { flag, integer, real, text, type SettingsSchema } from '../settings-schema.js';

const TABLE_II = 'RSAttAE Table II (setup 4)';
const XGB = RSATTAE_XGBOOST_DEFAULTS.params;

export const RSATTAE_SETTINGS: SettingsSchema = {
  seed: integer(1, 'Seed of the held-out split, the autoencoders and XGBoost'),
  validationFraction: real(
    0.1,
    'Fraction of the training ratings held out for validation when the caller gives none',
    {
      min: 0,
      max: 1,
      maxExclusive: true,
      paper: 'RSAttAE §V (10% of u1.base)',
    },
  ),
  userFeatures: text('all', 'User fields the autoencoder reads: all, none or a comma list'),
  itemFeatures: text('all', 'Item fields the autoencoder reads: all, none or a comma list'),
  paperBins: flag(true, 'Re-bin the fields age and year with the paper’s edges', { paper: 'RSAttAE §IV.A' }),
  factors: integer(64, 'd, the embedding dimension of the autoencoders', { min: 1, paper: 'RSAttAE §V.A' }),
  hidden: integer(128, 'Hidden width of the autoencoders (a multiple of 4; authors’ code: 128)', { min: 4 }),
  attentionDim: integer(128, 'Hidden size of the attention', { min: 1 }),
  dropout: real(0.5, 'Dropout of the autoencoders (authors’ code: 0.5)', {
    min: 0,
    max: 1,
    maxExclusive: true,
  }),
  epochs: integer(250, 'Autoencoder training epochs', { min: 1 }),
  learningRate: real(0.003, 'Adam’s step size for the autoencoders', { min: 0, minExclusive: true }),
  l2: real(1e-5, 'Coupled L2 (PyTorch Adam’s weight_decay) of the autoencoders (authors’ code: 1e-5)', {
    min: 0,
  }),
  restoreBest: flag(false, 'Keep the autoencoder epoch with the lowest held-out reconstruction RMSE'),
  patience: integer(0, 'With restoreBest: epochs without improvement before stopping (0: never)', { min: 0 }),
  rounds: integer(RSATTAE_XGBOOST_DEFAULTS.rounds, 'XGBoost boosting rounds (n_estimators)', {
    min: 1,
    paper: TABLE_II,
  }),
  maxDepth: integer(XGB.max_depth, 'XGBoost max_depth', { min: 0, paper: TABLE_II }),
  xgbLearningRate: real(XGB.learning_rate, 'XGBoost learning_rate (eta)', {
    min: 0,
    minExclusive: true,
    paper: TABLE_II,
  }),
  subsample: real(XGB.subsample, 'XGBoost subsample', {
    min: 0,
    minExclusive: true,
    max: 1,
    paper: TABLE_II,
  }),
  colsampleBytree: real(XGB.colsample_bytree, 'XGBoost colsample_bytree', {
    min: 0,
    minExclusive: true,
    max: 1,
    paper: TABLE_II,
  }),
  regLambda: real(XGB.reg_lambda, 'XGBoost reg_lambda (L2 on leaf weights)', { min: 0, paper: TABLE_II }),
  regAlpha: real(XGB.reg_alpha, 'XGBoost reg_alpha (L1 on leaf weights)', { min: 0, paper: TABLE_II }),
  xgbPatience: integer(100, 'Rounds without a lower validation RMSE before XGBoost stops (0: all rounds)', {
    min: 0,
  }),
  /** `mean` is what XGBoost 2.x estimates by itself (README.md in this folder); 1.x's default is 0.5. */
  baseScore: text('mean', 'XGBoost’s starting prediction: mean (the mean training rating) or a number'),
  treeMethod: text(XGB.tree_method, 'XGBoost tree_method', { choices: ['auto', 'exact', 'approx', 'hist'] }),
  threads: integer(0, 'XGBoost threads (0: all available cores)', { min: 0 }),
  autoencoderThreads: integer(
    2,
    '2: the two autoencoders train at once, 1: in turn; same bits (docs/THREADS.md)',
    {
      min: 1,
      max: 2,
      execution: true,
    },
  ),
};

/**
 * Settings of `sain` (Yun et al., SAIN, SIGIR 2020). Paper values are cited where used; where
 * SAIN's code or a validation run chose differently, the doc says so (docs/SAIN.md).
 */
import { flag, integer, real, text, type SettingsSchema } from '../settings-schema.js';
import { threadsSetting, trainingSettings } from '../train-settings.js';

export const SAIN_ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'leakyRelu', 'elu'] as const;

const PAPER = 'SAIN §3.3';

export const SAIN_SETTINGS: SettingsSchema = {
  factors: integer(64, 'd of the feedback vectors and of the content vectors (Eq. 6)', {
    min: 1,
    paper: PAPER,
  }),
  featureDim: integer(16, 'd of the feature token embeddings, split over the heads (SAIN’s code: 16)', {
    min: 1,
  }),
  heads: integer(2, 'Attention heads H (featureDim must be a multiple)', { min: 1, paper: PAPER }),
  layers: integer(1, 'Self-attention layers', { min: 1, paper: PAPER }),
  topK: integer(8, 'Keep the K highest attention scores per token (0: all)', {
    min: 0,
    paper: 'SAIN §3.5.2',
  }),
  topKAtInference: flag(true, 'Apply the top-K selection when predicting too (SAIN’s code: training only)'),
  /**
   * §3.3 says 0.1; 0.2 was chosen on SAIN's validation split (best validation RMSE 0.8848 against
   * 0.8895 at 0.1 and 0.8853 at 0.3; docs/SAIN.md).
   */
  dropout: real(
    0.2,
    'Dropout of the attention weights, of the attention output and of the maps f (paper: 0.1)',
    {
      min: 0,
      max: 1,
      maxExclusive: true,
    },
  ),
  qkvActivation: text('relu', 'Activation of the Q/K/V projections: relu (SAIN’s code) or linear (Eq. 1)', {
    choices: SAIN_ACTIVATIONS,
  }),
  /**
   * How the L2 penalty λ·Σ‖e‖² of the feature, user and item tables is applied. SAIN's code adds
   * it over whole tables to every step's loss, and PyTorch's Adam updates every row every step.
   * `dense`: exactly that (the tables are dense weights; a step costs O(table)). `frequency`: an
   * unbiased per-batch estimate of it on row-sparse tables (frequency-l2.ts). `lazy`: Adam's
   * decay on the rows a batch touched only.
   */
  l2Estimator: text('dense', 'How the L2 penalty of the tables is applied: dense, frequency or lazy', {
    choices: ['dense', 'frequency', 'lazy'],
  }),
  /**
   * Off by default: batch norm makes the content path blind to the tokens' scale, so the penalty
   * only shrinks them until the attention scores vanish and every attention row is uniform
   * (measured).
   */
  featureL2: flag(false, 'Whether the L2 penalty covers the feature token table too (SAIN’s code: yes)'),
  /** `value`: one slot per value of a multi-valued field (SAIN's code has one per genre flag) in Eq. 6. */
  multiSlots: text('value', 'A multi-valued field’s tokens: one slot per value, or one slot of their mean', {
    choices: ['value', 'mean'],
  }),
  initStd: real(0.01, 'Std of the feedback and bias embeddings’ initialisation', {
    min: 0,
    minExclusive: true,
  }),
  featureInitStd: real(1, 'Std of the feature token embeddings’ initialisation (sain-network.ts)', {
    min: 0,
    minExclusive: true,
  }),
  /** `fm`: the factor vectors of an FM fitted on the same ratings, as SAIN's code does (fm-token-init.ts). */
  featureInit: text(
    'random',
    'Start of the feature tokens: random, or fm (an FM’s factors, as SAIN’s code)',
    {
      choices: ['random', 'fm'],
    },
  ),
  ...trainingSettings({
    epochs: 30,
    batchSize: 128,
    learningRate: { value: 0.001, paper: PAPER },
    l2: { value: 0.0001, paper: PAPER },
    lrDecay: 1,
    plateauDecay: 1,
    weightAverage: 0,
    patience: 5,
    seed: 1,
  }),
  ...threadsSetting(),
};

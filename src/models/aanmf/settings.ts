/**
 * Settings of `aanmf` and `aanmf-p` (AANMF, Information Technology and Control), with the reasons
 * for the L2 and attention-cell defaults, which the paper does not give.
 */
import { flag, integer, real, text, type SettingsSchema } from '../settings-schema.js';
import { trainingSettings } from '../train-settings.js';

export const AANMF_POOLINGS = ['sum', 'pairwise'] as const;
export const AANMF_FC_INPUTS = ['product', 'concat'] as const;

const DROPOUT = { min: 0, max: 1, maxExclusive: true } as const;

export const AANMF_SETTINGS: SettingsSchema = {
  factors: integer(64, 'K, the latent dimension of p_u, q_i, a_j and of the attention cell', { min: 1 }),
  userFeatures: text('all', 'User fields whose values are the attributes I_u: all, or a comma list'),
  pooling: text('sum', 'sum (Eq. 4, AANMF) or pairwise (Eq. 6, AANMF+P)', { choices: AANMF_POOLINGS }),
  attention: flag(true, 'Algorithm 1’s attention; false: every attribute weighs 1/|I_u|'),
  /**
   * ReLU layers are positively homogeneous: with the factors alone under L2, the layers can grow
   * while the factors shrink and so escape the penalty; a larger multiplier closes that door.
   */
  fcL2: real(1, 'Multiplier of l2 for the fully connected and output layers’ weights', { min: 0 }),
  /**
   * 0: the cell's data gradient is small (it reaches the rating only through λ), and coupled L2
   * under Adam, whose steps have the size of the learning rate whatever the gradient's scale,
   * drove W1 and W2 to zero within an epoch when the L2 term was the larger one: λ then came out
   * uniform (issue 3).
   */
  cellL2: real(0, 'Multiplier of l2 for the attention cell’s W1 and W2', { min: 0 }),
  /**
   * b2 sits inside Algorithm 1's ReLU. λ is a softmax, so while every score W2·v_j + b2 is
   * positive b2 changes nothing and gets no gradient (the softmax's gradients sum to zero);
   * started at 0, half the scores sat below the ReLU's kink, b2 drifted negative and the ReLU then
   * cut every score and every gradient of the cell: λ was uniform for good (issue 3). A positive
   * start keeps the scores in the ReLU's linear part.
   */
  cellBias: real(1, 'Starting value of b2, the bias of the cell’s score unit (keeps the ReLU alive)'),
  /** Sec. 5.3 uses two; 0 is the plain inner product p'_u · q_i, the official code's `num_fc_layer=None`. */
  fcLayers: integer(0, 'Fully connected ReLU layers of K units before the output (paper: 2; code: 0)', {
    min: 0,
  }),
  fcInput: text('product', 'Input of the FC layers: product (p’_u ⊙ q_i, Sec. 6) or concat', {
    choices: AANMF_FC_INPUTS,
  }),
  biases: flag(true, 'Add μ + b_u + b_i to the output (not in the paper)'),
  /**
   * Unlike L2 on the parameters it cannot be escaped by rescaling between p_u and the attribute
   * vectors, which pair-wise pooling (a product of them) invites. Layers above the product could
   * undo it (hence no output weight without FC layers; with them, fcL2 · l2).
   */
  productL2: real(0.1, 'L2 on p’_u and q_i per training rating (added to the loss)', { min: 0 }),
  /** As SGD biased MF regularises its biases; 0: free (they start at the damped-mean baseline). */
  biasL2: real(0, 'L2 on b_u and b_i per training rating (0: free biases)', { min: 0 }),
  inputDropout: real(0, 'Dropout on the input of the fully connected layers', DROPOUT),
  dropout: real(0, 'Dropout after each fully connected layer (training only)', DROPOUT),
  initStd: real(0.05, 'Standard deviation of the normal initialisation of the embeddings', {
    min: 0,
    minExclusive: true,
  }),
  attributeInitStd: real(1, 'The same for the attribute vectors a_j (few rows, shared by many users)', {
    min: 0,
    minExclusive: true,
  }),
  ...trainingSettings({
    epochs: 40,
    batchSize: 1024,
    learningRate: 0.003,
    l2: 0,
    lrDecay: 1,
    plateauDecay: 1,
    weightAverage: 0,
    patience: 3,
    seed: 1,
  }),
};

/** AANMF+P: the same settings, pair-wise pooling by default. */
export const AANMF_P_SETTINGS: SettingsSchema = {
  ...AANMF_SETTINGS,
  pooling: { ...AANMF_SETTINGS.pooling, default: 'pairwise' } as SettingsSchema[string],
};

/**
 * Settings of `aesr` (Nisha & Mohan, Applied Intelligence 49, 2019). DeepWalk's defaults are the
 * DeepWalk paper's walk count (γ = 10) with shorter walks, a smaller window and fewer dimensions,
 * so that the user graph of ml-1m embeds in seconds; the others were chosen on the validation
 * part of ml-100k's ratio:0.8,0.1,0.1 split, seed 1 (README.md in this folder), never its test part.
 */
import { integer, real, text, type SettingsSchema } from '../settings-schema.js';

export const AESR_SETTINGS: SettingsSchema = {
  input: text(
    'item',
    "What the autoencoder reads: each item's ratings (item, as I-AutoRec) or each user's (user)",
    {
      choices: ['item', 'user'],
    },
  ),
  hidden: integer(200, 'Units of the code h = ReLU(W r + b) of a row r', { min: 1 }),
  friends: integer(10, 'k, the top-k semantic friends T(u) of each user', { min: 0 }),
  social: real(
    3,
    'β, weight of the friends term β/2 Σ_u Σ_{v∈T(u)} s_uv ‖x_u − x_v‖², x_u the user’s code h_u (input=user) or decoder row V_u (input=item)',
    { min: 0 },
  ),
  userFeatures: text(
    'all',
    'User fields whose shared values link users in the social graph: all, or a comma list',
  ),
  minShared: integer(2, 'Two users are linked when they share at least this many attribute values', {
    min: 1,
  }),
  embeddingDim: integer(32, 'DeepWalk: dimensions of the user embeddings', { min: 1 }),
  walksPerUser: integer(10, 'DeepWalk: random walks started at every user (γ)', { min: 1 }),
  walkLength: integer(20, 'DeepWalk: nodes per walk (t)', { min: 1 }),
  window: integer(3, 'DeepWalk: skip-gram window on each side (w)', { min: 1 }),
  negatives: integer(5, 'DeepWalk: negative samples per context pair', { min: 1 }),
  walkLearningRate: real(0.025, 'DeepWalk: initial skip-gram learning rate, decaying linearly', { min: 0 }),
  inputDropout: real(
    0.5,
    "Share of a row's input ratings dropped each epoch (denoising; every rating stays a target)",
    {
      min: 0,
      max: 1,
      maxExclusive: true,
    },
  ),
  epochs: integer(100, 'Passes over the rows (items or users, see input)', { min: 0 }),
  patience: integer(
    5,
    'Stop after this many epochs without a better validation RMSE and keep the best (0: never)',
    {
      min: 0,
    },
  ),
  batchSize: integer(32, 'Rows per Adam step', { min: 1 }),
  learningRate: real(0.001, 'Adam learning rate', { min: 0, minExclusive: true }),
  l2: real(0.001, 'λ, L2 on W and V (Adam weight decay on the rows a step touches)', { min: 0 }),
  initStd: real(0.01, 'Standard deviation of the normal initial W and V', { min: 0 }),
  seed: integer(1, 'Seed of the walks, the embeddings, the initial weights and the row order'),
};

/**
 * Settings every review-text model accepts (`--set key=value`), with SAFMR's Table 3 defaults
 * where the paper gives one (review count 10, review length 80, lowest review count 2, 100 kernels
 * of size 3, CNN output 50, dropout 0.5) and the vocabulary size of its §6.1 (50,000 words), and
 * the training-loop defaults the review models share.
 *
 * Word vectors are trained with the model by default (their dimension `wordDim` was chosen on
 * validation, docs/REVIEW-MODELS.md); `wordVectors=FILE` starts them from a word2vec or GloVe text
 * file instead.
 */
import { num, str } from '../config.js';
import type { ModelConfig } from '../model.js';
import { integer, real, text, type SettingsSchema } from '../settings-schema.js';
import type { TrainingDefaults } from '../train-settings.js';

const TABLE_3 = 'SAFMR Table 3';

export const REVIEW_TEXT_SETTINGS: SettingsSchema = {
  reviewCount: integer(10, 'Reviews per user document and per item document', { min: 1, paper: TABLE_3 }),
  reviewLength: integer(80, 'Tokens kept of each review', { min: 1, paper: TABLE_3 }),
  /**
   * Training pairs whose user or item has fewer than this many *other* training reviews are not
   * trained on; the count is reported. Predictions are made for every pair.
   */
  lowestReviewCount: integer(
    2,
    'Pairs whose user or item has fewer other training reviews are not trained on',
    {
      min: 0,
      paper: TABLE_3,
    },
  ),
  vocabularySize: integer(50000, 'Most frequent training words kept; the rest read as <unk>', {
    min: 1,
    paper: 'SAFMR §6.1',
  }),
  wordDim: integer(100, 'Dimension of the word vectors (chosen on validation, docs/REVIEW-MODELS.md)', {
    min: 1,
  }),
  wordVectors: text('', 'A word2vec / GloVe text file to start the word vectors from (empty: random start)'),
  filters: integer(100, 'Convolution kernels', { min: 1, paper: TABLE_3 }),
  kernelSize: integer(3, 'Kernel height in words', { min: 1, paper: TABLE_3 }),
  dropout: real(0.5, 'Dropout rate', { min: 0, max: 1, maxExclusive: true, paper: TABLE_3 }),
};

/**
 * The size of the text vector after the CNN's fully connected layer, for the models that have
 * that layer (DeepCoNN, TransNet, SAFMR; NARRE projects to its `factors` instead).
 */
export const TEXT_VECTOR_SETTINGS: SettingsSchema = {
  cnnOutDim: integer(50, 'Size of the text vector after the CNN’s fully connected layer', {
    min: 1,
    paper: TABLE_3,
  }),
};

/** Training defaults of the review models: SAFMR Table 3 and TransNets' code (l2 1e-6). */
export const REVIEW_TRAINING: TrainingDefaults = {
  epochs: { value: 15, paper: TABLE_3 },
  batchSize: { value: 128, paper: TABLE_3 },
  learningRate: 0.002,
  l2: 1e-6,
  lrDecay: { value: 0.99, paper: TABLE_3 },
  plateauDecay: 1,
  weightAverage: 0,
  patience: 3,
  seed: 1,
};

export interface ReviewTextSettings {
  readonly reviewCount: number;
  readonly reviewLength: number;
  readonly lowestReviewCount: number;
  readonly vocabularySize: number;
  readonly wordDim: number;
  readonly wordVectors: string;
  readonly filters: number;
  readonly kernelSize: number;
  readonly dropout: number;
}

/** The text settings of a config the model's constructor checked against its schema. */
export function reviewTextSettings(config: ModelConfig): ReviewTextSettings {
  return {
    reviewCount: num(config, 'reviewCount'),
    reviewLength: num(config, 'reviewLength'),
    lowestReviewCount: num(config, 'lowestReviewCount'),
    vocabularySize: num(config, 'vocabularySize'),
    wordDim: num(config, 'wordDim'),
    wordVectors: str(config, 'wordVectors'),
    filters: num(config, 'filters'),
    kernelSize: num(config, 'kernelSize'),
    dropout: num(config, 'dropout'),
  };
}

/**
 * The tiny text sizes of every review model's `testSettings` (what test/model-contract.test.ts
 * fits with): a few short reviews, a small vocabulary and CNN, one epoch.
 */
export const REVIEW_TEXT_TEST_SETTINGS = {
  reviewCount: 3,
  reviewLength: 12,
  vocabularySize: 300,
  wordDim: 8,
  filters: 4,
  epochs: 1,
  batchSize: 64,
} as const satisfies ModelConfig;

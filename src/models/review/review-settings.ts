/**
 * Settings every review-text model accepts (`--set key=value`), with SAFMR's Table 3 defaults
 * where the paper gives one (review count 10, review length 80, lowest review count 2, 100 kernels
 * of size 3, CNN output 50, dropout 0.5) and the vocabulary size of its §6.1 (50,000 words).
 *
 * Word vectors are trained with the model by default (their dimension `wordDim` was chosen on
 * validation, docs/REVIEW-MODELS.md); `wordVectors=FILE` starts them from a word2vec or GloVe text
 * file instead.
 */
import { str } from '../config.js';
import type { ModelConfig } from '../model.js';
import { integerSetting, positiveIntSetting, rateSetting } from '../setting-checks.js';

export const REVIEW_TEXT_DEFAULTS = {
  /** Reviews per user document and per item document (Table 3: 10). */
  reviewCount: 10,
  /** Tokens kept of each review (Table 3: 80). */
  reviewLength: 80,
  /**
   * Training pairs whose user or item has fewer than this many *other* training reviews are not
   * trained on (Table 3: 2); the count is reported. Predictions are made for every pair.
   */
  lowestReviewCount: 2,
  /** Most frequent training words kept (§6.1: 50,000); the rest read as `<unk>`. */
  vocabularySize: 50000,
  /** Dimension of the word vectors. */
  wordDim: 100,
  /** A word2vec / GloVe text file to start the word vectors from ('' = random start). */
  wordVectors: '',
  /** Convolution kernels (Table 3: 100). */
  filters: 100,
  /** Kernel height in words (Table 3: 3). */
  kernelSize: 3,
  /** Dropout rate (Table 3: 0.5). */
  dropout: 0.5,
} as const satisfies ModelConfig;

/**
 * The size of the text vector after the CNN's fully connected layer (Table 3: 50), for the models
 * that have that layer (DeepCoNN, TransNet, SAFMR; NARRE projects to its `factors` instead).
 */
export const TEXT_VECTOR_DEFAULTS = {
  cnnOutDim: 50,
} as const satisfies ModelConfig;

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

export function reviewTextSettings(model: string, config: ModelConfig): ReviewTextSettings {
  return {
    reviewCount: positiveIntSetting(model, config, 'reviewCount'),
    reviewLength: positiveIntSetting(model, config, 'reviewLength'),
    lowestReviewCount: integerSetting(model, config, 'lowestReviewCount', 0),
    vocabularySize: positiveIntSetting(model, config, 'vocabularySize'),
    wordDim: positiveIntSetting(model, config, 'wordDim'),
    wordVectors: str(config, 'wordVectors'),
    filters: positiveIntSetting(model, config, 'filters'),
    kernelSize: positiveIntSetting(model, config, 'kernelSize'),
    dropout: rateSetting(model, config, 'dropout'),
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

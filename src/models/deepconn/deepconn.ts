/**
 * DeepCoNN: Zheng, Noroozi & Yu, "Joint Deep Modeling of Users and Items Using Reviews for
 * Recommendation", WSDM 2017.
 *
 * Two parallel CNN towers read the user's document (the user's training reviews) and the item's
 * document (the item's training reviews), §3.1-3.2: word vectors → convolution with ReLU
 * (Eq. 1-2) → max-pooling over the whole document (Eq. 3) → a fully connected layer (Eq. 4),
 * giving x_u and y_i. A factorization machine over ẑ = [x_u, y_i] predicts the rating (§3.3,
 * Eq. 6), trained on squared error (Eq. 7).
 *
 * As in every Heed review model (src/text/review-corpus.ts), a training pair's own review is left
 * out of both documents, so training matches what test pairs see; DeepCoNN as published kept it,
 * which Catherine & Cohen (TransNets, §3) showed inflates its accuracy. The word vectors are
 * shared by both towers and trained (the paper starts them from word2vec; `wordVectors=FILE`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, ModelSpec } from '../model.js';
import { REVIEW_TEXT_TEST_SETTINGS, type ReviewTextSettings } from '../review/review-settings.js';
import { ReviewRatingModel } from '../review/review-model.js';
import { fm, declareFm, type FmLayer } from '../../engine/layers/fm.js';
import { Params } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { num } from '../config.js';
import { declareDocumentTower, encodeDocuments, type DocumentTower } from '../review/document-tower.js';
import { ReviewContext } from '../review/review-context.js';
import { ReviewNetwork } from '../review/review-network.js';
import { declareWordTable } from '../review/word-table.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { DEEPCONN_SETTINGS } from './settings.js';

export const DEEPCONN_DEFAULTS: ModelConfig = defaultsOf(DEEPCONN_SETTINGS);

class DeepConnNetwork extends ReviewNetwork {
  readonly params: Params;
  readonly user: DocumentTower;
  readonly item: DocumentTower;
  readonly fm: FmLayer;
  readonly notes: readonly string[];

  constructor(
    readonly config: ModelConfig,
    readonly settings: ReviewTextSettings,
    context: ReviewContext,
    mean: number,
    loadVectors: boolean,
  ) {
    super(context);
    this.params = new Params(num(config, 'seed'));
    const words = declareWordTable(this.params, 'words', context.corpus.vocabulary, settings, loadVectors);
    this.notes = words.notes;
    const outDim = num(config, 'cnnOutDim');
    const tower = {
      ...settings,
      count: settings.reviewCount,
      outDim,
      pooling: 'max' as const,
    };
    this.user = declareDocumentTower(this.params, 'user', words.table, tower);
    this.item = declareDocumentTower(this.params, 'item', words.table, tower);
    this.fm = declareFm(this.params, 'fm', 2 * outDim, num(config, 'factors'), mean);
  }

  /** Eq. 6 for each pair. */
  score(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor1D {
    const S = this.settings.reviewCount;
    const x = encodeDocuments(this.user, this.context.userSlots(users, items, S), this.encoder, ctx);
    const y = encodeDocuments(this.item, this.context.itemSlots(users, items, S), this.encoder, ctx);
    const z = ctx.dropout(tf.concat([x, y], 1), this.settings.dropout);
    return fm(z, this.fm);
  }
}

export class DeepConn extends ReviewRatingModel<DeepConnNetwork> {
  constructor(config: ModelConfig) {
    super(
      'deepconn',
      checkConfig('deepconn', DEEPCONN_SETTINGS, config),
      (...args) => new DeepConnNetwork(...args),
    );
  }
}

export const deepconnSpec: ModelSpec = {
  usesEngine: true,
  id: 'deepconn',
  summary: 'DeepCoNN: CNN towers over user and item review documents joined by a factorization machine',
  reference: 'Zheng, Noroozi & Yu, Joint Deep Modeling of Users and Items Using Reviews, WSDM 2017 (Eq. 1-7)',
  settings: DEEPCONN_SETTINGS,
  defaults: DEEPCONN_DEFAULTS,
  create: (config) => new DeepConn(config),
  restore: (state) => new DeepConn({ ...state.config }).restoreFrom(state),
  testSettings: { ...REVIEW_TEXT_TEST_SETTINGS, cnnOutDim: 4, factors: 4 },
};

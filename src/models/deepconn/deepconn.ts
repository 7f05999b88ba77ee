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
import type { RatingSubset } from '../../data/dataset.js';
import { fm, declareFm, type FmLayer } from '../../engine/layers/fm.js';
import { loadState } from '../../engine/model-state.js';
import { Params } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { HeedError } from '../../util/errors.js';
import { num } from '../config.js';
import { meanRating, predictPairs } from '../baselines/neural-training.js';
import type { FitOptions, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import { positiveIntSetting } from '../setting-checks.js';
import { declareDocumentTower, encodeDocuments, type DocumentTower } from '../review/document-tower.js';
import { ReviewContext } from '../review/review-context.js';
import { REVIEW_TEXT_DEFAULTS, reviewTextSettings, type ReviewTextSettings } from '../review/review-settings.js';
import { fitReviewNetwork, REVIEW_TRAINING_DEFAULTS, type ReviewFitReport } from '../review/review-training.js';
import { SlotEncoder } from '../review/slot-encoder.js';
import { declareWordTable } from '../review/word-table.js';

export const DEEPCONN_DEFAULTS = {
  ...REVIEW_TEXT_DEFAULTS,
  /** FM factor dimension (TransNets' FM: 8). */
  factors: 8,
  ...REVIEW_TRAINING_DEFAULTS,
} as const satisfies ModelConfig;

class DeepConnNetwork {
  readonly params: Params;
  readonly user: DocumentTower;
  readonly item: DocumentTower;
  readonly fm: FmLayer;
  readonly encoder: SlotEncoder;
  readonly notes: string[];

  constructor(
    readonly config: ModelConfig,
    readonly settings: ReviewTextSettings,
    readonly context: ReviewContext,
    mean: number,
    loadVectors: boolean,
  ) {
    this.params = new Params(num(config, 'seed'));
    const words = declareWordTable(this.params, 'words', context.corpus.vocabulary, settings, loadVectors);
    this.notes = words.notes;
    const tower = { ...settings, count: settings.reviewCount, outDim: settings.cnnOutDim, pooling: 'max' as const };
    this.user = declareDocumentTower(this.params, 'user', words.table, tower);
    this.item = declareDocumentTower(this.params, 'item', words.table, tower);
    this.fm = declareFm(this.params, 'fm', 2 * settings.cnnOutDim, positiveIntSetting('deepconn', config, 'factors'), mean);
    this.encoder = new SlotEncoder(context.corpus);
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

export class DeepConn implements RatingModel {
  readonly id = 'deepconn';
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  private network: DeepConnNetwork | undefined;
  lastReport: ReviewFitReport | undefined;

  constructor(config: ModelConfig) {
    this.config = config;
  }

  async fit(train: RatingSubset, options: FitOptions & { allowCpu?: boolean } = {}): Promise<ReviewFitReport> {
    const settings = reviewTextSettings(this.id, this.config);
    const context = ReviewContext.forTraining(train, settings);
    const net = new DeepConnNetwork(this.config, settings, context, meanRating(train), true);
    this.network?.params.dispose();
    this.network = net;
    const report = await fitReviewNetwork({
      model: this.id,
      params: net.params,
      context,
      train,
      config: this.config,
      lowestReviewCount: settings.lowestReviewCount,
      loss: (batch, ctx) =>
        tf.mean(tf.squaredDifference(net.score(batch.users, batch.items, ctx), tf.tensor1d(batch.ratings))),
      predict: (u, i, ctx) => net.score(u, i, ctx),
      fit: options,
    });
    this.lastReport = { ...report, notes: [...net.notes, ...report.notes] };
    return this.lastReport;
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const net = this.fitted();
    return predictPairs((u, i, ctx) => net.score(u, i, ctx), users, items);
  }

  state(): ModelState {
    const net = this.fitted();
    const context = net.context.state();
    return {
      id: this.id,
      config: { ...this.config },
      meta: { context: context.meta },
      arrays: { ...net.params.arrays(), ...context.arrays },
    };
  }

  static restore(state: ModelState): DeepConn {
    const model = new DeepConn({ ...state.config });
    const meta = state.meta as { context?: unknown } | null;
    const context = ReviewContext.restore(state, (meta?.context ?? null) as never);
    const settings = reviewTextSettings(model.id, model.config);
    model.network = new DeepConnNetwork(model.config, settings, context, 0, false);
    loadState(model.network.params, state);
    return model;
  }

  private fitted(): DeepConnNetwork {
    if (this.network === undefined) throw new HeedError('deepconn: call fit() before predict() or state()');
    return this.network;
  }
}

export const deepconnSpec: ModelSpec = {
  usesEngine: true,
  id: 'deepconn',
  summary: 'DeepCoNN: CNN towers over user and item review documents joined by a factorization machine',
  reference: 'Zheng, Noroozi & Yu, Joint Deep Modeling of Users and Items Using Reviews, WSDM 2017 (Eq. 1-7)',
  defaults: DEEPCONN_DEFAULTS,
  create: (config) => new DeepConn(config),
  restore: (state) => DeepConn.restore(state),
};

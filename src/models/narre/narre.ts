/**
 * NARRE: Chen, Zhang, Liu & Ma, "Neural Attentional Rating Regression with Review-level
 * Explanations", WWW 2018.
 *
 * Each side (user, item) has its own word vectors and CNN, which turns each of the entity's
 * reviews into a vector O_l (§3.2, Eq. 1-3). Review-level attention scores every review with its
 * vector and the id embedding of its counterpart (the item a user's review is about, the user who
 * wrote an item's review):
 *
 *   a*_l = hᵀ ReLU(W_O·O_l + W_u·ReLU(e_l) + b₁) + b₂,  a_l = softmax(a*_l)      (Eq. 4-5)
 *   O = Σ_l a_l O_l,  X = W₀·dropout(O) + b₀                                       (Eq. 6-7)
 *
 * and the prediction layer is a latent factor model on the id embeddings plus the text features:
 *
 *   h₀ = dropout(ReLU((q_u + X_u) ⊙ (p_i + Y_i))),  R̂ = W₁ᵀh₀ + b_u + b_i + μ       (Eq. 8-9)
 *
 * trained on squared error (Eq. 10) with L2 on W_O and W_u of both sides only, as the official
 * code (its λ = 0.001 is on a summed loss: see `l2` in settings.ts). The word vectors, the CNN and
 * h get none: with Adam, any L2 on a weight whose data gradient is smaller than λ·w pulls it
 * to 0 at about the learning rate per step, and h, W_O and W_u at 0 are a fixed point where every
 * attention is uniform and gets no gradient (h multiplies the other two; the hidden layer is then
 * the same for every review, and softmax ignores a shift).
 * Empty document slots are masked out of the softmax (the official code attends to its padding
 * reviews too). A pair's own review is never in its documents (src/text/review-corpus.ts); the
 * official code leaves a training pair's review in. Training settings are the review models'
 * shared ones (SAFMR compares its models "under the same training parameters").
 *
 * Explanations: the review-level attention of both sides — the item's most useful reviews (§4.5).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Explanation, ModelConfig, ModelSpec, ReviewEvidence } from '../model.js';
import { HeedError } from '../../util/errors.js';
import { REVIEW_TEXT_TEST_SETTINGS, type ReviewTextSettings } from '../review/review-settings.js';
import { ReviewRatingModel } from '../review/review-model.js';
import { engineStarted } from '../../engine/backend.js';
import { applyDense, type DenseLayer } from '../../engine/layers/dense.js';
import { MASKED } from '../../engine/layers/masked-softmax.js';
import { Params, type DenseParam, type TableParam } from '../../engine/params.js';
import { StepContext } from '../../engine/step.js';
import { Rng } from '../../util/rng.js';
import { num } from '../config.js';
import { checkExplainIndex } from '../setting-checks.js';
import { declareReviewCnn, type ReviewCnnLayer } from '../../engine/layers/review-cnn.js';
import { reviewVectors } from '../review/document-tower.js';
import { ReviewContext } from '../review/review-context.js';
import { ReviewNetwork } from '../review/review-network.js';
import { declareWordTable } from '../review/word-table.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { NARRE_SETTINGS } from './settings.js';

export const NARRE_DEFAULTS: ModelConfig = defaultsOf(NARRE_SETTINGS);

interface Side {
  readonly cnn: ReviewCnnLayer;
  /** Id embeddings of the counterparts of this side's reviews (items for users, users for items). */
  readonly counterpart: TableParam;
  readonly attentionReview: DenseLayer;
  readonly attentionId: DenseLayer;
  readonly attentionOut: DenseLayer;
  readonly project: DenseLayer;
  /** This side's own id embedding (q_u or p_i) and bias. */
  readonly own: TableParam;
  readonly bias: TableParam;
}

class NarreNetwork extends ReviewNetwork {
  readonly params: Params;
  readonly user: Side;
  readonly item: Side;
  readonly output: DenseLayer;
  readonly mu: DenseParam;
  readonly notes: string[] = [];

  constructor(
    readonly config: ModelConfig,
    readonly settings: ReviewTextSettings,
    context: ReviewContext,
    mean: number,
    loadVectors: boolean,
  ) {
    super(context);
    this.params = new Params(num(config, 'seed'));
    const k = num(config, 'factors');
    const att = num(config, 'attentionDim');
    const users = context.corpus.users;
    const items = context.corpus.items;
    const side = (name: string, own: number, others: number): Side => {
      const words = declareWordTable(
        this.params,
        `${name}.words`,
        context.corpus.vocabulary,
        settings,
        loadVectors,
        0,
      );
      this.notes.push(...words.notes);
      const cnn = declareReviewCnn(this.params, `${name}.cnn`, words.table, { ...settings, l2: 0 });
      const idInit = { init: { kind: 'uniform' as const, limit: 0.1 }, l2: 0 };
      return {
        cnn,
        counterpart: this.params.table(`${name}.counterpart`, others, att, idInit),
        attentionReview: { w: this.params.dense(`${name}.attention.review.w`, [settings.filters, att]) },
        attentionId: {
          w: this.params.dense(`${name}.attention.id.w`, [att, att]),
          b: this.params.dense(`${name}.attention.b`, [att], {
            init: { kind: 'constant', value: 0.1 },
            l2: 0,
          }),
        },
        attentionOut: {
          w: this.params.dense(`${name}.attention.out.w`, [att, 1], { l2: 0 }),
          b: this.params.dense(`${name}.attention.out.b`, [1], { init: { kind: 'zeros' }, l2: 0 }),
        },
        project: {
          w: this.params.dense(`${name}.project.w`, [settings.filters, k], { l2: 0 }),
          b: this.params.dense(`${name}.project.b`, [k], { init: { kind: 'constant', value: 0.1 }, l2: 0 }),
        },
        own: this.params.table(`${name}.id`, own, k, idInit),
        bias: this.params.table(`${name}.bias`, own, 1, { init: { kind: 'zeros' }, l2: 0 }),
      };
    };
    this.user = side('user', users, items);
    this.item = side('item', items, users);
    this.output = { w: this.params.dense('output.w', [k, 1], { l2: 0 }) };
    this.mu = this.params.buffer('mu', [1], { kind: 'constant', value: mean });
  }

  /** Attention over one side's document slots and the attended text feature X [B, k]. */
  private attend(
    side: Side,
    slots: Int32Array,
    counterparts: Int32Array,
    ctx: StepContext,
  ): { feature: tf.Tensor2D; weights: tf.Tensor2D } {
    const S = this.settings.reviewCount;
    const vectors = reviewVectors(side.cnn, S, slots, this.encoder, ctx); // [B, S, F]
    const ids = tf.relu(ctx.lookup(side.counterpart, counterparts, [counterparts.length / S, S]));
    const hidden = tf.relu(
      tf.add(applyDense(vectors, side.attentionReview), applyDense(ids, side.attentionId)),
    );
    const scores = tf.reshape(applyDense(hidden, side.attentionOut), [-1, S]); // [B, S]
    const mask = tf.tensor2d(
      Float32Array.from(slots, (r) => (r < 0 ? MASKED : 0)),
      scores.shape as [number, number],
    );
    const weights = tf.softmax(tf.add(scores, mask)) as tf.Tensor2D;
    const pooled = tf.sum(tf.mul(vectors, tf.expandDims(weights, 2)), 1);
    const feature = applyDense(ctx.dropout(pooled, this.settings.dropout), side.project) as tf.Tensor2D;
    return { feature, weights };
  }

  private sides(users: Int32Array, items: Int32Array, ctx: StepContext) {
    const S = this.settings.reviewCount;
    const { reviewItem, reviewUser } = this.context.corpus.arrays;
    const userSlots = this.context.userSlots(users, items, S);
    const itemSlots = this.context.itemSlots(users, items, S);
    const u = this.attend(
      this.user,
      userSlots,
      Int32Array.from(userSlots, (r) => (r < 0 ? -1 : reviewItem[r])),
      ctx,
    );
    const i = this.attend(
      this.item,
      itemSlots,
      Int32Array.from(itemSlots, (r) => (r < 0 ? -1 : reviewUser[r])),
      ctx,
    );
    return { u, i, userSlots, itemSlots };
  }

  /** Eq. 8-9. */
  score(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor1D {
    const { u, i } = this.sides(users, items, ctx);
    return this.predictFrom(users, items, u.feature, i.feature, ctx);
  }

  private predictFrom(
    users: Int32Array,
    items: Int32Array,
    x: tf.Tensor2D,
    y: tf.Tensor2D,
    ctx: StepContext,
  ): tf.Tensor1D {
    const q = tf.add(ctx.lookup(this.user.own, users), x);
    const p = tf.add(ctx.lookup(this.item.own, items), y);
    const h0 = ctx.dropout(tf.relu(tf.mul(q, p)), this.settings.dropout);
    const bias = tf.add(ctx.lookup(this.user.bias, users), ctx.lookup(this.item.bias, items));
    return tf.add(
      tf.reshape(tf.add(applyDense(h0, this.output), bias), [-1]),
      this.mu.variable,
    ) as tf.Tensor1D;
  }

  /** The prediction and both sides' attention, for one pair (inference). */
  explainPair(user: number, item: number, ctx: StepContext) {
    const users = Int32Array.of(user);
    const items = Int32Array.of(item);
    const { u, i, userSlots, itemSlots } = this.sides(users, items, ctx);
    const prediction = this.predictFrom(users, items, u.feature, i.feature, ctx).dataSync()[0];
    return {
      prediction,
      userSlots,
      itemSlots,
      userWeights: u.weights.dataSync(),
      itemWeights: i.weights.dataSync(),
    };
  }
}

export class Narre extends ReviewRatingModel<NarreNetwork> {
  constructor(config: ModelConfig) {
    super('narre', checkConfig('narre', NARRE_SETTINGS, config), (...args) => new NarreNetwork(...args));
  }

  explain(user: number, item: number): Explanation {
    const net = this.fitted();
    if (!engineStarted()) throw new HeedError('narre explain: await initEngine() first');
    const corpus = net.context.corpus;
    checkExplainIndex(this.id, user, corpus.users, 'user');
    checkExplainIndex(this.id, item, corpus.items, 'item');
    const r = tf.tidy(
      () => net.explainPair(user, item, new StepContext(false, new Rng(0))) as never,
    ) as ReturnType<NarreNetwork['explainPair']>;
    const evidence = (slots: Int32Array, weights: Float32Array | Int32Array | Uint8Array): ReviewEvidence[] =>
      Array.from(slots)
        .map((review, k) => ({ review, weight: Number(weights[k]) }))
        .filter((s) => s.review >= 0)
        .sort((a, b) => b.weight - a.weight)
        .map(({ review, weight }) => ({
          user: corpus.arrays.reviewUser[review],
          item: corpus.arrays.reviewItem[review],
          rating: net.context.ratings[review],
          text: net.context.texts[review],
          weight,
        }));
    const itemReviews = evidence(r.itemSlots, r.itemWeights);
    const userReviews = evidence(r.userSlots, r.userWeights);
    const asWeights = (list: ReviewEvidence[], label: (e: ReviewEvidence) => string) =>
      list.map((e) => ({ feature: label(e), weight: e.weight }));
    return {
      model: this.id,
      user,
      item,
      prediction: r.prediction,
      groups: [
        {
          name: "attention over the item's reviews (Eq. 5)",
          weights: asWeights(itemReviews, (e) => `review by user ${e.user}`),
        },
        {
          name: "attention over the user's reviews (Eq. 5)",
          weights: asWeights(userReviews, (e) => `review of item ${e.item}`),
        },
      ],
      reviews: [
        { name: "the item's most useful reviews (review-level attention)", reviews: itemReviews },
        { name: "the user's reviews the model relied on", reviews: userReviews },
      ],
    };
  }
}

export const narreSpec: ModelSpec = {
  usesEngine: true,
  id: 'narre',
  summary:
    'NARRE: per-review CNN with review-level attention (review ids), LFM prediction layer; explains with reviews',
  reference:
    'Chen, Zhang, Liu & Ma, Neural Attentional Rating Regression with Review-level Explanations, WWW 2018 (Eq. 1-10)',
  settings: NARRE_SETTINGS,
  defaults: NARRE_DEFAULTS,
  create: (config) => new Narre(config),
  restore: (state) => new Narre({ ...state.config }).restoreFrom(state),
  testSettings: { ...REVIEW_TEXT_TEST_SETTINGS, factors: 4, attentionDim: 4 },
};

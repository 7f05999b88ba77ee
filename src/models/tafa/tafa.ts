/**
 * TAFA adapted to explicit ratings: Zhou, Cheng, Perez & Volkovs, "TAFA: Two-headed Attention
 * Fused Autoencoder for Context-Aware Recommendations", RecSys 2020 (code: layer6ai-labs/TAFA),
 * SAFMR's third comparator (Table 4).
 *
 * TAFA as published cannot give Table 4's MSE: it binarises ratings, reconstructs 0/1 user rows
 * and is evaluated by ranking only (docs/REVIEW-MODELS-RESEARCH.md §3); SAFMR does not say how it
 * adapted it. This is Heed's adaptation, keeping TAFA's structure (models/TAFA.py) and changing
 * what explicit ratings and Heed's engine require:
 *
 * 1. Interaction encoder: x_u = ReLU(W_e·dropout(r_u) + b_e), r_u the user's *raw* training
 *    ratings (0 where missing; TAFA's `--one_class 0`), input dropout on the observed entries.
 * 2. Text encoder: each of the user's training reviews (without the pair's own, as every Heed
 *    review model) as a vector — Heed's CNN stands in for TAFA's word-level BiLSTM with attention
 *    — then TAFA's early-fusion review attention conditioned on x_u:
 *    score_j = w₂ᵀ tanh(W₁[h_j ; W_x x_u] + b₁), t_u = Σ softmax(score)_j h_j.
 * 3. Late fusion (TAFA's ModalityFusion): a = W_a x_u, c = W_c t_u, weights softmax over
 *    (k(tanh a), k(tanh c)), values tanh(W_q a), tanh(W_q c), z_u their weighted sum.
 * 4. Predict head: r̂_ui = ⟨z_u, w_i⟩ + b_i, the i-th output of TAFA's Linear(attention → |I|),
 *    trained with squared error on observed ratings only (TAFA's `predict_loss_positive_only`).
 *    The NCE head is left out (it serves TAFA's ranking loss), and TAFA's λ·mean-square penalty
 *    is Adam's coupled L2. Batches are rating pairs (each pair reads its user's whole row, as an
 *    autoencoder reads its input), like every Heed review model.
 */
import * as tf from '@tensorflow/tfjs-core';
import { declareDense, type DenseLayer } from '../../engine/layers/dense.js';
import { HeedError } from '../../util/errors.js';
import { modalityFusion, reviewAttention } from './fusion.js';
import { declareReviewCnn, type ReviewCnnLayer } from '../../engine/layers/review-cnn.js';
import { Params, type DenseParam, type TableParam } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { num } from '../config.js';
import type { ModelConfig, ModelSpec } from '../model.js';
import { reviewVectors } from '../review/document-tower.js';
import type { ReviewContext } from '../review/review-context.js';
import { ReviewRatingModel } from '../review/review-model.js';
import { ReviewNetwork } from '../review/review-network.js';
import { REVIEW_TEXT_TEST_SETTINGS, type ReviewTextSettings } from '../review/review-settings.js';
import { declareWordTable } from '../review/word-table.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { TAFA_SETTINGS } from './settings.js';

export const TAFA_DEFAULTS: ModelConfig = defaultsOf(TAFA_SETTINGS);

class TafaNetwork extends ReviewNetwork {
  readonly params: Params;
  readonly notes: string[];
  private readonly interactionWeights: TableParam;
  private readonly interactionBias: DenseParam;
  private readonly cnn: ReviewCnnLayer;
  private readonly reviewAttention: {
    readonly review: DenseLayer;
    readonly state: DenseLayer;
    readonly out: DenseLayer;
  };
  private readonly fuseX: DenseLayer;
  private readonly fuseT: DenseLayer;
  private readonly key: DenseLayer;
  private readonly value: DenseLayer;
  private readonly itemVectors: TableParam;
  private readonly itemBias: TableParam;
  private readonly inputDropout: number;

  constructor(
    config: ModelConfig,
    readonly settings: ReviewTextSettings,
    context: ReviewContext,
    mean: number,
    loadVectors: boolean,
  ) {
    super(context);
    this.params = new Params(num(config, 'seed'));
    const rank = num(config, 'rank');
    const att = num(config, 'attentionDim');
    this.inputDropout = num(config, 'inputDropout');
    const items = context.corpus.items;
    const words = declareWordTable(this.params, 'words', context.corpus.vocabulary, settings, loadVectors);
    this.notes = words.notes;
    this.interactionWeights = this.params.table('interaction.w', items, rank, {
      init: { kind: 'normal', std: 0.01 },
    });
    this.interactionBias = this.params.dense('interaction.b', [rank], { init: { kind: 'zeros' }, l2: 0 });
    this.cnn = declareReviewCnn(this.params, 'text.cnn', words.table, settings);
    const F = settings.filters;
    this.reviewAttention = {
      review: declareDense(this.params, 'text.attention.review', F, F),
      state: declareDense(this.params, 'text.attention.state', rank, F, false),
      out: declareDense(this.params, 'text.attention.out', F, 1),
    };
    this.fuseX = declareDense(this.params, 'fusion.x', rank, att);
    this.fuseT = declareDense(this.params, 'fusion.t', F, att);
    this.key = declareDense(this.params, 'fusion.key', att, 1);
    this.value = declareDense(this.params, 'fusion.value', att, att, false);
    this.itemVectors = this.params.table('predict.w', items, att, { init: { kind: 'normal', std: 0.01 } });
    this.itemBias = this.params.table('predict.b', items, 1, {
      init: { kind: 'constant', value: mean },
      l2: 0,
    });
  }

  /** x_u [B, rank]: the interaction encoder over each pair's user's training row. */
  private interaction(users: Int32Array, ctx: StepContext): tf.Tensor2D {
    const corpus = this.context.corpus;
    const entries: number[] = [];
    const values: number[] = [];
    const segments: number[] = [];
    const keep = 1 - this.inputDropout;
    users.forEach((u, k) => {
      for (const r of corpus.reviewsOfUser(u)) {
        // Input dropout on observed entries, inverted so the expected input is unchanged.
        if (ctx.training && this.inputDropout > 0 && ctx.rng.next() >= keep) continue;
        entries.push(corpus.arrays.reviewItem[r]);
        values.push(this.context.ratings[r] / (ctx.training ? keep : 1));
        segments.push(k);
      }
    });
    const rank = this.interactionWeights.dim;
    if (entries.length === 0)
      return tf.relu(tf.add(tf.zeros([users.length, rank]), this.interactionBias.variable)) as tf.Tensor2D;
    const rows = ctx.lookup(this.interactionWeights, Int32Array.from(entries));
    const weighted = tf.mul(rows, tf.tensor2d(Float32Array.from(values), [values.length, 1]));
    const summed = tf.unsortedSegmentSum(
      weighted,
      tf.tensor1d(Int32Array.from(segments), 'int32'),
      users.length,
    );
    return tf.relu(tf.add(summed, this.interactionBias.variable)) as tf.Tensor2D;
  }

  score(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor1D {
    const S = this.settings.reviewCount;
    const x = this.interaction(users, ctx);
    const slots = this.context.userSlots(users, items, S);
    const h = reviewVectors(this.cnn, S, slots, this.encoder, ctx);
    const present = Float32Array.from(slots, (r) => (r < 0 ? 0 : 1));
    const att = this.reviewAttention;
    const t = reviewAttention(h, x, present, {
      reviewW: att.review.w.variable,
      reviewB: variableOf(att.review),
      stateW: att.state.w.variable,
      outW: att.out.w.variable,
      outB: variableOf(att.out),
    });
    const z = modalityFusion(x, t, {
      xW: this.fuseX.w.variable,
      xB: variableOf(this.fuseX),
      tW: this.fuseT.w.variable,
      tB: variableOf(this.fuseT),
      keyW: this.key.w.variable,
      keyB: variableOf(this.key),
      valueW: this.value.w.variable,
    });
    const dropped = ctx.dropout(z, this.settings.dropout);
    const w = ctx.lookup(this.itemVectors, items);
    const b = tf.reshape(ctx.lookup(this.itemBias, items), [-1]);
    return tf.add(tf.sum(tf.mul(dropped, w), 1), b) as tf.Tensor1D;
  }
}

/** The bias of a dense layer declared with one. */
function variableOf(layer: DenseLayer): tf.Tensor {
  if (layer.b === undefined) throw new HeedError('tafa: a layer declared with a bias has none');
  return layer.b.variable;
}

export class Tafa extends ReviewRatingModel<TafaNetwork> {
  constructor(config: ModelConfig) {
    super('tafa', checkConfig('tafa', TAFA_SETTINGS, config), (...args) => new TafaNetwork(...args));
  }
}

export const tafaSpec: ModelSpec = {
  usesEngine: true,
  id: 'tafa',
  summary:
    'TAFA adapted to explicit ratings: rating-row autoencoder + review attention, attention-fused (Heed adaptation)',
  reference:
    'Zhou, Cheng, Perez & Volkovs, TAFA: Two-headed Attention Fused Autoencoder, RecSys 2020 (models/TAFA.py)',
  settings: TAFA_SETTINGS,
  defaults: TAFA_DEFAULTS,
  create: (config) => new Tafa(config),
  restore: (state) => new Tafa({ ...state.config }).restoreFrom(state),
  testSettings: { ...REVIEW_TEXT_TEST_SETTINGS, rank: 8, attentionDim: 4 },
};

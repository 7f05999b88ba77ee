/**
 * SAFMR: "Self-Attention Factorization Machine for Recommendation" on review text
 * (`../shared/papers/safmr.txt`): TransNets' target and source networks (§3.2, §4, Eq. 9-10,
 * `transnet-network.ts`) with the FM heads replaced by the self-attention FM of Eq. 6-8
 * (`self-attention-fm.ts`), trained with L1 losses for the ratings and L2 for the transform
 * (Eq. 11-14, Algorithms 1 and 2), Table 3's settings, and the weights of the best validation
 * epoch kept (§6.3).
 *
 * Explanations (§4, last paragraphs): the source network's self-attention over the text features,
 * and the training reviews of the target item whose target-network vectors x_T lie closest to the
 * source network's z_L for this user and item — "the most similar reviews" the paper offers users.
 */
import * as tf from '@tensorflow/tfjs-core';
import { engineStarted } from '../../engine/backend.js';
import { StepContext } from '../../engine/step.js';
import { HeedError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import type { Explanation, ModelConfig, ModelSpec, ReviewEvidence } from '../model.js';
import { REVIEW_TEXT_TEST_SETTINGS } from '../review/review-settings.js';
import { checkExplainIndex } from '../setting-checks.js';
import { TransNetFamilyModel } from '../transnet/transnet.js';
import type { RatingHeadFactory } from '../transnet/transnet-network.js';
import { declareSelfAttentionFm, selfAttentionFmHead } from './self-attention-fm.js';
import { num } from '../config.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { SAFMR_SETTINGS } from './settings.js';

export const SAFMR_DEFAULTS: ModelConfig = defaultsOf(SAFMR_SETTINGS);

/** Reviews of the item an explanation shows at most. */
const EXPLAIN_REVIEWS = 5;

const attentionHead =
  (config: ModelConfig): RatingHeadFactory =>
  (params, name, inDim, mean) =>
    selfAttentionFmHead(declareSelfAttentionFm(params, name, inDim, num(config, 'factors'), mean));

export class Safmr extends TransNetFamilyModel {
  constructor(config: ModelConfig) {
    super('safmr', checkConfig('safmr', SAFMR_SETTINGS, config), attentionHead);
  }

  explain(user: number, item: number): Explanation {
    const net = this.fitted();
    if (!engineStarted()) throw new HeedError('safmr explain: await initEngine() first');
    const corpus = net.context.corpus;
    checkExplainIndex(this.id, user, corpus.users, 'user');
    checkExplainIndex(this.id, item, corpus.items, 'item');
    const ctx = new StepContext(false, new Rng(0));
    let explanation: Explanation | undefined;
    tf.tidy(() => {
      const users = Int32Array.of(user);
      const items = Int32Array.of(item);
      const z = net.sourceVector(users, items, ctx);
      const prediction = net.sourceHead.score(z).dataSync()[0];
      const attention = net.sourceHead.attention?.(z);
      if (attention === undefined) throw new HeedError('safmr: the rating head has no attention');
      // How much attention each text feature receives, averaged over the features attending.
      const received = tf.mean(attention, [0, 1]).dataSync();
      const n = received.length;
      const weights = Array.from(received, (weight, j) => ({
        feature: `text feature ${j + 1} of ${n}`,
        weight,
      }));
      // The item's training reviews, except this user's own, nearest to z_L first.
      const reviews = Array.from(corpus.reviewsOfItem(item)).filter(
        (r) => corpus.arrays.reviewUser[r] !== user,
      );
      const evidence: ReviewEvidence[] = [];
      if (reviews.length > 0) {
        const xT = net.targetVectors(Int32Array.from(reviews), ctx);
        const distance = tf.sqrt(tf.sum(tf.squaredDifference(xT, z), 1)).dataSync();
        const order = reviews.map((_, k) => k).sort((a, b) => distance[a] - distance[b]);
        const shown = order.slice(0, EXPLAIN_REVIEWS);
        // Weights: a softmax of −distance over the shown reviews, so the group sums to 1.
        const expo = shown.map((k) => Math.exp(-(distance[k] - distance[shown[0]])));
        const total = expo.reduce((a, b) => a + b, 0);
        shown.forEach((k, rank) => {
          const r = reviews[k];
          evidence.push({
            user: corpus.arrays.reviewUser[r],
            item,
            rating: net.context.ratings[r],
            text: net.context.texts[r],
            weight: expo[rank] / total,
            distance: distance[k],
          });
        });
      }
      explanation = {
        model: this.id,
        user,
        item,
        prediction,
        groups: [{ name: 'self-attention over the source text features (Eq. 7)', weights }],
        reviews: [
          {
            name: `most similar reviews of the item (nearest to z_L; ${reviews.length} candidates)`,
            reviews: evidence,
          },
        ],
      };
    });
    if (explanation === undefined) throw new HeedError('safmr explain: no result');
    return explanation;
  }
}

export const safmrSpec: ModelSpec = {
  usesEngine: true,
  id: 'safmr',
  summary:
    'SAFMR: TransNets source/target networks with self-attention FM heads, L1 + L2 losses; explains with reviews',
  reference:
    'SAFMR: self-attention factorization machine recommendation from review text (Eq. 1-14, Algorithms 1-2, Table 3)',
  settings: SAFMR_SETTINGS,
  defaults: SAFMR_DEFAULTS,
  create: (config) => new Safmr(config),
  restore: (state) => new Safmr({ ...state.config }).restoreFrom(state),
  testSettings: { ...REVIEW_TEXT_TEST_SETTINGS, cnnOutDim: 4, transformLayers: 1, factors: 4 },
};

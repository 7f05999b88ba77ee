/**
 * The Attentional Factorization Machine network (Xiao et al., IJCAI 2017, Eq. 6):
 *
 *   ŷ(x) = w₀ + Σᵢ wᵢxᵢ + pᵀ Σ_{(i,j) ∈ R_x} aᵢⱼ (vᵢ ⊙ vⱼ) xᵢxⱼ
 *
 * over the fields of a rating (user id, item id, side features; `../baselines/field-inputs.ts`),
 * with the attention weights aᵢⱼ of `attention-pooling.ts`. As in the authors' code and DeepCTR's,
 * dropout acts on the pooled vector f_Att before the projection p (the paper's "dropout on the
 * pair-wise interaction layer", §3.3). The paper's L2 on the attention network's W (Eq. 8's λ‖W‖²)
 * is the training L2 of SAIN's set-up, which covers W, h, p and the embeddings as it does for NFM.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Params, type DenseParam } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { num } from '../config.js';
import type { ModelConfig } from '../model.js';
import { FieldEmbedding } from '../baselines/field-embedding.js';
import type { FieldInputs } from '../baselines/field-inputs.js';
import type { FieldNetwork } from '../baselines/field-model.js';
import { positiveInt, rate } from '../baselines/neural-training.js';
import {
  attentionLogits,
  attentionPooling,
  declareAttentionNetwork,
  pairProducts,
  presentPairs,
  type AttentionNetwork,
} from './attention-pooling.js';

export class AttentionalFmNetwork implements FieldNetwork {
  readonly params: Params;
  readonly embedding: FieldEmbedding;
  readonly attention: AttentionNetwork;
  /** p [k, 1]: the projection of the pooled vector to the score. */
  readonly projection: DenseParam;
  private readonly dropout: number;

  constructor(config: ModelConfig, inputs: FieldInputs) {
    const k = positiveInt(config, 'factors');
    const t = positiveInt(config, 'attentionFactor');
    this.dropout = rate(config, 'dropout');
    this.params = new Params(num(config, 'seed'));
    this.embedding = new FieldEmbedding(this.params, inputs, k, num(config, 'initStd'));
    this.attention = declareAttentionNetwork(this.params, k, t);
    this.projection = this.params.dense('projection.p', [k, 1]);
  }

  /** The scores ŷ [B] and the attention weights aᵢⱼ [B, m(m−1)/2] of the pairs. */
  forward(
    users: Int32Array,
    items: Int32Array,
    ctx: StepContext,
  ): { score: tf.Tensor1D; weights: tf.Tensor2D } {
    const { fields, linear } = this.embedding.lookup(users, items, ctx);
    const pairs = pairProducts(fields);
    const { w, b, h } = this.attention;
    const logits = attentionLogits(
      pairs,
      w.variable as tf.Tensor2D,
      b.variable as tf.Tensor1D,
      h.variable as tf.Tensor2D,
    );
    const keep = presentPairs(fieldPresence(this.embedding.inputs, users, items), fields.shape[1]);
    const { pooled, weights } = attentionPooling(pairs, logits, keep);
    const interaction = tf.matMul(ctx.dropout(pooled, this.dropout), this.projection.variable as tf.Tensor2D);
    return { score: tf.add(linear, tf.reshape(interaction, [-1])) as tf.Tensor1D, weights };
  }

  score(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor1D {
    return this.forward(users, items, ctx).score;
  }
}

/** [n · m]: 1 where field f of pair k has a value (some slot with a non-zero pooling weight). */
export function fieldPresence(inputs: FieldInputs, users: Int32Array, items: Int32Array): Uint8Array {
  const { fieldSlot, user, item } = inputs;
  const m = fieldSlot.length - 1;
  const present = new Uint8Array(users.length * m);
  for (let k = 0; k < users.length; k++) {
    for (let f = 0; f < m; f++) {
      for (let s = fieldSlot[f]; s < fieldSlot[f + 1]; s++) {
        // A batch row is the user's slots followed by the item's (field-inputs.ts).
        const weight =
          s < user.width
            ? user.weights[users[k] * user.width + s]
            : item.weights[items[k] * item.width + s - user.width];
        if (weight !== 0) {
          present[k * m + f] = 1;
          break;
        }
      }
    }
  }
  return present;
}

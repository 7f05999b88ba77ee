/**
 * The TransNets network (Catherine & Cohen, "TransNets: Learning to Transform for
 * Recommendation", RecSys 2017, §3), which SAFMR keeps and whose rating head it replaces.
 *
 * - Target network: a CNN over the target review rev_ui alone (Eq. 1-4) gives x_T; a rating head
 *   on dropout(x_T) predicts ŷ_T, trained with L1 on the rating (SAFMR Eq. 12).
 * - Source network: two CNNs over the user's and the item's documents *without* rev_ui, their
 *   outputs concatenated (SAFMR Eq. 9), then L fully connected tanh layers (Eq. 10) give z_L,
 *   trained to approximate x_T with the L2 loss ‖z_L − x_T‖² (Eq. 13); a second rating head on
 *   z_L predicts ŷ_S, trained with L1 (Eq. 14) without moving z_L (TransNets trains FM_S on the
 *   transformed vector as given).
 * - At validation and test time only the source network predicts: rev_ui does not exist yet.
 *
 * TransNets trains the three losses with three Adam optimisers over disjoint parameter groups
 * (target CNN + FM_T; source CNNs + transform; FM_S). Here the three losses are summed with stop
 * gradients (x_T is a constant in Eq. 13, z_L a constant in Eq. 14), so each group receives the
 * gradient of its own loss only; Adam normalises each parameter's steps, so one optimiser over
 * the groups takes the same steps as three. The target and source networks have their own word
 * vectors, as in TransNets' code.
 *
 * Documents: TransNets' PyTorch re-implementation (whose settings SAFMR's Table 3 copies) encodes
 * each of the `reviewCount` reviews separately, concatenates the max-pooled vectors and applies one
 * linear layer with tanh; that is the `concat` pooling of `document-tower.ts`. The transform's
 * weights start from N(0, 0.1²) clipped to ±1 and its biases at 0.1 (SAFMR §4: "truncated normal
 * ... standard deviation of 0.1, and all biases were initialized to 0.1").
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyDense, type DenseLayer } from '../../engine/layers/dense.js';
import { Params, type TableParam } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { num, str } from '../config.js';
import type { ModelConfig } from '../model.js';
import { declareDocumentTower, encodeDocuments, type DocumentTower } from '../review/document-tower.js';
import type { ReviewContext } from '../review/review-context.js';
import type { ReviewTextSettings } from '../review/review-settings.js';
import type { ReviewBatch } from '../review/review-training.js';
import { ReviewNetwork } from '../review/review-network.js';
import { declareWordTable } from '../review/word-table.js';

/** What predicts a rating from a text vector: TransNets' FM, or SAFMR's self-attention FM. */
export interface RatingHead {
  score(x: tf.Tensor2D): tf.Tensor1D;
  /** SAFMR: the attention [B, n, n] of feature i (row) over features j. */
  attention?(x: tf.Tensor2D): tf.Tensor3D;
}

export type RatingHeadFactory = (params: Params, name: string, inDim: number, mean: number) => RatingHead;

export class TransNetNetwork extends ReviewNetwork {
  readonly params: Params;
  readonly targetWords: TableParam;
  readonly target: DocumentTower;
  readonly user: DocumentTower;
  readonly item: DocumentTower;
  readonly transform: DenseLayer[];
  readonly targetHead: RatingHead;
  readonly sourceHead: RatingHead;
  readonly notes: string[];
  readonly ratingLoss: 'l1' | 'l2';

  constructor(
    readonly model: string,
    readonly config: ModelConfig,
    readonly settings: ReviewTextSettings,
    context: ReviewContext,
    head: RatingHeadFactory,
    mean: number,
    loadVectors: boolean,
  ) {
    super(context);
    this.params = new Params(num(config, 'seed'));
    const vocabulary = context.corpus.vocabulary;
    const targetWords = declareWordTable(this.params, 'target.words', vocabulary, settings, loadVectors);
    const sourceWords = declareWordTable(this.params, 'source.words', vocabulary, settings, loadVectors);
    this.targetWords = targetWords.table;
    this.notes = [...targetWords.notes, ...sourceWords.notes];
    const n = num(config, 'cnnOutDim');
    const tower = { ...settings, outDim: n, pooling: 'concat' as const };
    this.target = declareDocumentTower(this.params, 'target', targetWords.table, { ...tower, count: 1 });
    this.user = declareDocumentTower(this.params, 'source.user', sourceWords.table, {
      ...tower,
      count: settings.reviewCount,
    });
    this.item = declareDocumentTower(this.params, 'source.item', sourceWords.table, {
      ...tower,
      count: settings.reviewCount,
    });
    this.ratingLoss = str(config, 'ratingLoss') as 'l1' | 'l2';
    const layers = num(config, 'transformLayers');
    this.transform = Array.from({ length: layers }, (_, l) => {
      const name = `source.transform.${l}`;
      return {
        w: this.params.dense(`${name}.w`, [l === 0 ? 2 * n : n, n], { init: { kind: 'normal', std: 0.1 } }),
        b: this.params.dense(`${name}.b`, [n], { init: { kind: 'constant', value: 0.1 }, l2: 0 }),
      };
    });
    for (const layer of this.transform) {
      layer.w.value.forEach((v, i, a) => (a[i] = Math.max(-1, Math.min(1, v))));
      layer.w.sync();
    }
    this.targetHead = head(this.params, 'target.head', n, mean);
    this.sourceHead = head(this.params, 'source.head', n, mean);
  }

  /** x_T [reviews, n] of context reviews (the target network's text vectors, Eq. 1-4). */
  targetVectors(reviews: Int32Array, ctx: StepContext): tf.Tensor2D {
    return encodeDocuments(this.target, reviews, this.encoder, ctx);
  }

  /** z_L [pairs, n]: the source network's approximation of the target vector (Eq. 9-10). */
  sourceVector(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor2D {
    const S = this.settings.reviewCount;
    const x = encodeDocuments(this.user, this.context.userSlots(users, items, S), this.encoder, ctx);
    const y = encodeDocuments(this.item, this.context.itemSlots(users, items, S), this.encoder, ctx);
    let z: tf.Tensor = tf.concat([x, y], 1);
    for (const layer of this.transform) z = applyDense(z, layer, 'tanh');
    return ctx.dropout(z, this.settings.dropout) as tf.Tensor2D;
  }

  /** ŷ_S: the prediction at validation and test time. */
  score(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor1D {
    return this.sourceHead.score(this.sourceVector(users, items, ctx));
  }

  /**
   * Eq. 12 + 13 + 14 (mean over the batch), each reaching its own parameter group only. The rating
   * losses are L1 as the papers train them (`ratingLoss=l1`), or squared error (`ratingLoss=l2`).
   */
  loss(batch: ReviewBatch, ctx: StepContext): tf.Scalar {
    const ratings = tf.tensor1d(batch.ratings);
    const ratingLoss = (predicted: tf.Tensor1D): tf.Scalar =>
      this.ratingLoss === 'l1'
        ? tf.mean(tf.abs(tf.sub(predicted, ratings)))
        : tf.mean(tf.squaredDifference(predicted, ratings));
    const xT = this.targetVectors(batch.targets, ctx);
    const lossT = ratingLoss(this.targetHead.score(ctx.dropout(xT, this.settings.dropout)));
    const zL = this.sourceVector(batch.users, batch.items, ctx);
    const lossTransform = tf.mean(tf.sum(tf.squaredDifference(zL, detached(xT)), 1));
    const lossS = ratingLoss(this.sourceHead.score(detached(zL)));
    return tf.addN([lossT, lossTransform, lossS]) as tf.Scalar;
  }
}

/** A copy of `x` that autodiff sees as a constant (tfjs has no stop-gradient op). */
function detached<T extends tf.Tensor>(x: T): T {
  return tf.tensor(x.dataSync(), x.shape, x.dtype) as T;
}

/**
 * One side's text tower: the CNN over a document's reviews (Eq. 1-3), a pooling of the review
 * vectors into one document vector, and the fully connected layer of Eq. 4 (tanh, as TransNets).
 *
 * Pooling:
 * - `max`: the maximum over all reviews of the document, i.e. max-pooling over the whole
 *   concatenated document as DeepCoNN does (no window crosses a review boundary);
 * - `concat`: the review vectors side by side, [count · filters], as TransNets' CNN (and SAFMR,
 *   whose Table 3 matches it) does before its linear layer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyDense, declareDense, type DenseLayer } from '../../engine/layers/dense.js';
import { declareReviewCnn, reviewCnn, type ReviewCnnLayer } from '../../engine/layers/review-cnn.js';
import type { Params, TableParam } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import type { SlotEncoder } from './slot-encoder.js';

export type DocumentPooling = 'max' | 'concat';

export interface DocumentTower {
  readonly cnn: ReviewCnnLayer;
  readonly fc: DenseLayer;
  readonly pooling: DocumentPooling;
  /** Reviews per document. */
  readonly count: number;
}

export function declareDocumentTower(
  params: Params,
  name: string,
  words: TableParam,
  options: {
    readonly filters: number;
    readonly kernelSize: number;
    readonly count: number;
    readonly outDim: number;
    readonly pooling: DocumentPooling;
  },
): DocumentTower {
  const cnn = declareReviewCnn(params, `${name}.cnn`, words, options);
  const inDim = options.pooling === 'concat' ? options.count * options.filters : options.filters;
  const fc = declareDense(params, `${name}.fc`, inDim, options.outDim);
  return { cnn, fc, pooling: options.pooling, count: options.count };
}

/** The per-review CNN vectors of `slots` ([pairs × count] review ids) as [pairs, count, filters]. */
export function reviewVectors(
  cnn: ReviewCnnLayer,
  count: number,
  slots: Int32Array,
  encoder: SlotEncoder,
  ctx: StepContext,
): tf.Tensor3D {
  const { input, rows } = encoder.encode(slots);
  const features = reviewCnn(cnn, input, ctx);
  const perSlot = tf.gather(features, tf.tensor1d(rows, 'int32'));
  return tf.reshape(perSlot, [-1, count, cnn.filters]) as tf.Tensor3D;
}

/** [pairs, outDim]: the documents of `slots` ([pairs × count] review ids, -1 empty). */
export function encodeDocuments(
  tower: DocumentTower,
  slots: Int32Array,
  encoder: SlotEncoder,
  ctx: StepContext,
): tf.Tensor2D {
  const vectors = reviewVectors(tower.cnn, tower.count, slots, encoder, ctx);
  const pooled =
    tower.pooling === 'max' ? tf.max(vectors, 1) : tf.reshape(vectors, [-1, tower.count * tower.cnn.filters]);
  return applyDense(pooled, tower.fc, 'tanh') as tf.Tensor2D;
}

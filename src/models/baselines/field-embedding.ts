/**
 * The embedding and linear parts shared by NFM and xDeepFM (DeepCTR's `input_from_feature_columns`
 * and `get_linear_logit`): every field of a rating (see `field-inputs.ts`) becomes a k-dimensional
 * vector vᵢ, and the first-order term is w₀ + Σᵢ wᵢ over the same fields (a multi-valued field
 * contributes the mean of its values' weights, as it contributes the mean of their vectors).
 *
 * Both tables are indexed by the global feature index and updated row-sparsely. The embeddings
 * start from N(0, initStd²) (DeepCTR: `init_std`), the linear weights at zero, and the global bias
 * w₀ at the mean training rating (set by the model before training).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DenseParam, Params, TableParam } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { batchSlots, poolFields, poolLinear, slotsPerRow, type FieldInputs } from './field-inputs.js';

export class FieldEmbedding {
  readonly vectors: TableParam;
  readonly weights: TableParam;
  /** w₀ */
  readonly bias: DenseParam;

  constructor(
    params: Params,
    readonly inputs: FieldInputs,
    readonly dim: number,
    initStd: number,
  ) {
    this.vectors = params.table('embedding', inputs.vocabulary, dim, {
      init: { kind: 'normal', std: initStd },
    });
    this.weights = params.table('linear', inputs.vocabulary, 1, { init: { kind: 'zeros' } });
    this.bias = params.dense('bias', [1], { init: { kind: 'zeros' }, l2: 0 });
  }

  /** Number of fields m. */
  get fields(): number {
    return this.inputs.fields.length;
  }

  /**
   * The field vectors [B, m, k] of the pairs and their first-order term w₀ + Σᵢ wᵢ [B].
   */
  lookup(
    users: Int32Array,
    items: Int32Array,
    ctx: StepContext,
  ): { fields: tf.Tensor3D; linear: tf.Tensor1D } {
    const n = users.length;
    const s = slotsPerRow(this.inputs);
    const { codes, weights } = batchSlots(this.inputs, users, items);
    const w = tf.tensor2d(weights, [n, s]);
    const vectors = ctx.lookup(this.vectors, codes, [n, s]) as tf.Tensor3D;
    const fields = poolFields(this.inputs, vectors, w);
    const first = poolLinear(tf.reshape(ctx.lookup(this.weights, codes, [n, s]), [n, s]) as tf.Tensor2D, w);
    return { fields, linear: tf.add(first, this.bias.variable) as tf.Tensor1D };
  }
}

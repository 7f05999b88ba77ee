/**
 * Embedding lookups. The row-sparse mechanics (distinct rows, gradient only on those rows) live
 * in `StepContext.lookup`; these are the shapes models need.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../util/errors.js';
import type { TableParam } from '../params.js';
import type { StepContext } from '../step.js';

/** Vectors of `indices` from `table`: [...shape, dim] (shape defaults to [indices.length]). -1 gives zeros. */
export function embed(
  ctx: StepContext,
  table: TableParam,
  indices: Int32Array,
  shape?: readonly number[],
): tf.Tensor {
  return ctx.lookup(table, indices, shape);
}

/**
 * Pools a multi-valued field (genres, tags): `indices` holds `width` codes per example, -1 for
 * none, and the result is their sum or mean [n, dim] (the mean over present codes; zeros when an
 * example has none).
 */
export function embedBag(
  ctx: StepContext,
  table: TableParam,
  indices: Int32Array,
  width: number,
  mode: 'sum' | 'mean' = 'mean',
): tf.Tensor2D {
  if (width <= 0 || indices.length % width !== 0) {
    throw new UsageError(
      `embedBag "${table.name}": ${indices.length} codes do not split into rows of ${width}`,
    );
  }
  const n = indices.length / width;
  const vectors = ctx.lookup(table, indices, [n, width]);
  const summed = tf.sum(vectors, 1) as tf.Tensor2D;
  if (mode === 'sum') return summed;
  const inv = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let c = 0;
    for (let j = 0; j < width; j++) if (indices[r * width + j] >= 0) c++;
    inv[r] = c > 0 ? 1 / c : 0;
  }
  return tf.mul(summed, tf.tensor2d(inv, [n, 1]));
}

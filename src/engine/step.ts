/**
 * What a model's forward pass sees during one step: embedding lookups that record which table
 * rows the batch touched, seeded randomness for dropout, whether it is training, and a place to
 * put non-gradient state updates (batch-norm running statistics).
 *
 * Embedding lookups in training: the batch's distinct rows are copied out of the JavaScript table
 * into a small tensor `rows` [distinct, dim], and the lookup is `gather(rows, local indices)`.
 * Autodiff then differentiates with respect to `rows` (through the UnsortedSegmentSum kernel over
 * `distinct` segments, not over the table), which is exactly the row-sparse gradient the optimizer
 * needs. At inference the gathered rows are copied straight into the result tensor.
 *
 * Index -1 means "no value" (padding in multi-valued features): its vector is zero and gets no
 * gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import type { DenseParam, TableParam } from './params.js';

/** One table lookup made during a training step: the rows it touched and their tensor. */
export interface RowLookup {
  readonly table: TableParam;
  /** Distinct table rows, in the order of `rows`' first dimension. */
  readonly ids: Int32Array;
  readonly rows: tf.Tensor2D;
}

export class StepContext {
  /** Lookups of this step, for the optimizer (training only). */
  readonly lookups: RowLookup[] = [];
  /** Buffer updates to apply after the step, outside the gradient (batch-norm statistics). */
  readonly bufferUpdates: Array<{ readonly param: DenseParam; readonly value: Float32Array }> = [];
  /**
   * Tensors to differentiate with respect to. The training loop passes this very array to
   * `tf.engine().gradients`, which reads it only after running the forward pass, so the row
   * tensors that lookups create during the forward pass are included.
   */
  readonly gradientTargets: tf.Tensor[];

  constructor(
    readonly training: boolean,
    readonly rng: Rng,
    gradientTargets: tf.Tensor[] = [],
  ) {
    this.gradientTargets = gradientTargets;
  }

  /**
   * Embedding vectors of `indices` from `table`: a tensor of shape [...shape, dim] where `shape`
   * defaults to [indices.length]. Index -1 gives a zero vector.
   */
  lookup(table: TableParam, indices: Int32Array, shape: readonly number[] = [indices.length]): tf.Tensor {
    const n = indices.length;
    if (shape.reduce((a, b) => a * b, 1) !== n) {
      throw new UsageError(
        `lookup in "${table.name}": shape [${shape.join(', ')}] does not hold ${n} indices`,
      );
    }
    const dim = table.dim;
    const src = table.value;
    const outShape = [...shape, dim];
    if (!this.training) {
      const out = new Float32Array(n * dim);
      for (let k = 0; k < n; k++) {
        const r = checkRow(table, indices[k], k);
        if (r >= 0) out.set(src.subarray(r * dim, r * dim + dim), k * dim);
      }
      return tf.tensor(out, outShape, 'float32');
    }
    // Distinct rows in order of first appearance; slot `distinct` is the zero row for -1.
    const slot = new Map<number, number>();
    const local = new Int32Array(n);
    let padding = false;
    for (let k = 0; k < n; k++) {
      const r = checkRow(table, indices[k], k);
      if (r < 0) {
        local[k] = -1;
        padding = true;
        continue;
      }
      let s = slot.get(r);
      if (s === undefined) {
        s = slot.size;
        slot.set(r, s);
      }
      local[k] = s;
    }
    const distinct = slot.size;
    const ids = new Int32Array(distinct);
    const rowsData = new Float32Array(distinct * dim);
    for (const [r, s] of slot) {
      ids[s] = r;
      rowsData.set(src.subarray(r * dim, r * dim + dim), s * dim);
    }
    const rows = tf.tensor2d(rowsData, [distinct, dim]);
    this.lookups.push({ table, ids, rows });
    this.gradientTargets.push(rows);
    let source: tf.Tensor2D = rows;
    if (padding) {
      for (let k = 0; k < n; k++) if (local[k] < 0) local[k] = distinct;
      source = tf.concat([rows, tf.zeros([1, dim])], 0);
    }
    const gathered = tf.gather(source, tf.tensor1d(local, 'int32'));
    return shape.length === 1 ? gathered : tf.reshape(gathered, outShape);
  }

  /**
   * Inverted dropout with a seeded mask; identity when not training or rate is 0. The mask comes
   * from a small inline generator (mulberry32) seeded by one draw of the step's Rng: a per-element
   * Rng call cost ~35 ns, about 2 ms of a 128-sample SAIN step.
   */
  dropout<T extends tf.Tensor>(x: T, rate: number): T {
    if (!this.training || rate <= 0) return x;
    if (rate >= 1) throw new UsageError(`dropout rate must be below 1, got ${rate}`);
    const keep = 1 - rate;
    const mask = new Float32Array(x.size);
    const scale = 1 / keep;
    const threshold = Math.floor(keep * 4294967296);
    let state = this.rng.nextUint32();
    for (let i = 0; i < mask.length; i++) {
      state = (state + 0x6d2b79f5) | 0;
      let z = Math.imul(state ^ (state >>> 15), 1 | state);
      z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
      mask[i] = (z ^ (z >>> 14)) >>> 0 < threshold ? scale : 0;
    }
    return tf.mul(x, tf.tensor(mask, x.shape)) as T;
  }

  /** Schedules `param.value ← value` after the step (for non-trainable buffers). */
  updateBuffer(param: DenseParam, value: Float32Array): void {
    if (!this.training) return;
    this.bufferUpdates.push({ param, value });
  }
}

function checkRow(table: TableParam, r: number, k: number): number {
  if (r === -1) return -1;
  if (!(r >= 0 && r < table.rows)) {
    throw new UsageError(
      `lookup in "${table.name}": index ${r} at position ${k} is outside [0, ${table.rows}) (or -1 for none)`,
    );
  }
  return r;
}

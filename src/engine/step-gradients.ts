/**
 * One training step split in two halves: the gradients of a batch (`stepGradients`, which
 * changes no weight) and the optimizer update with them (`applyGradients`). The training loop runs
 * both in turn; data-parallel training (`data-parallel.ts`) computes the first on parts of the
 * batch in several threads and averages them before the second.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng.js';
import type { Adam, RowGradient } from './optimizer.js';
import type { DenseParam } from './params.js';
import { StepContext } from './step.js';
import type { TrainTask } from './train-loop.js';

/** What one batch's forward and backward pass produce, as plain arrays (no tensors). */
export interface StepGradients {
  /** The batch's mean loss (NaN or infinite when it diverged; then nothing else is filled). */
  readonly loss: number;
  readonly dense: Array<readonly [DenseParam, Float32Array]>;
  readonly rows: RowGradient[];
  /** New values of non-trainable buffers (batch-norm statistics) the batch asks for. */
  readonly buffers: Array<{ readonly param: DenseParam; readonly value: Float32Array }>;
}

/**
 * The gradients of the batch's mean loss with respect to the dense weights and the table rows it
 * looked up (and its buffer updates), without changing any weight.
 */
export function stepGradients(
  task: Pick<TrainTask, 'loss'>,
  batch: Int32Array,
  rng: Rng,
  dense: readonly DenseParam[],
): StepGradients {
  // The array is filled further by the lookups the forward pass makes (see StepContext). It must
  // not start empty (tfjs asserts that), hence a placeholder when a model has no dense weights.
  const targets: tf.Tensor[] = dense.map((p) => p.variable);
  const offset = targets.length === 0 ? 1 : 0;
  let out: StepGradients = { loss: NaN, dense: [], rows: [], buffers: [] };
  // The result is built in a variable outside tidy: tidy would walk a returned object's typed
  // arrays element by element looking for tensors.
  tf.tidy(() => {
    if (offset === 1) targets.push(tf.scalar(0));
    const ctx = new StepContext(true, rng, targets);
    const { value, grads } = tf.engine().gradients(() => task.loss(batch, ctx), targets, undefined, true);
    out = { loss: (value.dataSync() as Float32Array)[0], dense: [], rows: [], buffers: ctx.bufferUpdates };
    if (!Number.isFinite(out.loss)) return;
    dense.forEach((p, i) => {
      const g = grads[i] as tf.Tensor | null | undefined;
      if (g != null) out.dense.push([p, g.dataSync() as Float32Array]);
    });
    ctx.lookups.forEach((l, j) => {
      const g = grads[offset + dense.length + j] as tf.Tensor | null | undefined;
      if (g != null) out.rows.push({ table: l.table, ids: l.ids, grads: g.dataSync() as Float32Array });
    });
  });
  return out;
}

/** One Adam step with `g`, then the buffer updates. */
export function applyGradients(g: StepGradients, optimizer: Adam): void {
  optimizer.step(g.dense, g.rows);
  for (const { param, value } of g.buffers) {
    param.value.set(value);
    param.sync();
  }
}

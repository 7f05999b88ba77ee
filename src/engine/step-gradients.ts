/**
 * One training step split in two halves: the gradients of a batch (`stepGradients`, which
 * changes no weight) and the optimizer update with them (`applyGradients`). The training loop runs
 * both in turn; data-parallel training (`shared-step.ts`) reads the gradients of parts of the
 * batch in several threads straight out of the tensors (`visitStepGradients`) and sums them
 * before its own update.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng.js';
import type { Adam, RowGradient } from './optimizer.js';
import type { DenseParam, TableParam } from './params.js';
import { StepContext } from './step.js';
import type { TrainTask } from './train-loop.js';

/** What one batch's forward and backward pass produce, as plain arrays (no tensors). */
export interface StepGradients {
  /** The batch's mean loss (NaN or infinite when it diverged; then nothing else is filled). */
  readonly loss: number;
  readonly dense: Array<readonly [DenseParam, Float32Array]>;
  readonly rows: RowGradient[];
  /** New values of non-trainable buffers (batch-norm statistics) the batch asks for. */
  readonly buffers: BufferUpdate[];
}

export interface BufferUpdate {
  readonly param: DenseParam;
  readonly value: Float32Array;
}

/**
 * Receives a step's gradient tensors; they are disposed when the step returns, so a visitor
 * copies what it keeps. Called only when the loss is finite.
 */
export interface GradientVisitor {
  /** The gradient of `dense[index]`, or null when the loss does not depend on it. */
  dense(index: number, grad: tf.Tensor | null): void;
  /** The gradient of the table rows `ids` (one row of `table.dim` values per id). */
  rows(table: TableParam, ids: Int32Array, grad: tf.Tensor): void;
}

/**
 * Runs the forward and backward pass of `batch` and hands the gradients with respect to the dense
 * weights and the table rows it looked up to `visitor`; returns the batch's mean loss and the
 * buffer updates it asks for. Changes no weight.
 */
export function visitStepGradients(
  task: Pick<TrainTask, 'loss'>,
  batch: Int32Array,
  rng: Rng,
  dense: readonly DenseParam[],
  visitor: GradientVisitor,
): { readonly loss: number; readonly buffers: BufferUpdate[] } {
  // The array is filled further by the lookups the forward pass makes (see StepContext). It must
  // not start empty (tfjs asserts that), hence a placeholder when a model has no dense weights.
  const targets: tf.Tensor[] = dense.map((p) => p.variable);
  const offset = targets.length === 0 ? 1 : 0;
  let loss = NaN;
  let buffers: BufferUpdate[] = [];
  tf.tidy(() => {
    if (offset === 1) targets.push(tf.scalar(0));
    const ctx = new StepContext(true, rng, targets);
    const { value, grads } = tf.engine().gradients(() => task.loss(batch, ctx), targets, undefined, true);
    loss = (value.dataSync() as Float32Array)[0];
    buffers = ctx.bufferUpdates;
    if (!Number.isFinite(loss)) return;
    dense.forEach((_, i) => visitor.dense(i, (grads[i] as tf.Tensor | null | undefined) ?? null));
    ctx.lookups.forEach((l, j) => {
      const g = grads[offset + dense.length + j] as tf.Tensor | null | undefined;
      if (g != null) visitor.rows(l.table, l.ids, g);
    });
  });
  return { loss, buffers };
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
  const out: StepGradients = { loss: NaN, dense: [], rows: [], buffers: [] };
  // The arrays are collected outside tidy: tidy would walk a returned object's typed arrays
  // element by element looking for tensors.
  const { loss, buffers } = visitStepGradients(task, batch, rng, dense, {
    dense: (i, g) => {
      if (g !== null) out.dense.push([dense[i], g.dataSync() as Float32Array]);
    },
    rows: (table, ids, g) => out.rows.push({ table, ids, grads: g.dataSync() as Float32Array }),
  });
  return { ...out, loss, buffers };
}

/** One Adam step with `g`, then the buffer updates. */
export function applyGradients(g: StepGradients, optimizer: Adam): void {
  optimizer.step(g.dense, g.rows);
  for (const { param, value } of g.buffers) {
    param.value.set(value);
    param.sync();
  }
}

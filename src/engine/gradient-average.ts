/**
 * The gradient of a batch from the gradients of its parts, for data-parallel training.
 *
 * A task's loss is the mean over its batch, L = (1/n) Σᵢ ℓᵢ. Cut the batch into parts of sizes
 * n₁ … n_P (Σ nₚ = n) with part means Lₚ = (1/nₚ) Σ_{i∈p} ℓᵢ; then L = Σₚ (nₚ/n) Lₚ and, the
 * gradient being linear, ∇L = Σₚ (nₚ/n) ∇Lₚ. So each part's gradients (dense weights and looked-up
 * table rows alike) are scaled by nₚ/n and summed; rows that several parts touched are summed by
 * the optimizer (`mergeRows`). The loss is averaged the same way. This is exact when every ℓᵢ
 * depends on its own example only; a layer with batch statistics (batch norm) normalises each part
 * by that part's statistics instead, as PyTorch's DistributedDataParallel does without SyncBatchNorm.
 * The batch-norm running statistics each part proposes are averaged with the same weights.
 *
 * The sums run in a different order than one pass over the whole batch would, so float32 results
 * are close to, not bit-identical with, a one-thread step.
 */
import { HeedError } from '../util/errors.js';
import type { DenseParam } from './params.js';
import type { StepGradients } from './step-gradients.js';

export interface GradientPart {
  /** Examples in the part (nₚ). */
  readonly size: number;
  readonly gradients: StepGradients;
}

/** Σₚ (nₚ/n)·(part p's gradients, loss and buffer proposals); scales the parts' arrays in place. */
export function averageGradients(parts: readonly GradientPart[]): StepGradients {
  const n = parts.reduce((sum, p) => sum + p.size, 0);
  if (n === 0) throw new HeedError('averageGradients: the parts hold no examples');
  let loss = 0;
  for (const p of parts) loss += (p.size / n) * p.gradients.loss;
  if (!Number.isFinite(loss)) return { loss, dense: [], rows: [], buffers: [] };

  const dense = new Map<DenseParam, Float32Array>();
  const buffers = new Map<DenseParam, Float32Array>();
  const bufferWeight = new Map<DenseParam, number>();
  const rows: StepGradients['rows'] = [];
  for (const { size, gradients } of parts) {
    const w = size / n;
    for (const [param, grad] of gradients.dense) addScaled(dense, param, grad, w);
    for (const { param, value } of gradients.buffers) {
      addScaled(buffers, param, value, w);
      bufferWeight.set(param, (bufferWeight.get(param) ?? 0) + w);
    }
    for (const r of gradients.rows) {
      scale(r.grads, w);
      rows.push(r);
    }
  }
  // A buffer is an average, not a sum: renormalise when not every part proposed it.
  for (const [param, value] of buffers) {
    const total = bufferWeight.get(param) ?? 1;
    if (total !== 1) scale(value, 1 / total);
  }
  return {
    loss,
    dense: [...dense],
    rows,
    buffers: [...buffers].map(([param, value]) => ({ param, value })),
  };
}

function addScaled(sums: Map<DenseParam, Float32Array>, param: DenseParam, a: Float32Array, w: number): void {
  const sum = sums.get(param);
  if (sum === undefined) {
    scale(a, w);
    sums.set(param, a);
    return;
  }
  if (sum.length !== a.length)
    throw new HeedError(
      `averageGradients: "${param.name}" has ${a.length} values in one part, ${sum.length} in another`,
    );
  for (let i = 0; i < a.length; i++) sum[i] += w * a[i];
}

function scale(a: Float32Array, w: number): void {
  for (let i = 0; i < a.length; i++) a[i] *= w;
}

/**
 * Adam (Kingma & Ba, 2015, Algorithm 1) with L2 weight decay, run in JavaScript over the
 * parameters' Float32Array master copies.
 *
 * L2 is the "coupled" kind (as PyTorch's `Adam(weight_decay=λ)`, which the papers' code uses):
 * g ← g + λ·l2ᵖ·w before the moment updates, with l2ᵖ the parameter's own multiplier.
 *
 *   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  w ← w − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
 *
 * Embedding tables are updated lazily ("sparse Adam", as TensorFlow's LazyAdam): a step changes m,
 * v and w only on the rows the batch touched, so its cost follows the batch, not the table; rows
 * not in the batch keep their weights and moments (and receive no weight decay that step). On the
 * touched rows the update is exactly the dense Adam step. t counts steps globally.
 */
import { UsageError } from '../util/errors.js';
import type { DenseParam, TableParam } from './params.js';

export interface AdamSettings {
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  /** L2 weight-decay rate λ (0: none). */
  readonly l2?: number;
}

/** The gradient of a table on some of its rows: `grads` holds one row of `dim` values per id. */
export interface RowGradient {
  readonly table: TableParam;
  readonly ids: Int32Array;
  readonly grads: Float32Array;
}

interface Moments {
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export class Adam {
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly l2: number;
  /** Steps taken (the t of the bias corrections). */
  t = 0;
  private readonly moments = new Map<string, Moments>();

  constructor(settings: AdamSettings) {
    this.learningRate = settings.learningRate;
    this.beta1 = settings.beta1 ?? 0.9;
    this.beta2 = settings.beta2 ?? 0.999;
    this.epsilon = settings.epsilon ?? 1e-8;
    this.l2 = settings.l2 ?? 0;
    const check = (name: string, v: number, ok: boolean): void => {
      if (!Number.isFinite(v) || !ok) throw new UsageError(`Adam setting ${name} = ${v} is out of range`);
    };
    check('learningRate', this.learningRate, this.learningRate > 0);
    check('beta1', this.beta1, this.beta1 >= 0 && this.beta1 < 1);
    check('beta2', this.beta2, this.beta2 >= 0 && this.beta2 < 1);
    check('epsilon', this.epsilon, this.epsilon > 0);
    check('l2', this.l2, this.l2 >= 0);
  }

  /**
   * One step: dense gradients (same length as each parameter's value) and row gradients of
   * tables (several for one table are summed per row). Updates the values in place and syncs the
   * dense parameters' tensors.
   */
  step(dense: ReadonlyArray<readonly [DenseParam, Float32Array]>, rows: readonly RowGradient[]): void {
    const { c1, c2 } = this.advance();
    for (const [param, grad] of dense) {
      if (!param.trainable) throw new UsageError(`parameter "${param.name}" is a buffer, not trainable`);
      if (grad.length !== param.size)
        throw new UsageError(`gradient of "${param.name}" has ${grad.length} values, expected ${param.size}`);
      const mo = this.momentsOf(param.name, param.size);
      adamUpdate(this, param.value, mo.m, mo.v, grad, 0, param.size, 0, this.l2 * param.l2, c1, c2);
      param.sync();
    }
    for (const { table, ids, grads } of mergeRows(rows)) {
      const mo = this.momentsOf(table.name, table.value.length);
      const d = table.dim;
      const decay = this.l2 * table.l2;
      for (let k = 0; k < ids.length; k++)
        adamUpdate(this, table.value, mo.m, mo.v, grads, ids[k] * d, d, k * d, decay, c1, c2);
    }
  }

  /**
   * Counts one more step and returns its bias corrections c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ.
   * Data-parallel training (`shared-step.ts`) calls it for the steps it applies itself.
   */
  advance(): { readonly c1: number; readonly c2: number } {
    this.t++;
    return { c1: 1 - Math.pow(this.beta1, this.t), c2: 1 - Math.pow(this.beta2, this.t) };
  }

  /** Moments of a parameter (created at zero), for tests and checkpoints. */
  momentsOf(name: string, size: number): Moments {
    let mo = this.moments.get(name);
    if (mo === undefined) {
      mo = { m: new Float32Array(size), v: new Float32Array(size) };
      this.moments.set(name, mo);
    }
    return mo;
  }
}

/**
 * Algorithm 1's update of w[at … at+n) with the gradient g[gAt … gAt+n), plus the coupled decay
 * `decay`·w; c1 and c2 are the step's bias corrections (`Adam.advance`).
 */
export function adamUpdate(
  s: Pick<Adam, 'learningRate' | 'beta1' | 'beta2' | 'epsilon'>,
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  at: number,
  n: number,
  gAt: number,
  decay: number,
  c1: number,
  c2: number,
): void {
  const { beta1: b1, beta2: b2, epsilon: eps } = s;
  const stepSize = s.learningRate / c1;
  const invC2 = 1 / c2;
  for (let j = 0; j < n; j++) {
    const i = at + j;
    const gi = g[gAt + j] + decay * w[i];
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= (stepSize * mi) / (Math.sqrt(vi * invC2) + eps);
  }
}

/** Sums row gradients of the same table and row, so each row is updated once per step. */
export function mergeRows(rows: readonly RowGradient[]): RowGradient[] {
  const byTable = new Map<TableParam, RowGradient[]>();
  for (const r of rows) {
    const list = byTable.get(r.table);
    if (list === undefined) byTable.set(r.table, [r]);
    else list.push(r);
  }
  const out: RowGradient[] = [];
  for (const [table, list] of byTable) {
    if (list.length === 1) {
      out.push(list[0]);
      continue;
    }
    const d = table.dim;
    const slot = new Map<number, number>();
    for (const r of list) for (const id of r.ids) if (!slot.has(id)) slot.set(id, slot.size);
    const ids = new Int32Array(slot.size);
    const grads = new Float32Array(slot.size * d);
    for (const [id, s] of slot) ids[s] = id;
    for (const r of list) {
      for (let k = 0; k < r.ids.length; k++) {
        const s = slot.get(r.ids[k]) as number;
        for (let j = 0; j < d; j++) grads[s * d + j] += r.grads[k * d + j];
      }
    }
    out.push({ table, ids, grads });
  }
  return out;
}

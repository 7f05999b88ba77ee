/**
 * The shared memory of a data-parallel training step (`data-parallel.ts`) and the two things every
 * thread does with it. All threads see the same SharedArrayBuffers: the weights, Adam's moments,
 * one gradient slot per thread, the batch, and small control arrays.
 *
 * 1. `computePart`: thread p computes the gradient of its part of the batch (its own replica of
 *    the model, loaded from the shared weights) and copies it into its slot; the table rows it
 *    touched are flagged. The slots weighted by the parts' sizes sum to the gradient of the whole
 *    batch (∇L = Σₚ (nₚ/n) ∇Lₚ for a loss L that is a mean over examples).
 * 2. `updateShare`: thread t sums the weighted slots over its share of the parameters (a contiguous share of
 *    every dense weight's values and of every table's rows) and runs Adam on it, in place in the
 *    shared weights and moments. No thread writes another's share, so no lock is needed, and no
 *    weights are sent anywhere: after the step every thread copies them into its replica.
 *
 * Dense weights are read from the tensors' own memory (on the wasm backend, without a copy) and
 * written into the slot, so a step allocates no gradient arrays; only the rows a step touched are
 * summed and updated for tables (lazy Adam, as `Adam.step` does on one thread). Buffers (batch-norm
 * statistics) take the nₚ/n-weighted average of the parts' proposals.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { HeedError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { adamUpdate, type Adam } from './optimizer.js';
import type { DenseParam, Params } from './params.js';
import { visitStepGradients } from './step-gradients.js';
import type { TrainTask } from './train-loop.js';

/** One parameter's place in every flat array (offsets in float32 elements). */
export interface SharedSlot {
  readonly name: string;
  /** `dense`: a trainable dense weight; `buffer`: a non-trainable one; `table`: row-sparse. */
  readonly kind: 'dense' | 'buffer' | 'table';
  readonly offset: number;
  readonly size: number;
  /** Rows × dim of a table (a dense weight: size × 1). */
  readonly rows: number;
  readonly dim: number;
  /** Where the table's row flags start in a thread's flags. */
  readonly rowOffset: number;
  /** The parameter's own L2 multiplier (Adam's decay is λ·l2). */
  readonly l2: number;
}

export interface SharedStepLayout {
  readonly threads: number;
  /** Floats in the weights, the moments and each gradient slot. */
  readonly total: number;
  readonly tableRows: number;
  readonly maxBatch: number;
  readonly slots: readonly SharedSlot[];
  readonly adam: Pick<Adam, 'beta1' | 'beta2' | 'epsilon' | 'l2'>;
  readonly memory: {
    readonly weights: SharedArrayBuffer;
    readonly m: SharedArrayBuffer;
    readonly v: SharedArrayBuffer;
    /** threads × total floats. */
    readonly grads: SharedArrayBuffer;
    /** threads × tableRows bytes: 1 where the thread's part touched the row. */
    readonly touched: SharedArrayBuffer;
    /** threads × slots bytes: 1 where the thread's part proposed a buffer value. */
    readonly proposed: SharedArrayBuffer;
    readonly batch: SharedArrayBuffer;
    readonly numbers: SharedArrayBuffer;
    readonly control: SharedArrayBuffer;
    readonly error: SharedArrayBuffer;
  };
}

/** Indices into `control` (Int32Array); the part bounds follow, threads + 1 of them. */
export const Control = { SEQUENCE: 0, COMMAND: 1, DONE: 2, FAILED: 3, BOUNDS: 4 } as const;
/** What `control[COMMAND]` asks the workers to do. */
export const Command = { COMPUTE: 1, UPDATE: 2, STOP: 3 } as const;
/** Indices into `numbers` (Float64Array): learning rate and bias corrections, then per thread nₚ/n and Lₚ. */
const LEARNING_RATE = 0;
const C1 = 1;
const C2 = 2;
const WEIGHTS = 3;

const ERROR_BYTES = 2048;

/** [from, to) of thread t's share of n units. */
function share(n: number, t: number, threads: number): [number, number] {
  return [Math.floor((t * n) / threads), Math.floor(((t + 1) * n) / threads)];
}

/** A float32 tensor's values: a view of the wasm heap (valid until the next allocation), else a copy. */
function valuesOf(t: tf.Tensor): Float32Array {
  if (tf.getBackend() === 'wasm') return (tf.backend() as BackendWasm).typedArrayFromHeap(t) as Float32Array;
  return t.dataSync() as Float32Array;
}

/** One thread's views of the shared step memory, and the rows its last part flagged. */
export class SharedStep {
  readonly weights: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly grads: readonly Float32Array[];
  readonly touched: readonly Uint8Array[];
  readonly proposed: readonly Uint8Array[];
  readonly batch: Int32Array;
  readonly numbers: Float64Array;
  readonly control: Int32Array;
  private readonly error: Uint8Array;
  private readonly slotOf = new Map<string, { readonly slot: SharedSlot; readonly index: number }>();
  /** Row flags this thread set in its last part, cleared before its next one. */
  private flagged: number[] = [];

  constructor(readonly layout: SharedStepLayout) {
    const { threads, total, tableRows, slots, memory } = layout;
    this.weights = new Float32Array(memory.weights);
    this.m = new Float32Array(memory.m);
    this.v = new Float32Array(memory.v);
    const perThread = <T>(f: (p: number) => T): T[] => Array.from({ length: threads }, (_, p) => f(p));
    this.grads = perThread((p) => new Float32Array(memory.grads, p * total * 4, total));
    this.touched = perThread((p) => new Uint8Array(memory.touched, p * tableRows, tableRows));
    this.proposed = perThread((p) => new Uint8Array(memory.proposed, p * slots.length, slots.length));
    this.batch = new Int32Array(memory.batch);
    this.numbers = new Float64Array(memory.numbers);
    this.control = new Int32Array(memory.control);
    this.error = new Uint8Array(memory.error);
    slots.forEach((slot, index) => this.slotOf.set(slot.name, { slot, index }));
  }

  /** The layout and memory for `params` trained by `threads` threads on batches of up to `maxBatch`. */
  static create(
    params: Params,
    threads: number,
    maxBatch: number,
    adam: SharedStepLayout['adam'],
  ): SharedStep {
    const slots: SharedSlot[] = [];
    let offset = 0;
    let tableRows = 0;
    for (const p of params.list()) {
      const size = p.value.length;
      if (p.kind === 'table') {
        slots.push({
          name: p.name,
          kind: 'table',
          offset,
          size,
          rows: p.rows,
          dim: p.dim,
          rowOffset: tableRows,
          l2: p.l2,
        });
        tableRows += p.rows;
      } else {
        const kind = p.trainable ? 'dense' : 'buffer';
        slots.push({ name: p.name, kind, offset, size, rows: size, dim: 1, rowOffset: 0, l2: p.l2 });
      }
      offset += size;
    }
    const floats = (n: number): SharedArrayBuffer => new SharedArrayBuffer(n * 4);
    const step = new SharedStep({
      threads,
      total: offset,
      tableRows,
      maxBatch,
      slots,
      adam: { beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.epsilon, l2: adam.l2 },
      memory: {
        weights: floats(offset),
        m: floats(offset),
        v: floats(offset),
        grads: floats(threads * offset),
        touched: new SharedArrayBuffer(threads * tableRows),
        proposed: new SharedArrayBuffer(threads * slots.length),
        batch: new SharedArrayBuffer(maxBatch * 4),
        numbers: new SharedArrayBuffer((WEIGHTS + 2 * threads) * 8),
        control: new SharedArrayBuffer((Control.BOUNDS + threads + 1) * 4),
        error: new SharedArrayBuffer(ERROR_BYTES),
      },
    });
    step.publish(params);
    return step;
  }

  /** Throws when `params` does not declare exactly the layout's names and sizes, in order. */
  checkLayout(params: Params): void {
    const list = params.list();
    const slots = this.layout.slots;
    const mismatch = (why: string): never => {
      throw new HeedError(`data-parallel replica: its parameters differ from the model's (${why})`);
    };
    if (list.length !== slots.length) mismatch(`${list.length} parameters, the model has ${slots.length}`);
    list.forEach((p, i) => {
      const slot = slots[i];
      if (p.name !== slot.name || p.value.length !== slot.size)
        mismatch(`"${p.name}" [${p.value.length}] where the model has "${slot.name}" [${slot.size}]`);
    });
  }

  /** Copies every value of `params` into the shared weights. */
  publish(params: Params): void {
    params.list().forEach((p, i) => this.weights.set(p.value, this.layout.slots[i].offset));
  }

  /** Copies the shared weights into `params` and refreshes the dense parameters' tensors. */
  adopt(params: Params): void {
    params.list().forEach((p, i) => {
      const { offset, size } = this.layout.slots[i];
      p.value.set(this.weights.subarray(offset, offset + size));
      if (p.kind === 'dense') p.sync();
    });
  }

  /** Cuts a batch into one contiguous part per thread (thread 0's first) and sets their weights nₚ/n. */
  setBatch(batch: Int32Array): void {
    const { threads, maxBatch } = this.layout;
    const n = batch.length;
    if (n === 0 || n > maxBatch)
      throw new HeedError(`data-parallel step: a batch of ${n} examples (1 to ${maxBatch} fit)`);
    this.batch.set(batch);
    for (let p = 0; p <= threads; p++) this.control[Control.BOUNDS + p] = share(n, p, threads)[0];
    for (let p = 0; p < threads; p++) this.numbers[WEIGHTS + p] = this.partSize(p) / n;
  }

  /** Sets the learning rate and bias corrections of the coming update. */
  setUpdate(learningRate: number, c1: number, c2: number): void {
    this.numbers[LEARNING_RATE] = learningRate;
    this.numbers[C1] = c1;
    this.numbers[C2] = c2;
  }

  /** Part p's weight nₚ/n in the current batch. */
  partWeight(p: number): number {
    return this.numbers[WEIGHTS + p];
  }

  /** The batch's mean loss, Σₚ (nₚ/n)·Lₚ, once every part is computed. */
  loss(): number {
    let loss = 0;
    for (let p = 0; p < this.layout.threads; p++)
      if (this.partSize(p) > 0)
        loss += this.numbers[WEIGHTS + p] * this.numbers[WEIGHTS + this.layout.threads + p];
    return loss;
  }

  /**
   * Thread p's part: computes its gradient with `task` (whose parameters hold the shared weights)
   * and copies it into slot p, flagging the table rows it touched.
   */
  computePart(
    p: number,
    task: Pick<TrainTask, 'params' | 'loss'>,
    rng: Rng,
    dense: readonly DenseParam[],
  ): void {
    const touched = this.touched[p];
    for (const flag of this.flagged) touched[flag] = 0;
    this.flagged = [];
    this.proposed[p].fill(0);
    const lossAt = WEIGHTS + this.layout.threads + p;
    const size = this.partSize(p);
    if (size === 0) {
      this.numbers[lossAt] = 0;
      return;
    }
    const from = this.control[Control.BOUNDS + p];
    const g = this.grads[p];
    const { loss, buffers } = visitStepGradients(task, this.batch.slice(from, from + size), rng, dense, {
      dense: (i, grad) => {
        const { offset, size: n } = this.slot(dense[i].name).slot;
        if (grad === null) {
          g.fill(0, offset, offset + n);
          return;
        }
        g.set(valuesOf(grad).subarray(0, n), offset);
      },
      rows: (table, ids, grad) => {
        const { offset, dim, rowOffset } = this.slot(table.name).slot;
        const values = valuesOf(grad);
        for (let k = 0; k < ids.length; k++) {
          const flag = rowOffset + ids[k];
          const at = offset + ids[k] * dim;
          if (touched[flag] === 0) {
            touched[flag] = 1;
            this.flagged.push(flag);
            for (let j = 0; j < dim; j++) g[at + j] = values[k * dim + j];
          } else {
            for (let j = 0; j < dim; j++) g[at + j] += values[k * dim + j];
          }
        }
      },
    });
    this.numbers[lossAt] = loss;
    if (!Number.isFinite(loss)) return;
    for (const { param, value } of buffers) {
      const { slot, index } = this.slot(param.name);
      this.proposed[p][index] = 1;
      g.set(value.subarray(0, slot.size), slot.offset);
    }
  }

  /**
   * Thread t's share of the update: the slots summed and one Adam step on its share of every
   * dense weight and table (thread 0 also sets the buffers). Call once every part is computed.
   */
  updateShare(t: number): void {
    const { threads, slots, adam } = this.layout;
    const parts: number[] = [];
    for (let p = 0; p < threads; p++) if (this.partSize(p) > 0) parts.push(p);
    const settings = { ...adam, learningRate: this.numbers[LEARNING_RATE] };
    const c1 = this.numbers[C1];
    const c2 = this.numbers[C2];
    const { weights, m, v } = this;
    // Reused for every table row: an array per row per step was most of a step's garbage.
    const touching: number[] = [];
    slots.forEach((slot, index) => {
      const decay = adam.l2 * slot.l2;
      if (slot.kind === 'dense') {
        const [from, to] = share(slot.size, t, threads);
        const base = this.weighted(parts, slot.offset + from, slot.offset + to);
        adamUpdate(
          settings,
          weights,
          m,
          v,
          base,
          slot.offset + from,
          to - from,
          slot.offset + from,
          decay,
          c1,
          c2,
        );
      } else if (slot.kind === 'table') {
        const [from, to] = share(slot.rows, t, threads);
        const d = slot.dim;
        for (let r = from; r < to; r++) {
          const flag = slot.rowOffset + r;
          const at = slot.offset + r * d;
          touching.length = 0;
          for (const p of parts) if (this.touched[p][flag] === 1) touching.push(p);
          if (touching.length === 0) continue;
          const base = this.weighted(touching, at, at + d);
          adamUpdate(settings, weights, m, v, base, at, d, at, decay, c1, c2);
        }
      } else if (t === 0) {
        this.averageBuffer(slot, index, parts);
      }
    });
  }

  /** Records a thread's failure for the main thread (`failure`). */
  fail(message: string): void {
    const bytes = new TextEncoder().encode(message).subarray(0, ERROR_BYTES);
    this.error.fill(0);
    this.error.set(bytes);
    Atomics.store(this.control, Control.FAILED, 1);
  }

  /** The message of a worker's failure, or undefined. */
  failure(): string | undefined {
    if (Atomics.load(this.control, Control.FAILED) === 0) return undefined;
    const end = this.error.indexOf(0);
    // TextDecoder refuses views of shared memory: decode a copy.
    return new TextDecoder().decode(this.error.slice(0, end < 0 ? ERROR_BYTES : end));
  }

  private partSize(p: number): number {
    return this.control[Control.BOUNDS + p + 1] - this.control[Control.BOUNDS + p];
  }

  private slot(name: string): { readonly slot: SharedSlot; readonly index: number } {
    const s = this.slotOf.get(name);
    if (s === undefined) throw new HeedError(`data-parallel step: no shared slot for parameter "${name}"`);
    return s;
  }

  /**
   * Σₚ (nₚ/n)·slot p over [from, to) for the given parts, written into the first part's slot
   * (which it returns): that range of it is this thread's to change until the next step.
   */
  private weighted(parts: readonly number[], from: number, to: number): Float32Array {
    const base = this.grads[parts[0]];
    const w0 = this.numbers[WEIGHTS + parts[0]];
    for (let i = from; i < to; i++) base[i] *= w0;
    for (let q = 1; q < parts.length; q++) {
      const g = this.grads[parts[q]];
      const w = this.numbers[WEIGHTS + parts[q]];
      for (let i = from; i < to; i++) base[i] += w * g[i];
    }
    return base;
  }

  /** A buffer ← the nₚ/n-weighted average of the parts' proposals. */
  private averageBuffer(slot: SharedSlot, index: number, parts: readonly number[]): void {
    const proposers = parts.filter((p) => this.proposed[p][index] === 1);
    if (proposers.length === 0) return;
    let total = 0;
    for (const p of proposers) total += this.numbers[WEIGHTS + p];
    const sum = this.weighted(proposers, slot.offset, slot.offset + slot.size);
    for (let k = slot.offset; k < slot.offset + slot.size; k++) this.weights[k] = sum[k] / total;
  }
}

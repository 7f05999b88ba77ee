/**
 * A model's parameters: named weights with seeded initialisation, kept simple and explicit (no
 * tf.layers). Two kinds:
 *
 * - `DenseParam`: a weight tensor updated whole every step (matrices, biases, filters). Its master
 *   copy is a Float32Array (`value`); `variable` mirrors it on the tensor backend for the ops.
 * - `TableParam`: an embedding table [rows, dim] kept only in JavaScript. Each step gathers the
 *   rows a batch touches into a small tensor (see `StepContext.lookup`) and the optimizer updates
 *   only those rows, so the cost of a step follows the batch, not the table.
 *
 * Non-trainable buffers (batch-norm running statistics) are DenseParams with `trainable: false`.
 * Every parameter draws its initial values from its own Rng, seeded from the Params seed and its
 * name, so adding a parameter never changes another's initialisation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DataError, HeedError, UsageError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

export type Init =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'uniform'; readonly limit: number }
  /** Glorot/Xavier uniform: limit √(6 / (fanIn + fanOut)), fanOut = last dim, fanIn = the rest. */
  | { readonly kind: 'glorot' };

export interface ParamOptions {
  readonly init?: Init;
  /** Multiplier of the optimizer's L2 rate for this parameter (0 excludes it; default 1). */
  readonly l2?: number;
}

export class DenseParam {
  readonly kind = 'dense';
  readonly size: number;
  /** Master copy; the optimizer updates it and then `sync()`s the variable. */
  readonly value: Float32Array;
  private v: tf.Variable | undefined;

  constructor(
    readonly name: string,
    readonly shape: readonly number[],
    readonly l2: number,
    readonly trainable: boolean,
    value: Float32Array,
  ) {
    this.size = value.length;
    this.value = value;
  }

  /** The tensor to compute with (created on first use, on the current backend). */
  get variable(): tf.Variable {
    this.v ??= tf.tidy(() =>
      tf.variable(tf.tensor(this.value, this.shape.slice()), false, undefined, 'float32'),
    );
    return this.v;
  }

  /** Copies `value` into the variable after it changed in JavaScript. */
  sync(): void {
    if (this.v === undefined) return;
    const v = this.v;
    tf.tidy(() => v.assign(tf.tensor(this.value, this.shape.slice())));
  }

  dispose(): void {
    this.v?.dispose();
    this.v = undefined;
  }
}

export class TableParam {
  readonly kind = 'table';
  constructor(
    readonly name: string,
    readonly rows: number,
    readonly dim: number,
    readonly l2: number,
    /** Row r is value[r·dim .. (r+1)·dim). */
    readonly value: Float32Array,
  ) {}
}

export type Param = DenseParam | TableParam;

export class Params {
  private readonly byName = new Map<string, Param>();

  constructor(readonly seed: number) {}

  /** A weight tensor trained whole. Default init: Glorot uniform. */
  dense(name: string, shape: readonly number[], options: ParamOptions = {}): DenseParam {
    const value = this.initial(name, shape, options.init ?? { kind: 'glorot' });
    return this.add(new DenseParam(name, shape, options.l2 ?? 1, true, value));
  }

  /** A non-trainable buffer (saved and restored, never touched by the optimizer). */
  buffer(name: string, shape: readonly number[], init: Init = { kind: 'zeros' }): DenseParam {
    return this.add(new DenseParam(name, shape, 0, false, this.initial(name, shape, init)));
  }

  /** An embedding table updated row-sparsely. Default init: normal with std 0.01. */
  table(name: string, rows: number, dim: number, options: ParamOptions = {}): TableParam {
    const value = this.initial(name, [rows, dim], options.init ?? { kind: 'normal', std: 0.01 });
    return this.add(new TableParam(name, rows, dim, options.l2 ?? 1, value));
  }

  get(name: string): Param {
    const p = this.byName.get(name);
    if (p === undefined) throw new HeedError(`no parameter named "${name}"`);
    return p;
  }

  list(): Param[] {
    return [...this.byName.values()];
  }

  denseParams(): DenseParam[] {
    return this.list().filter((p): p is DenseParam => p.kind === 'dense');
  }

  tables(): TableParam[] {
    return this.list().filter((p): p is TableParam => p.kind === 'table');
  }

  /** Number of scalar weights (trainable and buffers). */
  count(): number {
    let n = 0;
    for (const p of this.byName.values()) n += p.value.length;
    return n;
  }

  /** Copies of every array by name, for `ModelState.arrays`. */
  arrays(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, p] of this.byName) out[name] = p.value.slice();
    return out;
  }

  /**
   * Loads saved arrays into the declared parameters. Every declared name must be present with
   * the declared length; `source` (a file or model id) is named in the errors.
   */
  load(arrays: Readonly<Record<string, Float32Array | Float64Array | Int32Array>>, source: string): void {
    for (const [name, p] of this.byName) {
      const a = arrays[name];
      if (a === undefined) throw new DataError(source, undefined, name, 'array missing from the saved model');
      if (a.length !== p.value.length) {
        throw new DataError(source, undefined, name, `expected ${p.value.length} values, found ${a.length}`);
      }
      p.value.set(a);
      if (p.kind === 'dense') p.sync();
    }
  }

  /** A copy of every value (to keep the best weights during training). */
  snapshot(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, p] of this.byName) out.set(name, p.value.slice());
    return out;
  }

  restore(snapshot: ReadonlyMap<string, Float32Array>): void {
    for (const [name, p] of this.byName) {
      const saved = snapshot.get(name);
      if (saved === undefined) throw new HeedError(`snapshot lacks parameter "${name}"`);
      p.value.set(saved);
      if (p.kind === 'dense') p.sync();
    }
  }

  /** Frees the tensors (the JavaScript values stay usable). */
  dispose(): void {
    for (const p of this.byName.values()) if (p.kind === 'dense') p.dispose();
  }

  private add<P extends Param>(p: P): P {
    if (this.byName.has(p.name)) throw new UsageError(`parameter "${p.name}" declared twice`);
    this.byName.set(p.name, p);
    return p;
  }

  private initial(name: string, shape: readonly number[], init: Init): Float32Array {
    for (const d of shape) {
      if (!Number.isInteger(d) || d <= 0)
        throw new UsageError(`parameter "${name}": bad shape [${shape.join(', ')}]`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(size);
    const rng = new Rng((this.seed ^ hashName(name)) >>> 0);
    switch (init.kind) {
      case 'zeros':
        break;
      case 'constant':
        out.fill(init.value);
        break;
      case 'normal':
        for (let i = 0; i < size; i++) out[i] = rng.normal() * init.std;
        break;
      case 'uniform':
        for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * init.limit;
        break;
      case 'glorot': {
        const fanOut = shape[shape.length - 1];
        const fanIn = shape.length > 1 ? size / fanOut : fanOut;
        const limit = Math.sqrt(6 / (fanIn + fanOut));
        for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * limit;
        break;
      }
    }
    return out;
  }
}

/** FNV-1a hash of a parameter name, to derive its Rng seed. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

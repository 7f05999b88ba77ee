/**
 * One thread's share of a one-hot run's sweep (`fm-coordinate-kernels.ts`), the same code on the
 * fit's own thread and on its worker threads (`fm-sweep-worker.ts`), and the kernels' exports.
 *
 * A one-hot run (user ids, item ids, a categorical field) is cut into contiguous parts of columns,
 * one per thread. No row has two non-zeros in the run, so the parts touch disjoint rows of the e/q
 * cache and disjoint parameters; each part's columns are swept by the same kernel, walking the same
 * non-zeros in the same order, with the same pre-drawn normals, as on one thread. So every number
 * is the same bits whichever thread computes it and however the run is cut.
 */
import { FM_KERNELS_WASM_BASE64 } from './fm-kernels-wasm.js';
import { wasmInstance, wasmModule, type WasmMemory } from '../../util/wasm.js';

export interface KernelExports {
  rowSums(
    eq: number,
    target: number,
    offsets: number,
    cols: number,
    vals: number,
    sortedOffsets: number,
    sortedCols: number,
    sortedVals: number,
    qf: number,
    n: number,
    w0: number,
    w: number,
    vByRow: number,
    factors: number,
    stride: number,
    withE: number,
    withQ: number,
  ): void;
  loadFactorSums(eq: number, q: number, n: number): void;
  sweepLinear(
    offsets: number,
    rowAddr: number,
    vals: number,
    active: number,
    group: number,
    columns: number,
    w: number,
    alpha: number,
    mu: number,
    lambda: number,
    normals: number,
  ): number;
  sweepFactor(
    offsets: number,
    rowAddr: number,
    vals: number,
    active: number,
    group: number,
    columns: number,
    v: number,
    alpha: number,
    mu: number,
    lambda: number,
    stride: number,
    f: number,
    normals: number,
    hs: number,
  ): number;
  sweepLinearRun(
    rowAddr: number,
    cols: number,
    vals: number,
    count: number,
    active: number,
    group: number,
    width: number,
    w: number,
    alpha: number,
    mu: number,
    lambda: number,
    normals: number,
    acc: number,
    delta: number,
    moved: number,
  ): number;
  sweepFactorRun(
    rowAddr: number,
    cols: number,
    vals: number,
    count: number,
    active: number,
    group: number,
    width: number,
    v: number,
    alpha: number,
    mu: number,
    lambda: number,
    stride: number,
    f: number,
    normals: number,
    hs: number,
    acc: number,
    delta: number,
    moved: number,
  ): number;
}

/** The compiled kernel module (posted to worker threads, which instantiate it over the memory). */
export function fmKernelModule(): object {
  return wasmModule(FM_KERNELS_WASM_BASE64);
}

/** The kernels over `memory` (in any thread). */
export function fmKernels(module: object, memory: WasmMemory): KernelExports {
  return wasmInstance<KernelExports>(module, { env: { memory } });
}

/**
 * One thread's part [from, to) of a one-hot run: its non-zeros in row order (byte addresses of
 * their rows' eq records, column − from, x; `count` of them) for the run kernels, and how many of
 * the run's active columns come before it, to find its first normal.
 */
export interface RunPart {
  readonly from: number;
  readonly to: number;
  readonly rowAddr: number;
  readonly cols: number;
  readonly vals: number;
  readonly count: number;
  readonly activeBefore: number;
}

/** Byte addresses of the arrays every part reads, and the sizes the kernels take. */
export interface SweepArrays {
  readonly colOffsets: number;
  readonly colRowAddr: number;
  readonly colVals: number;
  readonly active: number;
  readonly group: number;
  readonly w: number;
  readonly v: number;
  readonly mu: number;
  readonly lambda: number;
  readonly columns: number;
  readonly factors: number;
}

/** A thread's own scratch: `hs` for the factor kernels, `acc`, `delta`, `moved` for the run kernels. */
export interface Scratch {
  readonly hs: number;
  readonly acc: number;
  readonly delta: number;
  readonly moved: number;
}

/** What every thread does next: sweep w (`factor` −1) or factor f of one run, by rows or columns. */
export interface SweepCommand {
  readonly factor: number;
  readonly byRows: boolean;
  readonly alpha: number;
  /** Address of the run's first normal, or 0 for the conditional means (ALS). */
  readonly normals: number;
}

/** Sweeps `part` as `command` says. */
export function sweepPart(
  kernels: KernelExports,
  at: SweepArrays,
  part: RunPart,
  scratch: Scratch,
  command: SweepCommand,
): void {
  const { from, to } = part;
  const width = to - from;
  if (width === 0) return;
  const normals = command.normals === 0 ? 0 : command.normals + 8 * part.activeBefore;
  const active = at.active + from;
  const group = at.group + 4 * from;
  const { alpha, factor, byRows } = command;
  if (factor < 0) {
    const w = at.w + 8 * from;
    if (byRows) {
      kernels.sweepLinearRun(
        part.rowAddr,
        part.cols,
        part.vals,
        part.count,
        active,
        group,
        width,
        w,
        alpha,
        at.mu,
        at.lambda,
        normals,
        scratch.acc,
        scratch.delta,
        scratch.moved,
      );
    } else {
      kernels.sweepLinear(
        at.colOffsets + 4 * from,
        at.colRowAddr,
        at.colVals,
        active,
        group,
        width,
        w,
        alpha,
        at.mu,
        at.lambda,
        normals,
      );
    }
    return;
  }
  const v = at.v + 8 * (factor * at.columns + from);
  if (byRows) {
    kernels.sweepFactorRun(
      part.rowAddr,
      part.cols,
      part.vals,
      part.count,
      active,
      group,
      width,
      v,
      alpha,
      at.mu,
      at.lambda,
      at.factors,
      factor,
      normals,
      scratch.hs,
      scratch.acc,
      scratch.delta,
      scratch.moved,
    );
  } else {
    kernels.sweepFactor(
      at.colOffsets + 4 * from,
      at.colRowAddr,
      at.colVals,
      active,
      group,
      width,
      v,
      alpha,
      at.mu,
      at.lambda,
      at.factors,
      factor,
      normals,
      scratch.hs,
    );
  }
}

/**
 * The inner loops of the coordinate-wise FM solvers (MCMC and ALS, `fm-mcmc.ts`), run by the
 * WebAssembly kernels of `fm-kernels.wat` over one instance's memory: Rendle (2012)
 * "Factorization Machines with libFM", Sec. 4.1 Eq. 24-26 and Sec. 4.3 Fig. 4/5.
 *
 * `CoordinateKernels` copies the training design into the instance once (by columns for the
 * parameter updates, by rows for the residuals, and by rows with each row's columns ascending for
 * q_f), and owns the parameters w, V and the per-row caches e and q there: the sampler reads and
 * writes them through `Float64Array` views, so nothing is copied per sweep.
 *
 * The kernels perform exactly the floating-point operations, in exactly the order, of the plain
 * column-wise loops (`test/fm-kernels.test.ts` checks them bit for bit), so a seed keeps giving the
 * same draws:
 * - the residual of a row sums w_j x_j and, per factor, v_{j,f} x_j and (v_{j,f} x_j)² over the
 *   row's non-zeros in row order (Eq. 1 with Eq. 5, as `predictRow`);
 * - q_f of a row sums v_{j,f} x_j in ascending column order, the order libFM's column-wise pass
 *   adds them in; reading it row by row from a column-sorted copy of the rows gathers from the
 *   small factor slice instead of scattering into the large per-row cache. (libFM skips columns
 *   whose v is 0; adding their 0 terms to a sum that starts at +0 changes no bit.)
 * - a parameter's conditional sums its h and h·e terms over its column's rows in row order.
 *
 * With `threads` > 1, each one-hot run's columns are cut into one contiguous part per thread, swept
 * at once by the fit's thread and worker threads over the same shared memory (`fm-sweep-part.ts`,
 * `fm-sweep-pool.ts`): the same numbers, bit for bit, for every thread count. Everything else (the
 * other columns, the row pass) runs on the fit's thread.
 */
import { UsageError } from '../../util/errors.js';
import { toSortedRows } from './fm-design.js';
import { growMemory, sharedMemory, WASM_MAX_BYTES } from '../../util/wasm.js';
import type { FmTrainingData } from './fm-solver.js';
import {
  fmKernelModule,
  fmKernels,
  sweepPart,
  type KernelExports,
  type RunPart,
  type Scratch,
  type SweepArrays,
  type SweepCommand,
} from './fm-sweep-part.js';
import { SweepPool } from './fm-sweep-pool.js';

/** Byte offsets (16-byte aligned) planned in a fresh instance's memory before it grows once. */
class Plan {
  /** Bytes 0..63 stay unused so that no array sits at address 0 (0 means "no normals"). */
  end = 64;

  reserve(bytes: number): number {
    const at = this.end;
    this.end += Math.ceil(bytes / 16) * 16;
    return at;
  }
}

/** Where each array lives in the instance's memory. */
interface Addresses extends SweepArrays {
  readonly eq: number;
  readonly target: number;
  readonly vByRow: number;
  readonly rowOffsets: number;
  readonly rowCols: number;
  readonly rowVals: number;
  readonly sortedOffsets: number;
  readonly sortedCols: number;
  readonly sortedVals: number;
  readonly qf: number;
  readonly normals: number;
}

/**
 * A range of columns [from, to) the sweeps update together. A `oneHot` range is a run of columns
 * of one group that no row has two non-zeros in (see `OneHotRun`).
 */
interface ColumnRange {
  readonly from: number;
  readonly to: number;
  readonly oneHot?: OneHotRun;
}

/**
 * A one-hot run, cut into one part per thread (`RunPart`: each part's non-zeros in row order, for
 * the run kernels, which compute the same numbers as the column kernels in a different memory
 * order). Which order is faster depends on the data and the machine: walking rows wins when the
 * columns' rows are scattered over an e/q cache larger than the CPU caches (item ids on ml-1m: 12
 * against 5 ns per non-zero), walking columns wins when the rows are grouped or the cache is small
 * (every run on ml-100k). So the first factor sweeps time both, alternately, and keep the faster
 * (see `TRIALS_PER_ORDER`); the results are the same bits either way.
 */
interface OneHotRun {
  /** Its position among the one-hot runs (the worker threads' `runs[index]`). */
  readonly index: number;
  readonly parts: readonly RunPart[];
  /** Active columns in the run: the normals its sweep takes. */
  readonly activeCount: number;
  /** Fastest trial so far by rows and by columns, in ms. */
  bestByRows: number;
  bestByColumns: number;
  trials: number;
  /** The choice, once the trials are done. */
  byRows: boolean | undefined;
}

/**
 * The trials: both orders alternately, the first WARM_UP_TRIALS calls untimed (the engine compiles
 * a hot WebAssembly function a second time, optimised), then TRIALS_PER_ORDER timed calls of each.
 * Walking rows must win by ROWS_MARGIN: on a busy machine single timings are noisy, and a wrong
 * choice of rows costs more (a cache-resident run) than a wrong choice of columns.
 */
const WARM_UP_TRIALS = 2;
const TRIALS_PER_ORDER = 4;
const ROWS_MARGIN = 0.85;

/** How one-hot runs are walked: timed (see `OneHotRun`), or always by rows or by columns (tests). */
export type RunOrder = 'timed' | 'rows' | 'columns';

/** A one-hot run's non-zeros in row order, before they are copied into the instance. */
interface RunEntries {
  readonly from: number;
  readonly to: number;
  readonly rows: Int32Array;
  /** Column − from. */
  readonly cols: Int32Array;
  readonly vals: Float64Array;
}

/**
 * Splits the columns into runs of one group each and returns those that are one-hot (at least two
 * columns, no row with two non-zeros among them: ids and categorical fields, not multi-valued
 * ones), with their non-zeros in row order.
 */
function oneHotRuns(data: FmTrainingData): RunEntries[] {
  const { offsets, rows, values } = data.byColumn;
  const n = data.target.length;
  const group = data.columnGroup;
  const at = new Int32Array(n);
  const runs: RunEntries[] = [];
  let from = 0;
  while (from < data.columnCount) {
    let to = from + 1;
    while (to < data.columnCount && group[to] === group[from]) to++;
    if (to - from > 1) {
      // at[r] = 1 + the position of row r's non-zero in the run (0 = none).
      at.fill(0);
      let oneHot = true;
      for (let p = offsets[from]; p < offsets[to] && oneHot; p++) {
        if (at[rows[p]] !== 0) oneHot = false;
        at[rows[p]] = p + 1;
      }
      if (oneHot) {
        const count = offsets[to] - offsets[from];
        const run = {
          from,
          to,
          rows: new Int32Array(count),
          cols: new Int32Array(count),
          vals: new Float64Array(count),
        };
        // Column of each position: walk the columns once.
        const colOf = new Int32Array(count);
        for (let j = from; j < to; j++)
          colOf.fill(j - from, offsets[j] - offsets[from], offsets[j + 1] - offsets[from]);
        let k = 0;
        for (let r = 0; r < n; r++) {
          if (at[r] === 0) continue;
          const p = at[r] - 1;
          run.rows[k] = r;
          run.cols[k] = colOf[p - offsets[from]];
          run.vals[k] = values[p];
          k++;
        }
        runs.push(run);
      }
    }
    from = to;
  }
  return runs;
}

/**
 * Where `threads` contiguous parts of the run [from, to) start, with nearly equal non-zeros each
 * (bounds[t] .. bounds[t + 1] is part t). Where the cuts fall changes no number, only the balance.
 */
function partBounds(from: number, to: number, offsets: Int32Array, threads: number): Int32Array {
  const bounds = new Int32Array(threads + 1);
  const total = offsets[to] - offsets[from];
  let j = from;
  for (let t = 0; t < threads; t++) {
    const target = offsets[from] + (total * t) / threads;
    while (j < to && offsets[j] < target) j++;
    bounds[t] = j;
  }
  bounds[threads] = to;
  return bounds;
}

export class CoordinateKernels {
  /** Per row r: eq[2r] = e_r, eq[2r + 1] = q_f(x_r) (libFM's e_q_term, interleaved). */
  readonly eq: Float64Array;
  /** Linear weights w_j. */
  readonly w: Float64Array;
  /** Factors, factor-major: v[f * columns + j] = v_{j,f}. */
  readonly v: Float64Array;
  /** One N(0,1) per active column: the caller fills it before a drawing sweep. */
  readonly normals: Float64Array;
  /** Columns with at least one training non-zero (the sweeps skip the others). */
  readonly activeCount: number;
  /** Threads the one-hot runs are swept on (1 when there are none). */
  readonly threads: number;
  private readonly kernels: KernelExports;
  private readonly at: Addresses;
  /** The fit's own thread's scratch. */
  private readonly scratch: Scratch;
  /** The worker threads, when `threads` > 1. */
  private readonly pool: SweepPool | undefined;
  private readonly rowCount: number;
  private readonly columns: number;
  private readonly factors: number;
  /** Doubles per column in the row-major copy of V: `factors` rounded up to a multiple of 8. */
  private readonly stride: number;
  private readonly vByRow: Float64Array;
  private readonly mu: Float64Array;
  private readonly lambda: Float64Array;
  /**
   * sumsFresh[f] = 1 while qf's plane f holds q_f of the current v_{.,f}: set by the row pass,
   * cleared when factor f is swept. (Only the factor sweeps write V once it is initialised.)
   */
  private readonly sumsFresh: Uint8Array;
  /** The columns in order, split into the ranges the sweeps take one kernel call for. */
  private readonly ranges: readonly ColumnRange[];

  /**
   * `threads`: how many threads sweep the one-hot runs (the caller caps it, `fmFitThreads`); with
   * more than one, `start` must resolve before the first sweep and `close` ends the workers.
   */
  constructor(
    data: FmTrainingData,
    factors: number,
    active: Uint8Array,
    groupPriors: number,
    order: RunOrder = 'timed',
    threads = 1,
  ) {
    const n = data.target.length;
    const columns = data.columnCount;
    const nnz = data.rows.columns.length;
    const stride = Math.ceil(factors / 8) * 8;
    const colOff = data.byColumn.offsets;
    let longest = 0;
    let activeCount = 0;
    for (let j = 0; j < columns; j++) {
      longest = Math.max(longest, colOff[j + 1] - colOff[j]);
      activeCount += active[j];
    }
    let runs = oneHotRuns(data);
    const bounds = runs.map((run) => partBounds(run.from, run.to, colOff, threads));
    let widest = 1;
    for (const b of bounds) {
      for (let t = 0; t < threads; t++) {
        widest = Math.max(widest, b[t + 1] - b[t]);
        longest = Math.max(longest, colOff[b[t + 1]] - colOff[b[t]]);
      }
    }
    const plan = new Plan();
    const at: Addresses = {
      eq: plan.reserve(16 * n),
      target: plan.reserve(8 * n),
      w: plan.reserve(8 * columns),
      v: plan.reserve(8 * columns * factors),
      vByRow: plan.reserve(8 * columns * stride),
      rowOffsets: plan.reserve(4 * (n + 1)),
      rowCols: plan.reserve(4 * nnz),
      rowVals: plan.reserve(8 * nnz),
      sortedOffsets: plan.reserve(4 * (n + 1)),
      sortedCols: plan.reserve(4 * nnz),
      sortedVals: plan.reserve(8 * nnz),
      qf: plan.reserve(8 * factors * n),
      colOffsets: plan.reserve(4 * (columns + 1)),
      colRowAddr: plan.reserve(4 * nnz),
      colVals: plan.reserve(8 * nnz),
      active: plan.reserve(columns),
      group: plan.reserve(4 * columns),
      mu: plan.reserve(8 * groupPriors),
      lambda: plan.reserve(8 * groupPriors),
      normals: plan.reserve(8 * Math.max(1, activeCount)),
      columns,
      factors,
    };
    const scratch: Scratch[] = [];
    for (let t = 0; t < threads; t++) {
      scratch.push({
        hs: plan.reserve(8 * Math.max(1, longest)),
        acc: plan.reserve(16 * widest),
        delta: plan.reserve(8 * widest),
        moved: plan.reserve(widest),
      });
    }
    const withoutRuns = plan.end;
    let parts: RunPart[][] = runs.map((_, r) => {
      const b = bounds[r];
      const partsOfRun: RunPart[] = [];
      let activeBefore = 0;
      for (let t = 0; t < threads; t++) {
        const count = colOff[b[t + 1]] - colOff[b[t]];
        partsOfRun.push({
          from: b[t],
          to: b[t + 1],
          rowAddr: plan.reserve(4 * count),
          cols: plan.reserve(4 * count),
          vals: plan.reserve(8 * count),
          count,
          activeBefore,
        });
        for (let j = b[t]; j < b[t + 1]; j++) activeBefore += active[j];
      }
      return partsOfRun;
    });
    let end = plan.end;
    if (end > WASM_MAX_BYTES && withoutRuns <= WASM_MAX_BYTES) {
      // The row-ordered copies of the one-hot runs only save time: drop them before giving up.
      runs = [];
      parts = [];
      end = withoutRuns;
    }
    if (end > WASM_MAX_BYTES) {
      throw new UsageError(
        `fm: the coordinate-wise solver needs ${(end / 2 ** 30).toFixed(1)} GiB of WebAssembly memory, more than its 4 GiB limit; train on fewer ratings or features, or use solver=sgd`,
      );
    }
    const memory = sharedMemory();
    const module = fmKernelModule();
    this.kernels = fmKernels(module, memory);
    growMemory(memory, end);
    const buffer = memory.buffer;
    const f64 = (address: number, length: number): Float64Array => new Float64Array(buffer, address, length);
    const i32 = (address: number, length: number): Int32Array => new Int32Array(buffer, address, length);

    f64(at.target, n).set(data.target);
    i32(at.rowOffsets, n + 1).set(data.rows.offsets);
    i32(at.rowCols, nnz).set(data.rows.columns);
    f64(at.rowVals, nnz).set(data.rows.values);
    const sorted = toSortedRows(data.byColumn, n);
    i32(at.sortedOffsets, n + 1).set(sorted.offsets);
    i32(at.sortedCols, nnz).set(sorted.columns);
    f64(at.sortedVals, nnz).set(sorted.values);
    i32(at.colOffsets, columns + 1).set(colOff);
    const rowAddr = i32(at.colRowAddr, nnz);
    for (let p = 0; p < nnz; p++) rowAddr[p] = at.eq + 16 * data.byColumn.rows[p];
    f64(at.colVals, nnz).set(data.byColumn.values);
    new Uint8Array(buffer, at.active, columns).set(active);
    i32(at.group, columns).set(data.columnGroup);
    const ranges: ColumnRange[] = [];
    let next = 0;
    runs.forEach((run, r) => {
      // Each part's non-zeros, in the run's row order, at the part's cursor.
      const runParts = parts[r];
      const filled = new Int32Array(threads);
      const partOf = new Int32Array(run.to - run.from);
      runParts.forEach((part, t) => partOf.fill(t, part.from - run.from, part.to - run.from));
      const views = runParts.map((part) => ({
        rowAddr: i32(part.rowAddr, part.count),
        cols: i32(part.cols, part.count),
        vals: f64(part.vals, part.count),
        shift: part.from - run.from,
      }));
      for (let e = 0; e < run.rows.length; e++) {
        const t = partOf[run.cols[e]];
        const view = views[t];
        const k = filled[t]++;
        view.rowAddr[k] = at.eq + 16 * run.rows[e];
        view.cols[k] = run.cols[e] - view.shift;
        view.vals[k] = run.vals[e];
      }
      const last = runParts[threads - 1];
      if (run.from > next) ranges.push({ from: next, to: run.from });
      ranges.push({
        from: run.from,
        to: run.to,
        oneHot: {
          index: r,
          parts: runParts,
          activeCount: last.activeBefore + active.subarray(last.from, last.to).reduce((a, b) => a + b, 0),
          bestByRows: Infinity,
          bestByColumns: Infinity,
          trials: 0,
          byRows: order === 'timed' ? undefined : order === 'rows',
        },
      });
      next = run.to;
    });
    if (next < columns) ranges.push({ from: next, to: columns });
    this.ranges = ranges;

    this.at = at;
    this.scratch = scratch[0];
    this.threads = runs.length > 0 ? threads : 1;
    this.pool =
      this.threads > 1
        ? new SweepPool(
            scratch
              .slice(1)
              .map((own, w) => ({ module, memory, at, runs: parts, thread: w + 1, scratch: own })),
          )
        : undefined;
    this.rowCount = n;
    this.columns = columns;
    this.factors = factors;
    this.stride = stride;
    this.activeCount = activeCount;
    this.eq = f64(at.eq, 2 * n);
    this.w = f64(at.w, columns);
    this.v = f64(at.v, columns * factors);
    this.vByRow = f64(at.vByRow, columns * stride);
    this.mu = f64(at.mu, groupPriors);
    this.lambda = f64(at.lambda, groupPriors);
    this.normals = f64(at.normals, Math.max(1, activeCount));
    this.sumsFresh = new Uint8Array(factors);
  }

  /** Resolves once the worker threads (if any) wait for sweeps. */
  async start(): Promise<void> {
    await this.pool?.start();
  }

  /** Ends the worker threads (if any); the kernels must not sweep after this. */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  /**
   * e_r = ŷ(x_r) − y_r for every row into eq[2r], with global bias w0 and the current w, V; and,
   * in the same pass over the rows, q_f(x_r) for every factor f, kept until `sweepFactor(f)`: V
   * does not change in between (only the factor sweeps change it), and factor f's sweep changes
   * only v_{.,f}, so q_f is still the sum libFM would compute at the start of f's sweep.
   */
  residuals(w0: number): void {
    this.rowSums(w0, true);
  }

  /** The row pass: e (when `withE`) and every q_f, from V copied row-major. */
  private rowSums(w0: number, withE: boolean): void {
    const { columns, factors, stride, v, vByRow } = this;
    for (let f = 0; f < factors; f++) {
      const base = f * columns;
      for (let j = 0; j < columns; j++) vByRow[j * stride + f] = v[base + j];
    }
    const at = this.at;
    this.kernels.rowSums(
      at.eq,
      at.target,
      at.rowOffsets,
      at.rowCols,
      at.rowVals,
      at.sortedOffsets,
      at.sortedCols,
      at.sortedVals,
      at.qf,
      this.rowCount,
      w0,
      at.w,
      at.vByRow,
      factors,
      stride,
      withE ? 1 : 0,
      1,
    );
    this.sumsFresh.fill(1);
  }

  /**
   * Updates every active w_j in column order; `mu`/`lambda` indexed by group. With `draw`, each
   * takes its draw's N(0,1) from `normals` (filled by the caller), else the conditional mean.
   */
  async sweepLinear(alpha: number, mu: Float64Array, lambda: Float64Array, draw: boolean): Promise<void> {
    this.mu.set(mu);
    this.lambda.set(lambda);
    const at = this.at;
    let normals = draw ? at.normals : 0;
    for (const { from, to, oneHot } of this.ranges) {
      if (oneHot) {
        await this.sweepRun(oneHot, { factor: -1, byRows: oneHot.byRows === true, alpha, normals });
        if (normals !== 0) normals += 8 * oneHot.activeCount;
        continue;
      }
      normals = this.kernels.sweepLinear(
        at.colOffsets + 4 * from,
        at.colRowAddr,
        at.colVals,
        at.active + from,
        at.group + 4 * from,
        to - from,
        at.w + 8 * from,
        alpha,
        at.mu,
        at.lambda,
        normals,
      );
    }
  }

  /**
   * Puts q_f into eq[2r + 1], then updates every active v_{j,f} in column order; `mu`/`lambda`
   * indexed by group * factors + f. `normals` as for `sweepLinear`. q_f comes from the last row
   * pass when v_{.,f} has not changed since, else from a new one.
   */
  async sweepFactor(
    f: number,
    alpha: number,
    mu: Float64Array,
    lambda: Float64Array,
    draw: boolean,
  ): Promise<void> {
    if (!this.sumsFresh[f]) this.rowSums(0, false);
    this.sumsFresh[f] = 0;
    this.mu.set(mu);
    this.lambda.set(lambda);
    const at = this.at;
    const n = this.rowCount;
    this.kernels.loadFactorSums(at.eq, at.qf + 8 * f * n, n);
    let normals = draw ? at.normals : 0;
    for (const { from, to, oneHot } of this.ranges) {
      if (!oneHot) {
        normals = this.kernels.sweepFactor(
          at.colOffsets + 4 * from,
          at.colRowAddr,
          at.colVals,
          at.active + from,
          at.group + 4 * from,
          to - from,
          at.v + 8 * (f * this.columns + from),
          alpha,
          at.mu,
          at.lambda,
          this.factors,
          f,
          normals,
          this.scratch.hs,
        );
        continue;
      }
      if (oneHot.byRows !== undefined) {
        await this.sweepRun(oneHot, { factor: f, byRows: oneHot.byRows, alpha, normals });
      } else {
        await this.timedTrial(oneHot, { factor: f, byRows: oneHot.trials % 2 === 0, alpha, normals });
      }
      if (normals !== 0) normals += 8 * oneHot.activeCount;
    }
  }

  /** One of the first factor sweeps of `run`, timed to choose its order. */
  private async timedTrial(run: OneHotRun, command: SweepCommand): Promise<void> {
    const started = performance.now();
    await this.sweepRun(run, command);
    const ms = performance.now() - started;
    if (run.trials >= WARM_UP_TRIALS) {
      if (command.byRows) run.bestByRows = Math.min(run.bestByRows, ms);
      else run.bestByColumns = Math.min(run.bestByColumns, ms);
    }
    if (++run.trials === WARM_UP_TRIALS + 2 * TRIALS_PER_ORDER) {
      run.byRows = run.bestByRows < ROWS_MARGIN * run.bestByColumns;
    }
  }

  /** Sweeps a one-hot run: part 0 on this thread, the others on the workers at the same time. */
  private async sweepRun(run: OneHotRun, command: SweepCommand): Promise<void> {
    const own = (): void => sweepPart(this.kernels, this.at, run.parts[0], this.scratch, command);
    if (this.pool) await this.pool.run({ ...command, run: run.index }, own);
    else own();
  }
}

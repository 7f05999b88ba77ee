/**
 * The inner loops of the coordinate-wise FM solvers (MCMC and ALS, `fm-mcmc.ts`): Rendle (2012)
 * "Factorization Machines with libFM", Sec. 4.1 Eq. 24-26 and Sec. 4.3 Fig. 4/5.
 *
 * They are plain functions over typed arrays, with every array and scalar they touch passed in, so
 * V8 compiles each into one tight loop with no property loads, allocation or polymorphism. Each
 * performs exactly the floating-point operations, in exactly the order, of the textbook loops
 * (`test/fm-kernels.test.ts` checks them bit for bit against those), so a seed keeps giving the
 * same draws:
 *
 * - the residual of a row sums w_j x_j and, per factor, v_{j,f} x_j and (v_{j,f} x_j)² over the
 *   row's non-zeros in row order (Eq. 1 with Eq. 5, as `predictRow`);
 * - q_f of a row sums v_{j,f} x_j in ascending column order, the order libFM's column-wise pass
 *   adds them in; here it is read row by row from a column-sorted copy of the rows, which gathers
 *   from the small factor slice instead of scattering into the large per-row cache;
 * - a parameter's conditional sums its h and h·e terms over its column's rows in row order.
 */
import type { Rng } from '../../util/rng.js';

/**
 * e_r = ŷ(x_r) − y_r for every row, written to eq[2r]. `vByRow` holds the factors row-major,
 * vByRow[j * factors + f] = v_{j,f}, so a non-zero's k factors share one cache line; `scratch`
 * holds 2k doubles. Same sums in the same order as `predictRow(...) - target[r]`.
 */
export function residuals(
  eq: Float64Array,
  target: Float64Array,
  offsets: Int32Array,
  cols: Int32Array,
  vals: Float64Array,
  w0: number,
  w: Float64Array,
  vByRow: Float64Array,
  factors: number,
  scratch: Float64Array,
): void {
  const n = target.length;
  for (let r = 0; r < n; r++) {
    const start = offsets[r];
    const end = offsets[r + 1];
    let y = w0;
    for (let p = start; p < end; p++) y += w[cols[p]] * vals[p];
    for (let f = 0; f < 2 * factors; f++) scratch[f] = 0;
    // Per factor f: sum = Σ_p t, sumSq = Σ_p t² with t = v_{j,f} x_j, both in row order.
    for (let p = start; p < end; p++) {
      const x = vals[p];
      const base = cols[p] * factors;
      for (let f = 0; f < factors; f++) {
        const t = vByRow[base + f] * x;
        scratch[2 * f] += t;
        scratch[2 * f + 1] += t * t;
      }
    }
    let total = 0;
    for (let f = 0; f < factors; f++) {
      const sum = scratch[2 * f];
      total += sum * sum - scratch[2 * f + 1];
    }
    eq[2 * r] = y + 0.5 * total - target[r];
  }
}

/** Copies factor-major v (v[f * columns + j]) into row-major `out` (out[j * factors + f]). */
export function factorsByRow(v: Float64Array, columns: number, factors: number, out: Float64Array): void {
  for (let f = 0; f < factors; f++) {
    const base = f * columns;
    for (let j = 0; j < columns; j++) out[j * factors + f] = v[base + j];
  }
}

/**
 * q_f(x_r) = Σ_j v_{j,f} x_j for every row, written to eq[2r + 1]. `offsets`/`cols`/`vals` are the
 * rows with each row's columns ascending (`sortRowsByColumn`), so the sum runs in ascending column
 * order like libFM's column-wise accumulation. (libFM skips columns whose v is 0; adding their 0
 * terms to a sum that starts at +0 changes no bit.)
 */
export function factorSums(
  eq: Float64Array,
  rowCount: number,
  offsets: Int32Array,
  cols: Int32Array,
  vals: Float64Array,
  v: Float64Array,
  base: number,
): void {
  for (let r = 0; r < rowCount; r++) {
    let q = 0;
    const end = offsets[r + 1];
    for (let p = offsets[r]; p < end; p++) q += v[base + cols[p]] * vals[p];
    eq[2 * r + 1] = q;
  }
}

/**
 * One Gibbs (or, with `draw` false, ALS) update of every active linear weight w_j in column order:
 * h = x_j on the rows of column j; σ² = 1 / (α Σ h² + λ), mean = −σ² (α Σ h (e − w_j h) − μ λ),
 * with μ, λ indexed by the column's group.
 */
export function sweepLinear(
  eq: Float64Array,
  offsets: Int32Array,
  rows: Int32Array,
  vals: Float64Array,
  active: Uint8Array,
  group: Int32Array,
  w: Float64Array,
  alpha: number,
  mu: Float64Array,
  lambda: Float64Array,
  draw: boolean,
  rng: Rng,
): void {
  const columns = w.length;
  for (let j = 0; j < columns; j++) {
    if (active[j] === 0) continue;
    const start = offsets[j];
    const end = offsets[j + 1];
    const old = w[j];
    let she = 0;
    let shh = 0;
    for (let p = start; p < end; p++) {
      const x = vals[p];
      she += x * (eq[2 * rows[p]] - old * x);
      shh += x * x;
    }
    const g = group[j];
    const variance = 1 / (lambda[g] + alpha * shh);
    const mean = -variance * (alpha * she - mu[g] * lambda[g]);
    const next = draw ? mean + Math.sqrt(variance) * rng.normal() : mean;
    if (!Number.isFinite(next)) continue;
    w[j] = next;
    const delta = next - old;
    for (let p = start; p < end; p++) eq[2 * rows[p]] += delta * vals[p];
  }
}

/**
 * One Gibbs (or ALS) update of every active v_{j,f} of one factor f, in column order, with q_f
 * cached in eq[2r + 1]: h = x_j (q_f − v_{j,f} x_j). `hs` is scratch of at least the longest
 * column's length: pass one keeps each row's h there so pass two (the cache update) reads it back
 * instead of recomputing it. `mu`/`lambda` are indexed by group * stride + f.
 */
export function sweepFactor(
  eq: Float64Array,
  offsets: Int32Array,
  rows: Int32Array,
  vals: Float64Array,
  active: Uint8Array,
  group: Int32Array,
  v: Float64Array,
  base: number,
  columns: number,
  alpha: number,
  mu: Float64Array,
  lambda: Float64Array,
  stride: number,
  f: number,
  draw: boolean,
  rng: Rng,
  hs: Float64Array,
): void {
  for (let j = 0; j < columns; j++) {
    if (active[j] === 0) continue;
    const start = offsets[j];
    const end = offsets[j + 1];
    const old = v[base + j];
    let she = 0;
    let shh = 0;
    for (let p = start; p < end; p++) {
      const x = vals[p];
      const r2 = 2 * rows[p];
      const h = x * (eq[r2 + 1] - old * x);
      hs[p - start] = h;
      she += h * eq[r2];
      shh += h * h;
    }
    she -= old * shh;
    const gf = group[j] * stride + f;
    const variance = 1 / (lambda[gf] + alpha * shh);
    const mean = -variance * (alpha * she - mu[gf] * lambda[gf]);
    const next = draw ? mean + Math.sqrt(variance) * rng.normal() : mean;
    if (!Number.isFinite(next)) continue;
    v[base + j] = next;
    const delta = next - old;
    for (let p = start; p < end; p++) {
      const r2 = 2 * rows[p];
      eq[r2 + 1] += vals[p] * delta;
      eq[r2] += hs[p - start] * delta;
    }
  }
}

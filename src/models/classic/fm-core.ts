/**
 * The factorization machine model equation and its parameters, shared by the SGD, ALS and MCMC
 * solvers and by prediction.
 *
 * Rendle (2010) "Factorization Machines", Eq. 1 (degree d = 2):
 *   ŷ(x) = w0 + Σ_j w_j x_j + Σ_{j<l} <v_j, v_l> x_j x_l
 * computed in O(k n) with Lemma 3.1 / Eq. 5:
 *   Σ_{j<l} <v_j, v_l> x_j x_l = ½ Σ_f [ (Σ_j v_{j,f} x_j)² − Σ_j v_{j,f}² x_j² ].
 *
 * Factors are stored factor-major, v[f * columns + j], as libFM does (Rendle 2012 Sec. 5), because
 * the coordinate-wise solvers sweep one factor f over all columns at a time.
 */

/** One point in parameter space: an SGD/ALS estimate or one Gibbs draw, in double precision. */
export interface FmParams {
  readonly columns: number;
  readonly factors: number;
  w0: number;
  readonly w: Float64Array;
  /** v[f * columns + j] = v_{j,f}. */
  readonly v: Float64Array;
}

export function createParams(columns: number, factors: number): FmParams {
  return { columns, factors, w0: 0, w: new Float64Array(columns), v: new Float64Array(columns * factors) };
}

type Vector = Float64Array | Float32Array;

/**
 * The pairwise term of Eq. 1 for the row with non-zeros (cols[p], vals[p]), p in [start, end), in
 * O(k n) by Eq. 5. Columns within a row must be distinct.
 */
export function pairwiseTerm(
  v: Vector,
  columns: number,
  factors: number,
  cols: Int32Array,
  vals: Float64Array,
  start: number,
  end: number,
): number {
  let total = 0;
  for (let f = 0; f < factors; f++) {
    const base = f * columns;
    let sum = 0;
    let sumSq = 0;
    for (let p = start; p < end; p++) {
      const t = v[base + cols[p]] * vals[p];
      sum += t;
      sumSq += t * t;
    }
    total += sum * sum - sumSq;
  }
  return 0.5 * total;
}

/** Eq. 1 for one row of a single parameter point. */
export function predictRow(params: FmParams, cols: Int32Array, vals: Float64Array, start: number, end: number): number {
  let y = params.w0;
  for (let p = start; p < end; p++) y += params.w[cols[p]] * vals[p];
  return y + pairwiseTerm(params.v, params.columns, params.factors, cols, vals, start, end);
}

/**
 * What a fitted FM keeps for prediction: `count` parameter points. SGD and ALS keep one; MCMC keeps
 * thinned posterior draws. Single precision keeps artifacts small, and prediction always reads
 * these stored arrays, so a restored model predicts bit-for-bit what the fitted one did.
 */
export interface FmSamples {
  readonly count: number;
  readonly columns: number;
  readonly factors: number;
  /** w0 of each sample. */
  readonly w0: Float64Array;
  /** w[s * columns + j]. */
  readonly w: Float32Array;
  /** v[(s * factors + f) * columns + j]. */
  readonly v: Float32Array;
}

/** Packs parameter points into an `FmSamples`. */
export function packSamples(points: readonly FmParams[], columns: number, factors: number): FmSamples {
  const count = points.length;
  const w0 = new Float64Array(count);
  const w = new Float32Array(count * columns);
  const v = new Float32Array(count * columns * factors);
  points.forEach((pt, s) => {
    w0[s] = pt.w0;
    w.set(pt.w, s * columns);
    v.set(pt.v, s * columns * factors);
  });
  return { count, columns, factors, w0, w, v };
}

/** Copies the current point (the sampler mutates its parameters in place). */
export function copyParams(params: FmParams): FmParams {
  return { columns: params.columns, factors: params.factors, w0: params.w0, w: params.w.slice(), v: params.v.slice() };
}

/**
 * The posterior predictive mean over stored samples: (1/S) Σ_s ŷ_s(x). With `clip`, each sample's
 * prediction is clipped to the rating scale before averaging, as libFM's MCMC does (Rendle 2012
 * Sec. 4.3). Averaging the factor vectors themselves would be wrong: the posterior is invariant
 * under sign flips and rotations of the factors, so their mean tends to zero.
 */
export function predictSamples(
  samples: FmSamples,
  cols: Int32Array,
  vals: Float64Array,
  start: number,
  end: number,
  clip: { readonly min: number; readonly max: number } | undefined,
): number {
  const { count, columns, factors } = samples;
  let total = 0;
  for (let s = 0; s < count; s++) {
    let y = samples.w0[s];
    const wBase = s * columns;
    for (let p = start; p < end; p++) y += samples.w[wBase + cols[p]] * vals[p];
    const vBase = s * factors * columns;
    for (let f = 0; f < factors; f++) {
      const base = vBase + f * columns;
      let sum = 0;
      let sumSq = 0;
      for (let p = start; p < end; p++) {
        const t = samples.v[base + cols[p]] * vals[p];
        sum += t;
        sumSq += t * t;
      }
      y += 0.5 * (sum * sum - sumSq);
    }
    if (clip) y = y < clip.min ? clip.min : y > clip.max ? clip.max : y;
    total += y;
  }
  return count > 0 ? total / count : 0;
}

/** Root mean squared error of `predicted` against `target`, each clipped to the scale first. */
export function clippedRmse(predicted: Float64Array, target: Float64Array, min: number, max: number): number {
  let se = 0;
  for (let r = 0; r < target.length; r++) {
    const p = Math.min(max, Math.max(min, predicted[r]));
    se += (p - target[r]) * (p - target[r]);
  }
  return target.length > 0 ? Math.sqrt(se / target.length) : NaN;
}

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
export function predictRow(
  params: FmParams,
  cols: Int32Array,
  vals: Float64Array,
  start: number,
  end: number,
): number {
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
  return {
    columns: params.columns,
    factors: params.factors,
    w0: params.w0,
    w: params.w.slice(),
    v: params.v.slice(),
  };
}

/** The non-zeros of one side (users or items) of the design, per entity (see `fm-design.ts`). */
export interface SideBlock {
  readonly offsets: Int32Array;
  readonly columns: Int32Array;
  readonly values: Float64Array;
}

/**
 * The posterior predictive mean over stored samples, (1/S) Σ_s ŷ_s(x), for the pairs
 * (users[k], items[k]). With `clip`, each sample's prediction is clipped to the rating scale before
 * averaging, as libFM's MCMC does (Rendle 2012 Sec. 4.3). Averaging the factor vectors themselves
 * would be wrong: the posterior is invariant under sign flips and rotations of the factors, so
 * their mean tends to zero while the mean of the pairwise terms does not.
 *
 * The user and item parts of a row use disjoint columns, so Eq. 5 splits into a user part, an item
 * part and one cross term: with q^U_f = Σ_{j∈U} v_{j,f} x_j, a_U = Σ_{j∈U} w_j x_j +
 * ½ Σ_f ((q^U_f)² − Σ_{j∈U} v_{j,f}² x_j²) and the same for the item,
 *   ŷ = w0 + a_U + a_I + <q^U, q^I>.
 * a and q are computed once per sample for each distinct user and item asked about, so a pair
 * costs O(k) per sample instead of O(k n).
 */
export function predictPairs(
  samples: FmSamples,
  userBlock: SideBlock,
  itemBlock: SideBlock,
  users: Int32Array,
  items: Int32Array,
  clip: { readonly min: number; readonly max: number } | undefined,
): Float64Array {
  const { count, factors } = samples;
  const n = users.length;
  const us = distinct(users, userBlock.offsets.length - 1);
  const is = distinct(items, itemBlock.offsets.length - 1);
  const uA = new Float64Array(us.entities.length);
  const uQ = new Float64Array(us.entities.length * factors);
  const iA = new Float64Array(is.entities.length);
  const iQ = new Float64Array(is.entities.length * factors);
  const out = new Float64Array(n);
  for (let s = 0; s < count; s++) {
    sideCache(samples, s, userBlock, us.entities, uA, uQ);
    sideCache(samples, s, itemBlock, is.entities, iA, iQ);
    const w0 = samples.w0[s];
    for (let k = 0; k < n; k++) {
      const a = us.slot[k];
      const b = is.slot[k];
      let y = w0 + uA[a] + iA[b];
      const qa = a * factors;
      const qb = b * factors;
      for (let f = 0; f < factors; f++) y += uQ[qa + f] * iQ[qb + f];
      if (clip) y = y < clip.min ? clip.min : y > clip.max ? clip.max : y;
      out[k] += y;
    }
  }
  if (count > 0) for (let k = 0; k < n; k++) out[k] /= count;
  return out;
}

/** The distinct entities of a query and, for each query position, its slot among them. */
function distinct(ids: Int32Array, universe: number): { entities: Int32Array; slot: Int32Array } {
  const slotOf = new Int32Array(universe).fill(-1);
  const entities: number[] = [];
  const slot = new Int32Array(ids.length);
  for (let k = 0; k < ids.length; k++) {
    let s = slotOf[ids[k]];
    if (s < 0) {
      s = entities.length;
      slotOf[ids[k]] = s;
      entities.push(ids[k]);
    }
    slot[k] = s;
  }
  return { entities: Int32Array.from(entities), slot };
}

/** a and q (see `predictPairs`) of sample s for each listed entity of one side. */
function sideCache(
  samples: FmSamples,
  s: number,
  block: SideBlock,
  entities: Int32Array,
  a: Float64Array,
  q: Float64Array,
): void {
  const { columns, factors } = samples;
  const wBase = s * columns;
  const vBase = s * factors * columns;
  for (let e = 0; e < entities.length; e++) {
    const start = block.offsets[entities[e]];
    const end = block.offsets[entities[e] + 1];
    let lin = 0;
    for (let p = start; p < end; p++) lin += samples.w[wBase + block.columns[p]] * block.values[p];
    for (let f = 0; f < factors; f++) {
      const base = vBase + f * columns;
      let sum = 0;
      let sumSq = 0;
      for (let p = start; p < end; p++) {
        const t = samples.v[base + block.columns[p]] * block.values[p];
        sum += t;
        sumSq += t * t;
      }
      q[e * factors + f] = sum;
      lin += 0.5 * (sum * sum - sumSq);
    }
    a[e] = lin;
  }
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

/**
 * The closed-form updates of CDL's user and item vectors with the SDAE fixed (Wang, Wang & Yeung,
 * KDD 2015, Sec. 3.3, the two update equations after ℒ):
 *     u_i ← (V C_i Vᵀ + λ_u I_K)⁻¹ V C_i R_i,
 *     v_j ← (U C_j Uᵀ + λ_v I_K)⁻¹ (U C_j R_j + λ_v θ_j),
 * each the exact minimiser of ℒ over that one vector. For explicit ratings C_ij is 1 for a rating
 * in the training set and 0 otherwise (the paper's b = 0: an unrated pair is unknown, not
 * disliked), and R holds the ratings minus their mean μ, so the zero-mean priors on u_i and v_j
 * shrink towards the average rating instead of towards 0.
 */

/** Ratings grouped by one side: rows r's ratings are offsets[r] .. offsets[r+1]-1. */
export interface RatingRows {
  readonly offsets: Int32Array;
  /** The other side's index of each rating. */
  readonly other: Int32Array;
  /** r − μ of each rating. */
  readonly residual: Float64Array;
}

/** Groups ratings by `key` (user or item), keeping each rating's other side and residual. */
export function groupRatings(
  key: Int32Array,
  other: Int32Array,
  rating: Float32Array,
  mean: number,
  rows: number,
): RatingRows {
  const offsets = new Int32Array(rows + 1);
  for (const r of key) offsets[r + 1]++;
  for (let r = 0; r < rows; r++) offsets[r + 1] += offsets[r];
  const fill = offsets.slice(0, rows);
  const others = new Int32Array(key.length);
  const residual = new Float64Array(key.length);
  for (let t = 0; t < key.length; t++) {
    const at = fill[key[t]]++;
    others[at] = other[t];
    residual[at] = rating[t] - mean;
  }
  return { offsets, other: others, residual };
}

/**
 * Overwrites every row of `target` ([rows × k]) with the minimiser of
 *     Σ_{ratings of the row} (residual − xᵀ o)² + λ ‖x − prior_row‖²,
 * o the other side's vectors in `others`; `prior` is undefined for a zero prior (the users).
 */
export function solveRows(
  target: Float64Array,
  others: Float64Array,
  ratings: RatingRows,
  k: number,
  lambda: number,
  prior: Float64Array | undefined,
): void {
  const rows = ratings.offsets.length - 1;
  const A = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    A.fill(0);
    b.fill(0);
    for (let t = ratings.offsets[r]; t < ratings.offsets[r + 1]; t++) {
      const o = ratings.other[t] * k;
      const e = ratings.residual[t];
      // Only the upper triangle: A is symmetric.
      for (let p = 0; p < k; p++) {
        const op = others[o + p];
        b[p] += e * op;
        const row = p * k;
        for (let q = p; q < k; q++) A[row + q] += op * others[o + q];
      }
    }
    for (let p = 0; p < k; p++) {
      A[p * k + p] += lambda;
      if (prior) b[p] += lambda * prior[r * k + p];
    }
    choleskySolve(A, b, k);
    target.set(b, r * k);
  }
}

/**
 * Solves A x = b in place (x left in b) for a symmetric positive-definite A of which only the
 * upper triangle is read; A is overwritten by its Cholesky factor.
 */
export function choleskySolve(A: Float64Array, b: Float64Array, k: number): void {
  // A = Rᵀ R with R upper triangular, stored over A's upper triangle.
  for (let p = 0; p < k; p++) {
    let d = A[p * k + p];
    for (let s = 0; s < p; s++) d -= A[s * k + p] * A[s * k + p];
    const rpp = Math.sqrt(d);
    A[p * k + p] = rpp;
    for (let q = p + 1; q < k; q++) {
      let v = A[p * k + q];
      for (let s = 0; s < p; s++) v -= A[s * k + p] * A[s * k + q];
      A[p * k + q] = v / rpp;
    }
  }
  for (let p = 0; p < k; p++) {
    let v = b[p];
    for (let s = 0; s < p; s++) v -= A[s * k + p] * b[s];
    b[p] = v / A[p * k + p];
  }
  for (let p = k - 1; p >= 0; p--) {
    let v = b[p];
    for (let s = p + 1; s < k; s++) v -= A[p * k + s] * b[s];
    b[p] = v / A[p * k + p];
  }
}

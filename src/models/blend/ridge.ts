/**
 * Ridge regression with an unpenalised intercept, for blending a handful of models' predictions:
 * minimise (1/n) Σ_r (y_r − b − Σ_m w_m x_{m,r})² + λ Σ_m w_m² (Hoerl & Kennard 1970). Centring
 * the columns and the target removes b, leaving the m × m normal equations
 *   (X_cᵀ X_c / n + λ I) w = X_cᵀ y_c / n,   b = ȳ − Σ_m w_m x̄_m,
 * solved by Gaussian elimination with partial pivoting (m is the number of members).
 */

export interface RidgeFit {
  readonly intercept: number;
  readonly weights: Float64Array;
}

/** `columns[m][r]` is member m's prediction of row r; `target[r]` the rating. */
export function fitRidge(columns: readonly Float64Array[], target: Float64Array, lambda: number): RidgeFit {
  const m = columns.length;
  const n = target.length;
  if (n === 0) throw new Error('fitRidge: no rows to fit');
  for (const c of columns)
    if (c.length !== n) throw new Error('fitRidge: columns and target differ in length');
  const mean = (x: Float64Array): number => x.reduce((s, v) => s + v, 0) / n;
  const xMean = columns.map(mean);
  const yMean = mean(target);
  // a holds [X_cᵀX_c/n + λI | X_cᵀy_c/n], m rows of m + 1.
  const a = Array.from({ length: m }, () => new Float64Array(m + 1));
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += (columns[i][r] - xMean[i]) * (columns[j][r] - xMean[j]);
      a[i][j] = s / n;
      a[j][i] = s / n;
    }
    a[i][i] += lambda;
    let s = 0;
    for (let r = 0; r < n; r++) s += (columns[i][r] - xMean[i]) * (target[r] - yMean);
    a[i][m] = s / n;
  }
  const weights = solve(a);
  let intercept = yMean;
  for (let i = 0; i < m; i++) intercept -= weights[i] * xMean[i];
  return { intercept, weights };
}

/** Solves the augmented system in place; a singular system (λ = 0, identical members) throws. */
function solve(a: Float64Array[]): Float64Array {
  const m = a.length;
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (!(Math.abs(a[pivot][col]) > 1e-12)) {
      throw new Error('fitRidge: the members’ predictions are collinear; raise the ridge penalty');
    }
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = col + 1; r < m; r++) {
      const factor = a[r][col] / a[col][col];
      for (let c = col; c <= m; c++) a[r][c] -= factor * a[col][c];
    }
  }
  const x = new Float64Array(m);
  for (let r = m - 1; r >= 0; r--) {
    let s = a[r][m];
    for (let c = r + 1; c < m; c++) s -= a[r][c] * x[c];
    x[r] = s / a[r][r];
  }
  return x;
}

/** The blend's prediction b + Σ_m w_m x_m for every row. */
export function applyRidge(fit: RidgeFit, columns: readonly Float64Array[], rows: number): Float64Array {
  const out = new Float64Array(rows).fill(fit.intercept);
  columns.forEach((c, m) => {
    for (let r = 0; r < rows; r++) out[r] += fit.weights[m] * c[r];
  });
  return out;
}

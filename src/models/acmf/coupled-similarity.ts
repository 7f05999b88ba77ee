/**
 * Coupled object similarity (COS) between items described by categorical attributes, the item
 * similarity ACMF regularises with (Yu, Wang, Wang & Gao, "Attributes coupling based matrix
 * factorization for item recommendation", Applied Intelligence 46, 2017, §3), as defined by Wang,
 * Cao, Wang, Li, Wei & Ou, "Coupled nominal similarity in unsupervised learning", CIKM 2011:
 *
 * - intra-coupled attribute value similarity (IaAVS) of values x, y of attribute j, from how
 *   often they occur (g_j(x) = the items whose attribute j is x):
 *       δ^Ia_j(x, y) = |g_j(x)| |g_j(y)| / (|g_j(x)| + |g_j(y)| + |g_j(x)| |g_j(y)|);
 * - inter-coupled relative similarity of x, y with respect to another attribute k, from the
 *   conditional distributions P_k|j(w | x) = |g_k(w) ∩ g_j(x)| / |g_j(x)| of k's values:
 *       δ_j|k(x, y) = min over W ⊆ V_k of (2 − P_k|j(W | x) − P_k|j(V_k \ W | y))
 *                   = Σ_{w ∈ V_k} min(P_k|j(w | x), P_k|j(w | y));
 * - inter-coupled attribute value similarity (IeAVS), with α_k = 1 / (attributes − 1):
 *       δ^Ie_j(x, y) = Σ_{k ≠ j} α_k δ_j|k(x, y);
 * - coupled attribute value similarity δ^C_j = δ^Ia_j · δ^Ie_j, and the object similarity
 *       COS(a, b) = Σ_j δ^C_j(x_aj, x_bj).
 *
 * Heed divides COS by the number of attributes so that the similarity lies in [0, 1] whatever the
 * data set's attribute count (the coupling weight α of ACMF then means the same on every data set).
 */
import type { CategoricalAttributes } from '../categorical-attributes.js';

/**
 * δ^C_j(x, y) for every attribute j and pair of its values, as tables [valueCounts[j]²]
 * (row x, column y). Counts are taken over `among` (the items the similarity is about).
 */
export function coupledValueSimilarity(attrs: CategoricalAttributes, among: Int32Array): Float64Array[] {
  const m = attrs.names.length;
  const { values, valueCounts } = attrs;
  // frequency[j][x] = |g_j(x)|; joint[j][k][x * |V_k| + w] = |g_j(x) ∩ g_k(w)|.
  const frequency = Array.from({ length: m }, (_, j) => new Float64Array(valueCounts[j]));
  const joint = Array.from({ length: m }, (_, j) =>
    Array.from({ length: m }, (_, k) => new Float64Array(valueCounts[j] * valueCounts[k])),
  );
  for (const e of among) {
    const row = e * m;
    for (let j = 0; j < m; j++) {
      const x = values[row + j];
      frequency[j][x]++;
      for (let k = 0; k < m; k++) joint[j][k][x * valueCounts[k] + values[row + k]]++;
    }
  }
  return frequency.map((freq, j) => {
    const n = valueCounts[j];
    const table = new Float64Array(n * n);
    for (let x = 0; x < n; x++) {
      for (let y = 0; y < n; y++) {
        const gx = freq[x];
        const gy = freq[y];
        const intra = (gx * gy) / (gx + gy + gx * gy);
        if (!(intra > 0)) continue; // a value no item has: similarity 0 (and no 0/0)
        let inter = 0;
        for (let k = 0; k < m; k++) {
          if (k === j) continue;
          const nk = valueCounts[k];
          let overlap = 0;
          for (let w = 0; w < nk; w++) {
            overlap += Math.min(joint[j][k][x * nk + w] / gx, joint[j][k][y * nk + w] / gy);
          }
          inter += overlap;
        }
        if (m > 1) inter /= m - 1;
        else inter = 1; // one attribute: nothing to couple with, the intra term alone
        table[x * n + y] = intra * inter;
      }
    }
    return table;
  });
}

/** COS(a, b) / attributes from the tables of `coupledValueSimilarity`. */
export function objectSimilarity(
  attrs: CategoricalAttributes,
  tables: readonly Float64Array[],
  a: number,
  b: number,
): number {
  const m = attrs.names.length;
  if (m === 0) return 0;
  let sum = 0;
  for (let j = 0; j < m; j++) {
    const n = attrs.valueCounts[j];
    sum += tables[j][attrs.values[a * m + j] * n + attrs.values[b * m + j]];
  }
  return sum / m;
}

/**
 * AESR's top-k semantic friends: each user's k nearest users by cosine similarity of their network
 * embeddings (`deepwalk.ts`), weighted by that similarity. Friends with similarity ≤ 0 are left
 * out (the regulariser would push them apart with a negative weight).
 */
import type { Neighbourhoods } from '../neighbour-graph.js';

export function topSemanticFriends(embedding: Float64Array, n: number, d: number, k: number): Neighbourhoods {
  const norms = new Float64Array(n);
  for (let u = 0; u < n; u++) {
    let s = 0;
    for (let f = 0; f < d; f++) s += embedding[u * d + f] ** 2;
    norms[u] = Math.sqrt(s) || 1;
  }
  const offsets = new Int32Array(n + 1);
  const items: number[] = [];
  const weights: number[] = [];
  const cosine = new Float64Array(n);
  for (let u = 0; u < n; u++) {
    for (let v = 0; v < n; v++) {
      let s = 0;
      for (let f = 0; f < d; f++) s += embedding[u * d + f] * embedding[v * d + f];
      cosine[v] = v === u ? -Infinity : s / (norms[u] * norms[v]);
    }
    const best = nearest(cosine, k);
    for (const v of best) {
      items.push(v);
      weights.push(cosine[v]);
    }
    offsets[u + 1] = items.length;
  }
  return { offsets, items: Int32Array.from(items), weights: Float64Array.from(weights) };
}

/** Indices of the k largest positive values, largest first (ties: lower index first). */
function nearest(values: Float64Array, k: number): number[] {
  const best: number[] = [];
  if (k === 0) return best;
  for (let v = 0; v < values.length; v++) {
    const x = values[v];
    if (!(x > 0) || (best.length === k && x <= values[best[k - 1]])) continue;
    let at = best.length;
    while (at > 0 && values[best[at - 1]] < x) at--;
    best.splice(at, 0, v);
    if (best.length > k) best.pop();
  }
  return best;
}

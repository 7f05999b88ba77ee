/**
 * ACMF's item neighbourhoods: each item's K most similar items by coupled object similarity
 * (`coupled-similarity.ts`), N⁺(i) of Yu et al. 2017, and the symmetric coupling graph the
 * regulariser's gradient walks.
 */
import type { CategoricalAttributes } from '../categorical-attributes.js';
import type { Neighbourhoods } from '../neighbour-graph.js';
import type { Rng } from '../../util/rng.js';
import { coupledValueSimilarity, objectSimilarity } from './coupled-similarity.js';

/**
 * The `k` items most similar to each item (itself excluded). Items with the same attribute row
 * are equally similar to everyone, so similarities are computed once per distinct row; among
 * equally similar items `rng` draws.
 * Neighbours of similarity 0 are left out (they would add nothing to the regulariser).
 */
export function topNeighbours(attrs: CategoricalAttributes, k: number, rng: Rng): Neighbourhoods {
  const n = attrs.items;
  const m = attrs.names.length;
  const all = Int32Array.from({ length: n }, (_, e) => e);
  const tables = coupledValueSimilarity(attrs, all);

  // Distinct attribute rows, each with its items in ascending order.
  const rowOf = new Int32Array(n);
  const representatives: number[] = [];
  const members: number[][] = [];
  const seen = new Map<string, number>();
  for (let e = 0; e < n; e++) {
    const key = attrs.values.subarray(e * m, (e + 1) * m).join(',');
    let r = seen.get(key);
    if (r === undefined) {
      r = representatives.length;
      seen.set(key, r);
      representatives.push(e);
      members.push([]);
    }
    rowOf[e] = r;
    members[r].push(e);
  }

  const rows = representatives.length;
  const similarity = new Float64Array(rows * rows);
  for (let a = 0; a < rows; a++) {
    for (let b = a; b < rows; b++) {
      const s = objectSimilarity(attrs, tables, representatives[a], representatives[b]);
      similarity[a * rows + b] = s;
      similarity[b * rows + a] = s;
    }
  }
  // For each row, the other rows from most to least similar (ties: lower row index first).
  const order = Array.from({ length: rows }, (_, a) =>
    Array.from({ length: rows }, (_, b) => b).sort(
      (x, y) => similarity[a * rows + y] - similarity[a * rows + x] || x - y,
    ),
  );

  const offsets = new Int32Array(n + 1);
  const items: number[] = [];
  const weights: number[] = [];
  for (let e = 0; e < n; e++) {
    const a = rowOf[e];
    let taken = 0;
    for (const b of order[a]) {
      const s = similarity[a * rows + b];
      if (taken >= k || !(s > 0)) break;
      // Equally similar items: a seeded random draw among them, so that no item collects the
      // in-links of a whole tie group (the paper breaks no ties; any rule is a choice).
      const group = members[b].filter((f) => f !== e);
      for (let t = 0; t < group.length && taken < k; t++) {
        const pick = t + rng.int(group.length - t);
        [group[t], group[pick]] = [group[pick], group[t]];
        items.push(group[t]);
        weights.push(s);
        taken++;
      }
    }
    offsets[e + 1] = items.length;
  }
  return { offsets, items: Int32Array.from(items), weights: Float64Array.from(weights) };
}

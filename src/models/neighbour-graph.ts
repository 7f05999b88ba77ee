/**
 * Weighted neighbour lists in CSR form, and their symmetric closure: the shape of ACMF's item
 * neighbourhoods and AESR's semantic friends, whose regularisers ½ Σ_a Σ_{b∈N(a)} w_ab ‖x_a − x_b‖²
 * have the gradient Σ over a's entries (p, w) of the symmetric graph of w (x_a − x_p).
 */

/** Entity a's neighbours are `items[offsets[a] .. offsets[a+1])` with `weights` alongside. */
export interface Neighbourhoods {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly weights: Float64Array;
}

/**
 * Each directed entry (a, b, w) also entered as (b, a, w), duplicates merged by adding their
 * weights, each entity's partners in ascending order.
 */
export function symmetricNeighbourhoods(directed: Neighbourhoods, n: number): Neighbourhoods {
  const partners = Array.from({ length: n }, () => new Map<number, number>());
  for (let a = 0; a < n; a++) {
    for (let p = directed.offsets[a]; p < directed.offsets[a + 1]; p++) {
      const b = directed.items[p];
      const w = directed.weights[p];
      partners[a].set(b, (partners[a].get(b) ?? 0) + w);
      partners[b].set(a, (partners[b].get(a) ?? 0) + w);
    }
  }
  const offsets = new Int32Array(n + 1);
  const items: number[] = [];
  const weights: number[] = [];
  for (let a = 0; a < n; a++) {
    const sorted = [...partners[a].entries()].sort((x, y) => x[0] - y[0]);
    for (const [b, w] of sorted) {
      items.push(b);
      weights.push(w);
    }
    offsets[a + 1] = items.length;
  }
  return { offsets, items: Int32Array.from(items), weights: Float64Array.from(weights) };
}

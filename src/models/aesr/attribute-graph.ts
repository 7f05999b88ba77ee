/**
 * The user–user graph AESR embeds. AESR (Nisha & Mohan, Applied Intelligence 49, 2019) learns its
 * semantic friends from a trust network; MovieLens has none, and the AANMF paper, which ran AESR
 * on MovieLens for its Table 4, does not say what it used instead. Heed links two users when they
 * share at least `minShared` of their attribute values (age group, gender, occupation on
 * MovieLens): people of a similar profile stand in for people who trust each other.
 */
import type { CategoricalAttributes } from '../categorical-attributes.js';

/** Unweighted adjacency in CSR form: user u's neighbours are `neighbours[offsets[u] .. offsets[u+1])`. */
export interface Graph {
  readonly offsets: Int32Array;
  readonly neighbours: Int32Array;
}

/**
 * Users are grouped by their attribute row first (profiles), so the shared-value count is taken
 * once per pair of profiles; two users of profiles that share at least `minShared` values are
 * linked (never a user with itself). With no attributes every user is isolated.
 */
export function sharedAttributeGraph(attrs: CategoricalAttributes, minShared: number): Graph {
  const n = attrs.items;
  const m = attrs.names.length;
  const profileOf = new Int32Array(n);
  const members: number[][] = [];
  const rows: Int32Array[] = [];
  const seen = new Map<string, number>();
  for (let u = 0; u < n; u++) {
    const row = attrs.values.subarray(u * m, (u + 1) * m);
    const key = row.join(',');
    let p = seen.get(key);
    if (p === undefined) {
      p = members.length;
      seen.set(key, p);
      members.push([]);
      rows.push(row);
    }
    profileOf[u] = p;
    members[p].push(u);
  }
  const linked = members.map((_, p) =>
    members
      .map((__, q) => q)
      .filter(
        (q) => m > 0 && rows[p].reduce((shared, x, j) => shared + (x === rows[q][j] ? 1 : 0), 0) >= minShared,
      ),
  );
  const offsets = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) {
    let degree = 0;
    for (const q of linked[profileOf[u]]) degree += members[q].length - (q === profileOf[u] ? 1 : 0);
    offsets[u + 1] = offsets[u] + degree;
  }
  const neighbours = new Int32Array(offsets[n]);
  for (let u = 0; u < n; u++) {
    let at = offsets[u];
    for (const q of linked[profileOf[u]]) {
      for (const v of members[q]) if (v !== u) neighbours[at++] = v;
    }
  }
  return { offsets, neighbours };
}

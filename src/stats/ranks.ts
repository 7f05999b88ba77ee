/** Ranking with ties: the rank-based tests (Wilcoxon, Friedman) all give tied values the average of the ranks they span. */

/** The 1-based ranks of `values` in ascending order; a run of equal values gets the mean of its ranks. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    // Positions start..end−1 hold equal values: ranks start+1..end, whose mean is (start + 1 + end) / 2.
    const shared = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = shared;
    start = end;
  }
  return ranks;
}

/** Sizes of the groups of tied values (only groups of two or more), for tie corrections. */
export function tieGroupSizes(values: readonly number[]): number[] {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.values()].filter((count) => count > 1);
}

/**
 * Nemenyi post-hoc test after a Friedman test (Demšar 2006, §3.2.2): two treatments differ
 * significantly when their average ranks differ by at least the critical difference
 *   CD = q_α √(k(k+1) / (6N)),
 * q_α being the Studentized range statistic for k means (infinite df) divided by √2.
 */
import { HeedError } from '../util/errors.js';

/** q_α for k = 2..10 treatments: Demšar (2006), Table 5(a). */
const Q_ALPHA: Readonly<Record<0.05 | 0.1, readonly number[]>> = {
  0.05: [1.96, 2.343, 2.569, 2.728, 2.85, 2.949, 3.031, 3.102, 3.164],
  0.1: [1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.78, 2.855, 2.92],
};

export function nemenyiCriticalDifference(
  treatments: number,
  blocks: number,
  alpha: 0.05 | 0.1 = 0.05,
): number {
  if (!Number.isInteger(treatments) || treatments < 2 || treatments > 10) {
    throw new HeedError(
      `nemenyiCriticalDifference: the q_α table (Demšar 2006, Table 5a) covers 2 to 10 treatments, got ${treatments}`,
    );
  }
  if (!Number.isInteger(blocks) || blocks < 1) {
    throw new HeedError(`nemenyiCriticalDifference: blocks must be a positive integer, got ${blocks}`);
  }
  const table = Q_ALPHA[alpha];
  if (table === undefined)
    throw new HeedError(`nemenyiCriticalDifference: alpha must be 0.05 or 0.1, got ${alpha}`);
  const q = table[treatments - 2];
  return q * Math.sqrt((treatments * (treatments + 1)) / (6 * blocks));
}

/**
 * The groups of treatments that the test cannot tell apart: maximal runs, in rank order, whose
 * highest and lowest average ranks differ by less than `cd`. Groups of one are left out. Returned
 * as index lists into `ranks`, each sorted by rank, groups ordered by their best rank.
 */
export function nemenyiGroups(ranks: readonly number[], cd: number): number[][] {
  if (!(cd > 0) || !Number.isFinite(cd))
    throw new HeedError(`nemenyiGroups: cd must be finite and > 0, got ${cd}`);
  const order = ranks.map((_, i) => i).sort((i, j) => ranks[i] - ranks[j] || i - j);
  const groups: number[][] = [];
  let previousEnd = -1;
  for (let start = 0; start < order.length; start++) {
    let end = start;
    while (end + 1 < order.length && ranks[order[end + 1]] - ranks[order[start]] < cd) end++;
    // A run that ends where the previous one ended is contained in it, so it is not maximal.
    if (end > previousEnd && end > start) groups.push(order.slice(start, end + 1));
    previousEnd = Math.max(previousEnd, end);
  }
  return groups;
}

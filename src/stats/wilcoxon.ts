/**
 * Two-sided Wilcoxon signed-rank test for paired samples (Wilcoxon 1945; Demšar 2006, §3.1.3).
 *
 * d_i = a_i − b_i. Zero differences are dropped (Wilcoxon's original treatment; Demšar instead
 * splits their ranks between the sums). The remaining |d_i| are ranked, ties getting average ranks;
 * W+ sums the ranks of positive differences, W− those of negative ones, W+ + W− = n(n + 1)/2.
 *
 * p-value: exact for n ≤ 25 non-zero pairs, by enumerating the null distribution in which each
 * rank's sign is + or − with probability ½ independently (conditional on the observed ranks, so it
 * stays exact with ties). 25 is where printed tables of exact critical values stop (Demšar 2006)
 * and where the normal approximation has become accurate; the enumeration itself would be cheap
 * well beyond that. Above 25: z = (|W+ − n(n+1)/4| − ½) / σ, with
 * σ² = n(n+1)(2n+1)/24 − Σ_groups (t³ − t)/48 (tie correction) and the ½ a continuity correction.
 *
 * Ties are exact equality of the computed differences: differences of decimals that are equal on
 * paper may differ in the last bit of a double, and are then ranked apart.
 */
import { normalCdf } from './distributions.js';
import { averageRanks, tieGroupSizes } from './ranks.js';
import { pairedDifferences } from './samples.js';

export interface WilcoxonResult {
  /** Sum of the ranks of the positive differences a − b. */
  wPlus: number;
  /** Sum of the ranks of the negative differences a − b. */
  wMinus: number;
  /** min(W+, W−). */
  statistic: number;
  /** Number of pairs with a non-zero difference (the ones ranked). */
  n: number;
  pValue: number;
  /** True when pValue comes from the exact null distribution, false for the normal approximation. */
  exact: boolean;
}

/** Largest number of non-zero pairs for which the p-value is exact. */
export const WILCOXON_EXACT_MAX_PAIRS = 25;

/** With no non-zero difference there is no evidence either way: W+ = W− = 0, p = 1. */
export function wilcoxonSignedRank(a: readonly number[], b: readonly number[]): WilcoxonResult {
  const differences = pairedDifferences(a, b, 'wilcoxonSignedRank').filter((d) => d !== 0);
  const n = differences.length;
  const absolute = differences.map(Math.abs);
  const ranks = averageRanks(absolute);
  let wPlus = 0;
  let wMinus = 0;
  ranks.forEach((rank, i) => {
    if (differences[i] > 0) wPlus += rank;
    else wMinus += rank;
  });
  const statistic = Math.min(wPlus, wMinus);
  if (n === 0) return { wPlus, wMinus, statistic, n, pValue: 1, exact: true };
  const exact = n <= WILCOXON_EXACT_MAX_PAIRS;
  const pValue = exact ? exactPValue(ranks, statistic) : normalPValue(n, wPlus, tieGroupSizes(absolute));
  return { wPlus, wMinus, statistic, n, pValue, exact };
}

/**
 * Two-sided exact p = 2 P(W+ ≤ statistic), capped at 1. The null distribution of W+ is symmetric
 * about n(n+1)/4 (flipping every sign swaps W+ and W−), so doubling the lower tail at min(W+, W−)
 * is the two-sided p. Ranks are whole or half numbers, so doubled ranks are integers and the
 * distribution is a count of sign patterns per doubled sum, built one rank at a time.
 */
function exactPValue(ranks: readonly number[], statistic: number): number {
  const doubled = ranks.map((rank) => Math.round(2 * rank));
  const total = doubled.reduce((sum, value) => sum + value, 0);
  // ways[s] = number of subsets of the ranks seen so far whose doubled sum is s.
  let ways = new Array<number>(total + 1).fill(0);
  ways[0] = 1;
  for (const rank of doubled) {
    const next = ways.slice();
    for (let s = rank; s <= total; s++) next[s] += ways[s - rank];
    ways = next;
  }
  const limit = Math.round(2 * statistic);
  let lowerTail = 0;
  for (let s = 0; s <= limit; s++) lowerTail += ways[s];
  return Math.min(1, (2 * lowerTail) / 2 ** ranks.length);
}

function normalPValue(n: number, wPlus: number, tieSizes: readonly number[]): number {
  const mean = (n * (n + 1)) / 4;
  const tieCorrection = tieSizes.reduce((sum, t) => sum + (t * t * t - t), 0) / 48;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieCorrection);
  const z = Math.max(0, Math.abs(wPlus - mean) - 0.5) / sd;
  return Math.min(1, 2 * normalCdf(-z));
}

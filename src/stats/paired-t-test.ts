/**
 * Two-sided paired Student t-test (Demšar 2006, §3.1.2): d_i = a_i − b_i,
 * t = d̄ / (s_d / √n) with s_d the sample standard deviation of the differences, df = n − 1,
 * p = P(|T_{n−1}| ≥ |t|). Assumes the differences are independent and roughly normal.
 */
import { HeedError } from '../util/errors.js';
import { studentTTwoSidedP } from './distributions.js';
import { pairedDifferences } from './samples.js';
import { meanAndSd } from './summary.js';

export interface PairedTTestResult {
  t: number;
  df: number;
  pValue: number;
  /** Mean of a[i] − b[i]: negative when a is lower (for RMSE: better) on average. */
  meanDifference: number;
  n: number;
}

/**
 * When every difference is the same the standard error is 0 and t is not a number. Two cases then
 * get a definite answer: all differences equal and non-zero → t = ±∞, p = 0 (the samples differ by
 * a constant); all differences zero → t = 0, p = 1 (the samples are identical).
 */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTTestResult {
  const differences = pairedDifferences(a, b, 'pairedTTest');
  const n = differences.length;
  if (n < 2) throw new HeedError(`pairedTTest: needs at least 2 pairs to estimate a variance, got ${n}`);
  const { mean, sd } = meanAndSd(differences);
  const df = n - 1;
  if (sd === 0) {
    if (mean === 0) return { t: 0, df, pValue: 1, meanDifference: 0, n };
    return { t: mean > 0 ? Infinity : -Infinity, df, pValue: 0, meanDifference: mean, n };
  }
  const t = mean / (sd / Math.sqrt(n));
  return { t, df, pValue: studentTTwoSidedP(t, df), meanDifference: mean, n };
}

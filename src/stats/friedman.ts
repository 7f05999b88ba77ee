/**
 * Friedman test with the Iman–Davenport correction (Demšar 2006, §3.2.2), for k treatments (models)
 * measured on the same N blocks (data sets, or seeds).
 *
 * Each block's scores are ranked, rank 1 = best, ties averaged. With R_j the average rank of
 * treatment j:
 *   χ²_F = 12N / (k(k+1)) · [Σ_j R_j² − k(k+1)²/4]            ~ χ² with k − 1 df,
 *   F_F  = (N − 1) χ²_F / (N(k − 1) − χ²_F)                   ~ F with k − 1 and (k − 1)(N − 1) df.
 * Iman & Davenport (1980) showed χ²_F to be conservative; Demšar recommends F_F, whose p-value is
 * imanDavenportPValue. pValue is the chi-square one, kept for comparison with other tools. χ²_F is Demšar's form,
 * without a correction for ties within blocks (which would make it slightly larger).
 * When every block ranks the treatments identically χ²_F = N(k − 1) and F_F is +∞.
 */
import { HeedError } from '../util/errors.js';
import { chiSquareUpperTail, fUpperTail } from './distributions.js';
import { averageRanks } from './ranks.js';
import { checkFinite } from './samples.js';

export interface FriedmanResult {
  chiSquare: number;
  /** k − 1, the degrees of freedom of χ²_F (and the numerator df of F_F). */
  df: number;
  /** P(χ²_{k−1} ≥ χ²_F). */
  pValue: number;
  imanDavenportF: number;
  /** P(F_{k−1, (k−1)(N−1)} ≥ F_F); 0 when F_F is +∞. */
  imanDavenportPValue: number;
  /** Average rank of each treatment (column), 1 = best. */
  averageRanks: number[];
  blocks: number;
  treatments: number;
}

/** `scores[block][treatment]`; with lowerIsBetter (RMSE, MAE) the smallest score ranks 1, otherwise the largest. */
export function friedman(scores: readonly (readonly number[])[], lowerIsBetter = true): FriedmanResult {
  const blocks = scores.length;
  if (blocks < 2) throw new HeedError(`friedman: needs at least 2 blocks (rows), got ${blocks}`);
  const treatments = scores[0].length;
  if (treatments < 2)
    throw new HeedError(`friedman: needs at least 2 treatments (columns), got ${treatments}`);
  const rankSums = new Array<number>(treatments).fill(0);
  scores.forEach((row, block) => {
    if (row.length !== treatments) {
      throw new HeedError(`friedman: row ${block} has ${row.length} scores, row 0 has ${treatments}`);
    }
    checkFinite(row, `friedman: scores[${block}]`);
    const ranks = averageRanks(lowerIsBetter ? row : row.map((score) => -score));
    ranks.forEach((rank, j) => (rankSums[j] += rank));
  });
  const ranks = rankSums.map((sum) => sum / blocks);
  const k = treatments;
  const sumOfSquares = ranks.reduce((sum, rank) => sum + rank * rank, 0);
  // Clamped at 0: with all ranks equal the bracket is 0 up to rounding, and a χ² cannot be negative.
  const chiSquare = Math.max(0, ((12 * blocks) / (k * (k + 1))) * (sumOfSquares - (k * (k + 1) ** 2) / 4));
  const denominator = blocks * (k - 1) - chiSquare;
  const imanDavenportF = denominator > 0 ? ((blocks - 1) * chiSquare) / denominator : Infinity;
  return {
    chiSquare,
    df: k - 1,
    pValue: chiSquareUpperTail(chiSquare, k - 1),
    imanDavenportF,
    imanDavenportPValue: fUpperTail(imanDavenportF, k - 1, (k - 1) * (blocks - 1)),
    averageRanks: ranks,
    blocks,
    treatments,
  };
}

/** Significance tests and the distribution functions behind them (docs/STATISTICS.md). */
export {
  chiSquareCdf,
  chiSquareQuantile,
  chiSquareUpperTail,
  fUpperTail,
  normalCdf,
  studentTCdf,
  studentTQuantile,
  studentTTwoSidedP,
} from './distributions.js';
export { friedman, type FriedmanResult } from './friedman.js';
export { nemenyiCriticalDifference, nemenyiGroups } from './nemenyi.js';
export { pairedTTest, type PairedTTestResult } from './paired-t-test.js';
export { meanAndSd, type MeanAndSd } from './summary.js';
export { WILCOXON_EXACT_MAX_PAIRS, wilcoxonSignedRank, type WilcoxonResult } from './wilcoxon.js';

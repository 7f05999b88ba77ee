/** Mean and sample standard deviation of a metric over seeds or folds. */
import { HeedError } from '../util/errors.js';
import { checkFinite } from './samples.js';

export interface MeanAndSd {
  mean: number;
  /** Sample standard deviation (divisor n − 1); 0 when n = 1, where the spread is unknown rather than infinite. */
  sd: number;
  n: number;
}

export function meanAndSd(values: readonly number[]): MeanAndSd {
  if (values.length === 0) throw new HeedError('meanAndSd: no values');
  checkFinite(values, 'meanAndSd: values');
  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n === 1) return { mean, sd: 0, n };
  // Two passes (mean first, then squared deviations) avoid the cancellation of Σx² − n·mean².
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(squares / (n - 1)), n };
}

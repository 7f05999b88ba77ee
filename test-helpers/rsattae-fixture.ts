/**
 * What the RSAttAE tests share: skipping with a clear message when libxgboost (RSAttAE's last
 * stage) is missing, and settings small enough that a fit takes a second or two.
 */
import type { TestContext } from 'node:test';
import { xgboostAvailable } from '../src/xgboost/library.js';

const available = xgboostAvailable();

/** True when XGBoost can run; otherwise skips the test, saying why. */
export function needsXGBoost(t: TestContext): boolean {
  if (available.ok) return true;
  t.skip(`libxgboost not found (RSAttAE's last stage needs it): ${available.reason.split('\n')[0]}`);
  return false;
}

/** Small and fast: the point of these tests is behaviour, not accuracy. */
export const SMALL_RSATTAE = {
  factors: 4,
  hidden: 8,
  attentionDim: 4,
  epochs: 15,
  learningRate: 0.01,
  rounds: 25,
  xgbLearningRate: 0.3,
  maxDepth: 4,
  colsampleBytree: 1,
  xgbPatience: 0,
  threads: 1,
};

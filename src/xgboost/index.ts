/** Heed's typed wrapper over XGBoost's C library (see docs/XGBOOST.md). */
export { XGBoostError } from './errors.js';
export {
  xgboost,
  xgboostAvailable,
  xgboostInstallMessage,
  libraryCandidates,
  XGBOOST_LIB_ENV,
  type XGBoostLibrary,
  type XGBoostVersion,
  type LoadAttempt,
} from './library.js';
export {
  RSATTAE_XGBOOST_DEFAULTS,
  xgboostParamPairs,
  type XGBoostParams,
  type XGBoostObjective,
} from './params.js';
export { DMatrix, type DMatrixOptions, type FloatInfoField } from './dmatrix.js';
export {
  Booster,
  parseEvalLine,
  BEST_ITERATION_ATTR,
  BEST_SCORE_ATTR,
  type EvalSet,
  type IterationRange,
  type PredictOptions,
} from './booster.js';
export {
  trainXGBoost,
  metricMaximizes,
  type TrainXGBoostOptions,
  type TrainXGBoostResult,
  type XGBoostRoundEvent,
} from './train.js';

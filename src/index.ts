/**
 * Heed's public library API: load a data set, split it, fit and evaluate models, save and load
 * them, predict with an explicit cold-start policy. The `heed` command line is a thin layer over
 * exactly these functions.
 *
 *     import { loadDataset, evaluate } from 'heed';
 *     const dataset = loadDataset('ml-100k', { dataDir: '/data' });
 *     const result = await evaluate({ modelId: 'biasedmf', dataset, split: 'u1', seed: 1 });
 *     console.log(result.rmse, result.mae);
 */

// Data sets
export type {
  Dataset,
  FeatureField,
  FeatureKind,
  FeatureTable,
  IdMap,
  Ratings,
  RatingSubset,
  Split,
} from './data/dataset.js';
export { gatherRatings, IdMapBuilder } from './data/dataset.js';
export { ratingStatistics, type HistogramBin, type RatingStatistics } from './data/rating-statistics.js';
export {
  listDatasets,
  loadDataset,
  resolveDataDir,
  type DatasetInfo,
  type LoadOptions,
} from './data/registry.js';
export { defaultDataDir, fetchDataset, type FetchOptions, type FetchResult } from './data/fetch.js';
export {
  generateSynthetic,
  plantedTruth,
  type PlantedTruth,
  type SyntheticOptions,
} from './data/loaders/synthetic.js';

// Splits
export {
  DEFAULT_RATIO,
  defaultSplitSpec,
  formatSplitSpec,
  kFoldSplits,
  makeSplits,
  minRatingsPerUser,
  parseSplitSpec,
  predefinedFoldNames,
  predefinedSplit,
  ratioSplit,
  splitFoldCount,
  type KFoldOptions,
  type SplitSpec,
} from './data/split.js';

// Metrics and evaluation
export { mae, mse, ndcgAtK, rmse, type NdcgResult, type RankedRatings } from './eval/metrics.js';
export {
  evaluate,
  modelConfig,
  NDCG_K,
  runFold,
  standardDeviation,
  type EvaluateOptions,
  type EvaluationProgress,
  type EvaluationResult,
  type FoldResult,
} from './eval/protocol.js';

// Models
export type {
  AttentionWeight,
  ConfigValue,
  Explanation,
  FitOptions,
  FitReport,
  JsonValue,
  ModelConfig,
  ModelSpec,
  ModelState,
  ProgressEvent,
  RatingModel,
} from './models/model.js';
export { getModelSpec, MODELS } from './models/index.js';
export { resolveConfig } from './models/config.js';
export {
  checkConfig,
  defaultsOf,
  describeRange,
  parseSetting,
  type SettingDefinition,
  type SettingsSchema,
} from './models/settings-schema.js';
export { migrateConfig, RENAMED_SETTINGS } from './models/renamed-settings.js';
export { settingRows, settingsMarkdown, type SettingRow } from './models/settings-docs.js';
export {
  FALLBACK_SHRINKAGE,
  Predictor,
  trainingStats,
  type ColdStart,
  type ColdStartCounts,
  type PairPrediction,
  type Predictions,
  type TrainingStats,
} from './models/predictor.js';

// Saved models
export {
  ARTIFACT_VERSION,
  loadArtifact,
  openArtifact,
  predictRaw,
  saveArtifact,
  type ArtifactManifest,
  type LoadedArtifact,
  type RawPrediction,
  type SaveOptions,
  type SavedStatistics,
} from './models/artifact.js';
export {
  ArtifactLabels,
  LABELS_FILE,
  labelsOfDataset,
  type FieldLabels,
  type SavedField,
  type SavedLabels,
} from './models/labels.js';

// The HTTP service and explanations by raw id (heed serve, heed explain)
export * from './serve/index.js';

// Explanations as pictures (heed explain --out; docs/EXPLANATIONS.md)
export {
  explanationPicture,
  renderExplanationHtml,
  renderExplanationSvg,
  USER_LEVEL_MODELS,
  type ExplanationPicture,
  type ExplanationSection,
} from './report/explanations/render.js';
export { renderExplanationPng, svgToPng } from './report/explanations/png.js';

// XGBoost, RSAttAE's rating stage (libxgboost is loaded on first use, not here)
export * from './xgboost/index.js';

// Significance tests and SVG figures (docs/STATISTICS.md)
export * from './stats/index.js';
export * from './report/index.js';

// Errors and randomness
export { DataError, HeedError, UsageError } from './util/errors.js';
export { Rng } from './util/rng.js';

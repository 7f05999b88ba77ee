/**
 * The contract every rating model implements, classic or neural.
 *
 * Models see dense user and item indices of the `Dataset` they were fitted on. Everything around
 * them (raw id mapping, clipping to the rating scale, the cold-start fallback for users or items
 * with no training ratings, metrics, files on disk) is done once, outside the models, by
 * `src/models/predictor.ts`, `src/eval/` and `src/models/artifact.ts`.
 */
import type { RatingSubset } from '../data/dataset.js';
import type { TrainingControl } from '../engine/progress.js';
import type { SettingsSchema } from './settings-schema.js';

/** A config value as written on the command line (`--set key=value`) or in `model.json`. */
export type ConfigValue = number | string | boolean;
export type ModelConfig = Record<string, ConfigValue>;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type { ProgressEvent } from '../engine/progress.js';

export interface FitOptions extends TrainingControl {
  /** Ratings to watch during training (early stopping, progress). Never trained on. */
  readonly validation?: RatingSubset;
  /**
   * Review models only: where validation documents come from. 'training' (default, the clean
   * protocol): the training reviews. 'own-file' (the SAFMR paper's protocol): the validation
   * ratings' own reviews, each pair's own review left out.
   */
  readonly reviewContexts?: 'training' | 'own-file';
}

export interface FitReport {
  readonly epochs: number;
  /** Training examples processed in total (epochs x ratings for SGD), for samples per second. */
  readonly samplesProcessed: number;
  /** Models that early-stop on validation: the epoch whose weights they kept, and its RMSE. */
  readonly bestEpoch?: number;
  readonly bestValidationRmse?: number;
  /** What the user should know about the fit (training pairs left out, word vectors loaded). */
  readonly notes?: readonly string[];
}

/** A named attention weight: which feature, how much. */
export interface AttentionWeight {
  readonly feature: string;
  readonly weight: number;
}

/** A review shown as evidence for a prediction (SAFMR's most similar reviews, NARRE's most useful). */
export interface ReviewEvidence {
  /** Dense user and item of the review's rating. */
  readonly user: number;
  readonly item: number;
  readonly rating: number;
  readonly text: string;
  /** The review's share of its group (the group's weights sum to 1). */
  readonly weight: number;
  /** SAFMR: distance of the review's target-network vector to the source network's z_L. */
  readonly distance?: number;
}

/**
 * Why a model predicted what it did. `groups` hold one attention distribution each (one per head
 * for SAIN, one over item features for AFM-GAU, one over user attributes for AANMF).
 */
export interface Explanation {
  readonly model: string;
  readonly user: number;
  readonly item: number;
  readonly prediction: number;
  readonly groups: ReadonlyArray<{ readonly name: string; readonly weights: readonly AttentionWeight[] }>;
  /** Review models: reviews as evidence, in groups (most similar reviews of the item, ...). */
  readonly reviews?: ReadonlyArray<{ readonly name: string; readonly reviews: readonly ReviewEvidence[] }>;
}

/** What a model saves: its config, small JSON metadata and its numeric parameters. */
export interface ModelState {
  readonly id: string;
  readonly config: ModelConfig;
  readonly meta: JsonValue;
  readonly arrays: Record<string, Float32Array | Float64Array | Int32Array>;
}

export interface RatingModel {
  readonly id: string;
  readonly config: Readonly<ModelConfig>;
  /**
   * True when the model predicts sensibly for users or items with no training ratings (from
   * their features, say). Otherwise the predictor answers those pairs with an explicit fallback.
   */
  readonly handlesColdStart: boolean;
  fit(train: RatingSubset, options?: FitOptions): Promise<FitReport>;
  /** Raw scores for dense index pairs; not clipped. Must never return NaN. */
  predict(users: Int32Array, items: Int32Array): Float32Array;
  explain?(user: number, item: number): Explanation;
  state(): ModelState;
}

/** How a model is found by id, created with defaults and restored from disk. */
export interface ModelSpec {
  readonly id: string;
  /** One line for `heed models`. */
  readonly summary: string;
  /** The paper it implements, for citations in `heed models` and docs. */
  readonly reference: string;
  /** Every key a user may `--set`: type, default, range, doc (settings-schema.ts). */
  readonly settings: SettingsSchema;
  /** The settings' defaults, `defaultsOf(settings)`. */
  readonly defaults: ModelConfig;
  /**
   * True for models on the tensor engine (`src/engine`): restoring and predicting are synchronous,
   * so the engine must be started first (`openArtifact` does it).
   */
  readonly usesEngine?: boolean;
  /**
   * Overrides of `defaults` that make a fit on a tiny data set take a second or two: what
   * test/model-contract.test.ts trains every registered model with. Leave it out only when the
   * defaults are already that fast.
   */
  readonly testSettings?: Readonly<ModelConfig>;
  create(config: ModelConfig): RatingModel;
  restore(state: ModelState): RatingModel;
}

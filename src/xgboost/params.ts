/**
 * XGBoost training parameters: typed, checked at the boundary, then turned into the strings that
 * `XGBoosterSetParam` takes. Names follow XGBoost's documentation; the scikit-learn aliases
 * (`learning_rate`, `reg_lambda`, `reg_alpha`, `min_split_loss`) are accepted too, since papers
 * (RSAttAE among them) report their settings in those names.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../util/errors.js';

export type XGBoostObjective =
  | 'reg:squarederror'
  | 'reg:squaredlogerror'
  | 'reg:pseudohubererror'
  | 'reg:absoluteerror'
  | 'reg:logistic'
  | 'binary:logistic'
  | 'binary:logitraw'
  | 'count:poisson'
  | 'reg:gamma'
  | 'reg:tweedie'
  | 'multi:softmax'
  | 'multi:softprob'
  | 'rank:pairwise'
  | 'rank:ndcg'
  | 'rank:map';

/** Strings outside the listed ones are passed through; XGBoost rejects what it does not know. */
type Open<T extends string> = T | (string & Record<never, never>);

export interface XGBoostParams {
  objective?: Open<XGBoostObjective>;
  booster?: Open<'gbtree' | 'gblinear' | 'dart'>;
  tree_method?: Open<'auto' | 'exact' | 'approx' | 'hist'>;
  grow_policy?: Open<'depthwise' | 'lossguide'>;
  /** Step size shrinkage; XGBoost default 0.3. Alias: `learning_rate`. */
  eta?: number;
  learning_rate?: number;
  /** Minimum loss reduction to split; default 0. Alias: `min_split_loss`. */
  gamma?: number;
  min_split_loss?: number;
  /** Maximum tree depth; default 6; 0 means no limit (only with `grow_policy: 'lossguide'`). */
  max_depth?: number;
  max_leaves?: number;
  max_bin?: number;
  min_child_weight?: number;
  max_delta_step?: number;
  /** Row subsampling ratio per tree, in (0, 1]. */
  subsample?: number;
  /** Column subsampling ratios, in (0, 1]. */
  colsample_bytree?: number;
  colsample_bylevel?: number;
  colsample_bynode?: number;
  /** L2 regularisation on leaf weights; default 1. Alias: `reg_lambda`. */
  lambda?: number;
  reg_lambda?: number;
  /** L1 regularisation on leaf weights; default 0. Alias: `reg_alpha`. */
  alpha?: number;
  reg_alpha?: number;
  scale_pos_weight?: number;
  base_score?: number;
  num_parallel_tree?: number;
  /** OpenMP threads; Heed's default is `os.availableParallelism()`. */
  nthread?: number;
  seed?: number;
  /** 0 silent, 1 warnings (XGBoost's default), 2 info, 3 debug; printed to stderr by XGBoost. */
  verbosity?: number;
  /** One metric or several; several are all reported, the last one drives early stopping. */
  eval_metric?: string | readonly string[];
  /** Anything else XGBoost accepts, passed through unchecked (`String(value)`). */
  extra?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * RSAttAE's XGBoost regressor, setup 4 of Table II (Section V.B) of Dadashzadeh Taromi et al.,
 * "RSAttAE: An Information-Aware Attention-based Autoencoder Recommender System": the setup with
 * the lowest validation RMSE. `seed` is the authors' `random_state=42`
 * (ComputationIASBS/RecommSys, XGBoost_params_grid_search.py). `rounds` is `n_estimators`.
 *
 * The paper does not name a tree method. Its code uses scikit-learn's `root_mean_squared_error`
 * (scikit-learn 1.4 or newer, 2024), so it most likely ran XGBoost 2.x, whose default is `hist`;
 * XGBoost 1.7's default (`auto`) would pick `exact` at this size, which is several times slower.
 * `hist` is therefore set explicitly so that 1.7 and 2.x grow the same kind of trees.
 */
export const RSATTAE_XGBOOST_DEFAULTS = Object.freeze({
  rounds: 1900,
  params: Object.freeze({
    objective: 'reg:squarederror',
    max_depth: 9,
    learning_rate: 0.01,
    subsample: 1,
    colsample_bytree: 0.2,
    reg_lambda: 1,
    reg_alpha: 3,
    tree_method: 'hist',
    seed: 42,
  } satisfies XGBoostParams),
});

type NumericKey = {
  [K in keyof XGBoostParams]-?: NonNullable<XGBoostParams[K]> extends number ? K : never;
}[keyof XGBoostParams];
type StringKey = 'objective' | 'booster' | 'tree_method' | 'grow_policy';

interface NumberRule {
  readonly integer: boolean;
  readonly min?: number;
  /** True when `min` itself is not allowed. */
  readonly minExclusive?: boolean;
  readonly max?: number;
}

const NUMBER_RULES: Record<NumericKey, NumberRule> = {
  eta: { integer: false, min: 0 },
  learning_rate: { integer: false, min: 0 },
  gamma: { integer: false, min: 0 },
  min_split_loss: { integer: false, min: 0 },
  max_depth: { integer: true, min: 0 },
  max_leaves: { integer: true, min: 0 },
  max_bin: { integer: true, min: 2 },
  min_child_weight: { integer: false, min: 0 },
  max_delta_step: { integer: false, min: 0 },
  subsample: { integer: false, min: 0, minExclusive: true, max: 1 },
  colsample_bytree: { integer: false, min: 0, minExclusive: true, max: 1 },
  colsample_bylevel: { integer: false, min: 0, minExclusive: true, max: 1 },
  colsample_bynode: { integer: false, min: 0, minExclusive: true, max: 1 },
  lambda: { integer: false, min: 0 },
  reg_lambda: { integer: false, min: 0 },
  alpha: { integer: false, min: 0 },
  reg_alpha: { integer: false, min: 0 },
  scale_pos_weight: { integer: false, min: 0 },
  base_score: { integer: false },
  num_parallel_tree: { integer: true, min: 1 },
  nthread: { integer: true, min: 1 },
  seed: { integer: true, min: 0 },
  verbosity: { integer: true, min: 0, max: 3 },
};

const STRING_KEYS: readonly StringKey[] = ['objective', 'booster', 'tree_method', 'grow_policy'];

/** scikit-learn spelling → XGBoost's documented spelling. Both may not be given at once. */
const ALIASES: Readonly<Record<string, string>> = {
  learning_rate: 'eta',
  reg_lambda: 'lambda',
  reg_alpha: 'alpha',
  min_split_loss: 'gamma',
};

/**
 * Checks `params` and returns the `(name, value)` pairs to set, in a stable order. `eval_metric`
 * may appear several times (XGBoost appends each one). `nthread` defaults to the number of CPUs
 * Node may use. Throws a `UsageError` naming the key for anything malformed.
 */
export function xgboostParamPairs(params: XGBoostParams): Array<[string, string]> {
  if (typeof params !== 'object' || params === null) {
    throw new UsageError(`XGBoost params must be an object, got ${describe(params)}`);
  }
  const known = new Set<string>([...Object.keys(NUMBER_RULES), ...STRING_KEYS, 'eval_metric', 'extra']);
  for (const key of Object.keys(params)) {
    if (!known.has(key)) {
      throw new UsageError(
        `XGBoost param "${key}" is not one Heed knows; pass it under "extra" to hand it to XGBoost unchecked`,
      );
    }
  }
  const pairs = new Map<string, string>();
  const setOnce = (from: string, name: string, value: string): void => {
    if (pairs.has(name)) {
      throw new UsageError(
        `XGBoost param "${from}" sets "${name}", which another key already set; give only one`,
      );
    }
    pairs.set(name, value);
  };

  for (const key of STRING_KEYS) {
    const value = params[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.trim() === '') {
      throw new UsageError(`XGBoost param "${key}" must be a non-empty string, got ${describe(value)}`);
    }
    setOnce(key, key, value);
  }
  for (const key of Object.keys(NUMBER_RULES) as NumericKey[]) {
    const value = params[key];
    if (value === undefined) continue;
    checkNumber(key, value, NUMBER_RULES[key]);
    setOnce(key, ALIASES[key] ?? key, String(value));
  }
  if (!pairs.has('nthread')) pairs.set('nthread', String(availableParallelism()));

  const extra = params.extra ?? {};
  if (typeof extra !== 'object' || extra === null) {
    throw new UsageError(`XGBoost param "extra" must be an object of name → value, got ${describe(extra)}`);
  }
  for (const [key, value] of Object.entries(extra)) {
    if (known.has(key) || key in ALIASES || Object.values(ALIASES).includes(key)) {
      throw new UsageError(
        `XGBoost param "extra.${key}": "${key}" is a typed param; set it directly, not in "extra"`,
      );
    }
    if (
      !['string', 'number', 'boolean'].includes(typeof value) ||
      (typeof value === 'number' && !Number.isFinite(value))
    ) {
      throw new UsageError(
        `XGBoost param "extra.${key}" must be a string, a finite number or a boolean, got ${describe(value)}`,
      );
    }
    setOnce(`extra.${key}`, key, String(value));
  }

  const result = [...pairs.entries()];
  const metrics =
    params.eval_metric === undefined
      ? []
      : typeof params.eval_metric === 'string'
        ? [params.eval_metric]
        : params.eval_metric;
  if (!Array.isArray(metrics) && typeof params.eval_metric !== 'string') {
    throw new UsageError(
      `XGBoost param "eval_metric" must be a string or an array of strings, got ${describe(params.eval_metric)}`,
    );
  }
  for (const metric of metrics) {
    if (typeof metric !== 'string' || metric.trim() === '') {
      throw new UsageError(
        `XGBoost param "eval_metric" entries must be non-empty strings, got ${describe(metric)}`,
      );
    }
    result.push(['eval_metric', metric]);
  }
  return result;
}

function checkNumber(key: string, value: unknown, rule: NumberRule): void {
  const range =
    (rule.min === undefined ? '' : `${rule.minExclusive === true ? '>' : '≥'} ${rule.min}`) +
    (rule.max === undefined ? '' : `${rule.min === undefined ? '' : ' and '}≤ ${rule.max}`);
  const expected = `${rule.integer ? 'an integer' : 'a number'}${range === '' ? '' : ` ${range}`}`;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isSafeInteger(value)) &&
    (rule.min === undefined || (rule.minExclusive === true ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) throw new UsageError(`XGBoost param "${key}" must be ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

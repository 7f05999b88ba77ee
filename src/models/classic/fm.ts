/**
 * Factorization machine over user id, item id and the user and item side features, libFM-style.
 *
 * Rendle (2010) "Factorization Machines" (ICDM), Eq. 1 with the O(kn) form of Eq. 5; solvers as
 * in Rendle (2012) "Factorization Machines with libFM" (ACM TIST): SGD (`fm-sgd.ts`, Sec. 3.1),
 * ALS (`fm-als.ts`, Sec. 4.1) and Bayesian inference by Gibbs sampling (`fm-mcmc.ts`, Sec. 4.3;
 * Freudenthaler, Schmidt-Thieme & Rendle 2011 "Bayesian Factorization Machines"), the default.
 *
 * The design row of a rating (u, i) is built by `fm-design.ts`: one-hot user id, one-hot item id,
 * and every selected user and item feature code. Because features reach users and items with no
 * training ratings (their own id columns stay 0), the model predicts cold pairs itself.
 */
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import { HeedError, UsageError } from '../../util/errors.js';
import { bool, num, str } from '../config.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { FM_SETTINGS, FM_SOLVERS, type FmMcmcLayout } from './fm-settings.js';
import type {
  AttentionWeight,
  Explanation,
  FitOptions,
  FitReport,
  JsonValue,
  ModelConfig,
  ModelSpec,
  ModelState,
  RatingModel,
} from '../model.js';
import { predictPairs, type FmSamples } from './fm-core.js';
import { fitFmAls } from './fm-als.js';
import { fitFmBlocks, useBlocks } from './fm-blocks.js';
import {
  buildFmLayout,
  checkPairs,
  designRows,
  type EntityBlock,
  type FmLayout,
  type MultiWeight,
} from './fm-design.js';
import { fitFmMcmc } from './fm-mcmc.js';
import { fmFitThreads } from './fm-sweep-pool.js';
import { fitFmSgd } from './fm-sgd.js';
import { fmTrainingData, type FmSolverResult, type FmValidationData } from './fm-solver.js';

export type FmSolver = (typeof FM_SOLVERS)[number];

/** What prediction needs of the layout (the per-entity blocks, names for explanations). */
type FmPredictLayout = Pick<FmLayout, 'users' | 'items' | 'columnNames' | 'maxRowLength'>;

interface Fitted {
  readonly layout: FmPredictLayout;
  readonly samples: FmSamples;
  readonly scale: { readonly min: number; readonly max: number };
}

export class FactorizationMachine implements RatingModel {
  readonly id = 'fm';
  readonly handlesColdStart = true;
  readonly config: ModelConfig;
  private fitted: Fitted | undefined;

  constructor(config: ModelConfig) {
    this.config = config;
    checkSettings(config);
  }

  async fit(train: RatingSubset, options: FitOptions = {}): Promise<FitReport> {
    const c = this.config;
    const dataset = train.dataset;
    const design = { features: str(c, 'features'), multiWeight: str(c, 'multiWeight') as MultiWeight };
    const layout = buildFmLayout(dataset, design);
    const ratings = gatherRatings(train);
    if (ratings.rating.length === 0) throw new UsageError('fm: the training set has no ratings');
    const validationRatings =
      options.validation && options.validation.indices.length > 0
        ? gatherRatings(options.validation)
        : undefined;
    if (validationRatings && options.validation?.dataset !== dataset)
      throw new UsageError('fm: validation ratings must come from the training data set');
    const common = { factors: num(c, 'factors'), initStd: num(c, 'initStd'), seed: num(c, 'seed') };
    const solver = str(c, 'solver') as FmSolver;
    const mcmc = {
      ...common,
      iterations: num(c, 'iterations'),
      burnIn: num(c, 'burnIn'),
      samples: num(c, 'samples'),
      clipSamples: bool(c, 'clipSamples'),
    };
    if (
      solver === 'mcmc' &&
      useBlocks(str(c, 'mcmcLayout') as FmMcmcLayout, layout, ratings, common.factors)
    ) {
      const fit = await fitFmBlocks(dataset, ratings, design, mcmc, {
        ...(validationRatings === undefined ? {} : { validation: validationRatings }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      this.fitted = {
        layout: fit.layout,
        samples: fit.samples,
        scale: { min: dataset.scale.min, max: dataset.scale.max },
      };
      return { epochs: fit.iterations, samplesProcessed: fit.iterations * ratings.rating.length };
    }
    const data = fmTrainingData(layout, ratings, dataset.scale);
    const validation: FmValidationData | undefined = validationRatings && {
      rows: designRows(layout, validationRatings.user, validationRatings.item),
      target: Float64Array.from(validationRatings.rating),
    };
    const hooks = { validation, onProgress: options.onProgress, signal: options.signal };
    const threads = fmFitThreads(num(c, 'threads'), data.rows.columns.length);
    let result: FmSolverResult;
    if (solver === 'mcmc') {
      result = await fitFmMcmc(data, { ...mcmc, threads }, hooks);
    } else if (solver === 'sgd') {
      const reg = { regBias: num(c, 'biasL2'), regLinear: num(c, 'linearL2'), regPair: num(c, 'pairL2') };
      result = await fitFmSgd(
        data,
        {
          ...common,
          ...reg,
          epochs: num(c, 'epochs'),
          learnRate: num(c, 'learningRate'),
          patience: num(c, 'patience'),
        },
        hooks,
      );
    } else {
      const reg = { regBias: 0, regLinear: num(c, 'alsL2'), regPair: num(c, 'alsL2') };
      result = await fitFmAls(
        data,
        { ...common, ...reg, iterations: num(c, 'iterations'), patience: num(c, 'patience'), threads },
        hooks,
      );
    }
    this.fitted = {
      layout,
      samples: result.samples,
      scale: { min: dataset.scale.min, max: dataset.scale.max },
    };
    return { epochs: result.iterations, samplesProcessed: result.iterations * ratings.rating.length };
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const { layout, samples, scale } = this.model();
    checkPairs(layout, users, items);
    const clip = bool(this.config, 'clipSamples') ? scale : undefined;
    const mean = predictPairs(samples, layout.users, layout.items, users, items, clip);
    const fallback = meanOf(samples.w0);
    const out = new Float32Array(users.length);
    for (let k = 0; k < users.length; k++) out[k] = Number.isFinite(mean[k]) ? mean[k] : fallback;
    return out;
  }

  /**
   * Splits the prediction into one additive contribution per active feature: w_j x_j plus half of
   * each pairwise term <v_j, v_l> x_j x_l it takes part in (the other half goes to l), averaged over
   * the stored samples, plus the global bias. They sum to the unclipped mean prediction.
   */
  explain(user: number, item: number): Explanation {
    const { layout, samples } = this.model();
    const users = Int32Array.of(user);
    const items = Int32Array.of(item);
    checkPairs(layout, users, items);
    const cols = new Int32Array(layout.maxRowLength);
    const vals = new Float64Array(layout.maxRowLength);
    const n = gatherRow(layout.users, user, layout.items, item, cols, vals);
    const contribution = new Float64Array(n);
    const { count, columns, factors } = samples;
    for (let s = 0; s < count; s++) {
      for (let p = 0; p < n; p++) contribution[p] += samples.w[s * columns + cols[p]] * vals[p];
      for (let f = 0; f < factors; f++) {
        const base = (s * factors + f) * columns;
        let sum = 0;
        for (let p = 0; p < n; p++) sum += samples.v[base + cols[p]] * vals[p];
        for (let p = 0; p < n; p++) {
          const t = samples.v[base + cols[p]] * vals[p];
          contribution[p] += 0.5 * t * (sum - t);
        }
      }
    }
    const weights: AttentionWeight[] = [{ feature: 'bias', weight: meanOf(samples.w0) }];
    for (let p = 0; p < n; p++)
      weights.push({ feature: layout.columnNames[cols[p]], weight: contribution[p] / Math.max(1, count) });
    return {
      model: this.id,
      user,
      item,
      prediction: this.predict(users, items)[0],
      groups: [{ name: 'feature contributions', weights }],
    };
  }

  state(): ModelState {
    const { layout, samples, scale } = this.model();
    const meta: JsonValue = {
      columnNames: layout.columnNames,
      maxRowLength: layout.maxRowLength,
      scale: { min: scale.min, max: scale.max },
      samples: samples.count,
      columns: samples.columns,
      factors: samples.factors,
    };
    return {
      id: this.id,
      config: { ...this.config },
      meta,
      arrays: {
        userOffsets: layout.users.offsets,
        userColumns: layout.users.columns,
        userValues: layout.users.values,
        itemOffsets: layout.items.offsets,
        itemColumns: layout.items.columns,
        itemValues: layout.items.values,
        w0: samples.w0,
        w: samples.w,
        v: samples.v,
      },
    };
  }

  static restore(state: ModelState): FactorizationMachine {
    if (state.id !== 'fm') throw new UsageError(`fm: cannot restore a saved "${state.id}" model`);
    const model = new FactorizationMachine(state.config);
    const meta = state.meta as {
      columnNames?: unknown;
      maxRowLength?: unknown;
      scale?: { min?: unknown; max?: unknown };
      samples?: unknown;
      columns?: unknown;
      factors?: unknown;
    } | null;
    const a = state.arrays;
    const int = (name: string): Int32Array => {
      const x = a[name];
      if (!(x instanceof Int32Array)) throw new HeedError(`fm: saved state lacks Int32Array "${name}"`);
      return x;
    };
    const f64 = (name: string): Float64Array => {
      const x = a[name];
      if (!(x instanceof Float64Array)) throw new HeedError(`fm: saved state lacks Float64Array "${name}"`);
      return x;
    };
    const f32 = (name: string): Float32Array => {
      const x = a[name];
      if (!(x instanceof Float32Array)) throw new HeedError(`fm: saved state lacks Float32Array "${name}"`);
      return x;
    };
    if (
      !meta ||
      !Array.isArray(meta.columnNames) ||
      typeof meta.maxRowLength !== 'number' ||
      typeof meta.samples !== 'number' ||
      typeof meta.columns !== 'number' ||
      typeof meta.factors !== 'number' ||
      typeof meta.scale?.min !== 'number' ||
      typeof meta.scale.max !== 'number'
    ) {
      throw new HeedError(
        'fm: saved state meta lacks columnNames, maxRowLength, scale, samples, columns or factors',
      );
    }
    const samples: FmSamples = {
      count: meta.samples,
      columns: meta.columns,
      factors: meta.factors,
      w0: f64('w0'),
      w: f32('w'),
      v: f32('v'),
    };
    if (
      samples.w0.length !== samples.count ||
      samples.w.length !== samples.count * samples.columns ||
      samples.v.length !== samples.count * samples.columns * samples.factors ||
      meta.columnNames.length !== samples.columns
    ) {
      throw new HeedError('fm: saved state arrays do not match its sample count, columns and factors');
    }
    const users: EntityBlock = {
      offsets: int('userOffsets'),
      columns: int('userColumns'),
      values: f64('userValues'),
    };
    const items: EntityBlock = {
      offsets: int('itemOffsets'),
      columns: int('itemColumns'),
      values: f64('itemValues'),
    };
    for (const block of [users, items]) {
      for (let p = 0; p < block.columns.length; p++) {
        if (!(block.columns[p] >= 0 && block.columns[p] < samples.columns))
          throw new HeedError('fm: saved state has a design column out of range');
      }
    }
    model.fitted = {
      layout: { users, items, columnNames: meta.columnNames.map(String), maxRowLength: meta.maxRowLength },
      samples,
      scale: { min: meta.scale.min, max: meta.scale.max },
    };
    return model;
  }

  private model(): Fitted {
    if (!this.fitted) throw new UsageError('fm: call fit() (or restore a saved model) before predicting');
    return this.fitted;
  }
}

/** Writes the design row of (user, item) into cols/vals; returns its length. */
function gatherRow(
  users: EntityBlock,
  u: number,
  items: EntityBlock,
  i: number,
  cols: Int32Array,
  vals: Float64Array,
): number {
  let n = 0;
  for (let c = users.offsets[u]; c < users.offsets[u + 1]; c++, n++) {
    cols[n] = users.columns[c];
    vals[n] = users.values[c];
  }
  for (let c = items.offsets[i]; c < items.offsets[i + 1]; c++, n++) {
    cols[n] = items.columns[c];
    vals[n] = items.values[c];
  }
  return n;
}

function meanOf(x: Float64Array): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k];
  return x.length > 0 ? s / x.length : 0;
}

/** Rejects settings that would make a fit meaningless, naming the key. */
function checkSettings(c: ModelConfig): void {
  checkConfig('fm', FM_SETTINGS, c);
  if (str(c, 'solver') === 'mcmc' && num(c, 'burnIn') >= num(c, 'iterations')) {
    throw new UsageError(
      `fm setting "burnIn" (${num(c, 'burnIn')}) must be below "iterations" (${num(c, 'iterations')}) for the mcmc solver`,
    );
  }
  // MCMC never stops early, so a patience would only make evaluate hold back validation ratings
  // (src/eval/carve-validation.ts) that no sweep reads.
  if (str(c, 'solver') === 'mcmc' && num(c, 'patience') > 0) {
    throw new UsageError(
      `fm setting "patience" (${num(c, 'patience')}) applies to the sgd and als solvers; the mcmc solver keeps every sweep (set patience=0 or solver=sgd|als)`,
    );
  }
}

export const fmSpec: ModelSpec = {
  id: 'fm',
  summary: 'Factorization machine over user, item and their side features (libFM: MCMC, SGD or ALS)',
  reference:
    'S. Rendle, "Factorization Machines", ICDM 2010; S. Rendle, "Factorization Machines with libFM", ACM TIST 3(3), 2012; ' +
    'C. Freudenthaler, L. Schmidt-Thieme, S. Rendle, "Bayesian Factorization Machines", NIPS Workshop 2011',
  settings: FM_SETTINGS,
  defaults: defaultsOf(FM_SETTINGS),
  create: (config) => new FactorizationMachine(config),
  restore: (state) => FactorizationMachine.restore(state),
  testSettings: { factors: 2, iterations: 6, burnIn: 2, samples: 3 },
};

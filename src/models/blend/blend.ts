/**
 * `blend`: a ridge linear blend of registered models, the way the Netflix Prize was won (Töscher,
 * Jahrer & Bell 2009, "The BigChaos Solution to the Netflix Grand Prize", Sec. 2: predictors
 * trained without a held-out "probe" set, blend weights fitted on it, predictors retrained on
 * everything).
 *
 * Fitting: each member is trained on the training part minus a held-out part and predicts the
 * held-out ratings; a ridge regression (`ridge.ts`) of the ratings on those predictions gives the
 * weights. The held-out part is the split's validation part when it has one (the members then need
 * no second fit: they have already seen exactly the training part), else a seeded fraction carved
 * from the training part, and then every member is trained again on the whole training part. No
 * test rating is ever seen: the model only receives the training part and the validation part.
 *
 * Predicting: b + Σ_m w_m clip(ŷ_m(u, i)), each member's prediction clipped to the rating scale.
 */
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import { HeedError, UsageError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { num, resolveConfig, str } from '../config.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import type {
  Explanation,
  FitOptions,
  FitReport,
  JsonValue,
  ModelConfig,
  ModelSpec,
  ModelState,
  RatingModel,
} from '../model.js';
import { parseMembers } from './members.js';
import { applyRidge, fitRidge, type RidgeFit } from './ridge.js';
import { BLEND_SETTINGS } from './settings.js';

const ID = 'blend';

/** Finds a registered model by id (`getModelSpec`); passed in so this file needs no registry import. */
export type SpecLookup = (id: string) => ModelSpec;

interface Fitted {
  readonly members: readonly RatingModel[];
  readonly fit: RidgeFit;
  readonly scale: { readonly min: number; readonly max: number };
}

export class Blend implements RatingModel {
  readonly id = ID;
  readonly config: ModelConfig;
  private readonly memberConfigs: ReadonlyArray<{ spec: ModelSpec; config: ModelConfig }>;
  private fitted: Fitted | undefined;

  constructor(config: ModelConfig, lookup: SpecLookup) {
    checkConfig(ID, BLEND_SETTINGS, config);
    this.config = config;
    this.memberConfigs = parseMembers(str(config, 'members')).map(({ id, overrides }) => {
      const spec = lookup(id);
      if (spec.usesEngine === true) {
        throw new UsageError(
          `blend setting "members": "${id}" runs on the tensor engine, which blend members cannot yet; ` +
            'choose classic models (heed models lists them)',
        );
      }
      const config = resolveConfig(spec, overrides);
      // One --seed makes the whole blend reproducible, unless a member is given its own.
      if (typeof spec.defaults.seed === 'number' && !('seed' in overrides))
        config.seed = num(this.config, 'seed');
      return { spec, config };
    });
  }

  /** A cold user or item is handled when every member handles it. */
  get handlesColdStart(): boolean {
    return this.fitted
      ? this.fitted.members.every((m) => m.handlesColdStart)
      : this.memberConfigs.every(({ spec, config }) => spec.create(config).handlesColdStart);
  }

  async fit(train: RatingSubset, options: FitOptions = {}): Promise<FitReport> {
    const dataset = train.dataset;
    const scale = { min: dataset.scale.min, max: dataset.scale.max };
    if (train.indices.length === 0) throw new UsageError(`${ID}: the training set has no ratings`);
    const given =
      options.validation && options.validation.indices.length > 0 ? options.validation : undefined;
    if (given && given.dataset !== dataset)
      throw new UsageError(`${ID}: validation ratings must come from the training data set`);
    const { fitOn, heldOut } = given
      ? { fitOn: train, heldOut: given }
      : carve(train, num(this.config, 'validationFraction'), num(this.config, 'seed'));
    const control = { onProgress: options.onProgress, signal: options.signal };

    let epochs = 0;
    let samplesProcessed = 0;
    const trainMembers = async (on: RatingSubset): Promise<RatingModel[]> => {
      const models: RatingModel[] = [];
      for (const { spec, config } of this.memberConfigs) {
        const model = spec.create({ ...config });
        const report = await model.fit(on, control);
        epochs += report.epochs;
        samplesProcessed += report.samplesProcessed;
        models.push(model);
      }
      return models;
    };

    const first = await trainMembers(fitOn);
    // Weights are fitted on held-out pairs whose user and item the members have seen in training;
    // a cold pair is answered by the predictor's fallback, not by the members.
    const rows = warmPairs(fitOn, heldOut);
    if (rows.target.length === 0)
      throw new UsageError(`${ID}: no held-out rating has a user and an item seen in training`);
    const columns = first.map((m) => clippedPredictions(m, rows.user, rows.item, scale));
    const lambda = num(this.config, 'ridge');
    const fit = fitRidge(columns, rows.target, lambda);
    const members = given ? first : await trainMembers(train);
    this.fitted = { members, fit, scale };

    const names = this.memberConfigs.map(({ spec }) => spec.id);
    const rmse = (p: Float64Array): string => rmseOf(p, rows.target).toFixed(4);
    const notes = [
      `blend weights fitted on ${rows.target.length} ${given ? 'validation' : `carved (seed ${num(this.config, 'seed')})`} ` +
        `ratings: intercept ${fit.intercept.toFixed(4)}, ` +
        names.map((n, m) => `${n} ${fit.weights[m].toFixed(4)}`).join(', '),
      `held-out RMSE of each member: ${names.map((n, m) => `${n} ${rmse(columns[m])}`).join(', ')}; ` +
        `of the blend, cross-fitted over two halves: ${crossFittedRmse(columns, rows.target, lambda).toFixed(4)}`,
    ];
    return { epochs, samplesProcessed, notes };
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const { members, fit, scale } = this.model();
    const columns = members.map((m) => clippedPredictions(m, users, items, scale));
    return Float32Array.from(applyRidge(fit, columns, users.length));
  }

  /**
   * The prediction as a sum: the intercept plus each member's weight times its prediction (both
   * shown in the entry's name). When every term is non-negative they are given as shares of the
   * prediction (summing to 1), otherwise as signed contributions (summing to the prediction).
   */
  explain(user: number, item: number): Explanation {
    const { members, fit, scale } = this.model();
    const users = Int32Array.of(user);
    const items = Int32Array.of(item);
    const prediction = this.predict(users, items)[0];
    const terms = [{ feature: 'intercept', weight: fit.intercept }];
    members.forEach((m, k) => {
      const p = clippedPredictions(m, users, items, scale)[0];
      terms.push({
        feature: `${m.id}: weight ${fit.weights[k].toFixed(4)} × prediction ${p.toFixed(4)}`,
        weight: fit.weights[k] * p,
      });
    });
    const shares = terms.every((t) => t.weight >= 0);
    const total = terms.reduce((s, t) => s + t.weight, 0);
    return {
      model: ID,
      user,
      item,
      prediction,
      groups: [
        {
          name: shares ? 'share of the prediction' : 'contributions to the prediction',
          weights: shares ? terms.map((t) => ({ ...t, weight: t.weight / total })) : terms,
        },
      ],
    };
  }

  state(): ModelState {
    const { members, fit, scale } = this.model();
    const arrays: ModelState['arrays'] = {};
    const memberMeta: JsonValue[] = [];
    members.forEach((m, k) => {
      const s = m.state();
      memberMeta.push({ id: s.id, config: { ...s.config }, meta: s.meta });
      for (const [name, data] of Object.entries(s.arrays)) arrays[`member${k}.${name}`] = data;
    });
    arrays.weights = Float64Array.from(fit.weights);
    const meta: JsonValue = { members: memberMeta, intercept: fit.intercept, scale: { ...scale } };
    return { id: ID, config: { ...this.config }, meta, arrays };
  }

  static restore(state: ModelState, lookup: SpecLookup): Blend {
    if (state.id !== ID) throw new UsageError(`${ID}: cannot restore a saved "${state.id}" model`);
    const model = new Blend(state.config, lookup);
    const meta = state.meta as {
      members?: Array<{ id?: unknown; config?: unknown; meta?: JsonValue }>;
      intercept?: unknown;
      scale?: { min?: unknown; max?: unknown };
    } | null;
    const weights = state.arrays.weights;
    if (
      !meta ||
      !Array.isArray(meta.members) ||
      meta.members.length !== model.memberConfigs.length ||
      typeof meta.intercept !== 'number' ||
      typeof meta.scale?.min !== 'number' ||
      typeof meta.scale.max !== 'number' ||
      !(weights instanceof Float64Array) ||
      weights.length !== meta.members.length
    ) {
      throw new HeedError(
        `${ID}: saved state lacks its members, intercept, scale or weights, or they disagree`,
      );
    }
    const members = meta.members.map((saved, k) => {
      const expected = model.memberConfigs[k].spec.id;
      if (saved.id !== expected || typeof saved.config !== 'object' || saved.config === null)
        throw new HeedError(
          `${ID}: saved member ${k} is "${String(saved.id)}", its config says "${expected}"`,
        );
      const prefix = `member${k}.`;
      const arrays: ModelState['arrays'] = {};
      for (const [name, data] of Object.entries(state.arrays))
        if (name.startsWith(prefix)) arrays[name.slice(prefix.length)] = data;
      return lookup(expected).restore({
        id: expected,
        config: saved.config as ModelConfig,
        meta: saved.meta ?? null,
        arrays,
      });
    });
    model.fitted = {
      members,
      fit: { intercept: meta.intercept, weights },
      scale: { min: meta.scale.min, max: meta.scale.max },
    };
    return model;
  }

  private model(): Fitted {
    if (!this.fitted) throw new UsageError(`${ID}: call fit() (or restore a saved model) before predicting`);
    return this.fitted;
  }
}

/** A seeded `fraction` of the training part held out; the rest is what the members first train on. */
function carve(
  train: RatingSubset,
  fraction: number,
  seed: number,
): { fitOn: RatingSubset; heldOut: RatingSubset } {
  const pool = new Rng(seed).shuffle(Int32Array.from(train.indices));
  const n = Math.round(pool.length * fraction);
  if (n === 0 || n === pool.length)
    throw new UsageError(
      `${ID}: validationFraction ${fraction} of ${pool.length} training ratings leaves no held-out or no training rating`,
    );
  return {
    heldOut: { dataset: train.dataset, indices: Int32Array.from(pool.subarray(0, n)).sort() },
    fitOn: { dataset: train.dataset, indices: Int32Array.from(pool.subarray(n)).sort() },
  };
}

/** The held-out ratings whose user and item both have a rating in `fitOn`. */
function warmPairs(fitOn: RatingSubset, heldOut: RatingSubset) {
  const { dataset } = fitOn;
  const seenUser = new Uint8Array(dataset.users.ids.length);
  const seenItem = new Uint8Array(dataset.items.ids.length);
  for (const k of fitOn.indices) {
    seenUser[dataset.ratings.user[k]] = 1;
    seenItem[dataset.ratings.item[k]] = 1;
  }
  const r = gatherRatings(heldOut);
  const keep: number[] = [];
  for (let k = 0; k < r.user.length; k++) if (seenUser[r.user[k]] && seenItem[r.item[k]]) keep.push(k);
  return {
    user: Int32Array.from(keep, (k) => r.user[k]),
    item: Int32Array.from(keep, (k) => r.item[k]),
    target: Float64Array.from(keep, (k) => r.rating[k]),
  };
}

function clippedPredictions(
  model: RatingModel,
  users: Int32Array,
  items: Int32Array,
  scale: { readonly min: number; readonly max: number },
): Float64Array {
  return Float64Array.from(model.predict(users, items), (p) => Math.min(scale.max, Math.max(scale.min, p)));
}

function rmseOf(prediction: Float64Array, target: Float64Array): number {
  let se = 0;
  for (let r = 0; r < target.length; r++) se += (prediction[r] - target[r]) ** 2;
  return Math.sqrt(se / target.length);
}

/**
 * RMSE of the blend on the held-out ratings with each half's weights fitted on the other half
 * (rows alternate between halves): an estimate of the blend's error that its own fit does not
 * flatter, for choosing members and the penalty.
 */
function crossFittedRmse(columns: readonly Float64Array[], target: Float64Array, lambda: number): number {
  const half = (parity: number) => {
    const rows = Array.from({ length: target.length }, (_, r) => r).filter((r) => r % 2 === parity);
    return {
      columns: columns.map((c) => Float64Array.from(rows, (r) => c[r])),
      target: Float64Array.from(rows, (r) => target[r]),
    };
  };
  const halves = [half(0), half(1)];
  if (halves[0].target.length === 0 || halves[1].target.length === 0) return Number.NaN;
  let se = 0;
  for (let h = 0; h < 2; h++) {
    const other = halves[1 - h];
    const predicted = applyRidge(
      fitRidge(other.columns, other.target, lambda),
      halves[h].columns,
      halves[h].target.length,
    );
    for (let r = 0; r < predicted.length; r++) se += (predicted[r] - halves[h].target[r]) ** 2;
  }
  return Math.sqrt(se / target.length);
}

/** The spec, given the registry's lookup (src/models/index.ts passes `getModelSpec`). */
export function blendSpecWith(lookup: SpecLookup): ModelSpec {
  return {
    id: ID,
    summary:
      'Ridge linear blend of other models, weights fitted on held-out ratings, members then refitted on all',
    reference:
      'A. Töscher, M. Jahrer, R. M. Bell, "The BigChaos Solution to the Netflix Grand Prize", 2009; ' +
      'A. E. Hoerl, R. W. Kennard, "Ridge Regression", Technometrics 12(1), 1970',
    settings: BLEND_SETTINGS,
    defaults: defaultsOf(BLEND_SETTINGS),
    create: (config) => new Blend(config, lookup),
    restore: (state) => Blend.restore(state, lookup),
    testSettings: {
      members:
        'baseline,biasedmf(factors=4;epochs=5),bayes-svdpp(factors=2;iterations=6;burnIn=2;samples=3;chains=1)',
    },
  };
}

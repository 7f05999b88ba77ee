/**
 * What turns a fitted `RatingModel` into answers: clipping to the rating scale, an explicit
 * cold-start policy, and a hard stop on NaN.
 *
 * Cold start. A pair is "cold" when its user or its item has no training ratings. Models that say
 * `handlesColdStart` (they predict from features, or from a global mean) answer cold pairs
 * themselves. For every other model a latent factor learned from zero ratings is just its random
 * initialisation, so the predictor answers cold pairs with this documented fallback instead:
 *
 * - user unseen, item seen: the item's training mean shrunk toward the global mean,
 *   (Σ_item r + β·μ) / (n_item + β);
 * - item unseen, user seen: the user's training mean shrunk the same way,
 *   (Σ_user r + β·μ) / (n_user + β);
 * - both unseen: the global training mean μ.
 *
 * β (`FALLBACK_SHRINKAGE`, 10) is a pseudo-count: an entity with 10 ratings gets half its own mean
 * and half μ, as in the damped means of Koren's baseline predictors (TKDD 2010, eq. 2 and 3).
 */
import { gatherRatings, type RatingSubset } from '../data/dataset.js';
import { HeedError } from '../util/errors.js';
import type { RatingModel } from './model.js';

/** β of the shrunk fallback means (see the file comment). */
export const FALLBACK_SHRINKAGE = 10;

/** Why a pair is cold: which side had no training ratings. */
export type ColdStart = 'none' | 'user' | 'item' | 'both';

/** Per-user and per-item rating counts and sums over the TRAINING ratings, for the fallback. */
export interface TrainingStats {
  readonly globalMean: number;
  readonly ratings: number;
  readonly userCount: Int32Array;
  readonly userSum: Float64Array;
  readonly itemCount: Int32Array;
  readonly itemSum: Float64Array;
  readonly shrinkage: number;
}

/** How many predicted pairs were cold, and how many of those the fallback answered. */
export interface ColdStartCounts {
  /** User had no training ratings (item had). */
  readonly user: number;
  /** Item had no training ratings (user had). */
  readonly item: number;
  /** Neither had. */
  readonly both: number;
  /** Cold pairs answered by the fallback rather than the model. */
  readonly fallback: number;
}

export interface Predictions {
  /** Clipped predictions, one per pair. */
  readonly values: Float32Array;
  readonly coldStart: ColdStartCounts;
}

/** One answered pair, as `heed predict` and the HTTP service report it. */
export interface PairPrediction {
  readonly rating: number;
  readonly coldStart: ColdStart;
  /** `model` when the model answered, `fallback` when the cold-start fallback did. */
  readonly source: 'model' | 'fallback';
}

/** Counts and sums of the training ratings per user and per item. */
export function trainingStats(train: RatingSubset, shrinkage = FALLBACK_SHRINKAGE): TrainingStats {
  const { user, item, rating } = gatherRatings(train);
  const userCount = new Int32Array(train.dataset.users.ids.length);
  const userSum = new Float64Array(userCount.length);
  const itemCount = new Int32Array(train.dataset.items.ids.length);
  const itemSum = new Float64Array(itemCount.length);
  let sum = 0;
  for (let k = 0; k < rating.length; k++) {
    const r = rating[k];
    userCount[user[k]]++;
    userSum[user[k]] += r;
    itemCount[item[k]]++;
    itemSum[item[k]] += r;
    sum += r;
  }
  if (rating.length === 0) throw new HeedError(`the training set of dataset "${train.dataset.id}" is empty`);
  return {
    globalMean: sum / rating.length,
    ratings: rating.length,
    userCount,
    userSum,
    itemCount,
    itemSum,
    shrinkage,
  };
}

export class Predictor {
  readonly model: RatingModel;
  readonly stats: TrainingStats;
  readonly scale: { readonly min: number; readonly max: number };

  constructor(
    model: RatingModel,
    stats: TrainingStats,
    scale: { readonly min: number; readonly max: number },
  ) {
    this.model = model;
    this.stats = stats;
    this.scale = scale;
  }

  /** Which side of a dense-index pair has no training ratings (an index of -1 means "unknown id"). */
  coldStartOf(user: number, item: number): ColdStart {
    const userCold = !(user >= 0 && user < this.stats.userCount.length && this.stats.userCount[user] > 0);
    const itemCold = !(item >= 0 && item < this.stats.itemCount.length && this.stats.itemCount[item] > 0);
    return userCold ? (itemCold ? 'both' : 'user') : itemCold ? 'item' : 'none';
  }

  /**
   * Clipped predictions for dense-index pairs. A cold pair goes to the model only when it handles
   * cold start AND both indices exist in the model's dataset; an index of -1 (an id the dataset never
   * had, so no features either) always gets the fallback.
   */
  predict(users: Int32Array, items: Int32Array): Predictions {
    if (users.length !== items.length) {
      throw new HeedError(`predict: ${users.length} users for ${items.length} items`);
    }
    const n = users.length;
    const values = new Float32Array(n);
    const byFallbackFlag = new Uint8Array(n);
    let coldUser = 0;
    let coldItem = 0;
    let coldBoth = 0;
    let byFallback = 0;
    for (let k = 0; k < n; k++) {
      const kind = this.coldStartOf(users[k], items[k]);
      if (kind === 'none') continue;
      if (kind === 'user') coldUser++;
      else if (kind === 'item') coldItem++;
      else coldBoth++;
      if (!this.model.handlesColdStart || !this.known(users[k], items[k])) {
        byFallbackFlag[k] = 1;
        byFallback++;
      }
    }
    // The model sees only the pairs it answers, so it never receives an index it cannot handle.
    const modelCount = n - byFallback;
    let modelUsers = users;
    let modelItems = items;
    if (byFallback > 0) {
      modelUsers = new Int32Array(modelCount);
      modelItems = new Int32Array(modelCount);
      for (let k = 0, j = 0; k < n; k++) {
        if (byFallbackFlag[k] === 0) {
          modelUsers[j] = users[k];
          modelItems[j] = items[k];
          j++;
        }
      }
    }
    const raw = modelCount > 0 ? this.model.predict(modelUsers, modelItems) : new Float32Array(0);
    if (raw.length !== modelCount) {
      throw new HeedError(
        `model "${this.model.id}" returned ${raw.length} predictions for ${modelCount} pairs`,
      );
    }
    for (let k = 0, j = 0; k < n; k++) {
      let v: number;
      if (byFallbackFlag[k] === 1) {
        v = this.fallback(users[k], items[k]);
      } else {
        v = raw[j++];
        if (!Number.isFinite(v)) {
          throw new HeedError(
            `model "${this.model.id}" predicted ${v} for user index ${users[k]}, item index ${items[k]}: ` +
              'the model has diverged (try a smaller learning rate or more regularisation)',
          );
        }
      }
      values[k] = this.clip(v);
    }
    return { values, coldStart: { user: coldUser, item: coldItem, both: coldBoth, fallback: byFallback } };
  }

  /** One pair; -1 for an id the training data never had. */
  predictOne(user: number, item: number): PairPrediction {
    const coldStart = this.coldStartOf(user, item);
    const { values, coldStart: counts } = this.predict(Int32Array.of(user), Int32Array.of(item));
    return { rating: values[0], coldStart, source: counts.fallback > 0 ? 'fallback' : 'model' };
  }

  /** The documented fallback for a cold pair (see the file comment). */
  fallback(user: number, item: number): number {
    const s = this.stats;
    const beta = s.shrinkage;
    switch (this.coldStartOf(user, item)) {
      case 'user':
        return (s.itemSum[item] + beta * s.globalMean) / (s.itemCount[item] + beta);
      case 'item':
        return (s.userSum[user] + beta * s.globalMean) / (s.userCount[user] + beta);
      default:
        return s.globalMean;
    }
  }

  /** Both indices name entities of the model's dataset (they may still have no training ratings). */
  private known(user: number, item: number): boolean {
    return user >= 0 && user < this.stats.userCount.length && item >= 0 && item < this.stats.itemCount.length;
  }

  private clip(v: number): number {
    return v < this.scale.min ? this.scale.min : v > this.scale.max ? this.scale.max : v;
  }
}

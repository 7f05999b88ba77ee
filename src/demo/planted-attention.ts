/**
 * Did the attention find the planted taste? The synthetic data plants, for every user, one item
 * feature their ratings depend on (`synthetic.ts`: a favourite director for director fans, a
 * favourite genre for genre fans). An attention model that explains well should give that feature
 * the top weight. These functions name the planted feature, rank it among attention weights and
 * count over users how often it comes first, so the demo can say so in numbers.
 */
import type { Dataset } from '../data/dataset.js';
import { matches, type PlantedTruth } from '../data/loaders/synthetic.js';
import type { AttentionWeight } from '../models/model.js';
import { HeedError } from '../util/errors.js';

/** Where one feature stands among attention weights. */
export interface FeatureRank {
  readonly feature: string;
  readonly weight: number;
  /** 1 for the largest weight; ties with the feature do not push it down. */
  readonly rank: number;
  /** How many weights it was ranked among. */
  readonly count: number;
  /** The weight every feature would get if attention were uniform: 1 / count. */
  readonly uniform: number;
}

/** A count of cases and of those where the planted feature had the top weight. */
export interface TopCount {
  readonly cases: number;
  readonly top: number;
}

export interface PlantedAttentionSummary {
  /** Over every user: is the planted feature first in the user's attention over all features? */
  readonly users: TopCount;
  readonly directorFans: TopCount;
  readonly genreFans: TopCount;
  /** Median over users of the planted feature's weight, and the uniform weight to compare it with. */
  readonly medianPlantedWeight: number;
  readonly uniform: number;
  /**
   * Over the given ratings whose item has the user's planted feature: is it first among the
   * item's features in the explanation of that prediction?
   */
  readonly predictions: TopCount;
}

/** The feature name the attention models use ("director=D3", "genre=Comedy") of user `u`'s planted taste. */
export function plantedFeature(dataset: Dataset, truth: PlantedTruth, u: number): string {
  const caresAbout = truth.userCaresAbout[u];
  const field = dataset.itemFeatures.fields.find((f) => f.name === caresAbout);
  if (field === undefined) {
    throw new HeedError(
      `data set "${dataset.id}" has no item field "${caresAbout}" (not a synthetic data set?)`,
    );
  }
  const code = caresAbout === 'director' ? truth.favouriteDirector[u] : truth.favouriteGenre[u];
  return `${field.name}=${field.vocabulary[code]}`;
}

/** The rank of `feature` among `weights`; a HeedError when it is not among them. */
export function rankOfFeature(weights: readonly AttentionWeight[], feature: string): FeatureRank {
  const found = weights.find((w) => w.feature === feature);
  if (found === undefined) {
    throw new HeedError(`feature "${feature}" is not among ${weights.map((w) => w.feature).join(', ')}`);
  }
  const rank = 1 + weights.filter((w) => w.weight > found.weight).length;
  return { feature, weight: found.weight, rank, count: weights.length, uniform: 1 / weights.length };
}

/**
 * The first of `ratings` (indices into the data set's ratings, in order) whose item has its user's
 * planted feature: a prediction whose explanation can show that feature. Undefined when none has.
 */
export function firstPlantedRating(
  dataset: Dataset,
  truth: PlantedTruth,
  ratings: Int32Array,
): number | undefined {
  return ratings.find((r) => matches(truth, dataset.ratings.user[r], dataset.ratings.item[r]));
}

/**
 * Counts how often the planted feature has the top weight, per user (`userAttention(u)`: the
 * user's attention over all features) and per prediction (`itemAttention(u, i)`: the explanation
 * of one prediction, over the item's features) for the `ratings` whose item has the planted feature.
 */
export function summarisePlantedAttention(
  dataset: Dataset,
  truth: PlantedTruth,
  userAttention: (u: number) => readonly AttentionWeight[],
  itemAttention: (u: number, i: number) => readonly AttentionWeight[],
  ratings: Int32Array,
): PlantedAttentionSummary {
  const byTaste = { director: { cases: 0, top: 0 }, genre: { cases: 0, top: 0 } };
  const weights: number[] = [];
  let uniform = 0;
  for (let u = 0; u < dataset.users.ids.length; u++) {
    const rank = rankOfFeature(userAttention(u), plantedFeature(dataset, truth, u));
    const count = byTaste[truth.userCaresAbout[u]];
    count.cases++;
    if (rank.rank === 1) count.top++;
    weights.push(rank.weight);
    uniform = rank.uniform;
  }
  const predictions = { cases: 0, top: 0 };
  for (const r of ratings) {
    const u = dataset.ratings.user[r];
    const i = dataset.ratings.item[r];
    if (!matches(truth, u, i)) continue;
    predictions.cases++;
    if (rankOfFeature(itemAttention(u, i), plantedFeature(dataset, truth, u)).rank === 1) predictions.top++;
  }
  const d = byTaste.director;
  const g = byTaste.genre;
  return {
    users: { cases: d.cases + g.cases, top: d.top + g.top },
    directorFans: d,
    genreFans: g,
    medianPlantedWeight: median(weights),
    uniform,
    predictions,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

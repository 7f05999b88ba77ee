/**
 * The demo's explanation of one prediction: a trained AFM-GAU, a test rating of a user whose taste
 * the synthetic generator planted, the attention behind its prediction, where the planted feature
 * ranks in it and in the user's attention over every feature (AFM-GAU Fig. 1), and the same
 * question asked of every user (`planted-attention.ts`). A plain JSON-able value: `--json` prints
 * it, the terminal text and the HTML report are drawn from it.
 */
import type { Dataset, Split } from '../data/dataset.js';
import type { PlantedTruth } from '../data/loaders/synthetic.js';
import type { AfmGau } from '../models/afm-gau/afm-gau.js';
import type { AttentionWeight } from '../models/model.js';
import { HeedError } from '../util/errors.js';
import {
  firstPlantedRating,
  plantedFeature,
  rankOfFeature,
  summarisePlantedAttention,
  type FeatureRank,
  type PlantedAttentionSummary,
} from './planted-attention.js';

export interface DemoExplanation {
  readonly model: string;
  /** Raw ids, as in the data set. */
  readonly user: string;
  readonly item: string;
  readonly itemTitle: string;
  /** "director" or "genre": the item field the user's ratings depend on. */
  readonly taste: string;
  readonly plantedFeature: string;
  /** The model's prediction, clipped to the rating scale, and the held-out rating it predicts. */
  readonly predicted: number;
  readonly rated: number;
  /** The explanation of the prediction: attention over the item's features (Eq. 2 on the item's slots). */
  readonly itemAttention: readonly AttentionWeight[];
  readonly plantedAmongItemFeatures: FeatureRank;
  /** The user's attention over every item feature of the data set (Fig. 1). */
  readonly userAttention: readonly AttentionWeight[];
  readonly plantedAmongAllFeatures: FeatureRank;
  readonly summary: PlantedAttentionSummary;
}

/**
 * Explains the first test rating of `split` whose item has its user's planted feature, and
 * summarises the planted features' ranks over every user and every such test rating.
 */
export function explainPlantedTaste(
  model: AfmGau,
  dataset: Dataset,
  truth: PlantedTruth,
  split: Split,
): DemoExplanation {
  const r = firstPlantedRating(dataset, truth, split.test);
  if (r === undefined) {
    throw new HeedError(`no test rating of "${dataset.id}" has an item with its user's planted feature`);
  }
  const u = dataset.ratings.user[r];
  const i = dataset.ratings.item[r];
  const planted = plantedFeature(dataset, truth, u);
  const explanation = model.explain(u, i);
  const itemAttention = explanation.groups[0].weights;
  const userAttention = model.userAttention(u);
  const { min, max } = dataset.scale;
  return {
    model: model.id,
    user: dataset.users.ids[u],
    item: dataset.items.ids[i],
    itemTitle: dataset.itemTitles?.[i] ?? dataset.items.ids[i],
    taste: truth.userCaresAbout[u],
    plantedFeature: planted,
    predicted: Math.min(max, Math.max(min, explanation.prediction)),
    rated: dataset.ratings.rating[r],
    itemAttention,
    plantedAmongItemFeatures: rankOfFeature(itemAttention, planted),
    userAttention,
    plantedAmongAllFeatures: rankOfFeature(userAttention, planted),
    summary: summarisePlantedAttention(
      dataset,
      truth,
      (user) => model.userAttention(user),
      (user, item) => model.explain(user, item).groups[0].weights,
      split.test,
    ),
  };
}

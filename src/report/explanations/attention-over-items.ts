/**
 * A user's attention summed up over many items, for the user-level pictures: the model explains
 * the user's prediction for every item that had training ratings, and the weights are averaged.
 *
 * - AFM-GAU (Chen et al., SIGIR 2018, Fig. 1 and 4): how the user's attention splits between the
 *   feature fields of a movie (its id, genres, year), and the mean weight of each value.
 * - AANMF (Fig. 7): the mean attention λ on each of the user's attributes, by movie genre. The
 *   paper averages over movie clusters of 8 types and all users; here it is one user over every
 *   movie of each genre.
 */
import type { LoadedArtifact } from '../../models/artifact.js';
import type { AttentionWeight } from '../../models/model.js';
import { NoExplanationError } from '../../serve/explanations.js';
import { UsageError } from '../../util/errors.js';

/** The share of one feature field in the user's attention, averaged over items. */
export interface FieldShare {
  readonly field: string;
  readonly share: number;
}

/** The mean weight of one feature value over the items that have it. */
export interface ValueAttention {
  readonly feature: string;
  readonly mean: number;
  readonly items: number;
}

export interface UserFeatureAttention {
  /** How many items were averaged. */
  readonly items: number;
  readonly fields: readonly FieldShare[];
  readonly values: readonly ValueAttention[];
}

export interface AttentionByGenre {
  readonly items: number;
  /** The user's attributes, as the model names them ("gender=M"). */
  readonly attributes: readonly string[];
  readonly genres: readonly string[];
  /** `values[a][g]`: mean weight of attribute a over the items of genre g (null: no such item). */
  readonly values: ReadonlyArray<ReadonlyArray<number | null>>;
}

/** The field of a feature name: "genre" of "genre=Comedy"; a name without "=" is its own field. */
export function fieldOf(feature: string): string {
  const at = feature.indexOf('=');
  return at < 0 ? feature : feature.slice(0, at);
}

/** AFM-GAU's user-level summary: attention by field and by value, over every trained item. */
export function userFeatureAttention(artifact: LoadedArtifact, user: string): UserFeatureAttention {
  const fieldSums = new Map<string, number>();
  const valueSums = new Map<string, { sum: number; items: number }>();
  const items = forEveryItem(artifact, user, (_item, weights) => {
    for (const w of weights) {
      const field = fieldOf(w.feature);
      fieldSums.set(field, (fieldSums.get(field) ?? 0) + w.weight);
      const v = valueSums.get(w.feature) ?? { sum: 0, items: 0 };
      valueSums.set(w.feature, { sum: v.sum + w.weight, items: v.items + 1 });
    }
  });
  return {
    items,
    fields: [...fieldSums].map(([field, sum]) => ({ field, share: sum / items })),
    values: [...valueSums].map(([feature, v]) => ({ feature, mean: v.sum / v.items, items: v.items })),
  };
}

/** AANMF's user-level summary: mean attention on each user attribute, by the movies' genre. */
export function attentionByGenre(artifact: LoadedArtifact, user: string): AttentionByGenre {
  const genreField = artifact.labels.fields('item').find((f) => f.name === 'genre');
  if (genreField === undefined) {
    throw new UsageError(
      `the user-level picture of ${artifact.manifest.model} needs the movies' genres (a genre field in ` +
        `labels.json), which this saved model lacks; give an item (--item) for the picture of one prediction`,
    );
  }
  const genres = genreField.values.map((g) => `genre=${g}`);
  const attributes = artifact.labels.userFeatures(user);
  const sums = attributes.map(() => genres.map(() => 0));
  const counts = genres.map(() => 0);
  const items = forEveryItem(artifact, user, (item, weights) => {
    const of = new Map(weights.map((w) => [w.feature, w.weight]));
    for (const feature of artifact.labels.itemFeatures(item)) {
      const g = genres.indexOf(feature);
      if (g < 0) continue;
      counts[g]++;
      attributes.forEach((a, k) => (sums[k][g] += of.get(a) ?? 0));
    }
  });
  return {
    items,
    attributes,
    genres: genreField.values,
    values: sums.map((row) => row.map((sum, g) => (counts[g] === 0 ? null : sum / counts[g]))),
  };
}

/**
 * Calls `visit` with the weights of the model's first attention group for the user and each item
 * that had training ratings (the others are answered by the fallback, which has no attention).
 */
function forEveryItem(
  artifact: LoadedArtifact,
  user: string,
  visit: (item: string, weights: readonly AttentionWeight[]) => void,
): number {
  const model = artifact.model;
  if (typeof model.explain !== 'function') throw new NoExplanationError(artifact.manifest.model);
  const u = artifact.users.index.get(user);
  if (u === undefined || artifact.predictor.stats.userCount[u] === 0) {
    throw new UsageError(
      `user "${user}" has no training ratings in this model, so it has no attention to show (--user)`,
    );
  }
  const itemCount = artifact.predictor.stats.itemCount;
  let items = 0;
  for (let i = 0; i < artifact.items.ids.length; i++) {
    if (itemCount[i] === 0) continue;
    const group = model.explain(u, i).groups[0];
    if (group === undefined) continue;
    visit(artifact.items.ids[i], group.weights);
    items++;
  }
  if (items === 0) throw new UsageError(`the model explained no item for user "${user}"`);
  return items;
}

/**
 * A user's top-k items by predicted rating (`GET /recommend`).
 *
 * Every item of the model's data set is scored in one batch. Left out: the items the user rated in
 * training, when they are known (`RatedItems`; a saved model alone does not store them, and the
 * reply then says so instead of pretending), and items with no training ratings when the model
 * does not handle cold start (the fallback would rank them by the user's own mean, which says
 * nothing about the item). Ties keep the data set's item order, so answers are reproducible.
 */
import type { LoadedArtifact } from '../models/artifact.js';
import type { ColdStart } from '../models/predictor.js';
import type { RatedItems } from './rated-items.js';
import { topPositions } from './top-n.js';

export interface Recommendation {
  readonly item: string;
  /** The item's title, where the saved model has titles (`labels.json`). */
  readonly title?: string;
  readonly rating: number;
}

export interface RecommendReply {
  readonly model: string;
  readonly dataset: string;
  readonly user: string;
  /** `user` when the user has no training ratings: the fallback then ranks items by their means. */
  readonly coldStart: Extract<ColdStart, 'none' | 'user'>;
  readonly k: number;
  readonly items: readonly Recommendation[];
  /** Whether the user's training items were left out (false: the model does not know them). */
  readonly excludesRated: boolean;
  readonly excluded: { readonly rated: number; readonly coldItems: number };
  readonly note?: string;
}

/** Said wherever rated items cannot be left out. */
export const RATED_UNKNOWN_NOTE =
  'the saved model does not store which items each user rated, so rated items are not left out ' +
  '(start heed serve with --exclude-rated to rebuild them from the data set)';

/** The top `k` items for a user index of the model's data set (the caller checks the id). */
export function recommendForUser(
  artifact: LoadedArtifact,
  user: number,
  k: number,
  rated?: RatedItems,
): RecommendReply {
  const { predictor, manifest } = artifact;
  const nItems = manifest.items.length;
  const skip = new Uint8Array(nItems);
  let ratedCount = 0;
  if (rated !== undefined) {
    for (const i of rated.byUser[user] ?? []) {
      skip[i] = 1;
      ratedCount++;
    }
  }
  let coldItems = 0;
  if (!artifact.model.handlesColdStart) {
    for (let i = 0; i < nItems; i++) {
      if (skip[i] === 0 && predictor.stats.itemCount[i] === 0) {
        skip[i] = 1;
        coldItems++;
      }
    }
  }
  // One batch over the candidates in item order, then a bounded selection (`top-n.ts`).
  const items = new Int32Array(nItems - ratedCount - coldItems);
  for (let i = 0, j = 0; i < nItems; i++) if (skip[i] === 0) items[j++] = i;
  const users = new Int32Array(items.length).fill(user);
  const { values } = predictor.predict(users, items);
  const top = Array.from(topPositions(values, k), (j) => {
    const item = manifest.items[items[j]];
    const title = artifact.labels.itemTitle(item);
    return { item, ...(title === undefined ? {} : { title }), rating: values[j] };
  });
  return {
    model: manifest.model,
    dataset: manifest.dataset,
    user: manifest.users[user],
    coldStart: predictor.stats.userCount[user] > 0 ? 'none' : 'user',
    k,
    items: top,
    excludesRated: rated !== undefined,
    excluded: { rated: ratedCount, coldItems },
    ...(rated === undefined ? { note: RATED_UNKNOWN_NOTE } : {}),
  };
}

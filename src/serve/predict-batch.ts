/**
 * Many raw-id pairs predicted in one model call (`POST /predict`): one batch instead of one call
 * per pair, which for the neural models is the difference between one tensor pass and thousands.
 * Each answer carries its own cold-start info, exactly as `predictRaw` gives it for one pair.
 */
import type { LoadedArtifact, RawPrediction } from '../models/artifact.js';

/** Most pairs one request may ask for. */
export const MAX_PAIRS = 10_000;

export interface RawPair {
  readonly user: string;
  readonly item: string;
}

export function predictPairs(artifact: LoadedArtifact, pairs: readonly RawPair[]): RawPrediction[] {
  const { predictor } = artifact;
  const users = Int32Array.from(pairs, (p) => artifact.users.index.get(p.user) ?? -1);
  const items = Int32Array.from(pairs, (p) => artifact.items.index.get(p.item) ?? -1);
  const { values } = predictor.predict(users, items);
  return pairs.map((p, k) => {
    const coldStart = predictor.coldStartOf(users[k], items[k]);
    // The predictor's rule (Predictor.predict): a cold pair goes to the model only when the model
    // handles cold start and both ids are in its data set.
    const byModel =
      coldStart === 'none' || (predictor.model.handlesColdStart && users[k] >= 0 && items[k] >= 0);
    return {
      user: p.user,
      item: p.item,
      rating: values[k],
      coldStart,
      source: byModel ? ('model' as const) : ('fallback' as const),
    };
  });
}

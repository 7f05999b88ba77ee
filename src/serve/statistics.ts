/**
 * `GET /stats`: the statistics of a served model's data set and of the ratings it was trained on
 * (users, items, ratings, sparsity, rating histogram), as `heed train` stored them in the artifact.
 *
 * A model saved before statistics were stored still has its per-user and per-item training counts
 * (the cold-start fallback needs them), so the training side's counts and sparsity are computed from
 * those; its histograms and the whole data set's numbers are unknown, and the reply says so.
 */
import type { LoadedArtifact } from '../models/artifact.js';
import type { RatingStatistics } from '../data/rating-statistics.js';

export interface StatisticsReply {
  readonly model: string;
  readonly dataset: string;
  readonly scale: { readonly min: number; readonly max: number };
  /** Null when the model was saved without statistics (`note` says so). */
  readonly all: RatingStatistics | null;
  /** `histogram` is null when the model was saved without statistics. */
  readonly training: Omit<RatingStatistics, 'histogram'> & {
    readonly histogram: RatingStatistics['histogram'] | null;
  };
  readonly note?: string;
}

export const NO_STATISTICS_NOTE =
  'this model was saved without data set statistics (before they were stored): the training counts ' +
  'come from its per-user and per-item counts, and the histograms are unknown; train it again to have them';

export function statisticsOf(artifact: LoadedArtifact): StatisticsReply {
  const { manifest, predictor } = artifact;
  const head = { model: manifest.model, dataset: manifest.dataset, scale: manifest.scale };
  if (manifest.statistics !== undefined) {
    return { ...head, all: manifest.statistics.dataset, training: manifest.statistics.training };
  }
  const users = predictor.stats.userCount.reduce((n, c) => n + (c > 0 ? 1 : 0), 0);
  const items = predictor.stats.itemCount.reduce((n, c) => n + (c > 0 ? 1 : 0), 0);
  const ratings = manifest.training.ratings;
  return {
    ...head,
    all: null,
    training: {
      users,
      items,
      ratings,
      sparsity: users * items === 0 ? 1 : 1 - ratings / (users * items),
      histogram: null,
    },
    note: NO_STATISTICS_NOTE,
  };
}

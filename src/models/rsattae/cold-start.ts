/**
 * Embeddings for users and items with no ratings in the encoder's input (cold start).
 *
 * The autoencoder embeds an entity from its row of the rating matrix; an entity without ratings
 * has an all-zero row, and its "embedding" is the same constant vector for every such entity. The
 * paper motivates its feature attention partly by the cold-start problem but does not say what to
 * do; Heed replaces those embeddings with ones computed from features alone:
 *
 * - RSAttAE: the attention output for the entity's own feature query, A·V (Eq. 2) with the warm
 *   entities (those with ratings) as keys and their embeddings as values: a feature-weighted
 *   average of the embeddings of entities that look alike. It lies in the same space as the warm
 *   embeddings the supervised stage was trained on.
 * - Vanilla autoencoder (no attention): the mean embedding of the warm entities that share the
 *   entity's exact feature row, or of all warm entities when none does.
 *
 * The same rule is applied to every embedding table the supervised stage sees (the out-of-fold
 * tables too, where an entity whose ratings all fall in the left-out fold is cold), so XGBoost is
 * trained on cold-start embeddings of the kind it will be asked about.
 */
import type { EntityFeatures } from './features.js';
import type { TrainedAutoencoder } from './train-autoencoder.js';

/**
 * Overwrites, in `embeddings` [count, dim], the rows of entities not flagged `warm` with
 * feature-based embeddings (see the file comment). Returns how many rows were replaced.
 */
export function fillColdEmbeddings(
  embeddings: Float32Array,
  warm: Uint8Array,
  autoencoder: TrainedAutoencoder,
): number {
  const features = autoencoder.features;
  const count = features.count;
  const dim = embeddings.length / Math.max(1, count);
  let cold = 0;
  for (let e = 0; e < count; e++) if (warm[e] === 0) cold++;
  if (cold === 0) return 0;
  let warmCount = 0;
  for (let e = 0; e < count; e++) if (warm[e] !== 0) warmCount++;
  if (warmCount === 0) return 0; // nothing to borrow from; the rows stay as the encoder made them
  const replacement = autoencoder.attended(embeddings, warm) ?? groupMeans(embeddings, dim, warm, features);
  for (let e = 0; e < count; e++) {
    if (warm[e] === 0) embeddings.set(replacement.subarray(e * dim, (e + 1) * dim), e * dim);
  }
  return cold;
}

/** Each entity's row: the mean over warm entities of its feature group, else over all warm ones. */
export function groupMeans(
  embeddings: Float32Array,
  dim: number,
  warm: Uint8Array,
  features: EntityFeatures,
): Float32Array {
  const { count, groups, group } = features;
  const sums = new Float64Array(groups * dim);
  const counts = new Int32Array(groups);
  const total = new Float64Array(dim);
  let warmCount = 0;
  for (let e = 0; e < count; e++) {
    if (warm[e] === 0) continue;
    const g = group[e];
    counts[g]++;
    warmCount++;
    for (let k = 0; k < dim; k++) {
      const v = embeddings[e * dim + k];
      sums[g * dim + k] += v;
      total[k] += v;
    }
  }
  const out = new Float32Array(count * dim);
  for (let e = 0; e < count; e++) {
    const g = group[e];
    for (let k = 0; k < dim; k++) {
      out[e * dim + k] = counts[g] > 0 ? sums[g * dim + k] / counts[g] : total[k] / Math.max(1, warmCount);
    }
  }
  return out;
}

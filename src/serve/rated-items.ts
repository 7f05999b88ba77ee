/**
 * Which items each user rated in training, so recommendations can leave them out.
 *
 * A saved model does not store this: `model.json` and `params.bin` keep only the per-user and
 * per-item rating counts and sums the cold-start fallback needs (`src/models/artifact.ts`). What the
 * artifact does record is how it was trained (`provenance.split`, `provenance.seed`), so the training
 * ratings can be rebuilt from the data set: load it again, redo the split, and keep the result only
 * when it matches the artifact exactly (same users and items in the same order, and the same
 * training-rating count for every user and every item). Anything else (another version of the
 * data files, a `--min-ratings` filter, which provenance does not record) is refused with a message,
 * never guessed.
 */
import { gatherRatings, type Dataset, type Split } from '../data/dataset.js';
import { loadDataset } from '../data/registry.js';
import { makeSplits, parseSplitSpec } from '../data/split.js';
import { holdOut } from '../eval/carve-validation.js';
import type { LoadedArtifact } from '../models/artifact.js';
import { HeedError } from '../util/errors.js';

/** Item indices each user rated in training, sorted, by user index. */
export interface RatedItems {
  readonly byUser: readonly Int32Array[];
  /** Where the list came from, for /health and the docs. */
  readonly source: string;
}

/** The rated items of the ratings at `trainIndices` (indices into `dataset.ratings`). */
export function ratedItemsOf(dataset: Dataset, trainIndices: Int32Array, source: string): RatedItems {
  const { user, item } = gatherRatings({ dataset, indices: trainIndices });
  const lists: number[][] = Array.from({ length: dataset.users.ids.length }, () => []);
  for (let k = 0; k < user.length; k++) lists[user[k]].push(item[k]);
  return {
    byUser: lists.map((list) => Int32Array.from(new Set(list)).sort()),
    source,
  };
}

/**
 * Rebuilds the training ratings of a saved model from its data set (see the file comment).
 * `dataDir` is where the data set's files are, as for `heed train --data-dir`.
 */
export function rebuildRatedItems(artifact: LoadedArtifact, dataDir?: string): RatedItems {
  const { dataset } = artifact.manifest;
  return rebuildRatedItemsFrom(artifact, loadDataset(dataset, dataDir === undefined ? {} : { dataDir }));
}

/**
 * `rebuildRatedItems` from the data set already loaded (`heed serve` loads it itself, to print
 * the loader's warnings as the other commands do).
 */
export function rebuildRatedItemsFrom(artifact: LoadedArtifact, dataset: Dataset): RatedItems {
  const { manifest } = artifact;
  const refuse = (why: string): never => {
    throw new HeedError(
      `cannot rebuild which items each user rated for the model in ${artifact.dir}: ${why}`,
    );
  };
  const splitLabel = manifest.provenance.split;
  const seed = manifest.provenance.seed;
  if (typeof splitLabel !== 'string' || typeof seed !== 'number') {
    refuse('its model.json does not record the split and seed it was trained with (provenance)');
  }
  if (!sameIds(dataset.users.ids, manifest.users) || !sameIds(dataset.items.ids, manifest.items)) {
    refuse(`data set "${manifest.dataset}" now has other users or items than the model was trained on`);
  }
  let split: Split;
  if (splitLabel === 'all') {
    const every = Int32Array.from({ length: dataset.ratings.rating.length }, (_, k) => k);
    split = { name: 'all', train: every, validation: new Int32Array(0), test: new Int32Array(0) };
  } else {
    const splits = makeSplits(dataset, parseSplitSpec(splitLabel as string), seed as number);
    if (splits.length !== 1) refuse(`split "${String(splitLabel)}" makes ${splits.length} splits, not one`);
    split = splits[0];
  }
  // Every item rated in the split's training part is left out, the validation carved from it too;
  // the counts below are checked against what the model was fitted on, after carving.
  const rebuilt = ratedItemsOf(
    dataset,
    split.train,
    `rebuilt from ${manifest.dataset}, split ${String(splitLabel)}`,
  );
  const carvedFraction = manifest.provenance.carvedValidationFraction;
  const train =
    typeof carvedFraction === 'number' ? holdOut(split, carvedFraction, seed as number).train : split.train;
  const stats = artifact.predictor.stats;
  const { user, item } = gatherRatings({ dataset, indices: train });
  const userCount = new Int32Array(stats.userCount.length);
  const itemCount = new Int32Array(stats.itemCount.length);
  for (let k = 0; k < user.length; k++) {
    userCount[user[k]]++;
    itemCount[item[k]]++;
  }
  if (
    train.length !== stats.ratings ||
    userCount.some((c, u) => c !== stats.userCount[u]) ||
    itemCount.some((c, i) => c !== stats.itemCount[i])
  ) {
    refuse(
      `redoing split "${String(splitLabel)}" (seed ${String(seed)}) gives ${train.length} training ratings ` +
        `that do not match the model's ${stats.ratings} (the data files changed, or the model was trained ` +
        'with --min-ratings, which model.json does not record)',
    );
  }
  return rebuilt;
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, k) => id === b[k]);
}

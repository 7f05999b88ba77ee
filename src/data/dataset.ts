/**
 * The one in-memory form of every data set Heed loads.
 *
 * Loaders (`src/data/loaders/`) turn files into a `Dataset`; splits (`src/data/split.ts`) choose
 * rating indices from it; models train on a `RatingSubset` of it. Raw ids become dense indices
 * exactly once, at load, and ratings live in typed arrays so the training loops never allocate.
 */

/** Raw ids (as written in the files) and their dense indices 0..n-1. */
export interface IdMap {
  readonly ids: string[];
  readonly index: Map<string, number>;
}

/** Observed ratings, one entry per (user, item) pair, in parallel typed arrays. */
export interface Ratings {
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly rating: Float32Array;
  /** Unix seconds, when the source has them. */
  readonly time?: Float64Array;
}

/**
 * How a feature field's values are typed.
 * - `categorical`: at most one value per entity (gender, occupation, director).
 * - `multi`: any number of values per entity (genres).
 * - `numeric`: a raw number per entity, binned into categories by `edges` (age, release year).
 */
export type FeatureKind = 'categorical' | 'multi' | 'numeric';

/**
 * One feature field of users or of items. Values are codes into `vocabulary`, stored in CSR form:
 * the codes of entity e are `codes[offsets[e] .. offsets[e + 1])`. A categorical or numeric field
 * has zero (missing) or one code per entity.
 */
export interface FeatureField {
  readonly name: string;
  readonly kind: FeatureKind;
  /** Human-readable label of each code ("F", "Action", "18-29"). */
  readonly vocabulary: string[];
  readonly offsets: Int32Array;
  readonly codes: Int32Array;
  /** Numeric fields only: the raw value of each entity (NaN when missing). */
  readonly raw?: Float64Array;
  /** Numeric fields only: the bin edges that produced the codes (see `features.ts`). */
  readonly edges?: number[];
  /** Numeric fields only: which end of each bin is closed (default `left`: [e_i, e_{i+1})). */
  readonly closed?: 'left' | 'right';
}

/** The feature fields of one side (all users, or all items). */
export interface FeatureTable {
  /** Number of entities (users or items) the table describes. */
  readonly count: number;
  readonly fields: FeatureField[];
}

/** Indices into `Dataset.ratings` for one train/validation/test partition. */
export interface Split {
  readonly name: string;
  readonly train: Int32Array;
  readonly validation: Int32Array;
  readonly test: Int32Array;
}

export interface Dataset {
  /** The id it was loaded under, e.g. `ml-100k` or `csv:/path`. */
  readonly id: string;
  readonly users: IdMap;
  readonly items: IdMap;
  readonly ratings: Ratings;
  /** Smallest and largest possible rating; predictions are clipped to it. */
  readonly scale: { readonly min: number; readonly max: number };
  readonly userFeatures: FeatureTable;
  readonly itemFeatures: FeatureTable;
  /** Item display names (movie titles), when the source has them. */
  readonly itemTitles?: string[];
  /** Review text of each rating, aligned with `ratings`, for the review models. */
  readonly reviews?: string[];
  /** Splits that ship with the data (ml-100k u1..u5, ua, ub; SAIN's train/validation/test). */
  readonly predefinedSplits: Readonly<Record<string, Split>>;
  /**
   * Things the loader accepted but the user should know (e.g. Amazon lines without review text),
   * one sentence each; absent when there are none. The CLI prints each as `warning: …` on stderr.
   */
  readonly warnings?: readonly string[];
}

/** A selection of a dataset's ratings: what a model trains or is evaluated on. */
export interface RatingSubset {
  readonly dataset: Dataset;
  /** Indices into `dataset.ratings`. */
  readonly indices: Int32Array;
}

/** Copies the selected ratings into contiguous arrays (what the training loops iterate over). */
export function gatherRatings(subset: RatingSubset): {
  user: Int32Array;
  item: Int32Array;
  rating: Float32Array;
} {
  const { indices } = subset;
  const src = subset.dataset.ratings;
  const n = indices.length;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const rating = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    user[k] = src.user[i];
    item[k] = src.item[i];
    rating[k] = src.rating[i];
  }
  return { user, item, rating };
}

/** An empty feature table for sources without side information. */
export function emptyFeatures(count: number): FeatureTable {
  return { count, fields: [] };
}

/** Builds an `IdMap` incrementally while a loader reads a file. */
export class IdMapBuilder {
  readonly ids: string[] = [];
  readonly index = new Map<string, number>();

  /** The dense index of `raw`, adding it when new. */
  intern(raw: string): number {
    let i = this.index.get(raw);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(raw);
      this.index.set(raw, i);
    }
    return i;
  }

  build(): IdMap {
    return { ids: this.ids, index: this.index };
  }
}

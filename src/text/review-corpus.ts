/**
 * The reviews a review model may read as inputs (its "context"), tokenised, and the documents
 * built from them.
 *
 * Protocol (TransNets, Catherine & Cohen, RecSys 2017, §3; Sachdeva & McAuley, SIGIR 2020):
 * - the context is the training ratings' reviews; validation and test reviews are never inputs;
 * - the document of user u for the pair (u, i) is u's context reviews *without the review of
 *   (u, i) itself*, and the document of item i is i's context reviews without the review of
 *   (u, i). For a training pair that removes the target review from both documents; for a test
 *   pair it changes nothing (its review is not in the context). This one rule is what keeps a
 *   rating's own review out of every input (`test/review-leakage.test.ts`).
 *
 * Ordering and truncation (documented in docs/REVIEW-MODELS.md): an entity's reviews are ordered
 * newest first (by review time, ties and data without times by position in the data set), the
 * first `reviewCount` of them that are not the pair's own review form the document, and each
 * review keeps its first `reviewLength` tokens. Missing slots are empty reviews (all padding).
 */
import type { Dataset } from '../data/dataset.js';
import { UsageError } from '../util/errors.js';
import { tokenize } from './tokenize.js';
import { Vocabulary } from './vocabulary.js';

export interface CorpusArrays {
  readonly reviewUser: Int32Array;
  readonly reviewItem: Int32Array;
  /** Tokens of review r are tokens[offsets[r] .. offsets[r + 1]) (vocabulary ids, ≤ reviewLength). */
  readonly offsets: Int32Array;
  readonly tokens: Int32Array;
  /** The reviews of user u, newest first: userReviews[userOffsets[u] .. userOffsets[u + 1]). */
  readonly userOffsets: Int32Array;
  readonly userReviews: Int32Array;
  readonly itemOffsets: Int32Array;
  readonly itemReviews: Int32Array;
}

export class ReviewCorpus {
  constructor(
    readonly vocabulary: Vocabulary,
    readonly reviewLength: number,
    readonly arrays: CorpusArrays,
  ) {}

  get reviews(): number {
    return this.arrays.reviewUser.length;
  }

  get users(): number {
    return this.arrays.userOffsets.length - 1;
  }

  get items(): number {
    return this.arrays.itemOffsets.length - 1;
  }

  /**
   * The reviews of `dataset.ratings[indices]` as a context, encoded with `vocabulary`. Review r of
   * the corpus is the rating `indices[r]`.
   */
  static build(
    dataset: Dataset,
    indices: Int32Array,
    vocabulary: Vocabulary,
    reviewLength: number,
  ): ReviewCorpus {
    const texts = dataset.reviews;
    if (texts === undefined) {
      throw new UsageError(`data set "${dataset.id}" has no review text; review models need reviews`);
    }
    if (!Number.isInteger(reviewLength) || reviewLength < 1)
      throw new UsageError(`reviewLength must be a positive integer, got ${reviewLength}`);
    const tokens = tokenizedReviews(dataset);
    const n = indices.length;
    const reviewUser = new Int32Array(n);
    const reviewItem = new Int32Array(n);
    const offsets = new Int32Array(n + 1);
    const encoded: Int32Array[] = [];
    for (let r = 0; r < n; r++) {
      const i = indices[r];
      reviewUser[r] = dataset.ratings.user[i];
      reviewItem[r] = dataset.ratings.item[i];
      const ids = vocabulary.encode(tokens[i], reviewLength);
      encoded.push(ids);
      offsets[r + 1] = offsets[r] + ids.length;
    }
    const flat = new Int32Array(offsets[n]);
    for (let r = 0; r < n; r++) flat.set(encoded[r], offsets[r]);
    const time = dataset.ratings.time;
    // Newest first; equal times (or no times) by position in the data set.
    const order = Int32Array.from({ length: n }, (_, r) => r).sort((a, b) => {
      if (time !== undefined) {
        const d = time[indices[b]] - time[indices[a]];
        if (d !== 0) return d;
      }
      return indices[a] - indices[b];
    });
    const byUser = groupBy(reviewUser, dataset.users.ids.length, order);
    const byItem = groupBy(reviewItem, dataset.items.ids.length, order);
    return new ReviewCorpus(vocabulary, reviewLength, {
      reviewUser,
      reviewItem,
      offsets,
      tokens: flat,
      userOffsets: byUser.offsets,
      userReviews: byUser.members,
      itemOffsets: byItem.offsets,
      itemReviews: byItem.members,
    });
  }

  /** The corpus for the training ratings `indices`, with a vocabulary of their reviews (cached). */
  static forTraining(
    dataset: Dataset,
    indices: Int32Array,
    settings: { readonly vocabularySize: number; readonly reviewLength: number },
  ): ReviewCorpus {
    const key = `${fingerprint(indices)}|${settings.vocabularySize}|${settings.reviewLength}`;
    let cache = corpusCache.get(dataset);
    if (cache === undefined) corpusCache.set(dataset, (cache = new Map()));
    let corpus = cache.get(key);
    if (corpus === undefined) {
      const tokens = tokenizedReviews(dataset);
      const vocabulary = Vocabulary.fromTokens(
        Array.from(indices, (i) => tokens[i]),
        settings.vocabularySize,
      );
      corpus = ReviewCorpus.build(dataset, indices, vocabulary, settings.reviewLength);
      cache.set(key, corpus);
    }
    return corpus;
  }

  /**
   * Writes the document of user `u` for the pair (u, i) into `out[at .. at + count)`: review ids,
   * newest first, skipping u's review of i; -1 marks an empty slot.
   */
  userDocument(u: number, i: number, count: number, out: Int32Array, at: number): void {
    const { userOffsets, userReviews, reviewItem } = this.arrays;
    fillDocument(userOffsets, userReviews, reviewItem, u, i, count, out, at);
  }

  /** The document of item `i` for the pair (u, i), without u's review of i. */
  itemDocument(i: number, u: number, count: number, out: Int32Array, at: number): void {
    const { itemOffsets, itemReviews, reviewUser } = this.arrays;
    fillDocument(itemOffsets, itemReviews, reviewUser, i, u, count, out, at);
  }

  /** The review of the pair (u, i) in this corpus, or -1. */
  reviewOf(u: number, i: number): number {
    const { userOffsets, userReviews, reviewItem } = this.arrays;
    for (let k = userOffsets[u]; k < userOffsets[u + 1]; k++)
      if (reviewItem[userReviews[k]] === i) return userReviews[k];
    return -1;
  }

  /** Token ids of review r. */
  tokensOf(r: number): Int32Array {
    return this.arrays.tokens.subarray(this.arrays.offsets[r], this.arrays.offsets[r + 1]);
  }

  /** Reviews of user u (newest first). */
  reviewsOfUser(u: number): Int32Array {
    const { userOffsets, userReviews } = this.arrays;
    return u >= 0 && u < this.users
      ? userReviews.subarray(userOffsets[u], userOffsets[u + 1])
      : new Int32Array(0);
  }

  /** Reviews of item i (newest first). */
  reviewsOfItem(i: number): Int32Array {
    const { itemOffsets, itemReviews } = this.arrays;
    return i >= 0 && i < this.items
      ? itemReviews.subarray(itemOffsets[i], itemOffsets[i + 1])
      : new Int32Array(0);
  }
}

function fillDocument(
  offsets: Int32Array,
  members: Int32Array,
  counterpart: Int32Array,
  entity: number,
  other: number,
  count: number,
  out: Int32Array,
  at: number,
): void {
  let filled = 0;
  if (entity >= 0 && entity < offsets.length - 1) {
    for (let k = offsets[entity]; k < offsets[entity + 1] && filled < count; k++) {
      const r = members[k];
      if (counterpart[r] === other) continue;
      out[at + filled++] = r;
    }
  }
  for (; filled < count; filled++) out[at + filled] = -1;
}

function groupBy(
  owner: Int32Array,
  entities: number,
  order: Int32Array,
): { offsets: Int32Array; members: Int32Array } {
  const offsets = new Int32Array(entities + 1);
  for (const e of owner) offsets[e + 1]++;
  for (let e = 0; e < entities; e++) offsets[e + 1] += offsets[e];
  const fill = offsets.slice(0, entities);
  const members = new Int32Array(owner.length);
  for (const r of order) members[fill[owner[r]]++] = r;
  return { offsets, members };
}

const tokenCache = new WeakMap<Dataset, string[][]>();
const corpusCache = new WeakMap<Dataset, Map<string, ReviewCorpus>>();

/** Every review of the data set tokenised once per process (the tokens of rating i at [i]). */
export function tokenizedReviews(dataset: Dataset): string[][] {
  let tokens = tokenCache.get(dataset);
  if (tokens === undefined) {
    const texts = dataset.reviews;
    if (texts === undefined) {
      throw new UsageError(`data set "${dataset.id}" has no review text; review models need reviews`);
    }
    tokens = texts.map(tokenize);
    tokenCache.set(dataset, tokens);
  }
  return tokens;
}

/** A 32-bit FNV-1a hash of the indices plus their count: the cache key of a split's part. */
function fingerprint(indices: Int32Array): string {
  let h = 0x811c9dc5;
  for (const v of indices) {
    h ^= v & 0xff;
    h = Math.imul(h, 0x01000193);
    h ^= (v >>> 8) & 0xffffff;
    h = Math.imul(h, 0x01000193);
  }
  return `${indices.length}:${(h >>> 0).toString(16)}`;
}

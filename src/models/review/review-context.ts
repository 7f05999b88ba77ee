/**
 * What every review model keeps besides its weights: the context corpus (the training reviews,
 * tokenised, grouped per user and per item), the texts of those reviews for explanations, and the
 * functions that turn a batch of (user, item) pairs into document slots.
 */
import type { Dataset, RatingSubset } from '../../data/dataset.js';
import { DataError } from '../../util/errors.js';
import { ReviewCorpus, type CorpusArrays } from '../../text/review-corpus.js';
import { Vocabulary } from '../../text/vocabulary.js';
import type { JsonValue, ModelState } from '../model.js';
import type { ReviewTextSettings } from './review-settings.js';

/** Longest review text kept in a saved model for explanations (characters). */
const SAVED_TEXT_LIMIT = 2000;

export class ReviewContext {
  constructor(
    readonly corpus: ReviewCorpus,
    /** Text and rating of each corpus review, for explanations. */
    readonly texts: readonly string[],
    readonly ratings: Float32Array,
  ) {}

  /** The training reviews of `train` as the context (built once per split and cached). */
  static forTraining(train: RatingSubset, settings: ReviewTextSettings): ReviewContext {
    const { dataset, indices } = train;
    const corpus = ReviewCorpus.forTraining(dataset, indices, settings);
    return ReviewContext.of(dataset, indices, corpus);
  }

  /**
   * The reviews of another set of ratings as a context, encoded with this context's vocabulary and
   * review length (the paper protocol's validation and test contexts).
   */
  readingOf(subset: RatingSubset): ReviewContext {
    const { dataset, indices } = subset;
    const { vocabulary, reviewLength } = this.corpus;
    return ReviewContext.of(dataset, indices, ReviewCorpus.build(dataset, indices, vocabulary, reviewLength));
  }

  private static of(dataset: Dataset, indices: Int32Array, corpus: ReviewCorpus): ReviewContext {
    const reviews = dataset.reviews ?? [];
    const texts = Array.from(indices, (i) => reviews[i] ?? '');
    const ratings = Float32Array.from(indices, (i) => dataset.ratings.rating[i]);
    return new ReviewContext(corpus, texts, ratings);
  }

  /** [pairs × count] slots of the users' documents (each without the pair's own review). */
  userSlots(users: Int32Array, items: Int32Array, count: number): Int32Array {
    const out = new Int32Array(users.length * count);
    for (let k = 0; k < users.length; k++)
      this.corpus.userDocument(users[k], items[k], count, out, k * count);
    return out;
  }

  /** [pairs × count] slots of the items' documents (each without the pair's own review). */
  itemSlots(users: Int32Array, items: Int32Array, count: number): Int32Array {
    const out = new Int32Array(users.length * count);
    for (let k = 0; k < users.length; k++)
      this.corpus.itemDocument(items[k], users[k], count, out, k * count);
    return out;
  }

  /**
   * Positions of the training pairs to train on: those whose user and item each have at least
   * `lowest` other reviews in the context (SAFMR Table 3's "lowest review count").
   */
  trainablePairs(users: Int32Array, items: Int32Array, lowest: number): Int32Array {
    const { userOffsets, itemOffsets } = this.corpus.arrays;
    const keep: number[] = [];
    for (let k = 0; k < users.length; k++) {
      const u = users[k];
      const i = items[k];
      const own = this.corpus.reviewOf(u, i) >= 0 ? 1 : 0;
      const userOthers = userOffsets[u + 1] - userOffsets[u] - own;
      const itemOthers = itemOffsets[i + 1] - itemOffsets[i] - own;
      if (userOthers >= lowest && itemOthers >= lowest) keep.push(k);
    }
    return Int32Array.from(keep);
  }

  /** Arrays and meta to save with the model's weights. */
  state(): { arrays: Record<string, Int32Array | Float32Array>; meta: JsonValue } {
    const a = this.corpus.arrays;
    return {
      arrays: {
        'context.reviewUser': a.reviewUser,
        'context.reviewItem': a.reviewItem,
        'context.offsets': a.offsets,
        'context.tokens': a.tokens,
        'context.userOffsets': a.userOffsets,
        'context.userReviews': a.userReviews,
        'context.itemOffsets': a.itemOffsets,
        'context.itemReviews': a.itemReviews,
        'context.ratings': this.ratings,
      },
      meta: {
        vocabulary: [...this.corpus.vocabulary.words],
        reviewLength: this.corpus.reviewLength,
        texts: this.texts.map((t) => (t.length > SAVED_TEXT_LIMIT ? `${t.slice(0, SAVED_TEXT_LIMIT)}…` : t)),
      },
    };
  }

  static restore(state: ModelState, meta: JsonValue): ReviewContext {
    const source = `saved model "${state.id}"`;
    const m = meta as { vocabulary?: unknown; reviewLength?: unknown; texts?: unknown } | null;
    if (!Array.isArray(m?.vocabulary) || !m.vocabulary.every((w) => typeof w === 'string'))
      throw new DataError(source, undefined, 'meta.context.vocabulary', 'expected an array of words');
    if (typeof m.reviewLength !== 'number')
      throw new DataError(source, undefined, 'meta.context.reviewLength', 'expected a number');
    if (!Array.isArray(m.texts) || !m.texts.every((t) => typeof t === 'string'))
      throw new DataError(source, undefined, 'meta.context.texts', 'expected an array of texts');
    const int = (name: string): Int32Array => {
      const a = state.arrays[`context.${name}`];
      if (!(a instanceof Int32Array))
        throw new DataError(source, undefined, `context.${name}`, 'missing or not int32');
      return a;
    };
    const arrays: CorpusArrays = {
      reviewUser: int('reviewUser'),
      reviewItem: int('reviewItem'),
      offsets: int('offsets'),
      tokens: int('tokens'),
      userOffsets: int('userOffsets'),
      userReviews: int('userReviews'),
      itemOffsets: int('itemOffsets'),
      itemReviews: int('itemReviews'),
    };
    const ratings = state.arrays['context.ratings'];
    if (!(ratings instanceof Float32Array) || ratings.length !== arrays.reviewUser.length)
      throw new DataError(source, undefined, 'context.ratings', 'missing or of the wrong length');
    if (m.texts.length !== arrays.reviewUser.length)
      throw new DataError(source, undefined, 'meta.context.texts', 'one text per context review expected');
    const vocabulary = new Vocabulary(m.vocabulary as string[]);
    return new ReviewContext(
      new ReviewCorpus(vocabulary, m.reviewLength, arrays),
      m.texts as string[],
      ratings,
    );
  }
}

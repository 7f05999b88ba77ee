/**
 * Turns the review slots of a batch (review ids of a `ReviewCorpus`, -1 for an empty slot) into
 * what the CNN encodes: each distinct review once, its tokens as indices into the batch's distinct
 * words. Local review row 0 is always the empty review (all padding), so an empty slot reads the
 * same features a zero-padded document would.
 */
import type { ReviewTokens } from '../../engine/layers/review-cnn.js';
import type { ReviewCorpus } from '../../text/review-corpus.js';
import { UNKNOWN } from '../../text/vocabulary.js';

export interface EncodedSlots {
  readonly input: ReviewTokens;
  /** For each slot, its row in the CNN's output (0: the empty review). */
  readonly rows: Int32Array;
}

export class SlotEncoder {
  /** Per vocabulary id: its local index + 1 in the current batch, valid when stamp matches. */
  private readonly localWord: Int32Array;
  private readonly wordStamp: Int32Array;
  private readonly localReview: Int32Array;
  private readonly reviewStamp: Int32Array;
  private stamp = 0;

  constructor(readonly corpus: ReviewCorpus) {
    this.localWord = new Int32Array(corpus.vocabulary.size);
    this.wordStamp = new Int32Array(corpus.vocabulary.size);
    this.localReview = new Int32Array(corpus.reviews);
    this.reviewStamp = new Int32Array(corpus.reviews);
  }

  encode(slots: Int32Array): EncodedSlots {
    const stamp = ++this.stamp;
    const L = this.corpus.reviewLength;
    const rows = new Int32Array(slots.length);
    const distinct: number[] = [];
    for (let s = 0; s < slots.length; s++) {
      const r = slots[s];
      if (r < 0) continue;
      if (this.reviewStamp[r] !== stamp) {
        this.reviewStamp[r] = stamp;
        distinct.push(r);
        this.localReview[r] = distinct.length; // row 0 is the empty review
      }
      rows[s] = this.localReview[r];
    }
    const reviews = distinct.length + 1;
    const tokens = new Int32Array(reviews * L).fill(-1);
    const words: number[] = [];
    for (let d = 0; d < distinct.length; d++) {
      const ids = this.corpus.tokensOf(distinct[d]);
      const at = (d + 1) * L;
      for (let t = 0; t < ids.length; t++) {
        const w = ids[t];
        if (this.wordStamp[w] !== stamp) {
          this.wordStamp[w] = stamp;
          words.push(w);
          this.localWord[w] = words.length - 1;
        }
        tokens[at + t] = this.localWord[w];
      }
    }
    // XNNPACK refuses a product with no rows: a batch without any word projects <unk> alone, which
    // no token reads (its gradient is zero).
    if (words.length === 0) words.push(UNKNOWN);
    return { input: { words: Int32Array.from(words), tokens, reviews, length: L }, rows };
  }
}

/**
 * The word vocabulary of the review models: the `size` most frequent tokens of the training
 * reviews (SAFMR §6.1 keeps 50,000), plus two reserved ids.
 *
 * - id 0 `<pad>`: never an input (the CNN reads padding as a zero vector); kept so that the ids of
 *   words are stable whatever the padding rule.
 * - id 1 `<unk>`: every token outside the vocabulary (rare words, and words that occur only in
 *   validation or test reviews, which never shape the vocabulary).
 *
 * Ties in frequency are broken by code-point order of the word, so the same training reviews give
 * the same ids on every machine.
 */
import { UsageError } from '../util/errors.js';

export const PAD = 0;
export const UNKNOWN = 1;
const RESERVED = ['<pad>', '<unk>'];

export class Vocabulary {
  private readonly index: Map<string, number>;

  /** `words[id]` is the token of id; ids 0 and 1 are `<pad>` and `<unk>`. */
  constructor(readonly words: readonly string[]) {
    if (words[PAD] !== RESERVED[PAD] || words[UNKNOWN] !== RESERVED[UNKNOWN]) {
      throw new UsageError('a vocabulary must start with "<pad>" and "<unk>"');
    }
    this.index = new Map(words.map((w, i) => [w, i]));
  }

  /** The most frequent `size` tokens of `documents` (each an array of tokens). */
  static fromTokens(documents: Iterable<readonly string[]>, size: number): Vocabulary {
    if (!Number.isInteger(size) || size < 1)
      throw new UsageError(`vocabulary size must be a positive integer, got ${size}`);
    const counts = new Map<string, number>();
    for (const tokens of documents) for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    const ranked = [...counts.entries()]
      .filter(([w]) => !RESERVED.includes(w))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, size)
      .map(([w]) => w);
    return new Vocabulary([...RESERVED, ...ranked]);
  }

  get size(): number {
    return this.words.length;
  }

  /** The id of a token, `UNKNOWN` when it is not in the vocabulary. */
  id(token: string): number {
    return this.index.get(token) ?? UNKNOWN;
  }

  /** Ids of the first `maxLength` tokens. */
  encode(tokens: readonly string[], maxLength = tokens.length): Int32Array {
    const n = Math.min(maxLength, tokens.length);
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) out[k] = this.id(tokens[k]);
    return out;
  }
}

/**
 * The tokenizer of the review models: lower-case, then words (letters and digits, with inner
 * apostrophes as in "don't") and every other non-space character as a token of its own.
 *
 * Stop words and punctuation are kept as tokens, as SAFMR §6.3 says its pipeline does ("the stop
 * words and punctuation marks in the reviews were individually marked and retained"): "It's loud!!"
 * → ["it's", "loud", "!", "!"]. No stemming or lemmatisation: the CNN learns its own word vectors,
 * and a user's word vectors file (word2vec / GloVe) is keyed by surface forms.
 */
const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/**
 * The word-vector table of a review model: random N(0, 0.1²) rows trained with the model, or
 * started from a word2vec / GloVe file (`wordVectors=FILE`). Padding (id 0) is never looked up.
 */
import type { Params, TableParam } from '../../engine/params.js';
import { loadWordVectors } from '../../text/word-vectors.js';
import type { Vocabulary } from '../../text/vocabulary.js';
import type { ReviewTextSettings } from './review-settings.js';

export const WORD_INIT_STD = 0.1;

export function declareWordTable(
  params: Params,
  name: string,
  vocabulary: Vocabulary,
  settings: ReviewTextSettings,
  /** False when restoring: the saved values replace the start anyway. */
  loadFile = true,
  /** Multiplier of the optimizer's L2 rate for the word vectors (NARRE: 0). */
  l2 = 1,
): { table: TableParam; notes: string[] } {
  const table = params.table(name, vocabulary.size, settings.wordDim, {
    init: { kind: 'normal', std: WORD_INIT_STD },
    l2,
  });
  const notes: string[] = [];
  if (loadFile && settings.wordVectors !== '') {
    const found = loadWordVectors(settings.wordVectors, vocabulary, table.value, settings.wordDim);
    notes.push(
      `${name}: ${found} of ${vocabulary.size - 2} vocabulary words started from ${settings.wordVectors}; the rest from N(0, ${WORD_INIT_STD}²)`,
    );
  }
  return { table, notes };
}

/**
 * Reads pre-trained word vectors from a text file in the word2vec text format (an optional
 * header line "count dim", then "word v1 … vd" per line) or GloVe's (no header), plain or gzipped,
 * and copies the vectors of vocabulary words into an embedding table.
 *
 * Errors name the file, line and field: a line with the wrong number of values, a value that is
 * not a finite number, a dimension that differs from the model's `wordDim`.
 */
import { DataError } from '../util/errors.js';
import { forEachLine, readText } from '../util/io.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * Writes the vector of every vocabulary word found in `file` into `table` (row = word id, `dim`
 * columns) and returns how many words were found. Words are matched lower-cased, as the
 * tokenizer lower-cases; the first occurrence wins.
 */
export function loadWordVectors(
  file: string,
  vocabulary: Vocabulary,
  table: Float32Array,
  dim: number,
): number {
  const text = readText(file, { encoding: 'utf-8', expect: 'word vectors as text: "word v1 … vd" per line' });
  const seen = new Uint8Array(vocabulary.size);
  let found = 0;
  let fileDim = -1;
  forEachLine(text, (line, lineNumber) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    const parts = trimmed.split(/\s+/);
    if (lineNumber === 1 && parts.length === 2 && /^\d+$/.test(parts[0]) && /^\d+$/.test(parts[1])) {
      fileDim = checkDimension(Number(parts[1]), dim, file, lineNumber);
      return;
    }
    const values = parts.length - 1;
    if (fileDim < 0) fileDim = checkDimension(values, dim, file, lineNumber);
    if (values !== fileDim)
      throw new DataError(
        file,
        lineNumber,
        undefined,
        `expected a word and ${fileDim} numbers, found ${values} numbers`,
      );
    const id = vocabulary.id(parts[0].toLowerCase());
    const numbers = new Float32Array(dim);
    for (let d = 0; d < dim; d++) {
      const v = Number(parts[d + 1]);
      if (!Number.isFinite(v))
        throw new DataError(file, lineNumber, `value ${d + 1}`, `"${parts[d + 1]}" is not a number`);
      numbers[d] = v;
    }
    if (id <= 1 || seen[id] === 1) return; // <pad>/<unk> or a repeat
    seen[id] = 1;
    table.set(numbers, id * dim);
    found++;
  });
  if (fileDim < 0) throw new DataError(file, undefined, undefined, 'no word vectors in the file');
  return found;
}

/** The file's vector dimension, which must be the model's `wordDim`. */
function checkDimension(fileDim: number, dim: number, file: string, line: number): number {
  if (fileDim !== dim) {
    const problem = `the file has ${fileDim}-dimensional vectors but wordDim is ${dim} (--set wordDim=${fileDim})`;
    throw new DataError(file, line, 'dimension', problem);
  }
  return fileDim;
}

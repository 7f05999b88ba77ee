/**
 * The review models' text pipeline on hand-made reviews: tokenizer, vocabulary, documents (a
 * pair's own review left out, newest first, truncation), the lowest-review-count rule, the paper
 * protocol's pair filter, and word-vector files (loading and their errors).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Dataset } from '../src/data/dataset.js';
import { pairsWithContext } from '../src/eval/review-paper-protocol.js';
import { ReviewContext } from '../src/models/review/review-context.js';
import { ReviewCorpus } from '../src/text/review-corpus.js';
import { tokenize } from '../src/text/tokenize.js';
import { UNKNOWN, Vocabulary } from '../src/text/vocabulary.js';
import { loadWordVectors } from '../src/text/word-vectors.js';
import { DataError } from '../src/util/errors.js';
import { ratingsDataset } from '../test-helpers/datasets.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-text-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('tokenize: lower-case words, inner apostrophes, punctuation and stop words kept as tokens', () => {
  assert.deepEqual(tokenize("It's LOUD!! The strings, don't."), [
    "it's",
    'loud',
    '!',
    '!',
    'the',
    'strings',
    ',',
    "don't",
    '.',
  ]);
  assert.deepEqual(tokenize('   '), []);
});

test('vocabulary: most frequent training tokens, ties by code point, <pad> and <unk> reserved', () => {
  const v = Vocabulary.fromTokens(
    [
      ['b', 'a', 'c', 'a'],
      ['c', 'd'],
    ],
    2,
  );
  assert.deepEqual(v.words, ['<pad>', '<unk>', 'a', 'c']);
  assert.deepEqual(Array.from(v.encode(['c', 'zzz', 'a'])), [3, UNKNOWN, 2]);
  assert.deepEqual(Array.from(v.encode(['c', 'zzz', 'a'], 2)), [3, UNKNOWN]);
});

/** u0 reviewed i0, i1, i2 (times 1, 3, 2); u1 reviewed i0; u2 reviewed i0, i1. */
function reviewed(): Dataset {
  const d = ratingsDataset([
    ['u0', 'i0', 5],
    ['u0', 'i1', 4],
    ['u0', 'i2', 3],
    ['u1', 'i0', 2],
    ['u2', 'i0', 1],
    ['u2', 'i1', 4],
  ]);
  return {
    ...d,
    ratings: { ...d.ratings, time: Float64Array.of(1, 3, 2, 5, 4, 6) },
    reviews: ['great great', 'good strings', 'ok', 'bad', 'awful broken', 'nice one two three'],
  };
}

test("documents: newest first, without the pair's own review, padded with -1; review length truncates", () => {
  const d = reviewed();
  const all = Int32Array.from({ length: 6 }, (_, k) => k);
  const corpus = ReviewCorpus.forTraining(d, all, { vocabularySize: 100, reviewLength: 2 });
  const out = new Int32Array(3);
  // u0's reviews newest first: i1 (t=3), i2 (t=2), i0 (t=1); for the pair (u0, i1) i1's is left out.
  corpus.userDocument(0, 1, 3, out, 0);
  assert.deepEqual(Array.from(out), [2, 0, -1]);
  // i0's reviews newest first: u1 (t=5), u2 (t=4), u0 (t=1); for (u2, i0) u2's is left out.
  corpus.itemDocument(0, 2, 3, out, 0);
  assert.deepEqual(Array.from(out), [3, 0, -1]);
  // A pair not in the corpus (u1, i2) keeps every review.
  corpus.userDocument(1, 2, 3, out, 0);
  assert.deepEqual(Array.from(out), [3, -1, -1]);
  assert.equal(corpus.tokensOf(5).length, 2, 'reviewLength=2 keeps two tokens');
  assert.equal(corpus.reviewOf(2, 1), 5);
  assert.equal(corpus.reviewOf(1, 1), -1);
});

test('a training context holds training reviews only, and its vocabulary comes from them', () => {
  const d = reviewed();
  const train = Int32Array.of(0, 1, 2, 3);
  const context = ReviewContext.forTraining(
    { dataset: d, indices: train },
    {
      reviewCount: 10,
      reviewLength: 80,
      lowestReviewCount: 2,
      vocabularySize: 100,
      wordDim: 4,
      wordVectors: '',
      filters: 4,
      kernelSize: 3,
      dropout: 0,
    },
  );
  assert.equal(context.corpus.reviews, 4);
  assert.deepEqual(context.texts, ['great great', 'good strings', 'ok', 'bad']);
  assert.ok(
    !context.corpus.vocabulary.words.includes('awful'),
    'a test review word is not in the vocabulary',
  );
  // (u0, i0): 2 other reviews of u0, 1 other of i0 (u1's); (u0, i1): none other of i1;
  // (u1, i0): none other of u1.
  const users = Int32Array.of(0, 0, 1);
  const items = Int32Array.of(0, 1, 0);
  assert.deepEqual(Array.from(context.trainablePairs(users, items, 1)), [0]);
  assert.deepEqual(Array.from(context.trainablePairs(users, items, 2)), []);
  assert.deepEqual(Array.from(context.trainablePairs(users, items, 0)), [0, 1, 2]);
});

test('paper protocol: pairs kept when user and item each have enough other reviews in the same part', () => {
  const d = reviewed();
  const part = Int32Array.of(0, 1, 3, 4, 5);
  // counts in the part: u0 2, u1 1, u2 2; i0 3, i1 2.
  assert.deepEqual(Array.from(pairsWithContext(d, part, 1)), [0, 1, 4, 5]);
  assert.deepEqual(Array.from(pairsWithContext(d, part, 0)), [0, 1, 3, 4, 5]);
  assert.deepEqual(Array.from(pairsWithContext(d, part, 2)), []);
});

test('word vectors: word2vec text with header and GloVe without; rows of known words set', () => {
  const v = new Vocabulary(['<pad>', '<unk>', 'good', 'bad']);
  const w2v = path.join(tmp, 'w2v.txt');
  fs.writeFileSync(w2v, '3 2\nGood 1 2\nzzz 9 9\nbad -1 0.5\n');
  const table = new Float32Array(8);
  assert.equal(loadWordVectors(w2v, v, table, 2), 2);
  assert.deepEqual(Array.from(table), [0, 0, 0, 0, 1, 2, -1, 0.5]);
  const glove = path.join(tmp, 'glove.txt');
  fs.writeFileSync(glove, 'good 3 4\n');
  assert.equal(loadWordVectors(glove, v, new Float32Array(8), 2), 1);
});

test('word vectors: malformed files are refused with file, line and field', () => {
  const v = new Vocabulary(['<pad>', '<unk>', 'good']);
  const cases: Array<[string, RegExp]> = [
    ['good 1 2\nbad 1\n', /:2: expected a word and 2 numbers, found 1/],
    ['good 1 x\n', /:1: field "value 2": "x" is not a number/],
    ['2 3\ngood 1 2 3\n', /:1: field "dimension": .*3-dimensional.*wordDim is 2.*--set wordDim=3/],
    ['\n', /no word vectors/],
  ];
  cases.forEach(([text, message], k) => {
    const file = path.join(tmp, `bad${k}.txt`);
    fs.writeFileSync(file, text);
    assert.throws(
      () => loadWordVectors(file, v, new Float32Array(6), 2),
      (e: unknown) => e instanceof DataError && message.test(e.message) && e.message.includes(file),
    );
  });
});

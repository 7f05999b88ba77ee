/**
 * The bounded top-k selection /recommend uses (src/serve/top-n.ts) against a full stable sort:
 * random scores with many ties, every k from 0 past n, and both score array types.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topPositions } from '../src/serve/top-n.js';
import { Rng } from '../src/util/rng.js';

/** The first k positions of a full sort: score descending, then position ascending. */
function bySorting(scores: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: scores.length }, (_, p) => p)
    .sort((a, b) => scores[b] - scores[a] || a - b)
    .slice(0, k);
}

test('topPositions equals the first k of a full sort on random scores with ties', () => {
  const rng = new Rng(7);
  for (const n of [0, 1, 2, 3, 10, 57, 500]) {
    // Few distinct values, so that many scores tie and the order among them is tested.
    const coarse = Float32Array.from({ length: n }, () => rng.int(6) / 2);
    const fine = Float64Array.from({ length: n }, () => rng.normal());
    for (const scores of [coarse, fine]) {
      for (const k of [0, 1, 2, 5, 10, n - 1, n, n + 3]) {
        if (k < 0) continue;
        assert.deepEqual(Array.from(topPositions(scores, k)), bySorting(scores, k), `n=${n}, k=${k}`);
      }
    }
  }
});

test('topPositions keeps position order among equal scores and returns fewer when fewer exist', () => {
  assert.deepEqual(Array.from(topPositions([1, 3, 3, 2, 3], 2)), [1, 2]);
  assert.deepEqual(Array.from(topPositions([1, 3, 3, 2, 3], 4)), [1, 2, 4, 3]);
  assert.deepEqual(Array.from(topPositions([4, -1], 10)), [0, 1]);
  assert.deepEqual(Array.from(topPositions([], 3)), []);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mae, mse, ndcgAtK, rmse } from '../src/eval/metrics.js';

const close = (actual: number, expected: number, eps = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= eps, `${actual} is not ${expected}`);

test('RMSE, MAE, MSE on hand-computed values', () => {
  // Errors −1, 0, −2: MSE = (1 + 0 + 4) / 3, MAE = (1 + 0 + 2) / 3.
  const predicted = Float32Array.of(1, 2, 3);
  const actual = Float32Array.of(2, 2, 5);
  close(mse(predicted, actual), 5 / 3);
  close(rmse(predicted, actual), Math.sqrt(5 / 3));
  close(mae(predicted, actual), 1);
  close(rmse([3.5], [3.5]), 0);
  // Sums are accumulated in float64: a million equal errors average to that error, without float32 drift.
  const many = new Float32Array(1_000_000).fill(3.1);
  const truth = new Float32Array(1_000_000).fill(3);
  close(mae(many, truth), Math.fround(3.1) - 3, 1e-12);
  assert.throws(() => rmse([1, 2], [1]), /RMSE|MSE: 2 predictions for 1 ratings/);
  assert.throws(() => mae([], []), /no test ratings/);
});

test('NDCG@k: hand-computed DCG/IDCG, ties by item index, users with IDCG = 0 skipped', () => {
  const log2of3 = Math.log2(3);
  // User 0 (A): items 0, 1, 2 with true ratings 3, 1, 2 and predictions 2, 4, 3.
  //   Predicted order: item 1 (r=1), item 2 (r=2), item 0 (r=3).
  //   DCG@10 = (2^1−1)/log2 2 + (2^2−1)/log2 3 + (2^3−1)/log2 4 = 1 + 3/log2(3) + 3.5
  //   IDCG@10 = 7/1 + 3/log2(3) + 1/2
  const ndcgA = (1 + 3 / log2of3 + 3.5) / (7 + 3 / log2of3 + 0.5);
  const ndcgA2 = (1 + 3 / log2of3) / (7 + 3 / log2of3); // k = 2 cuts after rank 2
  close(ndcgA, 0.6806060567602009, 1e-12);
  // User 1 (B): one test item: NDCG = 1 whatever the prediction.
  // User 2 (C): true ratings all 0, so IDCG = 0: skipped.
  // User 3 (D): items 5 (r=5) and 3 (r=1) both predicted 3.0; the tie puts item 3 first.
  //   DCG = 1/1 + 31/log2(3); IDCG = 31/1 + 1/log2(3).
  const ndcgD = (1 + 31 / log2of3) / (31 + 1 / log2of3);
  const data = {
    user: Int32Array.of(0, 0, 0, 1, 2, 2, 3, 3),
    item: Int32Array.of(0, 1, 2, 7, 0, 1, 5, 3),
    rating: Float32Array.of(3, 1, 2, 4, 0, 0, 5, 1),
    prediction: Float32Array.of(2, 4, 3, 1.5, 2, 1, 3, 3),
  };
  const at10 = ndcgAtK(data, 10);
  assert.equal(at10.users, 3);
  close(at10.ndcg, (ndcgA + 1 + ndcgD) / 3, 1e-12);
  const at2 = ndcgAtK(data, 2);
  close(at2.ndcg, (ndcgA2 + 1 + ndcgD) / 3, 1e-12);
  const at1 = ndcgAtK(data, 1);
  // k = 1: A gets (2^1−1)/(2^3−1) = 1/7, B 1, D (2^1−1)/(2^5−1) = 1/31.
  close(at1.ndcg, (1 / 7 + 1 + 1 / 31) / 3, 1e-12);

  // A perfect ranking scores 1; input order does not matter.
  const perfect = ndcgAtK({ ...data, prediction: data.rating }, 10);
  close(perfect.ndcg, 1, 1e-12);
  const reversed = (a: ArrayLike<number>): number[] => Array.from(a).reverse();
  const shuffled = ndcgAtK(
    {
      user: reversed(data.user),
      item: reversed(data.item),
      rating: reversed(data.rating),
      prediction: reversed(data.prediction),
    },
    10,
  );
  close(shuffled.ndcg, at10.ndcg, 1e-12);

  assert.ok(Number.isNaN(ndcgAtK({ user: [0], item: [0], rating: [0], prediction: [1] }, 10).ndcg));
  assert.throws(() => ndcgAtK(data, 0), /integer k ≥ 1/);
  assert.throws(() => ndcgAtK({ ...data, item: [1] }, 10), /differ in length/);
});

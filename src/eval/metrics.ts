/**
 * Accuracy metrics for explicit rating prediction: RMSE, MAE, MSE and NDCG@k.
 *
 * Sums are accumulated in float64 whatever the input arrays are. The exact definitions (the ones
 * docs/METRICS.md states) are in each function's comment.
 */
import { HeedError } from '../util/errors.js';

type Numbers = ArrayLike<number>;

/** MSE = (1/n) Σ (ŷ − y)². */
export function mse(predicted: Numbers, actual: Numbers): number {
  checkPair(predicted, actual, 'MSE');
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = predicted[i] - actual[i];
    sum += d * d;
  }
  return sum / actual.length;
}

/** RMSE = √MSE. */
export function rmse(predicted: Numbers, actual: Numbers): number {
  return Math.sqrt(mse(predicted, actual));
}

/** MAE = (1/n) Σ |ŷ − y|. */
export function mae(predicted: Numbers, actual: Numbers): number {
  checkPair(predicted, actual, 'MAE');
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(predicted[i] - actual[i]);
  return sum / actual.length;
}

/** The test ratings NDCG ranks: parallel arrays, one entry per (user, item) test pair. */
export interface RankedRatings {
  readonly user: ArrayLike<number>;
  readonly item: ArrayLike<number>;
  /** True ratings. */
  readonly rating: Numbers;
  /** Predicted ratings. */
  readonly prediction: Numbers;
}

export interface NdcgResult {
  /** Mean NDCG@k over the users counted (NaN when none is). */
  readonly ndcg: number;
  /** Users with at least one test rating and IDCG > 0. */
  readonly users: number;
}

/**
 * NDCG@k over each user's TEST items (rating-prediction NDCG, as in the rating papers; it never
 * ranks items the user did not rate):
 *
 * For every user with at least one test rating, let n be that user's number of test ratings.
 * 1. Rank the user's test items by PREDICTED rating, highest first; ties are broken by item index,
 *    smaller first, so the result is deterministic.
 * 2. DCG@k  = Σ_{r=1..min(k,n)} (2^{rating_r} − 1) / log2(r + 1), where rating_r is the TRUE rating
 *    of the item at predicted rank r.
 * 3. IDCG@k = the same sum with the items in TRUE-rating order (the best possible DCG@k).
 * 4. NDCG@k = DCG@k / IDCG@k.
 * The result is the mean of NDCG@k over users; users with IDCG@k = 0 (all their test ratings are 0)
 * are skipped.
 */
export function ndcgAtK(data: RankedRatings, k: number): NdcgResult {
  if (!Number.isInteger(k) || k < 1) throw new HeedError(`NDCG@k needs an integer k ≥ 1, got ${k}`);
  const n = data.rating.length;
  if (data.user.length !== n || data.item.length !== n || data.prediction.length !== n) {
    throw new HeedError(
      `NDCG: user, item, rating and prediction arrays differ in length (${data.user.length}, ${data.item.length}, ${n}, ${data.prediction.length})`,
    );
  }
  // Group pair positions by user, in order of first appearance.
  const byUser = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const u = data.user[i];
    let list = byUser.get(u);
    if (list === undefined) {
      list = [];
      byUser.set(u, list);
    }
    list.push(i);
  }
  let total = 0;
  let users = 0;
  for (const positions of byUser.values()) {
    const byPrediction = [...positions].sort(
      (a, b) => data.prediction[b] - data.prediction[a] || data.item[a] - data.item[b],
    );
    const byTruth = [...positions].sort(
      (a, b) => data.rating[b] - data.rating[a] || data.item[a] - data.item[b],
    );
    const idcg = dcg(byTruth, data.rating, k);
    if (idcg <= 0) continue;
    total += dcg(byPrediction, data.rating, k) / idcg;
    users++;
  }
  return { ndcg: users > 0 ? total / users : NaN, users };
}

/** Σ_{r=1..min(k,n)} (2^{rating_r} − 1) / log2(r + 1) over the positions in the given order. */
function dcg(order: number[], rating: Numbers, k: number): number {
  let sum = 0;
  const m = Math.min(k, order.length);
  for (let r = 1; r <= m; r++) sum += (Math.pow(2, rating[order[r - 1]]) - 1) / Math.log2(r + 1);
  return sum;
}

function checkPair(predicted: Numbers, actual: Numbers, metric: string): void {
  if (predicted.length !== actual.length) {
    throw new HeedError(`${metric}: ${predicted.length} predictions for ${actual.length} ratings`);
  }
  if (actual.length === 0) throw new HeedError(`${metric}: there are no test ratings to score`);
}

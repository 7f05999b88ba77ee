/**
 * Where the bias terms μ, b_u and b_i of the slot-attention models (AFM-GAU, AANMF) start: the
 * damped-mean baseline estimates of the training ratings.
 */
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import type { DenseParam, TableParam } from '../../engine/index.js';
import { meanRating } from '../pair-training.js';

/**
 * Starting values of the global, user and item bias terms: the damped-mean baseline estimates of
 * Koren (TKDD 2010, Eq. 2-3), b_i = Σ(r − μ) / (β + n_i), then b_u = Σ(r − μ − b_i) / (β + n_u).
 * Bias terms trained from zero by Adam at a small learning rate move only ~lr per touched step, so
 * they need many epochs to reach these values while the factors start to overfit; starting from
 * them lets the factors learn the residual from the first epoch. Users and items without training
 * ratings get 0.
 */
export function baselineBiases(
  subset: RatingSubset,
  users: number,
  items: number,
  shrinkage = 10,
): { mean: number; user: Float32Array; item: Float32Array } {
  const { user, item, rating } = gatherRatings(subset);
  const mean = meanRating(subset);
  const itemSum = new Float64Array(items);
  const itemCount = new Float64Array(items);
  for (let k = 0; k < rating.length; k++) {
    itemSum[item[k]] += rating[k] - mean;
    itemCount[item[k]]++;
  }
  const bi = new Float32Array(items);
  for (let i = 0; i < items; i++) bi[i] = itemSum[i] / (shrinkage + itemCount[i]);
  const userSum = new Float64Array(users);
  const userCount = new Float64Array(users);
  for (let k = 0; k < rating.length; k++) {
    userSum[user[k]] += rating[k] - mean - bi[item[k]];
    userCount[user[k]]++;
  }
  const bu = new Float32Array(users);
  for (let u = 0; u < users; u++) bu[u] = userSum[u] / (shrinkage + userCount[u]);
  return { mean, user: bu, item: bi };
}

/** The optional μ, b_u and b_i terms of a pair model's network, and the table sizes. */
export interface BiasTerms {
  readonly users: number;
  readonly items: number;
  readonly mu?: DenseParam;
  readonly userBias?: TableParam;
  readonly itemBias?: TableParam;
}

/** Sets a network's bias terms, when it has them, to the `baselineBiases` of the training ratings. */
export function startBiasesAtBaseline(net: BiasTerms, trainSet: RatingSubset): void {
  if (net.mu === undefined || net.userBias === undefined || net.itemBias === undefined) return;
  const start = baselineBiases(trainSet, net.users, net.items);
  net.mu.value[0] = start.mean;
  net.mu.sync();
  net.userBias.value.set(start.user);
  net.itemBias.value.set(start.item);
}

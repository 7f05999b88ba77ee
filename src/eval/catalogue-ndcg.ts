/**
 * NDCG@k over the whole catalogue: the top-N reading of "NDCG" in SAFMR's Table 4, whose values
 * (0.06–0.17) no ranking of a user's own rated items can give (docs/REVIEW-MODELS.md, Metrics).
 * It is the NDCG of TAFA's code, SAFMR's third comparator, with the usual cap on the ideal list:
 *
 * 1. For each user, the candidates are all items the user did not rate in training; the model
 *    scores every candidate (through the predictor: clipped, cold-start answered by the fallback).
 * 2. The relevant items T_u are the user's test items rated at least `relevantFrom` (4 of 5, as
 *    TAFA's "rating > 3"); users without one are skipped.
 * 3. DCG@k = Σ_{r ≤ k} 1{item at rank r ∈ T_u} / log₂(r + 1) (binary gains: Eq. 16 with rel ∈ {0, 1});
 *    IDCG@k = Σ_{r ≤ min(k, |T_u|)} 1 / log₂(r + 1); the result is the mean of DCG/IDCG over users.
 *
 * Equal scores are ranked by item index, so a constant predictor's NDCG reflects the data set's
 * item order. The cost is one prediction per (user, candidate): users × items.
 */
import type { Dataset, Split } from '../data/dataset.js';
import { HeedError } from '../util/errors.js';

export interface CatalogueNdcg {
  readonly k: number;
  readonly ndcg: number;
  /** Users with at least one relevant test item (those averaged over). */
  readonly users: number;
  /** Predictions made: the users' candidates. */
  readonly candidates: number;
}

/** Pairs scored per call of `score` (a review model encodes each batch's documents once). */
const CHUNK = 8192;

export function catalogueNdcg(
  dataset: Dataset,
  split: Split,
  score: (users: Int32Array, items: Int32Array) => Float32Array,
  k: number,
  relevantFrom = 4,
): CatalogueNdcg {
  if (!Number.isInteger(k) || k < 1) throw new HeedError(`catalogue NDCG needs an integer k ≥ 1, got ${k}`);
  const nItems = dataset.items.ids.length;
  const { user, item, rating } = dataset.ratings;
  const rated = new Map<number, Set<number>>();
  for (const i of split.train) {
    let set = rated.get(user[i]);
    if (set === undefined) rated.set(user[i], (set = new Set()));
    set.add(item[i]);
  }
  const relevant = new Map<number, Set<number>>();
  for (const i of split.test) {
    if (rating[i] < relevantFrom) continue;
    let set = relevant.get(user[i]);
    if (set === undefined) relevant.set(user[i], (set = new Set()));
    set.add(item[i]);
  }
  const users = [...relevant.keys()].sort((a, b) => a - b);
  let total = 0;
  let candidates = 0;
  // Users are scored a group at a time, each group's candidates in one or a few calls.
  let at = 0;
  while (at < users.length) {
    const group: number[] = [];
    let size = 0;
    while (at < users.length && (group.length === 0 || size + nItems <= CHUNK)) {
      group.push(users[at++]);
      size += nItems;
    }
    const pairUsers: number[] = [];
    const pairItems: number[] = [];
    for (const u of group) {
      const seen = rated.get(u);
      for (let i = 0; i < nItems; i++) {
        if (seen?.has(i) === true) continue;
        pairUsers.push(u);
        pairItems.push(i);
      }
    }
    const scores = score(Int32Array.from(pairUsers), Int32Array.from(pairItems));
    candidates += scores.length;
    let start = 0;
    for (const u of group) {
      let end = start;
      while (end < pairUsers.length && pairUsers[end] === u) end++;
      const order = Array.from({ length: end - start }, (_, r) => start + r).sort(
        (a, b) => scores[b] - scores[a] || pairItems[a] - pairItems[b],
      );
      const wanted = relevant.get(u) ?? new Set<number>();
      let dcg = 0;
      for (let r = 0; r < Math.min(k, order.length); r++) {
        if (wanted.has(pairItems[order[r]])) dcg += 1 / Math.log2(r + 2);
      }
      let idcg = 0;
      for (let r = 0; r < Math.min(k, wanted.size); r++) idcg += 1 / Math.log2(r + 2);
      total += dcg / idcg;
      start = end;
    }
  }
  return { k, ndcg: users.length > 0 ? total / users.length : NaN, users: users.length, candidates };
}

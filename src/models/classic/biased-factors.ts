/**
 * What BiasedMF and SVD++ learn, save and predict with: μ, the biases b_u and b_i, the user
 * factors p_u and the item factors q_i, in the prediction of Koren, Bell & Volinsky (IEEE
 * Computer 2009, Eq. 4)
 *     r̂_ui = μ + b_u + b_i + q_iᵀ x_u,
 * where x_u is p_u (BiasedMF) or p_u + |N(u)|^-1/2 Σ_{j∈N(u)} y_j (SVD++, Koren KDD 2008, Eq. 15;
 * svdpp.ts keeps the y_j and N(u) besides).
 */
import type { ModelState } from '../model.js';
import { checkMetaMatchesConfig, stateArray, stateMeta, unpad } from './mf-common.js';

export interface BiasedFactors {
  /** μ, the mean training rating. */
  readonly mean: number;
  readonly users: number;
  readonly items: number;
  readonly factors: number;
  /** p_u, [users × factors] row-major. */
  readonly userFactors: Float32Array;
  /** q_i, [items × factors] row-major. */
  readonly itemFactors: Float32Array;
  readonly userBias: Float32Array;
  readonly itemBias: Float32Array;
}

/** The parameters of a model not fitted yet: no users, no items. */
export function noBiasedFactors(factors: number): BiasedFactors {
  const none = new Float32Array(0);
  return {
    mean: 0,
    users: 0,
    items: 0,
    factors,
    userFactors: none,
    itemFactors: none,
    userBias: none,
    itemBias: none,
  };
}

/** The tables a wasm SGD trainer leaves: factors in rows of length `stride`, biases. */
export interface TrainedTables {
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  readonly userBias: Float32Array;
  readonly itemBias: Float32Array;
}

/** The parameters of a finished fit, copied out of the trainer's padded tables. */
export function fittedBiasedFactors(
  trained: TrainedTables,
  sizes: { readonly mean: number; readonly users: number; readonly items: number; readonly factors: number },
  stride: number,
): BiasedFactors {
  const { users, items, factors } = sizes;
  return {
    ...sizes,
    userFactors: unpad(trained.userFactors, users, factors, stride),
    itemFactors: unpad(trained.itemFactors, items, factors, stride),
    userBias: trained.userBias.slice(),
    itemBias: trained.itemBias.slice(),
  };
}

/** The meta and arrays a saved state holds for these parameters (a model may add arrays). */
export function biasedFactorsState(f: BiasedFactors): Pick<ModelState, 'meta' | 'arrays'> {
  return {
    meta: { mean: f.mean, users: f.users, items: f.items, factors: f.factors },
    arrays: {
      userFactors: f.userFactors,
      itemFactors: f.itemFactors,
      userBias: f.userBias,
      itemBias: f.itemBias,
    },
  };
}

/**
 * The parameters of a saved state, checked: μ and the table sizes in its meta, a factor count that
 * is the config's (the arrays are read with that row length), and every array float32 of its size.
 */
export function restoreBiasedFactors(state: ModelState, factors: number): BiasedFactors {
  const meta = stateMeta(state, ['mean', 'users', 'items', 'factors']);
  checkMetaMatchesConfig(state, 'factors', meta.factors, factors);
  return {
    mean: meta.mean,
    users: meta.users,
    items: meta.items,
    factors,
    userFactors: stateArray(state, 'userFactors', meta.users * factors),
    itemFactors: stateArray(state, 'itemFactors', meta.items * factors),
    userBias: stateArray(state, 'userBias', meta.users),
    itemBias: stateArray(state, 'itemBias', meta.items),
  };
}

/**
 * Scores of (users[t], items[t]) with x_u = `userVectors` ([users × factors]). An index outside
 * the model (-1 or past the end) drops its bias and the product, so a cold user still gets
 * μ + b_i (Surprise's `SVD.estimate` does the same).
 */
export function predictBiasedFactors(
  f: BiasedFactors,
  userVectors: Float32Array,
  users: Int32Array,
  items: Int32Array,
): Float32Array {
  const out = new Float32Array(users.length);
  const k = f.factors;
  const Q = f.itemFactors;
  for (let t = 0; t < users.length; t++) {
    const u = users[t];
    const i = items[t];
    let score = f.mean;
    const knownUser = u >= 0 && u < f.users;
    const knownItem = i >= 0 && i < f.items;
    if (knownUser) score += f.userBias[u];
    if (knownItem) score += f.itemBias[i];
    if (knownUser && knownItem) {
      const pu = u * k;
      const qi = i * k;
      let dot = 0;
      for (let c = 0; c < k; c++) dot += userVectors[pu + c] * Q[qi + c];
      score += dot;
    }
    out[t] = score;
  }
  return out;
}

/**
 * The L2 penalty of SAIN's code, λ·(‖F‖² + ‖U‖² + ‖V‖²) over the whole feature, user and item
 * embedding tables (added to the loss every step, so PyTorch's Adam shrinks every row every step),
 * estimated from the rows a batch looks up, so that only those rows are touched.
 *
 * A row r used by n_r of the N training examples appears in a batch of B uniformly drawn examples
 * B·n_r/N times on average; weighting each occurrence by N/(B·n_r) makes
 *
 *   λ · Σ_k Σ_{rows r of example k} (N / (B·n_r)) · ‖e_r‖²
 *
 * an unbiased estimate of λ·Σ_r ‖e_r‖² (for the rows that have examples). Rare rows get a large
 * weight on the few steps they appear: over an epoch every row is penalised as much as in the
 * full-table penalty. The alternative, the engine's lazy decay (a fixed λ·w on the rows of a
 * step), penalises a row in proportion to how often it is used, so rare users and items, the
 * ones that overfit, are barely regularised.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Per-row weights N / n_r for a table (0 for rows no example uses). */
export interface RowWeights {
  readonly user: Float32Array;
  readonly item: Float32Array;
  readonly token: Float32Array;
}

/**
 * Counts how many training examples use each user, item and feature token and turns the counts
 * into weights N / n_r. `userRows`/`itemRows` are the token rows (width `userWidth`/`itemWidth`, -1
 * padding) of `feature-tokens.ts`.
 */
export function rowWeights(
  users: Int32Array,
  items: Int32Array,
  sizes: { readonly users: number; readonly items: number; readonly tokens: number },
  tokenRows: {
    readonly userRows: Int32Array;
    readonly itemRows: Int32Array;
    readonly userWidth: number;
    readonly itemWidth: number;
  },
): RowWeights {
  const n = users.length;
  const userCount = new Float64Array(sizes.users);
  const itemCount = new Float64Array(sizes.items);
  for (let k = 0; k < n; k++) {
    userCount[users[k]]++;
    itemCount[items[k]]++;
  }
  const tokenCount = new Float64Array(sizes.tokens);
  const addTokens = (rows: Int32Array, width: number, counts: Float64Array): void => {
    for (let e = 0; e < counts.length; e++) {
      if (counts[e] === 0) continue;
      for (let j = 0; j < width; j++) {
        const t = rows[e * width + j];
        if (t >= 0) tokenCount[t] += counts[e];
      }
    }
  };
  addTokens(tokenRows.userRows, tokenRows.userWidth, userCount);
  addTokens(tokenRows.itemRows, tokenRows.itemWidth, itemCount);
  const weights = (counts: Float64Array): Float32Array =>
    Float32Array.from(counts, (c) => (c > 0 ? n / c : 0));
  return { user: weights(userCount), item: weights(itemCount), token: weights(tokenCount) };
}

/**
 * λ/B · Σ_k (w_u(k)‖u_k‖² + w_i(k)‖v_k‖² + Σ_t w_t(k)‖x_kt‖²) for a batch: `user` [B, d], `item`
 * [B, d] and `tokens` [B, T, d_f] are the looked-up embeddings, `tokenIds` [B·T] their ids (-1
 * padding, weight 0).
 */
export function frequencyL2(
  lambda: number,
  weights: RowWeights,
  batch: {
    readonly users: Int32Array;
    readonly items: Int32Array;
    readonly tokenIds: Int32Array;
    readonly user: tf.Tensor2D;
    readonly item: tf.Tensor2D;
    readonly tokens: tf.Tensor3D;
  },
): tf.Scalar {
  const b = batch.users.length;
  const scale = lambda / b;
  const pick = (w: Float32Array, ids: Int32Array): Float32Array => {
    const out = new Float32Array(ids.length);
    for (let k = 0; k < ids.length; k++) out[k] = ids[k] >= 0 ? w[ids[k]] * scale : 0;
    return out;
  };
  const rowNorms = (e: tf.Tensor): tf.Tensor => tf.sum(tf.square(e), -1);
  const t = batch.tokens.shape[1];
  return tf.addN([
    tf.sum(tf.mul(rowNorms(batch.user), tf.tensor1d(pick(weights.user, batch.users)))),
    tf.sum(tf.mul(rowNorms(batch.item), tf.tensor1d(pick(weights.item, batch.items)))),
    tf.sum(tf.mul(rowNorms(batch.tokens), tf.tensor2d(pick(weights.token, batch.tokenIds), [b, t]))),
  ]) as tf.Scalar;
}

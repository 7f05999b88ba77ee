/**
 * AFM-GAU's inference pass (Chen et al., SIGIR 2018, Eq. 2-5) in plain JavaScript: the same
 * scores as the tensor forward pass in `afm-gau.ts` (test/afm-gau-plain-forward checks them
 * against each other), with the user's attention logits W_a u_i computed once per run of pairs
 * of one user.
 *
 * Why: a pair's pass is a few dot products of width k over the item's handful of features, so
 * with tensors its cost is the engine's per-operation overhead; and `/recommend` scores every
 * item for one user, whose logits over every feature (Eq. 2) do not depend on the item: cached,
 * each item costs a softmax over its own features and one weighted sum.
 */
import type { DenseLayer } from '../../engine/layers/dense.js';
import type { DenseParam, TableParam } from '../../engine/params.js';
import { UsageError } from '../../util/errors.js';
import type { FeatureSlots } from './feature-slots.js';

/** The weights the pass reads (AFM-GAU's network). */
export interface AfmGauWeights {
  readonly users: number;
  readonly items: number;
  readonly slots: FeatureSlots;
  /** u_i, [users, k]. */
  readonly user: TableParam;
  /** x_j0 for rows 0..items-1, then x_l of every one-hot feature l: [items + features, k]. */
  readonly vectors: TableParam;
  /** W_a: row 0 for the item-id vector, row 1 + l for feature l. */
  readonly wa: TableParam;
  readonly hidden?: DenseLayer;
  readonly out?: DenseLayer;
  readonly mu?: DenseParam;
  readonly userBias?: TableParam;
  readonly itemBias?: TableParam;
}

/** The scores (biases included, not clipped) of the pairs (users[k], items[k]). */
export type PlainAfmGauPredict = (users: Int32Array, items: Int32Array) => Float32Array;

export function plainAfmGauPredictor(net: AfmGauWeights, mlpInput: 'product' | 'concat'): PlainAfmGauPredict {
  const k = net.user.dim;
  const { width, codes } = net.slots;
  const rows = net.wa.rows;
  const logits = new Float64Array(rows);
  const weights = new Float64Array(1 + width);
  const v = new Float64Array(k);
  const input = new Float64Array(mlpInput === 'concat' ? 2 * k : k);
  const hiddenUnits = net.hidden === undefined ? 0 : net.hidden.w.shape[1];
  const h = new Float64Array(hiddenUnits);

  return (users, items) => {
    const out = new Float32Array(users.length);
    const u = net.user.value;
    const x = net.vectors.value;
    const wa = net.wa.value;
    let cachedUser = -1;
    for (let n = 0; n < users.length; n++) {
      const user = users[n];
      const item = items[n];
      if (!(user >= 0 && user < net.users && item >= 0 && item < net.items)) {
        throw new UsageError(
          `afm-gau: pair ${n} (user index ${user}, item index ${item}) is outside the trained data`,
        );
      }
      const ua = user * k;
      // W_a u_i for every row (Eq. 2), kept while the user stays the same.
      if (user !== cachedUser) {
        for (let r = 0; r < rows; r++) {
          let dot = 0;
          for (let c = 0; c < k; c++) dot += u[ua + c] * wa[r * k + c];
          logits[r] = dot;
        }
        cachedUser = user;
      }
      // α over the item id (slot 0) and the item's present features, softmax (Eq. 2).
      let max = logits[0];
      for (let t = 0; t < width; t++) {
        const code = codes[item * width + t];
        if (code >= 0 && logits[1 + code] > max) max = logits[1 + code];
      }
      weights[0] = Math.exp(logits[0] - max);
      let sum = weights[0];
      for (let t = 0; t < width; t++) {
        const code = codes[item * width + t];
        weights[1 + t] = code >= 0 ? Math.exp(logits[1 + code] - max) : 0;
        sum += weights[1 + t];
      }
      // v_ij = Σ_l α_il x_jl (Eq. 3).
      for (let c = 0; c < k; c++) v[c] = (weights[0] / sum) * x[item * k + c];
      for (let t = 0; t < width; t++) {
        if (weights[1 + t] === 0) continue;
        const a = weights[1 + t] / sum;
        const row = (net.items + codes[item * width + t]) * k;
        for (let c = 0; c < k; c++) v[c] += a * x[row + c];
      }
      let score = 0;
      if (net.hidden === undefined || net.out === undefined) {
        for (let c = 0; c < k; c++) score += u[ua + c] * v[c]; // Eq. 4
      } else {
        if (mlpInput === 'product') for (let c = 0; c < k; c++) input[c] = u[ua + c] * v[c];
        else
          for (let c = 0; c < k; c++) {
            input[c] = u[ua + c];
            input[k + c] = v[c];
          }
        score = mlp(input, net.hidden, net.out, h); // Eq. 5
      }
      if (net.mu !== undefined && net.userBias !== undefined && net.itemBias !== undefined) {
        score += net.mu.value[0] + net.userBias.value[user] + net.itemBias.value[item];
      }
      out[n] = score;
    }
    return out;
  };
}

/** One sigmoid hidden layer, then a linear unit (dropout is off at inference). */
function mlp(input: Float64Array, hidden: DenseLayer, out: DenseLayer, h: Float64Array): number {
  const w = hidden.w.value;
  const units = h.length;
  for (let c = 0; c < units; c++) h[c] = hidden.b === undefined ? 0 : hidden.b.value[c];
  for (let e = 0; e < input.length; e++) {
    const xe = input[e];
    for (let c = 0; c < units; c++) h[c] += xe * w[e * units + c];
  }
  let y = out.b === undefined ? 0 : out.b.value[0];
  for (let c = 0; c < units; c++) y += out.w.value[c] / (1 + Math.exp(-h[c]));
  return y;
}

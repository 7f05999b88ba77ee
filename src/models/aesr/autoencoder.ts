/**
 * AESR's autoencoder and its joint objective (Nisha & Mohan, "A social recommender system using
 * deep architecture and network embedding", Applied Intelligence 49, 2019, §3). A row of the
 * rating matrix is encoded and decoded, f and g both ReLU (the paper's note 1). Written here for
 * `input` = user (a user's row of ratings; `input` = item swaps users and items, see
 * `decoderSocialGradient` for where the friends' term goes then):
 *
 *     h_u = f(W r_u + b),      r̂_ui = g(V_i · h_u + c_i),
 *
 * and the loss adds to the reconstruction error on the observed ratings a pull of each user's code
 * towards those of its top-k semantic friends T(u) (`semantic-friends.ts`), weighted by their
 * similarity s_uv:
 *
 *     E = ½ Σ_(u,i) (r_ui − r̂_ui)² + β/2 Σ_u Σ_{v∈T(u)} s_uv ‖h_u − h_v‖² + λ/2 (‖W‖² + ‖V‖²).
 *
 * Only observed ratings enter r_u (the others are 0) and the error, so a user costs
 * O(ratings × hidden), not O(items × hidden). The input row is scaled by |R(u)|^-1/2 (R(u): the
 * user's training ratings), as SVD++ scales its implicit sum: the paper does not say how it feeds
 * r_u, and unscaled, a heavy user's pre-activation moves by hundreds of steps at once and the
 * ReLU units die in the first epochs (every code 0, every prediction c_i). A batch's gradient treats the friends' codes as
 * fixed (computed at the start of the epoch) and walks the symmetric friend graph, so that the
 * gradient with respect to h_u is β Σ over u's partners p of w_up (h_u − h_p), both directions of
 * every friendship included. The L2 term is left to the optimizer (`aesr.ts`).
 */
import type { Neighbourhoods } from '../neighbour-graph.js';

/**
 * The autoencoder's input rows, CSR: row r's entries are `items[offsets[r] .. offsets[r+1])` with
 * their ratings. With `input` = user a row is a user and its entries items; with `input` = item,
 * a row is an item and its entries users (the names follow the first case).
 */
export interface RatingRows {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
}

/** W as rows per input item [items × hidden], b [hidden], V [items × hidden], c [items]. */
export interface AutoencoderWeights {
  readonly hidden: number;
  readonly encoder: Float32Array;
  readonly encoderBias: Float32Array;
  readonly decoder: Float32Array;
  readonly decoderBias: Float32Array;
}

/**
 * h_u = ReLU(W x_u + b), x_u = r_u |R(u)|^-1/2, into `out` [hidden]; `preActivation` gets W r_u + b when given. With
 * `inputScale`, rating p enters as r_p · inputScale[p] (dropout's 0 or 1/(1 − rate)).
 */
export function encode(
  w: AutoencoderWeights,
  rows: RatingRows,
  u: number,
  out: Float64Array,
  preActivation?: Float64Array,
  inputScale?: Float32Array,
): void {
  const H = w.hidden;
  for (let j = 0; j < H; j++) out[j] = w.encoderBias[j];
  for (let p = rows.offsets[u]; p < rows.offsets[u + 1]; p++) {
    const at = rows.items[p] * H;
    const r = inputValue(rows, u, p, inputScale);
    if (r === 0) continue;
    for (let j = 0; j < H; j++) out[j] += r * w.encoder[at + j];
  }
  if (preActivation) preActivation.set(out);
  for (let j = 0; j < H; j++) if (out[j] < 0) out[j] = 0;
}

/** Entry p (a rating of user u) of the encoder's input: r_p |R(u)|^-1/2, times its dropout scale. */
function inputValue(rows: RatingRows, u: number, p: number, inputScale: Float32Array | undefined): number {
  const scaled = rows.ratings[p] / Math.sqrt(rows.offsets[u + 1] - rows.offsets[u]);
  return inputScale ? scaled * inputScale[p] : scaled;
}

/** V_i · h + c_i, before the output ReLU. */
export function decodeLinear(w: AutoencoderWeights, h: Float64Array, i: number): number {
  const H = w.hidden;
  let o = w.decoderBias[i];
  for (let j = 0; j < H; j++) o += w.decoder[i * H + j] * h[j];
  return o;
}

/** Every user's code h_u [users × hidden]. */
export function encodeAll(w: AutoencoderWeights, rows: RatingRows): Float64Array {
  const users = rows.offsets.length - 1;
  const codes = new Float64Array(users * w.hidden);
  const h = new Float64Array(w.hidden);
  for (let u = 0; u < users; u++) {
    encode(w, rows, u, h);
    codes.set(h, u * w.hidden);
  }
  return codes;
}

/** Gradient buffers shaped like the weights, and the items a batch touched. */
export interface AutoencoderGradient {
  readonly encoder: Float32Array;
  readonly encoderBias: Float32Array;
  readonly decoder: Float32Array;
  readonly decoderBias: Float32Array;
  readonly touched: Set<number>;
}

export function zeroGradient(items: number, hidden: number): AutoencoderGradient {
  return {
    encoder: new Float32Array(items * hidden),
    encoderBias: new Float32Array(hidden),
    decoder: new Float32Array(items * hidden),
    decoderBias: new Float32Array(items),
    touched: new Set(),
  };
}

/** Clears the rows `touched` lists (and the bias), ready for the next batch. */
export function clearGradient(g: AutoencoderGradient, hidden: number): void {
  for (const i of g.touched) {
    g.encoder.fill(0, i * hidden, (i + 1) * hidden);
    g.decoder.fill(0, i * hidden, (i + 1) * hidden);
    g.decoderBias[i] = 0;
  }
  g.encoderBias.fill(0);
  g.touched.clear();
}

/**
 * Adds the gradient of the batch's part of E (reconstruction of its users' ratings and their
 * friend terms, friends' codes fixed at `friendCodes`) to `g`; returns that part of E. With
 * `inputScale` (see `encode`) the code sees the dropped-out input while every rating stays a
 * target: the denoising that keeps the code from copying a rating to its own output.
 */
export function batchGradient(
  w: AutoencoderWeights,
  rows: RatingRows,
  batch: Int32Array,
  friends: Neighbourhoods,
  friendCodes: Float64Array,
  beta: number,
  g: AutoencoderGradient,
  inputScale?: Float32Array,
): number {
  const H = w.hidden;
  const z = new Float64Array(H);
  const h = new Float64Array(H);
  const dh = new Float64Array(H);
  let loss = 0;
  for (const u of batch) {
    encode(w, rows, u, h, z, inputScale);
    dh.fill(0);
    for (let p = rows.offsets[u]; p < rows.offsets[u + 1]; p++) {
      const i = rows.items[p];
      g.touched.add(i);
      const o = decodeLinear(w, h, i);
      const e = Math.max(0, o) - rows.ratings[p];
      loss += 0.5 * e * e;
      if (o <= 0) continue; // the output ReLU passes no gradient
      g.decoderBias[i] += e;
      for (let j = 0; j < H; j++) {
        g.decoder[i * H + j] += e * h[j];
        dh[j] += e * w.decoder[i * H + j];
      }
    }
    for (let p = friends.offsets[u]; p < friends.offsets[u + 1]; p++) {
      const v = friends.items[p];
      const s = beta * friends.weights[p];
      for (let j = 0; j < H; j++) {
        const diff = h[j] - friendCodes[v * H + j];
        loss += 0.5 * s * diff * diff;
        dh[j] += s * diff;
      }
    }
    for (let j = 0; j < H; j++) if (z[j] <= 0) dh[j] = 0; // the code's ReLU
    for (let j = 0; j < H; j++) g.encoderBias[j] += dh[j];
    for (let p = rows.offsets[u]; p < rows.offsets[u + 1]; p++) {
      const at = rows.items[p] * H;
      const r = inputValue(rows, u, p, inputScale);
      for (let j = 0; j < H; j++) g.encoder[at + j] += r * dh[j];
    }
  }
  return loss;
}

/**
 * The friends' term when the autoencoder reads item rows (`input` = item, as I-AutoRec does): user u
 * is then an entry, not a row, and its vector is the decoder's row V_u, so the friends are pulled
 * together there: E_s = β/2 Σ_u Σ_{v∈T(u)} s_uv ‖V_u − V_v‖² (the user-row form with V_u for h_u).
 * Over the symmetric graph S it is the sum over users of e_u = β/4 Σ_{p∈S(u)} w_up ‖V_u − V_p‖².
 * This adds the gradient of Σ_{u∈users} e_u, β/2 w_up (V_u − V_p) to V_u and its opposite to V_p,
 * and returns that sum: the batches of an epoch each take a slice of the users, so an epoch adds
 * E_s's gradient once, at the cost of one pass over the friendships.
 */
export function decoderSocialGradient(
  w: AutoencoderWeights,
  friends: Neighbourhoods,
  beta: number,
  users: Int32Array,
  g: AutoencoderGradient,
): number {
  const H = w.hidden;
  const V = w.decoder;
  let loss = 0;
  for (const u of users) {
    if (friends.offsets[u + 1] > friends.offsets[u]) g.touched.add(u);
    for (let p = friends.offsets[u]; p < friends.offsets[u + 1]; p++) {
      const v = friends.items[p];
      g.touched.add(v);
      const s = beta * friends.weights[p];
      for (let j = 0; j < H; j++) {
        const diff = V[u * H + j] - V[v * H + j];
        loss += 0.25 * s * diff * diff;
        g.decoder[u * H + j] += 0.5 * s * diff;
        g.decoder[v * H + j] -= 0.5 * s * diff;
      }
    }
  }
  return loss;
}

/**
 * SAIN's inference forward pass (Yun et al., SIGIR 2019, Eq. 1-8 and §2.3) in plain JavaScript,
 * one pair at a time, over scratch arrays allocated once per model: the combined score, the same
 * number `sainForward` computes with tensors (test/sain-plain-forward checks them against each
 * other), without any tensor.
 *
 * Why: at inference a pair's forward pass is small (about 8 real tokens of width 16, two 64-wide
 * maps), so with tensors its time is the engine's per-operation overhead, not arithmetic: dozens
 * of kernels, each a tensor allocated and freed, a `tidy` scope and a read back, per request.
 * That per-request setup, and the garbage it leaves, was most of a single `/predict`'s time and
 * its tail (BENCHMARKS.md, issue 11). Here a pair costs a few microseconds and allocates nothing.
 *
 * What makes one pair at a time exact: at inference nothing couples the pairs of a batch. Batch
 * norm uses its running statistics, dropout is off, and the attention of a pair sees only the
 * pair's tokens; padding tokens (a batch's shorter rows) get no attention and pool with weight 0,
 * so leaving them out, as this file does, changes no real token's value.
 */
import type { Activation } from '../../engine/layers/dense.js';
import { UsageError } from '../../util/errors.js';
import type { FeatureTokens } from './feature-tokens.js';
import type { SainNetwork } from './sain-network.js';

export interface PlainForwardSettings {
  /** K of the top-K selection; undefined keeps every real key. */
  readonly topK?: number;
  readonly projection: Activation;
}

/** The combined score (biases included, not clipped) of every pair (users[k], items[k]). */
export type PlainSainPredict = (users: Int32Array, items: Int32Array) => Float32Array;

/** A predictor over `net`'s current weights (it reads them on every call, so it never goes stale). */
export function plainSainPredictor(
  net: SainNetwork,
  tokens: FeatureTokens,
  settings: PlainForwardSettings,
): PlainSainPredict {
  const s = net.sizes;
  const df = s.featureDim;
  const dim = s.dim;
  const heads = s.heads;
  const dk = df / heads;
  const width = 3 * heads * dk;
  const maxTokens = tokens.userWidth + tokens.itemWidth;
  const activation = activationOf(settings.projection);

  // Scratch, reused by every pair: nothing is allocated per prediction.
  const ids = new Int32Array(maxTokens);
  const slot = new Int32Array(maxTokens);
  const weight = new Float64Array(maxTokens);
  const x = new Float64Array(maxTokens * df);
  const proj = new Float64Array(maxTokens * width);
  const attended = new Float64Array(maxTokens * df);
  const scores = new Float64Array(maxTokens);
  const kept = new Uint8Array(maxTokens);
  const userSlots = new Float64Array(Math.max(1, s.userSlots) * df);
  const itemSlots = new Float64Array(Math.max(1, s.itemSlots) * df);
  const userFilled = new Uint8Array(s.userSlots);
  const itemFilled = new Uint8Array(s.itemSlots);
  const userContent = new Float64Array(dim);
  const itemContent = new Float64Array(dim);
  const userCombined = new Float64Array(dim);
  const itemCombined = new Float64Array(dim);
  const scale = 1 / Math.sqrt(dk);

  /** The pair's real tokens in `ids`, with their slot (user slots, then item slots) and pooling weight. */
  const gatherTokens = (user: number, item: number): number => {
    let t = 0;
    const side = (
      fields: FeatureTokens['userFields'],
      rows: Int32Array,
      rowWidth: number,
      entity: number,
      slotOffset: number,
    ): void => {
      for (const f of fields) {
        const base = entity * rowWidth + f.column;
        let n = 0;
        while (n < f.width && rows[base + n] >= 0) n++;
        // As tokenBatch: a multi-valued field's tokens share its slot as their mean, or (`value`)
        // each has its own slot with weight 1.
        const w = f.multi && tokens.multiSlots === 'mean' ? 1 / n : 1;
        for (let j = 0; j < n; j++) {
          const id = rows[base + j];
          ids[t] = id;
          slot[t] = slotOffset + tokens.slotOfToken[id];
          weight[t] = w;
          t++;
        }
      }
    };
    side(tokens.userFields, tokens.userRows, tokens.userWidth, user, 0);
    side(tokens.itemFields, tokens.itemRows, tokens.itemWidth, item, s.userSlots);
    return t;
  };

  /** Q, K, V of every head (Eq. 1-2's x W, with SAIN's code's activation) of `from[at ..]` into `to[into ..]`. */
  const project = (
    layerIndex: number,
    from: Float64Array | Float32Array,
    at: number,
    to: Float64Array,
    into: number,
  ): void => {
    const { w: weight, b: bias } = net.interaction[layerIndex].attention.qkv;
    const w = weight.value;
    const b = bias?.value;
    for (let c = 0; c < width; c++) to[into + c] = b === undefined ? 0 : b[c];
    for (let e = 0; e < df; e++) {
      const xe = from[at + e];
      const row = e * width;
      for (let c = 0; c < width; c++) to[into + c] += xe * w[row + c];
    }
    for (let c = 0; c < width; c++) to[into + c] = activation(to[into + c]);
  };

  // The first layer projects token embeddings, so a token's projection is the same in every pair:
  // computed once per call (weights do not change within one) and copied after that.
  const tokenProj = new Float64Array(s.vocabulary * width);
  const tokenProjCall = new Int32Array(s.vocabulary);
  let call = 0;

  /** One feature-level interaction layer (Eq. 1-4, then batch norm) on x[0 .. t). */
  const interact = (layerIndex: number, t: number): void => {
    const layer = net.interaction[layerIndex];
    for (let i = 0; i < t; i++) {
      if (layerIndex > 0) {
        project(layerIndex, x, i * df, proj, i * width);
        continue;
      }
      const id = ids[i];
      if (tokenProjCall[id] !== call) {
        project(0, net.features.value, id * df, tokenProj, id * width);
        tokenProjCall[id] = call;
      }
      proj.set(tokenProj.subarray(id * width, (id + 1) * width), i * width);
    }
    const keep = settings.topK === undefined ? t : Math.min(settings.topK, t);
    for (let h = 0; h < heads; h++) {
      const qOff = h * dk;
      const kOff = heads * dk + h * dk;
      const vOff = 2 * heads * dk + h * dk;
      for (let i = 0; i < t; i++) {
        for (let j = 0; j < t; j++) {
          let dot = 0;
          for (let c = 0; c < dk; c++) dot += proj[i * width + qOff + c] * proj[j * width + kOff + c];
          scores[j] = dot * scale;
        }
        // Top-K (Eq. 1, §3.5.2): drop the t − K smallest scores; among equal scores the higher
        // index goes first, so ties keep the lower index (as attention-core.ts).
        kept.fill(1, 0, t);
        for (let d = t - keep; d > 0; d--) {
          let at = -1;
          let worst = Infinity;
          for (let j = t - 1; j >= 0; j--) {
            if (kept[j] !== 0 && (at < 0 || scores[j] < worst)) {
              worst = scores[j];
              at = j;
            }
          }
          kept[at] = 0;
        }
        let max = -Infinity;
        for (let j = 0; j < t; j++) if (kept[j] !== 0 && scores[j] > max) max = scores[j];
        let sum = 0;
        for (let j = 0; j < t; j++) {
          scores[j] = kept[j] !== 0 ? Math.exp(scores[j] - max) : 0;
          sum += scores[j];
        }
        // x̃_i^(h) = Σ_j α_ij v_j (Eq. 2), heads side by side (Eq. 3).
        for (let c = 0; c < dk; c++) {
          let v = 0;
          for (let j = 0; j < t; j++) if (scores[j] !== 0) v += scores[j] * proj[j * width + vOff + c];
          attended[i * df + qOff + c] = v / sum;
        }
      }
    }
    // x̄ = max(x̃ + x, 0) (Eq. 4), then batch norm with the running statistics.
    const { gamma, beta, runningMean, runningVar, epsilon } = layer.norm;
    for (let i = 0; i < t; i++) {
      for (let c = 0; c < df; c++) {
        const r = Math.max(0, attended[i * df + c] + x[i * df + c]);
        x[i * df + c] =
          ((r - runningMean.value[c]) * gamma.value[c]) / Math.sqrt(runningVar.value[c] + epsilon) +
          beta.value[c];
      }
    }
  };

  /**
   * X̄ of one side (Eq. 5-6): Linear → ReLU over the concatenated slot vectors. Only the slots
   * that got a token are read (`filled`): with one slot per genre most are empty.
   */
  const contentOf = (
    map: NonNullable<SainNetwork['userMap']>,
    slots: Float64Array,
    filled: Uint8Array,
    out: Float64Array,
  ): void => {
    const w = map.w.value;
    const b = map.b?.value;
    for (let c = 0; c < dim; c++) out[c] = b === undefined ? 0 : b[c];
    for (let k = 0; k < filled.length; k++) {
      if (filled[k] === 0) continue;
      for (let e = k * df; e < (k + 1) * df; e++) {
        const v = slots[e];
        const row = e * dim;
        for (let c = 0; c < dim; c++) out[c] += v * w[row + c];
      }
    }
    for (let c = 0; c < dim; c++) if (out[c] < 0) out[c] = 0;
  };

  /** X = α_CF·X_CF + (1 − α_CF)·X̄ with α_CF = σ((X_CF − X̄)·g) (Eq. 7-8). */
  const integrate = (cf: Float32Array, cfAt: number, content: Float64Array, out: Float64Array): void => {
    const g = net.integration.g.w.value;
    let logit = 0;
    for (let c = 0; c < dim; c++) logit += (cf[cfAt + c] - content[c]) * g[c];
    const alpha = 1 / (1 + Math.exp(-logit));
    for (let c = 0; c < dim; c++) out[c] = content[c] + alpha * (cf[cfAt + c] - content[c]);
  };

  return (users, items) => {
    call++;
    const out = new Float32Array(users.length);
    const features = net.features.value;
    const userCf = net.userCf.value;
    const itemCf = net.itemCf.value;
    for (let k = 0; k < users.length; k++) {
      const user = users[k];
      const item = items[k];
      if (!(user >= 0 && user < s.users && item >= 0 && item < s.items)) {
        throw new UsageError(
          `sain: pair ${k} (user index ${user}, item index ${item}) is outside the trained data`,
        );
      }
      const t = gatherTokens(user, item);
      for (let i = 0; i < t; i++) {
        const row = ids[i] * df;
        for (let c = 0; c < df; c++) x[i * df + c] = features[row + c];
      }
      for (let l = 0; l < net.interaction.length; l++) interact(l, t);
      userSlots.fill(0);
      itemSlots.fill(0);
      userFilled.fill(0);
      itemFilled.fill(0);
      for (let i = 0; i < t; i++) {
        const onUserSide = slot[i] < s.userSlots;
        const target = onUserSide ? userSlots : itemSlots;
        const k = onUserSide ? slot[i] : slot[i] - s.userSlots;
        (onUserSide ? userFilled : itemFilled)[k] = 1;
        for (let c = 0; c < df; c++) target[k * df + c] += weight[i] * x[i * df + c];
      }
      // A side without feature fields uses its feedback vector as its content vector.
      if (net.userMap === undefined) for (let c = 0; c < dim; c++) userContent[c] = userCf[user * dim + c];
      else contentOf(net.userMap, userSlots, userFilled, userContent);
      if (net.itemMap === undefined) for (let c = 0; c < dim; c++) itemContent[c] = itemCf[item * dim + c];
      else contentOf(net.itemMap, itemSlots, itemFilled, itemContent);
      integrate(userCf, user * dim, userContent, userCombined);
      integrate(itemCf, item * dim, itemContent, itemCombined);
      let score = net.globalBias.value[0] + net.userBias.value[user] + net.itemBias.value[item];
      for (let c = 0; c < dim; c++) score += userCombined[c] * itemCombined[c];
      out[k] = score;
    }
    return out;
  };
}

/** The projection's activation as a scalar function (tfjs's definitions; leakyRelu's slope 0.2 as `activate`). */
function activationOf(a: Activation): (v: number) => number {
  switch (a) {
    case 'linear':
      return (v) => v;
    case 'relu':
      return (v) => (v > 0 ? v : 0);
    case 'sigmoid':
      return (v) => 1 / (1 + Math.exp(-v));
    case 'tanh':
      return Math.tanh;
    case 'leakyRelu':
      return (v) => (v > 0 ? v : 0.2 * v);
    case 'elu':
      return (v) => (v > 0 ? v : Math.exp(v) - 1);
  }
}

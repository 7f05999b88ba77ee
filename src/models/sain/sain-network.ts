/**
 * The SAIN network (Yun et al., "SAIN: Self-Attentive Integration Network for Recommendation",
 * SIGIR 2019, Figure 2): its parameters, its forward pass to the three scores, and the loss of
 * Eq. 9.
 *
 * - Feature-level interaction layer (§2.1, Eq. 1-4): `feature-interaction.ts`, over the pair's
 *   feature tokens (`feature-tokens.ts`), `layers` times.
 * - Per-side fully connected maps (Eq. 5-6): X̄^u = f_user(Concat(x̄_1^u … x̄_m^u)), X̄^v likewise,
 *   one slot per field. As in SAIN's code, f is Linear → ReLU → dropout. A side without feature
 *   fields uses its feedback vector as its content vector (SAIN's code does this for users).
 * - Content score X̄^u · X̄^v, preference score X_CF^u · X_CF^v (§2.2).
 * - Information integration layer (Eq. 7-8): `integration.ts`, per side; combined score X^u · X^v
 *   (§2.3).
 * - SAIN's code adds a global bias and user and item biases to all three scores (the paper does
 *   not mention them); Heed does the same, the global bias starting at the training mean.
 * - Eq. 9: the model minimises the RMSE of all three scores, summed; only the combined score
 *   predicts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyDense, type Activation, type DenseLayer } from '../../engine/layers/dense.js';
import type { DenseParam, Params, TableParam } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import {
  declareFeatureInteraction,
  featureInteraction,
  type FeatureInteractionLayer,
} from './feature-interaction.js';
import type { TokenBatch } from './feature-tokens.js';
import { declareIntegration, integrate, type IntegrationLayer } from './integration.js';

export interface SainSizes {
  readonly users: number;
  readonly items: number;
  /** Distinct feature tokens. */
  readonly vocabulary: number;
  /** Feature fields (slots) per side. */
  readonly userSlots: number;
  readonly itemSlots: number;
  /** d of the feedback vectors and of the content vectors X̄. */
  readonly dim: number;
  /** d of the feature token embeddings (the attention's width). */
  readonly featureDim: number;
  readonly heads: number;
  readonly layers: number;
  /** Std of the normal initialisation of embeddings and of the maps f and g (SAIN's code: 0.01). */
  readonly initStd: number;
  /**
   * Std of the feature token embeddings. Attention scores are products of two projections of
   * them: at std 0.01 every score is ~1e-4 and every attention row is uniform, and stays so.
   */
  readonly featureInitStd: number;
  /**
   * L2 multiplier of the feature token table (like `tableL2`). Batch norm after the attention
   * makes the content path blind to the scale of the token embeddings, so an L2 penalty on them
   * meets no resistance: it shrinks them until the attention scores vanish.
   */
  readonly featureL2: number;
  readonly globalMean: number;
  /**
   * L2 multiplier of the embedding tables for Adam's coupled decay λ·l2·w: 2 matches the gradient
   * 2λw of λ·Σw²; 0 when the penalty is in the loss (`frequency-l2.ts`).
   */
  readonly tableL2: number;
  /**
   * `sparse`: the engine's row-sparse tables (a step touches the rows of its batch). `dense`: the
   * feature, user and item tables are dense weights, updated whole by every Adam step, as PyTorch
   * does in SAIN's code (with `tableL2` 2 that is its full-table L2, every row every step).
   */
  readonly tables: 'sparse' | 'dense';
}

export interface SainNetwork {
  readonly sizes: SainSizes;
  readonly features: TableParam | DenseParam;
  readonly userCf: TableParam | DenseParam;
  readonly itemCf: TableParam | DenseParam;
  readonly userBias: TableParam;
  readonly itemBias: TableParam;
  readonly globalBias: DenseParam;
  readonly interaction: readonly FeatureInteractionLayer[];
  readonly userMap?: DenseLayer;
  readonly itemMap?: DenseLayer;
  readonly integration: IntegrationLayer;
}

export function declareSainNetwork(params: Params, s: SainSizes): SainNetwork {
  const normal = { kind: 'normal' as const, std: s.initStd };
  const table = (name: string, rows: number, dim: number): TableParam | DenseParam =>
    s.tables === 'dense'
      ? params.dense(name, [rows, dim], { init: normal, l2: s.tableL2 })
      : params.table(name, rows, dim, { init: normal, l2: s.tableL2 });
  const featureOptions = { init: { kind: 'normal' as const, std: s.featureInitStd }, l2: s.featureL2 };
  const features =
    s.tables === 'dense'
      ? params.dense('features', [s.vocabulary, s.featureDim], featureOptions)
      : params.table('features', s.vocabulary, s.featureDim, featureOptions);
  const userCf = table('userCf', s.users, s.dim);
  const itemCf = table('itemCf', s.items, s.dim);
  const userBias = params.table('userBias', s.users, 1, { init: { kind: 'zeros' }, l2: 0 });
  const itemBias = params.table('itemBias', s.items, 1, { init: { kind: 'zeros' }, l2: 0 });
  const globalBias = params.dense('globalBias', [1], {
    init: { kind: 'constant', value: s.globalMean },
    l2: 0,
  });
  const interaction: FeatureInteractionLayer[] = [];
  for (let l = 0; l < s.layers; l++)
    interaction.push(declareFeatureInteraction(params, `interaction${l}`, s.featureDim, s.heads));
  const map = (name: string, slots: number): DenseLayer | undefined =>
    slots === 0
      ? undefined
      : {
          w: params.dense(`${name}.w`, [slots * s.featureDim, s.dim], { init: normal, l2: 0 }),
          b: params.dense(`${name}.b`, [s.dim], { init: { kind: 'zeros' }, l2: 0 }),
        };
  return {
    sizes: s,
    features,
    userCf,
    itemCf,
    userBias,
    itemBias,
    globalBias,
    interaction,
    userMap: map('userMap', s.userSlots),
    itemMap: map('itemMap', s.itemSlots),
    integration: declareIntegration(params, 'integration', s.dim, s.initStd),
  };
}

export interface SainInputs {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly tokens: TokenBatch;
}

export interface SainSettings {
  /** K of the top-K selection in the attention; undefined keeps every score. */
  readonly topK?: number;
  readonly dropout: number;
  readonly projection: Activation;
}

export interface SainOutputs {
  /** [B] each, biases included. */
  readonly content: tf.Tensor1D;
  readonly preference: tf.Tensor1D;
  readonly combined: tf.Tensor1D;
  /** Per interaction layer: [B, H, T, T] attention weights. */
  readonly attention: readonly tf.Tensor4D[];
  /** [B, 1] α_CF of users and of items (Eq. 7). */
  readonly alphaUser: tf.Tensor2D;
  readonly alphaItem: tf.Tensor2D;
  /** The looked-up embeddings (for the L2 penalty): feedback vectors [B, d], feature tokens [B, T, d_f]. */
  readonly embeddings: {
    readonly user: tf.Tensor2D;
    readonly item: tf.Tensor2D;
    readonly tokens: tf.Tensor3D;
  };
}

/** What the three scores are made of: the per-side vectors and the biases of a batch. */
export interface SainVectors {
  /** [B, d] feedback vectors X_CF and content vectors X̄ (Eq. 6). */
  readonly cfUser: tf.Tensor2D;
  readonly cfItem: tf.Tensor2D;
  readonly contentUser: tf.Tensor2D;
  readonly contentItem: tf.Tensor2D;
  /** [B] global + user + item bias. */
  readonly bias: tf.Tensor1D;
  readonly attention: readonly tf.Tensor4D[];
  readonly embeddings: SainOutputs['embeddings'];
}

/** The network up to the integration layer: feature interaction, slot maps, lookups. */
export function sainVectors(
  net: SainNetwork,
  inputs: SainInputs,
  settings: SainSettings,
  ctx: StepContext,
): SainVectors {
  const { users, items, tokens } = inputs;
  const b = users.length;
  const t = tokens.length;
  const { dropout } = settings;

  // Feature-level interaction layer (Eq. 1-4).
  const embedded = lookup(ctx, net.features, tokens.ids, [b, t]) as tf.Tensor3D;
  let x = embedded;
  const attention: tf.Tensor4D[] = [];
  for (const layer of net.interaction) {
    const r = featureInteraction(x, layer, {
      mask: tokens.mask,
      topK: settings.topK,
      dropout,
      projection: settings.projection,
      ctx,
    });
    x = r.output;
    attention.push(r.weights);
  }

  // One vector per slot, pooled into place (a token's slot and weight come from `tokenBatch`),
  // then Eq. 5-6 per side.
  const u = tokens.userSlots;
  const v = tokens.itemSlots;
  const side = (from: number, count: number): tf.Tensor2D =>
    slotPool(x, tokens.segments, tokens.poolWeight, from, b, count);
  const map = (layer: DenseLayer, v: tf.Tensor2D): tf.Tensor2D =>
    ctx.dropout(applyDense(v, layer, 'relu'), dropout) as tf.Tensor2D;

  const cfUser = lookup(ctx, net.userCf, users, [b]) as tf.Tensor2D;
  const cfItem = lookup(ctx, net.itemCf, items, [b]) as tf.Tensor2D;
  const contentUser = net.userMap === undefined ? cfUser : map(net.userMap, side(0, u));
  const contentItem = net.itemMap === undefined ? cfItem : map(net.itemMap, side(b * u, v));

  const bias = tf.add(
    tf.add(
      tf.reshape(ctx.lookup(net.userBias, users), [b]),
      tf.reshape(ctx.lookup(net.itemBias, items), [b]),
    ),
    net.globalBias.variable,
  ) as tf.Tensor1D;
  return {
    cfUser,
    cfItem,
    contentUser,
    contentItem,
    bias,
    attention,
    embeddings: { user: cfUser, item: cfItem, tokens: embedded },
  };
}

export function sainForward(
  net: SainNetwork,
  inputs: SainInputs,
  settings: SainSettings,
  ctx: StepContext,
): SainOutputs {
  const { cfUser, cfItem, contentUser, contentItem, bias, attention, embeddings } = sainVectors(
    net,
    inputs,
    settings,
    ctx,
  );
  const score = (p: tf.Tensor2D, q: tf.Tensor2D): tf.Tensor1D => tf.add(tf.sum(tf.mul(p, q), 1), bias);

  // Information integration layer (Eq. 7-8) and the output layer (§2.3).
  const user = integrate(cfUser, contentUser, net.integration);
  const item = integrate(cfItem, contentItem, net.integration);
  return {
    content: score(contentUser, contentItem),
    preference: score(cfUser, cfItem),
    combined: score(user.combined, item.combined),
    attention,
    alphaUser: user.alpha,
    alphaItem: item.alpha,
    embeddings,
  };
}

/** Rows `ids` (-1: a zero vector) of a sparse table or of a dense weight [rows, dim]: [...shape, dim]. */
function lookup(ctx: StepContext, p: TableParam | DenseParam, ids: Int32Array, shape: number[]): tf.Tensor {
  if (p.kind === 'table') return ctx.lookup(p, ids, shape);
  const dim = p.shape[1];
  let padding = false;
  const safe = new Int32Array(ids.length);
  for (let k = 0; k < ids.length; k++) {
    if (ids[k] < 0) padding = true;
    else safe[k] = ids[k];
  }
  let rows = tf.gather(p.variable, tf.tensor1d(safe, 'int32'));
  if (padding)
    rows = tf.mul(
      rows,
      tf.tensor2d(
        Float32Array.from(ids, (i) => (i < 0 ? 0 : 1)),
        [ids.length, 1],
      ),
    );
  return tf.reshape(rows, [...shape, dim]);
}

/**
 * The slot vectors of one side, [B, count·d_f]: row k holds slots `from + k·count …` of
 * `segments` (see `TokenBatch`), slot s the sum of weight × token vector over the tokens it
 * gets. Tokens of the other side and padding fall outside the range and are skipped. One loop
 * each way; as tensor ops it was a weighted segment sum, two slices and their gradients (pads,
 * tfjs's gatherDropNegatives), ~15% of a step.
 */
function slotPool(
  x: tf.Tensor3D,
  segments: Int32Array,
  weight: Float32Array,
  from: number,
  b: number,
  count: number,
): tf.Tensor2D {
  const df = x.shape[2];
  const end = from + b * count;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xv = (args[0] as tf.Tensor).dataSync() as Float32Array;
    const out = new Float32Array(b * count * df);
    for (let k = 0; k < segments.length; k++) {
      const s = segments[k];
      const w = weight[k];
      if (s < from || s >= end || w === 0) continue;
      const dst = (s - from) * df;
      for (let c = 0; c < df; c++) out[dst + c] += w * xv[k * df + c];
    }
    return {
      value: tf.tensor2d(out, [b, count * df]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const g = (dy as tf.Tensor).dataSync() as Float32Array;
        const dx = new Float32Array(xv.length);
        for (let k = 0; k < segments.length; k++) {
          const s = segments[k];
          const w = weight[k];
          if (s < from || s >= end || w === 0) continue;
          const src = (s - from) * df;
          for (let c = 0; c < df; c++) dx[k * df + c] = w * g[src + c];
        }
        return [tf.tensor(dx, x.shape)];
      },
    };
  });
  return op(x) as tf.Tensor2D;
}

/** Eq. 9: RMSE(content) + RMSE(preference) + RMSE(combined) over the batch. */
export function sainLoss(out: SainOutputs, targets: tf.Tensor1D): tf.Scalar {
  const rmse = (s: tf.Tensor1D): tf.Scalar => tf.sqrt(tf.mean(tf.squaredDifference(s, targets))) as tf.Scalar;
  return tf.addN([rmse(out.content), rmse(out.preference), rmse(out.combined)]) as tf.Scalar;
}

/**
 * The cross-attention of RSAttAE (Eq. 2 of the paper): queries and keys are the entities'
 * projected features, values are their autoencoder embeddings.
 *
 *   Q' = F W' + b',  K' = F W'' + b''       (W', W'' ∈ R^{d_f×h}; the authors' code adds biases)
 *   Q', K' normalised row-wise to unit length (the paper: "row-wise normalization")
 *   A = softmax(Q' K'ᵀ)                       (row-wise, over the key entities)
 *   attention output = A V,  V = E
 *
 * The paper's equation leaves the projection width open; the authors' code projects to 2d (128
 * for d = 64) with biases and scales the logits by no temperature, and that is what this does.
 *
 * ## Grouped computation (exact)
 *
 * Q' and K' depend on an entity's features only, and with one-hot categorical features many
 * entities share one feature row (ml-100k: 943 users in a few hundred rows). For query group g and
 * key groups h with n_h key entities each,
 *
 *   (A V)_g = Σ_h n_h e^{s_gh} mean_h(V) / Σ_h n_h e^{s_gh} = softmax_h(s_gh + ln n_h) · mean_h(V),
 *
 * so the n×n attention becomes a G×G one over group means, then copied to each member. Key groups
 * with no key entity get weight 0 (a -1e9 logit).
 *
 * ## Which entities are keys
 *
 * Keys and values are the entities that have training ratings ("warm"). An entity with no
 * training ratings has an all-zero input row and so an embedding that says nothing about it; it is
 * still a query (its features are known), which is how RSAttAE embeds cold-start entities (see
 * `model.ts`). The authors' code attends over all rows of the rating matrix; in ml-100k's u1 split
 * the two differ only by the 32 movies that have no u1.base rating.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DenseParam, Params } from '../../engine/params.js';
import { MASKED } from '../../engine/layers/masked-softmax.js';
import { HeedError } from '../../util/errors.js';
import type { EntityFeatures } from './features.js';

/** Added to the squared norm before the square root, so a zero projection stays finite. */
const NORM_EPSILON = 1e-12;

/** The projection weights W', b' (queries) and W'', b'' (keys). */
export interface FeatureAttentionLayer {
  readonly queryW: DenseParam;
  readonly queryB: DenseParam;
  readonly keyW: DenseParam;
  readonly keyB: DenseParam;
}

/**
 * Declares `prefix.query.w` [featureDim, width], `prefix.query.b` [width] and the same for keys,
 * initialised as PyTorch's `nn.Linear` does: U(±1/√featureDim) for weights and biases.
 */
export function declareFeatureAttention(
  params: Params,
  prefix: string,
  featureDim: number,
  width: number,
): FeatureAttentionLayer {
  const init = { kind: 'uniform', limit: 1 / Math.sqrt(featureDim) } as const;
  return {
    queryW: params.dense(`${prefix}.query.w`, [featureDim, width], { init }),
    queryB: params.dense(`${prefix}.query.b`, [width], { init, l2: 0 }),
    keyW: params.dense(`${prefix}.key.w`, [featureDim, width], { init }),
    keyB: params.dense(`${prefix}.key.b`, [width], { init, l2: 0 }),
  };
}

/** The constant inputs of the grouped attention for one side (see the file comment). */
export interface AttentionInputs {
  /** Feature row of each group [G, d_f]. */
  readonly groupFeatures: tf.Tensor2D;
  /** ln n_h for key groups, -1e9 for groups without key entities [G]. */
  readonly keyLogCount: tf.Tensor1D;
  /** Averaging matrix [G, n]: 1/n_h where entity e is a key in group h, else 0. */
  readonly keyMean: tf.Tensor2D;
  /** Group of each entity [n] (int32). */
  readonly group: tf.Tensor1D;
  /** Number of key entities in each group, for explanations. */
  readonly keyCount: Int32Array;
  dispose(): void;
}

/** Plain-array form of the attention inputs (what `attentionInputs` turns into tensors). */
export interface AttentionLayout {
  readonly groups: number;
  readonly count: number;
  readonly featureDim: number;
  readonly groupFeatures: Float32Array;
  readonly group: Int32Array;
  /** Whether each entity is a key (has training ratings). */
  readonly isKey: Uint8Array;
}

/** The layout of `features` with `isKey` marking the key entities. */
export function attentionLayout(features: EntityFeatures, isKey: Uint8Array): AttentionLayout {
  if (isKey.length !== features.count) {
    throw new HeedError(`attention: ${isKey.length} key flags for ${features.count} entities`);
  }
  return {
    groups: features.groups,
    count: features.count,
    featureDim: features.dimension,
    groupFeatures: features.groupMatrix,
    group: features.group,
    isKey,
  };
}

/** Builds the constant tensors; the caller disposes them. */
export function attentionInputs(layout: AttentionLayout): AttentionInputs {
  const { groups: G, count: n } = layout;
  const keyCount = new Int32Array(G);
  for (let e = 0; e < n; e++) if (layout.isKey[e] !== 0) keyCount[layout.group[e]]++;
  const logCount = new Float32Array(G);
  for (let g = 0; g < G; g++) logCount[g] = keyCount[g] > 0 ? Math.log(keyCount[g]) : MASKED;
  const mean = new Float32Array(G * n);
  for (let e = 0; e < n; e++) {
    const g = layout.group[e];
    if (layout.isKey[e] !== 0) mean[g * n + e] = 1 / keyCount[g];
  }
  const groupFeatures = tf.tensor2d(layout.groupFeatures, [G, layout.featureDim]);
  const keyLogCount = tf.tensor1d(logCount);
  const keyMean = tf.tensor2d(mean, [G, n]);
  const group = tf.tensor1d(layout.group, 'int32');
  return {
    groupFeatures,
    keyLogCount,
    keyMean,
    group,
    keyCount,
    dispose: () => tf.dispose([groupFeatures, keyLogCount, keyMean, group]),
  };
}

/** Rows scaled to unit Euclidean length. */
function normaliseRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), NORM_EPSILON)));
}

/** The projection weights as tensors (the layer's variables, or any tensors in tests). */
export interface AttentionWeights {
  readonly queryW: tf.Tensor;
  readonly queryB: tf.Tensor;
  readonly keyW: tf.Tensor;
  readonly keyB: tf.Tensor;
}

/** The layer's variables. */
export function attentionWeights(layer: FeatureAttentionLayer): AttentionWeights {
  return {
    queryW: layer.queryW.variable,
    queryB: layer.queryB.variable,
    keyW: layer.keyW.variable,
    keyB: layer.keyB.variable,
  };
}

/** A = softmax(Q'K'ᵀ + ln n) over key groups: [G, G], row g = query group g. */
export function groupAttention(w: AttentionWeights, inputs: AttentionInputs): tf.Tensor2D {
  const q = normaliseRows(tf.add(tf.matMul(inputs.groupFeatures, w.queryW as tf.Tensor2D), w.queryB));
  const k = normaliseRows(tf.add(tf.matMul(inputs.groupFeatures, w.keyW as tf.Tensor2D), w.keyB));
  const logits: tf.Tensor2D = tf.add(tf.matMul(q, k, false, true), inputs.keyLogCount);
  return tf.softmax(logits);
}

/** The attention output A·V of Eq. 2 for every entity [n, d], from the embeddings `values` [n, d]. */
export function attend(w: AttentionWeights, inputs: AttentionInputs, values: tf.Tensor2D): tf.Tensor2D {
  const weights = groupAttention(w, inputs);
  const groupMeans = tf.matMul(inputs.keyMean, values);
  return tf.gather(tf.matMul(weights, groupMeans), inputs.group);
}

/**
 * A SAIN-shaped training task on synthetic MovieLens-100K-sized data, for the engine benchmarks
 * (bench/engine-step.ts) and for profiling.
 *
 * The step follows SAIN (Yun et al., SIGIR 2019) at the paper's sizes: d = 64, 2 heads (d_k = 32),
 * ~7 feature tokens per sample (gender, age, occupation, and a movie's active genres, at most 4;
 * missing genres are padding), one self-attention layer with ReLU projections and top-K 5 in
 * training, a residual, batch norm and dropout 0.1, the user/item feature vectors pooled from their
 * tokens, user and item CF embeddings, a gate mixing feature and CF vectors (eq. 8), and the three
 * MSE losses (content, preference, combined).
 */
import * as tf from '@tensorflow/tfjs-core';
import { takeFloat32, takeInt32 } from '../src/engine/batch.js';
import { declareSelfAttention, selfAttention } from '../src/engine/layers/attention.js';
import { batchNorm, declareBatchNorm } from '../src/engine/layers/batch-norm.js';
import { applyDense, declareDense } from '../src/engine/layers/dense.js';
import { Params } from '../src/engine/params.js';
import type { StepContext } from '../src/engine/step.js';
import type { TrainTask } from '../src/engine/train-loop.js';
import { Rng } from '../src/util/rng.js';

export const D = 64;
export const HEADS = 2;
export const TOKENS = 7; // 3 user tokens + up to 4 genre tokens
const USERS = 943;
const ITEMS = 1682;
export const N = 80_000;
// Feature vocabulary: gender 2, age bins 7, occupations 21, genres 19.
const VOCAB = 2 + 7 + 21 + 19;

export type SyntheticData = ReturnType<typeof syntheticData>;

export function syntheticData(): {
  user: Int32Array;
  item: Int32Array;
  rating: Float32Array;
  tokens: Int32Array;
  mask: Float32Array;
} {
  const rng = new Rng(1);
  const userTokens = new Int32Array(USERS * 3);
  for (let u = 0; u < USERS; u++) {
    userTokens[u * 3] = rng.int(2);
    userTokens[u * 3 + 1] = 2 + rng.int(7);
    userTokens[u * 3 + 2] = 9 + rng.int(21);
  }
  const itemTokens = new Int32Array(ITEMS * 4).fill(-1);
  for (let i = 0; i < ITEMS; i++) {
    const count = 1 + rng.int(4); // 1-4 active genres (MovieLens averages ~1.7)
    for (let g = 0; g < count; g++) itemTokens[i * 4 + g] = 30 + rng.int(19);
  }
  const user = new Int32Array(N);
  const item = new Int32Array(N);
  const rating = new Float32Array(N);
  const tokens = new Int32Array(N * TOKENS);
  const mask = new Float32Array(N * TOKENS);
  for (let n = 0; n < N; n++) {
    const u = rng.int(USERS);
    const i = rng.int(ITEMS);
    user[n] = u;
    item[n] = i;
    rating[n] = 1 + rng.int(5);
    for (let t = 0; t < 3; t++) tokens[n * TOKENS + t] = userTokens[u * 3 + t];
    for (let t = 0; t < 4; t++) tokens[n * TOKENS + 3 + t] = itemTokens[i * 4 + t];
    for (let t = 0; t < TOKENS; t++) mask[n * TOKENS + t] = tokens[n * TOKENS + t] >= 0 ? 1 : 0;
  }
  return { user, item, rating, tokens, mask };
}

export function sainShapedTask(data: SyntheticData): TrainTask {
  const params = new Params(3);
  const features = params.table('features', VOCAB, D, { init: { kind: 'normal', std: 0.1 } });
  const users = params.table('users', USERS, D, { init: { kind: 'normal', std: 0.1 } });
  const items = params.table('items', ITEMS, D, { init: { kind: 'normal', std: 0.1 } });
  const att = declareSelfAttention(params, 'att', D, HEADS, D / HEADS);
  const bn = declareBatchNorm(params, 'bn', D);
  const userFeat = declareDense(params, 'userFeat', D, D);
  const itemFeat = declareDense(params, 'itemFeat', D, D);
  const gate = declareDense(params, 'gate', 2 * D, 1);
  return {
    params,
    size: N,
    loss: (batch: Int32Array, ctx: StepContext): tf.Scalar => {
      const b = batch.length;
      const tokens = takeInt32(data.tokens, batch, TOKENS);
      const mask = takeFloat32(data.mask, batch, TOKENS);
      const x = ctx.lookup(features, tokens, [b, TOKENS]) as tf.Tensor3D;
      const { output } = selfAttention(x, att, {
        topK: ctx.training ? 5 : undefined,
        tokenMask: mask,
        projectionActivation: 'relu',
      });
      const h = batchNorm(tf.relu(tf.add(x, ctx.dropout(output, 0.1))), bn, ctx);
      const maskT = tf.tensor3d(mask, [b, TOKENS, 1]);
      const pooled = tf.mul(h, maskT);
      const [uTok, iTok] = tf.split(pooled, [3, 4], 1);
      const [, iCount] = tf.split(maskT, [3, 4], 1);
      const uVec = applyDense(tf.mean(uTok, 1), userFeat, 'relu');
      const iVec = applyDense(tf.div(tf.sum(iTok, 1), tf.maximum(tf.sum(iCount, 1), 1)), itemFeat, 'relu');
      const uCf = ctx.lookup(users, takeInt32(data.user, batch));
      const iCf = ctx.lookup(items, takeInt32(data.item, batch));
      const target = tf.tensor1d(takeFloat32(data.rating, batch));
      const dot = (a: tf.Tensor, c: tf.Tensor): tf.Tensor => tf.sum(tf.mul(a, c), 1);
      // SAIN eq. 8: X = α·X_CF + (1 − α)·X_feature, α from both vectors.
      const mix = (cf: tf.Tensor, feat: tf.Tensor): tf.Tensor => {
        const alpha = applyDense(tf.concat([cf, feat], 1), gate, 'sigmoid');
        return tf.add(tf.mul(alpha, cf), tf.mul(tf.sub(1, alpha), feat));
      };
      const content = tf.mean(tf.squaredDifference(dot(uVec, iVec), target));
      const preference = tf.mean(tf.squaredDifference(dot(uCf, iCf), target));
      const combined = tf.mean(tf.squaredDifference(dot(mix(uCf, uVec), mix(iCf, iVec)), target));
      return tf.addN([content, preference, combined]) as tf.Scalar;
    },
  };
}

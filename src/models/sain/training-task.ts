/**
 * SAIN's training loss as the engine's training loop takes it, built from plain data so that the
 * same loss can be built in the main thread (`sain.ts`) and, for `threads` > 1, in each worker
 * thread of data-parallel training (`createReplicaTask`, named by `sainReplica`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { takeFloat32, takeInt32 } from '../../engine/batch.js';
import type { ReplicaTask, TaskReplica } from '../../engine/data-parallel.js';
import { Params } from '../../engine/params.js';
import type { TrainTask } from '../../engine/train-loop.js';
import { tokenBatch, type FeatureTokens } from './feature-tokens.js';
import { frequencyL2, type RowWeights } from './frequency-l2.js';
import { fusedSainLoss } from './fused-loss.js';
import {
  declareSainNetwork,
  sainVectors,
  type SainNetwork,
  type SainSettings,
  type SainSizes,
} from './sain-network.js';

/** What SAIN's loss needs besides the network: the training ratings and the settings. */
export interface SainTrainingData {
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly rating: Float32Array;
  readonly tokens: FeatureTokens;
  readonly settings: SainSettings;
  /** λ and the per-row weights of the frequency L2 estimate (`l2Estimator` frequency), else undefined. */
  readonly lambda: number;
  readonly weights: RowWeights | undefined;
}

/** The mean loss of a batch of training positions: Eq. 9, plus the frequency L2 estimate when used. */
export function sainTrainingLoss(net: SainNetwork, data: SainTrainingData): TrainTask['loss'] {
  const { user, item, rating, tokens, settings, lambda, weights } = data;
  return (batch, ctx) => {
    const users = takeInt32(user, batch);
    const items = takeInt32(item, batch);
    const tokenIds = tokenBatch(tokens, users, items);
    // Eq. 9 through the fused loss (fused-loss.ts): the same value and gradient as
    // sainLoss(sainForward(…)), in one operation instead of ~120 small kernels.
    const vectors = sainVectors(net, { users, items, tokens: tokenIds }, settings, ctx);
    const loss = fusedSainLoss({ ...vectors, g: net.integration.g.w.variable }, takeFloat32(rating, batch));
    if (weights === undefined) return loss;
    const { user: u, item: i, tokens: x } = vectors.embeddings;
    const penalty = frequencyL2(lambda, weights, {
      users,
      items,
      tokenIds: tokenIds.ids,
      user: u,
      item: i,
      tokens: x,
    });
    return tf.add(loss, penalty) as tf.Scalar;
  };
}

/** What a worker needs to build SAIN's task: the network's sizes and seed, and the training data. */
export interface SainReplicaInput extends SainTrainingData {
  readonly sizes: SainSizes;
  readonly seed: number;
}

/** The replica of SAIN's task for data-parallel training. */
export function sainReplica(input: SainReplicaInput): TaskReplica {
  return { module: import.meta.url, input };
}

/** Called in a worker thread: the same parameters (their values come from the main thread) and loss. */
export function createReplicaTask(input: SainReplicaInput): ReplicaTask {
  const params = new Params(input.seed);
  const net = declareSainNetwork(params, input.sizes);
  return { params, loss: sainTrainingLoss(net, input) };
}

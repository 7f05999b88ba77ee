/**
 * A tiny training task that data-parallel training can rebuild in a worker thread (this module is
 * its replica module): ŷ = x·w + b + e_u, the mean squared error over a batch, with a dense weight,
 * a dense bias and an embedding table. No dropout and no batch statistics, so a batch's gradient
 * is exactly the size-weighted average of its parts' gradients.
 */
import { isMainThread } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { takeFloat32, takeInt32 } from '../src/engine/batch.js';
import type { ReplicaTask } from '../src/engine/data-parallel.js';
import { Params } from '../src/engine/params.js';
import type { TrainTask } from '../src/engine/train-loop.js';
import { Rng } from '../src/util/rng.js';

export interface ToyInput {
  readonly seed: number;
  readonly users: number;
  readonly dim: number;
  readonly user: Int32Array;
  /** [n × dim] */
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** Declares the weight one column wider than the data (tests the layout check). */
  readonly widerWeight?: boolean;
  /** The loss throws (tests how a failing worker ends training). */
  readonly failingLoss?: boolean;
  /**
   * In a worker thread, the loss ends the thread with `process.exit(5)` (tests how a worker that dies
   * without throwing ends training).
   */
  readonly exitingLoss?: boolean;
}

/** n examples of a noisy linear target with a per-user offset. */
export function toyInput(n: number, users: number, dim: number, seed: number): ToyInput {
  const rng = new Rng(seed);
  const user = new Int32Array(n);
  const x = new Float32Array(n * dim);
  const y = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    user[k] = rng.int(users);
    let t = 0.5 * (user[k] % 3);
    for (let j = 0; j < dim; j++) {
      x[k * dim + j] = rng.normal();
      t += (j + 1) * 0.3 * x[k * dim + j];
    }
    y[k] = t + 0.1 * rng.normal();
  }
  return { seed, users, dim, user, x, y };
}

export function createReplicaTask(input: ToyInput): ReplicaTask {
  const { dim } = input;
  const params = new Params(input.seed);
  const w = params.dense('w', [input.widerWeight === true ? dim + 1 : dim, 1]);
  const b = params.dense('b', [1], { init: { kind: 'zeros' }, l2: 0 });
  const e = params.table('e', input.users, 1, { init: { kind: 'normal', std: 0.1 } });
  return {
    params,
    loss: (batch, ctx) => {
      if (input.failingLoss === true) throw new Error('the toy loss failed');
      if (input.exitingLoss === true && !isMainThread) process.exit(5);
      const x = tf.tensor2d(takeFloat32(input.x, batch, dim), [batch.length, dim]);
      const offset = tf.reshape(ctx.lookup(e, takeInt32(input.user, batch)), [-1]);
      const prediction = tf.add(tf.add(tf.reshape(tf.matMul(x, w.variable), [-1]), b.variable), offset);
      return tf.mean(tf.squaredDifference(prediction, tf.tensor1d(takeFloat32(input.y, batch))));
    },
  };
}

/** The task in this thread, with its replica (`replicaInput` lets a test hand workers other input). */
export function toyTask(input: ToyInput, replicaInput: ToyInput = input): TrainTask {
  return {
    ...createReplicaTask(input),
    size: input.y.length,
    replica: { module: import.meta.url, input: replicaInput },
  };
}

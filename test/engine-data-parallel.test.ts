/**
 * Data-parallel training steps (`src/engine/data-parallel.ts`, `shared-step.ts`): the correctness
 * proof (the parts' gradients, scaled by nₚ/n, sum to the batch's gradient, and the shared update
 * is Adam's step with it), training on two threads
 * following one-thread training on a model without batch statistics or dropout, reproducibility,
 * and the refusals.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initEngine } from '../src/engine/backend.js';
import * as tf from '@tensorflow/tfjs-core';
import { Adam, mergeRows, type RowGradient } from '../src/engine/optimizer.js';
import { Params, type DenseParam, type TableParam } from '../src/engine/params.js';
import { SharedStep, type SharedSlot } from '../src/engine/shared-step.js';
import type { StepContext } from '../src/engine/step.js';
import { stepGradients } from '../src/engine/step-gradients.js';
import { dataParallelLearningRate, train } from '../src/engine/train-loop.js';
import { HeedError, UsageError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';
import { createReplicaTask, toyInput, toyTask } from '../test-helpers/toy-replica.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

/** Row gradients summed per (table, row), keyed `table:row`. */
function rowsByKey(rows: readonly RowGradient[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const r of mergeRows(rows)) {
    r.ids.forEach((id, k) =>
      out.set(`${r.table.name}:${id}`, r.grads.slice(k * r.table.dim, (k + 1) * r.table.dim)),
    );
  }
  return out;
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= 1e-6 * (1 + Math.abs(expected[i])),
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

test('the slots of the parts sum to the gradient of the whole batch, and the shared update is Adam’s step with it', () => {
  const input = toyInput(40, 6, 3, 7);
  const task = createReplicaTask(input);
  const dense = task.params.denseParams();
  const batch = Int32Array.from([3, 17, 5, 22, 9, 31, 0, 12, 5, 38, 21]);
  const whole = stepGradients(task, batch, new Rng(1), dense);
  const adam = new Adam({ learningRate: 0.05, l2: 0.01 });
  // Three threads, each with a batch of its own: a step's batch is theirs one after the other, so
  // its gradient is the mean of theirs weighted by their sizes (equal, 1/threads each, but at an
  // epoch's end). Uneven here (3, 4 and 4) with users in several parts, so the row sums and the
  // weights nₚ/n both matter. One thread plays every thread in turn.
  const shared = SharedStep.create(task.params, 3, 16, adam);
  shared.setBatch(batch);
  for (let p = 0; p < 3; p++) shared.computePart(p, task, new Rng(1), dense);
  assert.ok(Math.abs(shared.loss() - whole.loss) <= 1e-6 * whole.loss);

  const slotOf = (name: string): SharedSlot => shared.layout.slots.find((s) => s.name === name) as SharedSlot;
  const summed = (at: number, n: number, parts: readonly number[]): Float32Array => {
    const out = new Float32Array(n);
    for (const p of parts)
      for (let k = 0; k < n; k++) out[k] += shared.partWeight(p) * shared.grads[p][at + k];
    return out;
  };
  assert.equal(whole.dense.length, dense.length);
  for (const [param, grad] of whole.dense) {
    const slot = slotOf(param.name);
    assertClose(summed(slot.offset, slot.size, [0, 1, 2]), grad, param.name);
  }
  const expectedRows = rowsByKey(whole.rows);
  const table = slotOf('e');
  for (let row = 0; row < table.rows; row++) {
    const parts = [0, 1, 2].filter((p) => shared.touched[p][table.rowOffset + row] === 1);
    const expected = expectedRows.get(`e:${row}`);
    assert.equal(parts.length > 0, expected !== undefined, `row ${row} flagged iff the batch has it`);
    if (expected !== undefined)
      assertClose(summed(table.offset + row * table.dim, table.dim, parts), expected, `e:${row}`);
  }

  // The update, in three shares, against one Adam step with the whole batch's gradient.
  const reference = createReplicaTask(input);
  const referenceAdam = new Adam({ learningRate: 0.05, l2: 0.01 });
  referenceAdam.step(
    whole.dense.map(([p, g]) => [reference.params.get(p.name) as DenseParam, g] as const),
    whole.rows.map((r) => ({ ...r, table: reference.params.get(r.table.name) as TableParam })),
  );
  const { c1, c2 } = adam.advance();
  shared.setUpdate(adam.learningRate, c1, c2);
  for (let t = 0; t < 3; t++) shared.updateShare(t);
  shared.adopt(task.params);
  for (const p of reference.params.list()) assertClose(task.params.get(p.name).value, p.value, p.name);
});

test('buffer values the parts propose are averaged with the weights nₚ/n', () => {
  const params = new Params(1);
  const mean = params.buffer('mean', [1]);
  const w = params.dense('w', [1]);
  // The buffer proposes the batch's mean position, so the weighted average is the whole batch's.
  const task = {
    params,
    loss: (batch: Int32Array, ctx: StepContext) => {
      ctx.updateBuffer(mean, Float32Array.of(batch.reduce((a, b) => a + b, 0) / batch.length));
      return tf.sum(tf.mul(w.variable, tf.scalar(batch.length))) as tf.Scalar;
    },
  };
  const shared = SharedStep.create(params, 2, 8, new Adam({ learningRate: 0.1 }));
  // Parts of 2 and 3 positions: means 3 and 34/3, weights 2/5 and 3/5.
  shared.setBatch(Int32Array.of(2, 4, 6, 20, 8));
  for (let p = 0; p < 2; p++) shared.computePart(p, task, new Rng(1), [w]);
  shared.setUpdate(0.1, 0.1, 0.001);
  shared.updateShare(0);
  shared.updateShare(1);
  shared.adopt(params);
  assert.deepEqual([...mean.value], [8]);
});

test('two threads with batches of 25 train the toy model as one thread with batches of 50 and √2 times the learning rate, up to float32 summation order, and reproducibly', async () => {
  const input = toyInput(300, 8, 4, 3);
  const settings = { epochs: 3, l2: 0.001, seed: 5 };
  // batchSize is per thread: a two-thread step takes two consecutive batches of the shuffled order,
  // at learningRate × √threads.
  const fit = async (
    threads: number,
    batchSize: number,
    learningRate: number,
  ): Promise<Map<string, Float32Array>> => {
    const task = toyTask(input);
    await train(task, { ...settings, threads, batchSize, learningRate });
    return task.params.snapshot();
  };
  const rate = dataParallelLearningRate(0.05, 2);
  assert.equal(rate, 0.05 * Math.SQRT2);
  const one = await fit(1, 50, rate);
  const two = await fit(2, 25, 0.05);
  const start = createReplicaTask(input).params.snapshot();
  for (const [name, v] of one) {
    const w = two.get(name) as Float32Array;
    let moved = 0;
    for (let i = 0; i < v.length; i++) {
      assert.ok(Math.abs(w[i] - v[i]) <= 1e-4, `${name}[${i}]: ${w[i]} (2 threads) vs ${v[i]} (1 thread)`);
      moved = Math.max(moved, Math.abs(v[i] - (start.get(name) as Float32Array)[i]));
    }
    assert.ok(moved > 0.01, `${name} trained (moved ${moved})`);
  }
  assert.deepEqual(await fit(2, 25, 0.05), two);
});

test('threads above 1 are refused for a task without a replica, and a replica with other parameters is refused', async () => {
  const input = toyInput(20, 3, 2, 1);
  const task = { ...toyTask(input), replica: undefined };
  await assert.rejects(
    train(task, { epochs: 1, batchSize: 5, learningRate: 0.01, seed: 1, threads: 2 }),
    (e: unknown) => e instanceof UsageError && /threads/.test(e.message),
  );
  await assert.rejects(
    train(toyTask(input, { ...input, widerWeight: true }), {
      epochs: 1,
      batchSize: 5,
      learningRate: 0.01,
      seed: 1,
      threads: 2,
    }),
    (e: unknown) => e instanceof HeedError && /"w" \[3\] where the model has "w" \[2\]/.test(e.message),
  );
  await assert.rejects(
    train(toyTask(input), { epochs: 1, batchSize: 5, learningRate: 0.01, seed: 1, threads: 0 }),
    /threads/,
  );
});

test('a worker whose step fails ends training with its error instead of a hang', async () => {
  const input = toyInput(40, 4, 2, 1);
  await assert.rejects(
    train(toyTask(input, { ...input, failingLoss: true }), {
      epochs: 1,
      batchSize: 8,
      learningRate: 0.01,
      seed: 1,
      threads: 2,
    }),
    (e: unknown) => e instanceof HeedError && /data-parallel worker: the toy loss failed/.test(e.message),
  );
});

test(
  'a worker that dies in its step without throwing ends training with its exit code instead of a hang',
  { timeout: 60_000 },
  async () => {
    const input = toyInput(40, 4, 2, 1);
    await assert.rejects(
      train(toyTask(input, { ...input, exitingLoss: true }), {
        epochs: 1,
        batchSize: 8,
        learningRate: 0.01,
        seed: 1,
        threads: 2,
      }),
      (e: unknown) => e instanceof HeedError && /data-parallel worker: exited \(code 5\)/.test(e.message),
    );
  },
);

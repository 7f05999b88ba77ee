/**
 * Data-parallel training steps (`src/engine/data-parallel.ts`): the correctness proof (a batch's
 * gradient is the size-weighted average of its parts' gradients), training on two threads
 * following one-thread training on a model without batch statistics or dropout, reproducibility,
 * and the refusals.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initEngine } from '../src/engine/backend.js';
import { averageGradients } from '../src/engine/gradient-average.js';
import { mergeRows, type RowGradient } from '../src/engine/optimizer.js';
import { stepGradients, type StepGradients } from '../src/engine/step-gradients.js';
import { train } from '../src/engine/train-loop.js';
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

test('the gradient of a batch is the size-weighted average of its parts’ gradients (dense weights and table rows)', () => {
  const input = toyInput(40, 6, 3, 7);
  const task = createReplicaTask(input);
  const dense = task.params.denseParams();
  const batch = Int32Array.from([3, 17, 5, 22, 9, 31, 0, 12, 5, 38]);
  const whole = stepGradients(task, batch, new Rng(1), dense);
  // Uneven parts (7 and 3), a user in both, so the row sums and the weights nₚ/n both matter.
  const parts = [batch.subarray(0, 7), batch.subarray(7)].map((part) => ({
    size: part.length,
    gradients: stepGradients(task, part, new Rng(1), dense),
  }));
  const averaged: StepGradients = averageGradients(parts);

  assert.ok(Math.abs(averaged.loss - whole.loss) <= 1e-6 * whole.loss);
  assert.equal(averaged.dense.length, whole.dense.length);
  for (const [param, grad] of whole.dense) {
    const mine = averaged.dense.find(([p]) => p === param);
    assert.ok(mine !== undefined, param.name);
    assertClose(mine[1], grad, param.name);
  }
  const expectedRows = rowsByKey(whole.rows);
  const actualRows = rowsByKey(averaged.rows);
  assert.deepEqual([...actualRows.keys()].sort(), [...expectedRows.keys()].sort());
  for (const [key, grad] of expectedRows) assertClose(actualRows.get(key) as Float32Array, grad, key);
});

test('buffer updates proposed by the parts are averaged with the same weights', () => {
  const task = createReplicaTask(toyInput(4, 2, 1, 1));
  const [w] = task.params.denseParams();
  const part = (size: number, v: number): { size: number; gradients: StepGradients } => ({
    size,
    gradients: { loss: 1, dense: [], rows: [], buffers: [{ param: w, value: Float32Array.of(v) }] },
  });
  const g = averageGradients([part(3, 2), part(1, 6)]);
  assert.deepEqual([...g.buffers[0].value], [3]);
});

test('two threads train the toy model as one thread does, up to float32 summation order, and reproducibly', async () => {
  const input = toyInput(300, 8, 4, 3);
  const settings = { epochs: 3, batchSize: 25, learningRate: 0.05, l2: 0.001, seed: 5 };
  const fit = async (threads: number): Promise<Map<string, Float32Array>> => {
    const task = toyTask(input);
    await train(task, { ...settings, threads });
    return task.params.snapshot();
  };
  const one = await fit(1);
  const two = await fit(2);
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
  assert.deepEqual(await fit(2), two);
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

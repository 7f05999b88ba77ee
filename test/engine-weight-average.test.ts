/**
 * The moving average of the weights (engine/weight-average.ts): its update rule, that validation
 * borrows the averaged weights and hands the trained ones back, and that buffers are copied.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Params } from '../src/engine/params.js';
import { WeightAverage } from '../src/engine/weight-average.js';

test('shadow follows β = min(decay, (1 + n) / (10 + n)); buffers are copied, not averaged', () => {
  const params = new Params(1);
  const w = params.dense('w', [2], { init: { kind: 'constant', value: 0 } });
  const table = params.table('t', 3, 1, { init: { kind: 'zeros' } });
  const buffer = params.buffer('runningMean', [1]);
  const average = new WeightAverage(params, 0.5);
  let expected = 0;
  for (let n = 0; n < 6; n++) {
    const value = n + 1;
    w.value.fill(value);
    table.value[1] = value;
    buffer.value[0] = 10 * value;
    average.update();
    const beta = Math.min(0.5, (1 + n) / (10 + n));
    expected = beta * expected + (1 - beta) * value;
    const shadow = average.snapshot();
    assert.ok(Math.abs((shadow.get('w') ?? [])[0] - expected) < 1e-5, `step ${n}`);
    assert.ok(Math.abs((shadow.get('t') ?? [])[1] - expected) < 1e-5);
    assert.equal((shadow.get('t') ?? [])[0], 0, 'a row that never moved stays put');
    assert.equal((shadow.get('runningMean') ?? [])[0], 10 * value);
  }
  // The first steps use β = 1/10, 2/11, 3/12, 4/13 (< 0.5): the initial zeros fade fast.
  assert.ok(expected > 4, `${expected}`);
});

test('withAveraged lends the averaged weights and restores the trained ones, also on a throw', () => {
  const params = new Params(1);
  const w = params.dense('w', [1], { init: { kind: 'constant', value: 0 } });
  const average = new WeightAverage(params, 0.9);
  w.value[0] = 1;
  average.update();
  w.value[0] = 5;
  const seen = average.withAveraged(() => w.value[0]);
  assert.ok(Math.abs(seen - 0.9) < 1e-6, `${seen}`);
  assert.equal(w.value[0], 5);
  assert.throws(() =>
    average.withAveraged(() => {
      throw new Error('validation failed');
    }),
  );
  assert.equal(w.value[0], 5);
});

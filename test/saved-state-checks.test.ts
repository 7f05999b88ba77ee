/**
 * The shared checks of saved model states: the user and item counts of the neural models
 * (`saved-entity-counts.ts`) and the parameters of BiasedMF and SVD++ (`classic/biased-factors.ts`).
 * A damaged state fails naming the model and what is wrong, before any weight is used.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  biasedFactorsState,
  predictBiasedFactors,
  restoreBiasedFactors,
  type BiasedFactors,
} from '../src/models/classic/biased-factors.js';
import type { JsonValue, ModelState } from '../src/models/model.js';
import { savedEntityCounts } from '../src/models/saved-entity-counts.js';
import { DataError, HeedError } from '../src/util/errors.js';

function stateWith(meta: JsonValue, arrays: ModelState['arrays'] = {}): ModelState {
  return { id: 'some-model', config: {}, meta, arrays };
}

test('savedEntityCounts reads the users and items of the meta', () => {
  assert.deepEqual(savedEntityCounts(stateWith({ users: 3, items: 0, other: 'x' })), { users: 3, items: 0 });
});

test('savedEntityCounts fails naming the model and the meta when a count is missing or not a count', () => {
  const broken: JsonValue[] = [
    null,
    'text',
    { users: 3 },
    { users: '3', items: 4 },
    { users: 2.5, items: 4 },
    { users: -1, items: 4 },
  ];
  for (const meta of broken) {
    assert.throws(
      () => savedEntityCounts(stateWith(meta)),
      (e: unknown) =>
        e instanceof DataError &&
        e.message ===
          'saved model "some-model": field "meta": lacks the numbers of users and items (integers >= 0)',
      JSON.stringify(meta),
    );
  }
});

const two: BiasedFactors = {
  mean: 3.5,
  users: 2,
  items: 3,
  factors: 2,
  userFactors: Float32Array.of(1, 0, 0, 1),
  itemFactors: Float32Array.of(0.5, 0, 0, 0.25, 1, 1),
  userBias: Float32Array.of(0.1, -0.1),
  itemBias: Float32Array.of(0, 0.2, -0.2),
};

test('BiasedMF/SVD++ parameters: μ + b_u + b_i + x_uᵀq_i, an unknown side keeps only the other bias', () => {
  const p = predictBiasedFactors(
    two,
    two.userFactors,
    Int32Array.of(0, 1, 1, -1, 0),
    Int32Array.of(0, 1, 2, 1, 3),
  );
  const expected = [3.5 + 0.1 + 0 + 0.5, 3.5 - 0.1 + 0.2 + 0.25, 3.5 - 0.1 - 0.2 + 1, 3.5 + 0.2, 3.5 + 0.1];
  expected.forEach((v, k) => assert.ok(Math.abs(p[k] - v) < 1e-6, `pair ${k}: ${p[k]} vs ${v}`));
});

test('BiasedMF/SVD++ parameters survive their saved state and fail on a damaged one', () => {
  const saved = { id: 'biasedmf', config: {}, ...biasedFactorsState(two) };
  assert.deepEqual(restoreBiasedFactors(saved, 2), two);
  assert.throws(
    () => restoreBiasedFactors(saved, 3),
    /saved model "biasedmf": meta factors 2 differs from config factors 3/,
  );
  const short = { ...saved, arrays: { ...saved.arrays, itemBias: Float32Array.of(0, 0.2) } };
  assert.throws(
    () => restoreBiasedFactors(short, 2),
    (e: unknown) => e instanceof HeedError && /array "itemBias" has 2 values, expected 3/.test(e.message),
  );
  const noMean = { ...saved, meta: { users: 2, items: 3, factors: 2 } };
  assert.throws(() => restoreBiasedFactors(noMean, 2), /meta field "mean" must be a finite number/);
});

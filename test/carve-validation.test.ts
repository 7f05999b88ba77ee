import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { ratioSplit } from '../src/data/split.js';
import {
  carveValidation,
  checkValidationFraction,
  DEFAULT_VALIDATION_FRACTION,
  earlyStopsOnValidation,
} from '../src/eval/carve-validation.js';
import { evaluate } from '../src/eval/protocol.js';
import type { ModelSpec } from '../src/models/model.js';
import { UsageError } from '../src/util/errors.js';
import { integer } from '../src/models/settings-schema.js';

const data = generateSynthetic({ seed: 2, users: 40, items: 50, ratingsPerUser: 10, reviews: false });

test('carving: an early-stopping model on a split without validation gets a seeded fraction of train', () => {
  const split = ratioSplit(data, { train: 0.8, validation: 0, test: 0.2 }, 1);
  const carved = carveValidation(data, split, { patience: 2 }, 0.1, 7);
  const nValidation = Math.round(split.train.length * 0.1);
  assert.equal(carved.split.validation.length, nValidation);
  assert.equal(carved.split.train.length, split.train.length - nValidation);
  // Train and validation partition the original train; the test part is untouched.
  assert.deepEqual(
    [...carved.split.train, ...carved.split.validation].sort((a, b) => a - b),
    [...split.train],
  );
  assert.deepEqual(carved.split.test, split.test);
  assert.deepEqual(
    [...carved.split.train],
    [...carved.split.train].sort((a, b) => a - b),
  );
  assert.match(carved.note ?? '', new RegExp(`${nValidation} of its ${split.train.length} training ratings`));
  assert.match(carved.note ?? '', /--validation-fraction 0/);
  // Seeded: the same seed carves the same ratings, another seed others.
  assert.deepEqual(carveValidation(data, split, { patience: 2 }, 0.1, 7).split, carved.split);
  assert.notDeepEqual(
    carveValidation(data, split, { patience: 2 }, 0.1, 8).split.validation,
    carved.split.validation,
  );
});

test('carving: nothing is carved without patience, with a validation part, or with fraction 0', () => {
  const noValidation = ratioSplit(data, { train: 0.8, validation: 0, test: 0.2 }, 1);
  const withValidation = ratioSplit(data, { train: 0.8, validation: 0.1, test: 0.1 }, 1);
  for (const [split, config, fraction] of [
    [noValidation, { patience: 0 }, 0.1],
    [noValidation, {}, 0.1],
    [noValidation, { patience: '3' }, 0.1],
    [withValidation, { patience: 2 }, 0.1],
    [noValidation, { patience: 2 }, 0],
  ] as const) {
    const carved = carveValidation(data, split, config, fraction, 1);
    assert.equal(carved.split, split);
    assert.equal(carved.note, undefined);
  }
  assert.equal(earlyStopsOnValidation({ patience: 1 }), true);
  assert.equal(earlyStopsOnValidation({ patience: 0 }), false);
  assert.equal(DEFAULT_VALIDATION_FRACTION, 0.1);
  for (const bad of [-0.1, 1, 1.5, NaN]) {
    assert.throws(
      () => checkValidationFraction(bad),
      (e: unknown) => e instanceof UsageError && /--validation-fraction/.test(e.message),
    );
  }
});

/** A model with `patience` that records the sizes its fit receives. */
function probe(seen: Array<{ train: number; validation: number }>): ModelSpec {
  return {
    id: 'stopper',
    summary: 'records train and validation sizes',
    reference: '-',
    settings: { patience: integer(2, 'Epochs without a better validation RMSE before stopping', { min: 0 }) },
    defaults: { patience: 2 },
    create: (config) => ({
      id: 'stopper',
      config,
      handlesColdStart: true,
      async fit(train, options) {
        seen.push({ train: train.indices.length, validation: options?.validation?.indices.length ?? 0 });
        return { epochs: 1, samplesProcessed: train.indices.length };
      },
      predict: (users) => new Float32Array(users.length).fill(3),
      state: () => {
        throw new Error('unused');
      },
    }),
    restore: () => {
      throw new Error('unused');
    },
  };
}

test('evaluate carves validation for an early-stopping model and records it in the fold result', async () => {
  const seen: Array<{ train: number; validation: number }> = [];
  const spec = probe(seen);
  const r = await evaluate({ modelId: 'stopper', spec, dataset: data, split: 'ratio:0.9,0,0.1', seed: 3 });
  const nTrain = data.ratings.rating.length - Math.round(data.ratings.rating.length * 0.1);
  const nValidation = Math.round(nTrain * 0.1);
  assert.deepEqual(seen[0], { train: nTrain - nValidation, validation: nValidation });
  assert.equal(r.nValidation, nValidation);
  assert.equal(r.nTrain, nTrain - nValidation);
  assert.match(r.notes?.[0] ?? '', /has no validation part and the model early-stops \(patience 2\)/);

  const all = await evaluate({
    modelId: 'stopper',
    spec,
    dataset: data,
    split: 'ratio:0.9,0,0.1',
    seed: 3,
    validationFraction: 0,
  });
  assert.deepEqual(seen[1], { train: nTrain, validation: 0 });
  assert.equal(all.nValidation, 0);
  assert.equal(all.notes, undefined);

  const folds = await evaluate({
    modelId: 'stopper',
    spec,
    dataset: data,
    split: 'kfold:2',
    seed: 3,
    validationFraction: 0.2,
  });
  assert.ok(folds.folds?.every((f) => f.nValidation > 0 && (f.notes?.length ?? 0) === 1));
});

/**
 * The training-loop settings every neural model reads from its config (`--set key=value`), in
 * one place so that a setting the loop gains reaches every model: their schema (each model family
 * gives its own defaults) and their reading.
 */
import { availableParallelism } from 'node:os';
import type { TrainSettings } from '../engine/train-loop.js';
import { num } from './config.js';
import type { ModelConfig } from './model.js';
import { integer, real, type SettingsSchema } from './settings-schema.js';

/** A family's defaults of the training-loop settings, with where the paper gives them. */
export type TrainingDefaults = {
  readonly [K in TrainingKey]: number | { readonly value: number; readonly paper: string };
};

type TrainingKey = keyof ReturnType<typeof trainSettingsOf>;

/** The schema of the training-loop settings, with `defaults` (ranges as train-loop.ts checks them). */
export function trainingSettings(defaults: TrainingDefaults): SettingsSchema {
  const valueOf = (key: TrainingKey): number => {
    const d = defaults[key];
    return typeof d === 'number' ? d : d.value;
  };
  const paperOf = (key: TrainingKey): { paper?: string } => {
    const d = defaults[key];
    return typeof d === 'number' ? {} : { paper: d.paper };
  };
  return {
    epochs: integer(valueOf('epochs'), 'Most passes over the training ratings', {
      min: 1,
      ...paperOf('epochs'),
    }),
    batchSize: integer(valueOf('batchSize'), 'Training ratings per Adam step', {
      min: 1,
      ...paperOf('batchSize'),
    }),
    learningRate: real(valueOf('learningRate'), 'Adam’s step size', {
      min: 0,
      minExclusive: true,
      ...paperOf('learningRate'),
    }),
    l2: real(valueOf('l2'), 'Coupled L2 (PyTorch Adam’s weight_decay) on the weights', {
      min: 0,
      ...paperOf('l2'),
    }),
    lrDecay: real(valueOf('lrDecay'), 'Learning-rate factor per epoch (1: constant)', {
      min: 0,
      minExclusive: true,
      max: 1,
      ...paperOf('lrDecay'),
    }),
    plateauDecay: real(
      valueOf('plateauDecay'),
      'Learning-rate factor after an epoch without a better validation RMSE (1: off)',
      { min: 0, minExclusive: true, max: 1, ...paperOf('plateauDecay') },
    ),
    weightAverage: real(
      valueOf('weightAverage'),
      'Decay of the moving average of the weights used for validation and prediction (0: off)',
      { min: 0, max: 1, maxExclusive: true, ...paperOf('weightAverage') },
    ),
    patience: integer(
      valueOf('patience'),
      'Epochs without a better validation RMSE before stopping (0: never)',
      {
        min: 0,
        ...paperOf('patience'),
      },
    ),
    seed: integer(valueOf('seed'), 'Seed of the initial weights, batch order and dropout', paperOf('seed')),
  };
}

export function trainSettingsOf(
  config: ModelConfig,
): Required<Omit<TrainSettings, 'beta1' | 'beta2' | 'epsilon' | 'threads'>> {
  return {
    epochs: num(config, 'epochs'),
    batchSize: num(config, 'batchSize'),
    learningRate: num(config, 'learningRate'),
    l2: num(config, 'l2'),
    lrDecay: num(config, 'lrDecay'),
    plateauDecay: num(config, 'plateauDecay'),
    weightAverage: num(config, 'weightAverage'),
    patience: num(config, 'patience'),
    seed: num(config, 'seed'),
  };
}

/**
 * The `threads` setting of a model whose training can run data-parallel (`src/engine/data-parallel.ts`):
 * 0 uses every core; 1 is the one-thread loop, bit for bit as before the setting. `batchSize` is
 * per thread (each thread takes a whole batch and a step averages their gradients, at
 * learningRate × √threads), so more threads train with a larger effective batch, fewer steps and a
 * larger rate: another optimisation, not the same one faster. Hence in experiment run keys at any
 * value but 1 (`keyUnlessDefault`): runs stored before the setting existed, all one-thread, are
 * still found.
 */
// Default 1: one thread gives the same results on every machine; a count above 1 changes the
// optimisation (see above), and 0 would make it depend on the machine's cores.
const THREADS = integer(
  1,
  'Threads training data-parallel, a whole batch each, one Adam step on their mean gradient at learningRate × √threads (0: all cores; 1: one thread, bit-for-bit reproducible; more is another fit, docs/THREADS.md)',
  { min: 0, keyUnlessDefault: true },
);

export function threadsSetting(): SettingsSchema {
  return { threads: THREADS };
}

/** The thread count `threads` asks for (0: the machine's cores). */
export function threadsOf(config: ModelConfig): number {
  const threads = num(config, 'threads');
  return threads === 0 ? availableParallelism() : threads;
}

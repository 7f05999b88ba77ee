/**
 * What SAIN's thread benches (`sain-cores.ts`, `sain-thread-cpu.ts`) share: their `--samples` and
 * `--rounds` checked, and the first `samples` training ratings of SAIN's split with the engine started.
 */
import type { RatingSubset } from '../src/data/dataset.js';
import { loadDataset } from '../src/data/registry.js';
import { initEngine } from '../src/engine/backend.js';

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${flag} must be a positive integer, got ${text}`);
  return value;
}

export interface SainSpeedData {
  readonly samples: number;
  readonly rounds: number;
  readonly train: RatingSubset;
  /** All training ratings of SAIN's split, of which `train` is the first `samples`. */
  readonly splitTrainRatings: number;
}

export async function sainSpeedData(flags: {
  readonly samples: string;
  readonly rounds: string;
  readonly 'data-dir': string;
}): Promise<SainSpeedData> {
  const samples = positiveInteger('samples', flags.samples);
  const rounds = positiveInteger('rounds', flags.rounds);
  await initEngine();
  const dataset = await loadDataset('sain-ml100k', { dataDir: flags['data-dir'] });
  const split = dataset.predefinedSplits['sain'];
  if (samples > split.train.length)
    throw new Error(
      `--samples ${samples} exceeds the ${split.train.length} training ratings of SAIN's split`,
    );
  return {
    samples,
    rounds,
    train: { dataset, indices: split.train.subarray(0, samples) },
    splitTrainRatings: split.train.length,
  };
}

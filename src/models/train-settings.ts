/**
 * The training-loop settings every neural model reads from its config (`--set key=value`), in
 * one place so that a setting the loop gains reaches every model.
 */
import type { TrainSettings } from '../engine/train-loop.js';
import { num } from './config.js';
import type { ModelConfig } from './model.js';

export function trainSettingsOf(config: ModelConfig): TrainSettings {
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

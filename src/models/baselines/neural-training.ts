/**
 * How the neural baselines (NCF, NFM, xDeepFM) are set up: the shared training settings and the
 * readers of their layer settings. The training itself is `../pair-training.ts`.
 *
 * The settings are SAIN's for every model it compared (SAIN §3.3: "The Adam optimizer with a
 * learning rate of 1e-3 and l2-regularization rate of 1e-4 is used for all the models"), with the
 * batch size (128) and epoch budget (25) of SAIN's official code (`src/main.py`). Training stops
 * early after `patience` epochs without a lower validation RMSE and keeps the best epoch's weights.
 * Loss: mean squared error on explicit ratings (the papers' rating-regression set-up).
 */
import { UsageError } from '../../util/errors.js';
import { num } from '../config.js';
import type { ModelConfig } from '../model.js';

/**
 * Hidden-layer sizes from a setting such as "128,64" (empty or "none": no hidden layer). `key` is
 * named in errors.
 */
export function layerSizes(config: ModelConfig, key: string): number[] {
  const v = config[key];
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (typeof v === 'boolean')
    throw new UsageError(`setting "${key}" must be a list of layer sizes such as "128,64"`);
  if (text === '' || text === 'none') return [];
  return text.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n <= 0) {
      throw new UsageError(
        `setting "${key}": "${part.trim()}" is not a positive integer layer size (in "${text}")`,
      );
    }
    return n;
  });
}

/** A positive integer setting. */
export function positiveInt(config: ModelConfig, key: string): number {
  const n = num(config, key);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`setting "${key}" must be a positive integer, got ${n}`);
  return n;
}

/** A rate in [0, 1). */
export function rate(config: ModelConfig, key: string): number {
  const n = num(config, key);
  if (!(n >= 0 && n < 1)) throw new UsageError(`setting "${key}" must be in [0, 1), got ${n}`);
  return n;
}

/**
 * Checks of the indices `explain` is given, whose errors name the model. (Checks of settings are in
 * the models' schemas, settings-schema.ts.)
 */
import { UsageError } from '../util/errors.js';

/** A user or item index given to `explain`, which must be one the model was built for. */
export function checkExplainIndex(model: string, index: number, count: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new UsageError(`${model} explain: ${what} ${index} is outside [0, ${count})`);
}

/**
 * Saving and restoring a neural model's weights as a `ModelState` (the form `src/models/artifact.ts`
 * writes to disk): the config, the model's JSON meta, and one Float32Array per parameter, by name.
 * A model restores by declaring the same parameters from the saved config, then `loadState`.
 */
import type { Params } from '../engine/params.js';
import type { JsonValue, ModelConfig, ModelState } from './model.js';

export function toModelState(
  id: string,
  config: ModelConfig,
  params: Params,
  meta: JsonValue = null,
): ModelState {
  return { id, config: { ...config }, meta, arrays: params.arrays() };
}

/** Loads the saved arrays into `params` (declared from `state.config`); errors name the array. */
export function loadState(params: Params, state: ModelState): void {
  params.load(state.arrays, `saved model "${state.id}"`);
}

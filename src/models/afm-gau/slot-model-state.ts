/**
 * How the slot-attention models (AFM-GAU over item features, AANMF over user attributes) save and
 * restore: the engine's weights, the numbers of users and items, and the feature slots of the one
 * side the model attends over (codes in an array, the rest in meta), so that a saved model
 * predicts and explains without the data set.
 */
import type { Params } from '../../engine/index.js';
import { DataError, UsageError } from '../../util/errors.js';
import type { ModelConfig, ModelState } from '../model.js';
import { toModelState } from '../neural-state.js';
import { savedEntityCounts } from '../saved-entity-counts.js';
import { restoreSlots, slotsMeta, type FeatureSlots } from './feature-slots.js';

/** Which side's slots a model keeps, and the state array they are saved in. */
export interface SlotSide {
  readonly entities: 'users' | 'items';
  readonly array: string;
}

/** The network of a slot-attention model, as far as saving it goes. */
export interface SlotNetwork {
  readonly params: Params;
  readonly users: number;
  readonly items: number;
  readonly slots: FeatureSlots;
}

export function slotModelState(
  id: string,
  config: ModelConfig,
  net: SlotNetwork,
  side: SlotSide,
): ModelState {
  const base = toModelState(id, config, net.params, {
    users: net.users,
    items: net.items,
    slots: { ...slotsMeta(net.slots) },
  });
  return { ...base, arrays: { ...base.arrays, [side.array]: net.slots.codes } };
}

/**
 * The sizes and slots of a saved model of model `id`, checked: the state must be that model's,
 * its meta must give the numbers of users and items, and the slots must describe every entity of
 * `side`. The weights are loaded (`loadState`) once the network is built.
 */
export function restoreSlotModel(
  id: string,
  state: ModelState,
  side: SlotSide,
): { users: number; items: number; slots: FeatureSlots } {
  const source = `saved model "${state.id}"`;
  if (state.id !== id) throw new UsageError(`${id}: cannot restore a saved "${state.id}" model`);
  const sizes = savedEntityCounts(state);
  const meta = state.meta as { slots?: unknown };
  const slots = restoreSlots(meta.slots, state.arrays[side.array], source, side.array);
  if (slots.count !== sizes[side.entities]) {
    throw new DataError(
      source,
      undefined,
      side.array,
      `describes ${slots.count} ${side.entities}, expected ${sizes[side.entities]}`,
    );
  }
  return { ...sizes, slots };
}

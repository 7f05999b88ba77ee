/**
 * The feature values of every user (or item) as a fixed number of padded "slots", the input of the
 * attention models that weigh an entity's features one by one: AFM-GAU attends over an item's
 * feature vectors (Chen et al., SIGIR 2018, Sec. 3.1: "a set of feature vectors X_j"), AANMF over a
 * user's attribute vectors (Algorithm 1: "the set of user's attributes I_u").
 *
 * Features are the one-hot columns of `oneHotLayout` (the papers turn categorical features into
 * one-hot inputs): a categorical or binned numeric field gives one slot per entity, a multi-valued
 * field (genres) one slot per value. Slot k of entity e holds the global one-hot index of its k-th
 * active value, or -1 (padding) when e has fewer than `width` values. The layout is a plain value
 * (typed arrays and names) so a saved model can predict without the data set.
 */
import type { FeatureTable } from '../../data/dataset.js';
import { oneHotLayout } from '../../data/features.js';
import { DataError } from '../../util/errors.js';
import { selectFeatureFields } from '../feature-selection.js';
import type { AttentionWeight } from '../model.js';

export interface FeatureSlots {
  /** Number of entities. */
  readonly count: number;
  /** Slots per entity: the most active values any entity has (at least 0). */
  readonly width: number;
  /** [count · width] global one-hot indices, -1 for padding. */
  readonly codes: Int32Array;
  /** Readable name of each global index ("genre=Action", "age=25-34"). */
  readonly names: readonly string[];
}

/**
 * The selected fields of `table` as slots. `select` is `all`, `none`, or a comma list of field
 * names; `setting` (the config key it came from) is named in errors.
 */
export function featureSlots(table: FeatureTable, select: string, setting: string): FeatureSlots {
  const chosen = selectFeatureFields(table, select, setting);
  const layout = oneHotLayout(chosen);
  let width = 0;
  for (let e = 0; e < layout.count; e++) width = Math.max(width, layout.offsets[e + 1] - layout.offsets[e]);
  const codes = new Int32Array(layout.count * width).fill(-1);
  for (let e = 0; e < layout.count; e++) {
    let k = 0;
    for (let j = layout.offsets[e]; j < layout.offsets[e + 1]; j++)
      codes[e * width + k++] = layout.indices[j];
  }
  return { count: layout.count, width, codes, names: layout.names };
}

/**
 * The attention weights of `entity`'s filled slots, named by their values ("genre=Action"):
 * slot s's weight is `weights[first + s]`; padding slots carry no feature and are left out.
 */
export function namedSlotWeights(
  slots: FeatureSlots,
  entity: number,
  weights: ArrayLike<number>,
  first: number,
): AttentionWeight[] {
  const { width, codes, names } = slots;
  const named: AttentionWeight[] = [];
  for (let s = 0; s < width; s++) {
    const code = codes[entity * width + s];
    if (code >= 0) named.push({ feature: names[code], weight: weights[first + s] });
  }
  return named;
}

/** The slots as saved in a model state: codes in `arrays`, the rest in `meta`. */
export interface SavedSlots {
  readonly count: number;
  readonly width: number;
  readonly names: string[];
}

export function slotsMeta(slots: FeatureSlots): SavedSlots {
  return { count: slots.count, width: slots.width, names: [...slots.names] };
}

/** Rebuilds slots from a saved state, checking that the pieces agree. */
export function restoreSlots(
  meta: unknown,
  codes: Float32Array | Float64Array | Int32Array | undefined,
  source: string,
  key: string,
): FeatureSlots {
  const m = meta as Partial<SavedSlots> | null | undefined;
  if (
    m === null ||
    typeof m !== 'object' ||
    typeof m.count !== 'number' ||
    typeof m.width !== 'number' ||
    !Array.isArray(m.names)
  ) {
    throw new DataError(source, undefined, key, 'meta lacks count, width or names of the feature slots');
  }
  if (!(codes instanceof Int32Array) || codes.length !== m.count * m.width) {
    throw new DataError(source, undefined, key, `expected ${m.count * m.width} Int32 slot codes`);
  }
  for (const c of codes) {
    if (c < -1 || c >= m.names.length)
      throw new DataError(source, undefined, key, `slot code ${c} is outside [-1, ${m.names.length})`);
  }
  return { count: m.count, width: m.width, codes, names: m.names.map(String) };
}

/**
 * The input of the factorization-machine family (NFM, xDeepFM): every rating becomes a fixed list
 * of *fields*, each embedded as one vector, as DeepCTR lays them out (the implementation SAIN's
 * authors ran for these baselines, SAIN §3.2):
 *
 *   user id, the user's feature fields, item id, the item's feature fields.
 *
 * A categorical or binned numeric field has one value per entity (or none: a zero vector). A
 * multi-valued field (genres) is one field whose vector is the mean of its values' vectors, as
 * DeepCTR's `VarLenSparseFeat` pools by default; CIN needs a fixed number of fields, so both models
 * use the same layout.
 *
 * All fields share one global index space (user ids first, then item ids, then each field's
 * vocabulary), so one embedding table and one linear-weight table cover them. Each entity (user or
 * item) has a fixed number of *slots*: slot j holds a global index (or -1 for none) and a pooling
 * weight (1 for a single value, 1/n for each of n multi-valued values, 0 for padding). A batch is
 * the user's slots followed by the item's slots; `poolFields` turns slot vectors into field vectors.
 *
 * The layout is plain typed arrays and names so a saved model predicts without the data set.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset, FeatureTable } from '../../data/dataset.js';
import { DataError, UsageError } from '../../util/errors.js';
import type { JsonValue } from '../model.js';

/** The slots of one side (all users or all items). */
export interface SideSlots {
  readonly count: number;
  /** Slots per entity. */
  readonly width: number;
  /** [count · width] global indices, -1 for none. */
  readonly codes: Int32Array;
  /** [count · width] pooling weights (1, 1/n or 0). */
  readonly weights: Float32Array;
}

export interface FieldInputs {
  /** Field names in batch-row order: `user`, `user.<field>`…, `item`, `item.<field>`…. */
  readonly fields: readonly string[];
  /** Size of the global index space (rows of the shared tables). */
  readonly vocabulary: number;
  /** First slot of field f in a batch row is `fieldSlot[f]`; it spans to `fieldSlot[f + 1]`. */
  readonly fieldSlot: Int32Array;
  readonly user: SideSlots;
  readonly item: SideSlots;
}

/** Builds the layout of `dataset` with the chosen user and item feature fields. */
export function buildFieldInputs(
  dataset: Dataset,
  userFields: FeatureTable,
  itemFields: FeatureTable,
): FieldInputs {
  const users = dataset.users.ids.length;
  const items = dataset.items.ids.length;
  if (userFields.count !== users || itemFields.count !== items) {
    throw new UsageError(
      `data set "${dataset.id}": feature tables describe ${userFields.count} users and ${itemFields.count} items, ` +
        `the ratings ${users} and ${items}`,
    );
  }
  // One global index space: user ids, item ids, then each field's vocabulary in turn.
  let next = users + items;
  const allocate = (size: number): number => {
    const at = next;
    next += size;
    return at;
  };
  const userSide = sideSlots(userFields, 0, allocate, dataset.id);
  const itemSide = sideSlots(itemFields, users, allocate, dataset.id);
  // Fields in batch-row order: the user's id and fields, then the item's.
  const fields: string[] = [];
  const bounds: number[] = [];
  const add = (name: string, from: number, to: number): void => {
    fields.push(name);
    if (bounds.length === 0) bounds.push(from);
    bounds.push(to);
  };
  const uw = userSide.slots.width;
  add('user', 0, 1);
  userFields.fields.forEach((f, j) =>
    add(`user.${f.name}`, userSide.fieldRanges[j][0], userSide.fieldRanges[j][1]),
  );
  add('item', uw, uw + 1);
  itemFields.fields.forEach((f, j) =>
    add(`item.${f.name}`, uw + itemSide.fieldRanges[j][0], uw + itemSide.fieldRanges[j][1]),
  );
  return {
    fields,
    vocabulary: next,
    fieldSlot: Int32Array.from(bounds),
    user: userSide.slots,
    item: itemSide.slots,
  };
}

/**
 * The label of every global index of `buildFieldInputs(dataset, userFields, itemFields)`, in the
 * same order: the raw user ids, the raw item ids, then each user field's vocabulary and each item
 * field's ("F", "Action"). For explanations that name features.
 */
export function fieldValueLabels(
  dataset: Dataset,
  userFields: FeatureTable,
  itemFields: FeatureTable,
): string[] {
  return [
    ...dataset.users.ids,
    ...dataset.items.ids,
    ...[...userFields.fields, ...itemFields.fields].flatMap((f) => f.vocabulary),
  ];
}

/**
 * The slots of one side: its id (global index `idBase + e`) then each field's values, each field
 * getting a vocabulary range from `allocate(size)`. `source` (the data set id) is named in errors.
 */
function sideSlots(
  table: FeatureTable,
  idBase: number,
  allocate: (size: number) => number,
  source: string,
): { slots: SideSlots; fieldRanges: Array<[number, number]> } {
  const count = table.count;
  const widths = table.fields.map((f) => {
    let w = f.kind === 'multi' ? 0 : 1;
    if (f.kind === 'multi') for (let e = 0; e < count; e++) w = Math.max(w, f.offsets[e + 1] - f.offsets[e]);
    // A multi-valued field nobody has still takes a slot, so the field count stays fixed.
    return Math.max(1, w);
  });
  const width = 1 + widths.reduce((a, b) => a + b, 0);
  const codes = new Int32Array(count * width).fill(-1);
  const weights = new Float32Array(count * width);
  for (let e = 0; e < count; e++) {
    codes[e * width] = idBase + e;
    weights[e * width] = 1;
  }
  const fieldRanges: Array<[number, number]> = [];
  let slot = 1;
  table.fields.forEach((field, f) => {
    const base = allocate(field.vocabulary.length);
    for (let e = 0; e < count; e++) {
      const a = field.offsets[e];
      const n = field.offsets[e + 1] - a;
      if (n > widths[f]) {
        throw new DataError(
          source,
          undefined,
          field.name,
          `entity ${e} has ${n} values in a single-valued field`,
        );
      }
      for (let j = 0; j < n; j++) {
        codes[e * width + slot + j] = base + field.codes[a + j];
        weights[e * width + slot + j] = 1 / n;
      }
    }
    fieldRanges.push([slot, slot + widths[f]]);
    slot += widths[f];
  });
  return { slots: { count, width, codes, weights }, fieldRanges };
}

/** Number of slots in a batch row. */
export function slotsPerRow(inputs: FieldInputs): number {
  return inputs.user.width + inputs.item.width;
}

/** The slot codes [n · S] and weights [n · S] of the pairs (users[k], items[k]). */
export function batchSlots(
  inputs: FieldInputs,
  users: Int32Array,
  items: Int32Array,
): { codes: Int32Array; weights: Float32Array } {
  const { user, item } = inputs;
  const s = user.width + item.width;
  const n = users.length;
  const codes = new Int32Array(n * s);
  const weights = new Float32Array(n * s);
  for (let k = 0; k < n; k++) {
    const u = users[k];
    const i = items[k];
    if (!(u >= 0 && u < user.count)) throw new UsageError(`user index ${u} is outside [0, ${user.count})`);
    if (!(i >= 0 && i < item.count)) throw new UsageError(`item index ${i} is outside [0, ${item.count})`);
    codes.set(user.codes.subarray(u * user.width, (u + 1) * user.width), k * s);
    weights.set(user.weights.subarray(u * user.width, (u + 1) * user.width), k * s);
    codes.set(item.codes.subarray(i * item.width, (i + 1) * item.width), k * s + user.width);
    weights.set(item.weights.subarray(i * item.width, (i + 1) * item.width), k * s + user.width);
  }
  return { codes, weights };
}

/**
 * Slot vectors [B, S, k] weighted by `weights` [B, S] and summed per field: [B, m, k]. Runs of
 * single-slot fields pass through as one slice; a multi-slot field is a weighted sum (its mean).
 */
export function poolFields(inputs: FieldInputs, vectors: tf.Tensor3D, weights: tf.Tensor2D): tf.Tensor3D {
  const { fieldSlot } = inputs;
  const m = fieldSlot.length - 1;
  const s = vectors.shape[1];
  const allSingle = fieldSlot[m] - fieldSlot[0] === m && s === m;
  const weighted = tf.mul(vectors, tf.expandDims(weights, 2)) as tf.Tensor3D;
  if (allSingle) return weighted;
  const parts: tf.Tensor3D[] = [];
  let f = 0;
  while (f < m) {
    const a = fieldSlot[f];
    if (fieldSlot[f + 1] - a === 1) {
      let g = f;
      while (g < m && fieldSlot[g + 1] - fieldSlot[g] === 1) g++;
      parts.push(tf.slice(weighted, [0, a, 0], [-1, fieldSlot[g] - a, -1]));
      f = g;
    } else {
      const slice = tf.slice(weighted, [0, a, 0], [-1, fieldSlot[f + 1] - a, -1]);
      parts.push(tf.sum(slice, 1, true) as tf.Tensor3D);
      f++;
    }
  }
  return parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as tf.Tensor3D);
}

/** Σ_j weights[b, j] · values[b, j]: [B, S] → [B] (the pooled linear term). */
export function poolLinear(values: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(values, weights), 1) as tf.Tensor1D;
}

/** The layout as saved in a model state: typed arrays in `arrays`, the rest in `meta`. */
export function fieldInputsMeta(inputs: FieldInputs): JsonValue {
  return {
    fields: [...inputs.fields],
    vocabulary: inputs.vocabulary,
    fieldSlot: [...inputs.fieldSlot],
    users: inputs.user.count,
    userWidth: inputs.user.width,
    items: inputs.item.count,
    itemWidth: inputs.item.width,
  };
}

export function fieldInputsArrays(inputs: FieldInputs): Record<string, Int32Array | Float32Array> {
  return {
    'inputs.userCodes': inputs.user.codes.slice(),
    'inputs.userWeights': inputs.user.weights.slice(),
    'inputs.itemCodes': inputs.item.codes.slice(),
    'inputs.itemWeights': inputs.item.weights.slice(),
  };
}

/** Rebuilds a saved layout, checking that the pieces agree; `source` is named in errors. */
export function restoreFieldInputs(
  meta: unknown,
  arrays: Readonly<Record<string, Float32Array | Float64Array | Int32Array>>,
  source: string,
): FieldInputs {
  const m = meta as Partial<Record<string, unknown>> | null;
  const int = (key: string): number => {
    const v = m?.[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw new DataError(source, undefined, `meta.${key}`, 'expected a non-negative integer');
    return v;
  };
  const fields = m?.['fields'];
  const fieldSlot = m?.['fieldSlot'];
  if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string'))
    throw new DataError(source, undefined, 'meta.fields', 'expected a list of field names');
  if (
    !Array.isArray(fieldSlot) ||
    fieldSlot.length !== fields.length + 1 ||
    !fieldSlot.every(Number.isInteger)
  )
    throw new DataError(source, undefined, 'meta.fieldSlot', `expected ${fields.length + 1} integers`);
  const side = (name: 'user' | 'item', count: number, width: number): SideSlots => {
    const codes = arrays[`inputs.${name}Codes`];
    const weights = arrays[`inputs.${name}Weights`];
    if (!(codes instanceof Int32Array) || codes.length !== count * width)
      throw new DataError(source, undefined, `inputs.${name}Codes`, `expected ${count * width} int32 values`);
    if (!(weights instanceof Float32Array) || weights.length !== count * width)
      throw new DataError(
        source,
        undefined,
        `inputs.${name}Weights`,
        `expected ${count * width} float32 values`,
      );
    return { count, width, codes, weights };
  };
  const user = side('user', int('users'), int('userWidth'));
  const item = side('item', int('items'), int('itemWidth'));
  if (fieldSlot[fieldSlot.length - 1] !== user.width + item.width)
    throw new DataError(source, undefined, 'meta.fieldSlot', 'does not end at the number of slots');
  return {
    fields: fields as string[],
    vocabulary: int('vocabulary'),
    fieldSlot: Int32Array.from(fieldSlot as number[]),
    user,
    item,
  };
}

/**
 * SAIN's input: the set of feature tokens x = {x^u, x^v} of a (user, item) pair (Yun et al.,
 * SIGIR 2019, §2.1), laid out as fixed token rows per user and per item and assembled per batch.
 *
 * Every value of every feature field is one token with its own embedding: the user's age bin,
 * gender and occupation, the movie's year bin, each of its genres, its actor and its director on
 * `sain-ml100k`. A categorical field gives one token (padding when the value is missing); a
 * multi-valued field gives one token per value (a movie's active genres), padded to the most
 * values any entity has.
 *
 * Why active genres and not SAIN's code's 19 genre flags as tokens (each flag a token with a
 * "0" and a "1" embedding, 25 tokens per pair): attention costs grow with the square of the
 * number of tokens, and 25 tokens cap tfjs-wasm training near 2,000 samples/s on 2 cores
 * (DESIGN.md); a movie has 1.7 genres on average, so a pair has ~8 real tokens. An inactive flag
 * carries nothing a present genre token does not.
 *
 * The fully connected maps of Eq. 5-6 concatenate one vector per feature, so a side's tokens are
 * placed in slots: a categorical field's token has the field's slot; a multi-valued field's tokens
 * either share one slot, as their mean (`mean`), or each has the slot of its value (`value`: one
 * slot per genre, empty for the genres a movie lacks, the way SAIN's code concatenates all 19 flag
 * tokens). `segments` and `poolWeight` say where each token goes and with what weight.
 */
import type { FeatureTable } from '../../data/dataset.js';
import { oneHotLayout } from '../../data/features.js';
import { UsageError } from '../../util/errors.js';

/** One feature field of one side and where its tokens sit in that side's token rows. */
export interface TokenField {
  readonly name: string;
  /** Any number of values per entity (one token each, pooled into one slot). */
  readonly multi: boolean;
  /** Token columns it takes in an entity's row: 1, or the most values any entity has. */
  readonly width: number;
  /** Column of its first token in the entity's row. */
  readonly column: number;
}

/** How a multi-valued field's tokens fill the slots of Eq. 5-6 (see above). */
export type MultiSlots = 'mean' | 'value';

/** The token vocabulary and every user's and item's token row (global token ids, -1 padding). */
export interface FeatureTokens {
  readonly multiSlots: MultiSlots;
  /** Slot of each token id within its side (user slots and item slots are numbered apart). */
  readonly slotOfToken: Int32Array;
  readonly userSlotCount: number;
  readonly itemSlotCount: number;
  /** Number of distinct tokens: user field values, then item field values. */
  readonly vocabularySize: number;
  /** `field=value` of each token id ("age=25-29", "genre=Action"). */
  readonly names: readonly string[];
  readonly userFields: readonly TokenField[];
  readonly itemFields: readonly TokenField[];
  readonly userWidth: number;
  readonly itemWidth: number;
  /** [users × userWidth] */
  readonly userRows: Int32Array;
  /** [items × itemWidth] */
  readonly itemRows: Int32Array;
}

/** Builds the token layout of a data set's user and item feature tables. */
export function featureTokens(
  userFeatures: FeatureTable,
  itemFeatures: FeatureTable,
  multiSlots: MultiSlots = 'mean',
): FeatureTokens {
  const user = sideTokens(userFeatures, 0);
  const item = sideTokens(itemFeatures, user.names.length);
  const slotOfToken = new Int32Array(user.names.length + item.names.length);
  const slotCount = (table: FeatureTable, firstId: number): number => {
    let slot = 0;
    let id = firstId;
    for (const field of table.fields) {
      const perValue = field.kind === 'multi' && multiSlots === 'value';
      for (let c = 0; c < field.vocabulary.length; c++) slotOfToken[id++] = perValue ? slot + c : slot;
      slot += perValue ? field.vocabulary.length : 1;
    }
    return slot;
  };
  const userSlotCount = slotCount(userFeatures, 0);
  const itemSlotCount = slotCount(itemFeatures, user.names.length);
  if (user.fields.length + item.fields.length === 0) {
    throw new UsageError('sain needs user or item feature fields; this data set has none');
  }
  return {
    multiSlots,
    slotOfToken,
    userSlotCount,
    itemSlotCount,
    vocabularySize: user.names.length + item.names.length,
    names: [...user.names, ...item.names],
    userFields: user.fields,
    itemFields: item.fields,
    userWidth: user.width,
    itemWidth: item.width,
    userRows: user.rows,
    itemRows: item.rows,
  };
}

function sideTokens(
  table: FeatureTable,
  firstId: number,
): { names: string[]; fields: TokenField[]; width: number; rows: Int32Array } {
  const layout = oneHotLayout(table);
  const fields: TokenField[] = [];
  let column = 0;
  for (const field of table.fields) {
    let most = 0;
    for (let e = 0; e < table.count; e++) most = Math.max(most, field.offsets[e + 1] - field.offsets[e]);
    const multi = field.kind === 'multi';
    const width = multi ? Math.max(1, most) : 1;
    fields.push({ name: field.name, multi, width, column });
    column += width;
  }
  const width = column;
  const rows = new Int32Array(table.count * width).fill(-1);
  table.fields.forEach((field, f) => {
    const { column: at, width: w } = fields[f];
    const start = firstId + layout.fieldStart[f];
    for (let e = 0; e < table.count; e++) {
      const from = field.offsets[e];
      const n = Math.min(w, field.offsets[e + 1] - from);
      for (let j = 0; j < n; j++) rows[e * width + at + j] = start + field.codes[from + j];
    }
  });
  return { names: layout.names, fields, width, rows };
}

/** A token slot (one field of one side) in a batch's token rows. */
export interface TokenSlot {
  readonly field: string;
  readonly side: 'user' | 'item';
  /** First token column of the slot in the batch's rows. */
  readonly start: number;
  readonly count: number;
}

/** The tokens of a batch of pairs: B rows of T tokens, user tokens first. */
export interface TokenBatch {
  readonly size: number;
  readonly length: number;
  /** [B·T] global token ids, -1 for padding. */
  readonly ids: Int32Array;
  /** [B·T] 1 for a real token, 0 for padding. */
  readonly mask: Float32Array;
  /**
   * [B·T] the token's weight in its slot: 1, or 1/n for each of a multi field's n tokens sharing
   * one slot (`mean`); 0 for padding.
   */
  readonly poolWeight: Float32Array;
  /**
   * [B·T] the slot each token is summed into: user slot s of pair k is k·U + s, item slot s is
   * B·U + k·V + s (U, V slots per user and item); padding goes to the extra slot B·(U + V).
   */
  readonly segments: Int32Array;
  /** The token columns of each field, user fields first, in token order. */
  readonly slots: readonly TokenSlot[];
  readonly userSlots: number;
  readonly itemSlots: number;
}

/**
 * The token rows of the pairs (users[k], items[k]). A multi-valued field takes only as many
 * columns as the batch's entity with the most values needs (at least 1), so a batch without
 * five-genre movies is not padded for them.
 */
export function tokenBatch(tokens: FeatureTokens, users: Int32Array, items: Int32Array): TokenBatch {
  const b = users.length;
  if (items.length !== b) throw new UsageError(`sain: ${b} users but ${items.length} items in a batch`);
  const sides = [
    {
      side: 'user' as const,
      fields: tokens.userFields,
      rows: tokens.userRows,
      width: tokens.userWidth,
      of: users,
    },
    {
      side: 'item' as const,
      fields: tokens.itemFields,
      rows: tokens.itemRows,
      width: tokens.itemWidth,
      of: items,
    },
  ];
  const slots: TokenSlot[] = [];
  for (const s of sides) {
    for (const f of s.fields) {
      let count = 1;
      if (f.multi) {
        count = 1;
        for (let k = 0; k < b; k++) {
          const base = s.of[k] * s.width + f.column;
          let n = 0;
          while (n < f.width && s.rows[base + n] >= 0) n++;
          if (n > count) count = n;
        }
      }
      const start = slots.length === 0 ? 0 : slots[slots.length - 1].start + slots[slots.length - 1].count;
      slots.push({ field: f.name, side: s.side, start, count });
    }
  }
  const t = slots.length === 0 ? 0 : slots[slots.length - 1].start + slots[slots.length - 1].count;
  const ids = new Int32Array(b * t).fill(-1);
  const mask = new Float32Array(b * t);
  const poolWeight = new Float32Array(b * t);
  const u = tokens.userSlotCount;
  const v = tokens.itemSlotCount;
  const segments = new Int32Array(b * t).fill(b * (u + v));
  const mean = tokens.multiSlots === 'mean';
  for (let k = 0; k < b; k++) {
    let slot = 0;
    for (const s of sides) {
      const entity = s.of[k];
      if (!(entity >= 0 && entity * s.width + s.width <= s.rows.length)) {
        throw new UsageError(`sain: ${s.side} index ${entity} at position ${k} is outside the trained data`);
      }
      for (const f of s.fields) {
        const { start, count } = slots[slot++];
        const base = entity * s.width + f.column;
        const first = s.side === 'user' ? k * u : b * u + k * v;
        let n = 0;
        for (let j = 0; j < count; j++) {
          const id = s.rows[base + j];
          if (id < 0) break;
          ids[k * t + start + j] = id;
          mask[k * t + start + j] = 1;
          segments[k * t + start + j] = first + tokens.slotOfToken[id];
          n++;
        }
        const w = f.multi && mean ? 1 / n : 1;
        for (let j = 0; j < n; j++) poolWeight[k * t + start + j] = w;
      }
    }
  }
  return { size: b, length: t, ids, mask, poolWeight, segments, slots, userSlots: u, itemSlots: v };
}

/**
 * The design of Bayesian SVD++ flipped (Rendle, Zhang & Koren 2019, "On the Difficulty of
 * Evaluating Baselines", Sec. 3): a factorization machine whose row for a rating (u, i) holds
 *   user side: one-hot u, u's side features, and the items u rated (SVD++'s implicit block N(u));
 *   item side: one-hot i, i's side features, and the users who rated i ("flipped", N(i)).
 * Each implicit block is weighted so that it sums to 1 (`mean`, 1/|N|) or has unit length (`sqrt`,
 * 1/sqrt|N|, Koren's SVD++ normalisation); which one is a setting, chosen on validation data.
 *
 * N(u) and N(i) come from the training ratings only, so no validation or test rating reaches the
 * design. The result is an ordinary `FmLayout` (per-user and per-item CSR blocks), with every
 * user-side column numbered before every item-side column: the relational sampler
 * (`relational-gibbs.ts`) sweeps the user block, then the item block, and this order makes that the
 * plain column order of the expanded FM, which the equivalence test relies on.
 */
import type { Dataset } from '../../data/dataset.js';
import { buildFmLayout, type EntityBlock, type FmLayout, type MultiWeight } from '../classic/fm-design.js';

export type ImplicitWeight = 'mean' | 'sqrt';
export const IMPLICIT_WEIGHTS: readonly ImplicitWeight[] = ['mean', 'sqrt'];

/** Which implicit blocks a row carries: SVD++ (`items`), its flip (`users`), both, or none. */
export type ImplicitBlocks = 'both' | 'items' | 'users' | 'none';
export const IMPLICIT_BLOCKS: readonly ImplicitBlocks[] = ['both', 'items', 'users', 'none'];

export interface SvdppDesignOptions {
  readonly features: string;
  readonly multiWeight: MultiWeight;
  readonly implicit: ImplicitBlocks;
  readonly implicitWeight: ImplicitWeight;
}

/** The layout plus where the item side starts: columns [0, itemStart) are user-side. */
export interface SvdppLayout extends FmLayout {
  readonly itemStart: number;
}

export function buildSvdppLayout(
  dataset: Dataset,
  train: { readonly user: Int32Array; readonly item: Int32Array },
  options: SvdppDesignOptions,
): SvdppLayout {
  const base = buildFmLayout(dataset, { features: options.features, multiWeight: options.multiWeight });
  const nUsers = dataset.users.ids.length;
  const nItems = dataset.items.ids.length;

  // A base group is user-side when the user blocks use one of its columns (group 0 = user id).
  const userSideGroup = new Uint8Array(base.groupNames.length);
  userSideGroup[0] = 1;
  for (const c of base.users.columns) userSideGroup[base.columnGroup[c]] = 1;
  const userSideGroupOf = (c: number): boolean => userSideGroup[base.columnGroup[c]] === 1;

  const withItems = options.implicit === 'both' || options.implicit === 'items';
  const withUsers = options.implicit === 'both' || options.implicit === 'users';
  const groupNames = [...base.groupNames];
  const ratedGroup = withItems ? groupNames.push('rated items') - 1 : -1;
  const raterGroup = withUsers ? groupNames.push('raters') - 1 : -1;

  // New numbering: user-side base columns, the rated-item columns, item-side base columns, raters.
  const names: string[] = [];
  const groups: number[] = [];
  const newIndex = new Int32Array(base.columnCount);
  const place = (side: boolean): void => {
    for (let c = 0; c < base.columnCount; c++) {
      if (userSideGroupOf(c) !== side) continue;
      newIndex[c] = names.length;
      names.push(base.columnNames[c]);
      groups.push(base.columnGroup[c]);
    }
  };
  place(true);
  const ratedStart = names.length;
  if (withItems) {
    for (const id of dataset.items.ids) {
      names.push(`rated=${id}`);
      groups.push(ratedGroup);
    }
  }
  const itemStart = names.length;
  place(false);
  const raterStart = names.length;
  if (withUsers) {
    for (const id of dataset.users.ids) {
      names.push(`ratedBy=${id}`);
      groups.push(raterGroup);
    }
  }

  // Only when asked for: the neighbour sets hold every training rating (fm uses implicit none).
  const ratedBy = withItems ? neighbours(train.user, train.item, nUsers) : undefined;
  const raters = withUsers ? neighbours(train.item, train.user, nItems) : undefined;
  const users = extend(base.users, newIndex, ratedBy, ratedStart, options.implicitWeight);
  const items = extend(base.items, newIndex, raters, raterStart, options.implicitWeight);
  return {
    columnCount: names.length,
    columnNames: names,
    columnGroup: Int32Array.from(groups),
    groupNames,
    users,
    items,
    maxRowLength: maxLength(users) + maxLength(items),
    itemStart,
  };
}

/** For each owner e, the distinct partners it has a training rating with, ascending (CSR). */
function neighbours(
  owner: Int32Array,
  partner: Int32Array,
  count: number,
): { offsets: Int32Array; partners: Int32Array } {
  const sets: Array<Set<number>> = Array.from({ length: count }, () => new Set<number>());
  for (let r = 0; r < owner.length; r++) sets[owner[r]].add(partner[r]);
  const offsets = new Int32Array(count + 1);
  for (let e = 0; e < count; e++) offsets[e + 1] = offsets[e] + sets[e].size;
  const partners = new Int32Array(offsets[count]);
  for (let e = 0; e < count; e++) partners.set(Int32Array.from(sets[e]).sort(), offsets[e]);
  return { offsets, partners };
}

/** Renumbers an entity block's columns and appends its implicit block (columns start + partner). */
function extend(
  block: EntityBlock,
  newIndex: Int32Array,
  implicit: { offsets: Int32Array; partners: Int32Array } | undefined,
  start: number,
  weight: ImplicitWeight,
): EntityBlock {
  const count = block.offsets.length - 1;
  const offsets = new Int32Array(count + 1);
  for (let e = 0; e < count; e++) {
    const own = block.offsets[e + 1] - block.offsets[e];
    const extra = implicit ? implicit.offsets[e + 1] - implicit.offsets[e] : 0;
    offsets[e + 1] = offsets[e] + own + extra;
  }
  const columns = new Int32Array(offsets[count]);
  const values = new Float64Array(offsets[count]);
  for (let e = 0; e < count; e++) {
    let p = offsets[e];
    for (let c = block.offsets[e]; c < block.offsets[e + 1]; c++, p++) {
      columns[p] = newIndex[block.columns[c]];
      values[p] = block.values[c];
    }
    if (!implicit) continue;
    const n = implicit.offsets[e + 1] - implicit.offsets[e];
    const x = weight === 'mean' ? 1 / n : 1 / Math.sqrt(n);
    for (let c = implicit.offsets[e]; c < implicit.offsets[e + 1]; c++, p++) {
      columns[p] = start + implicit.partners[c];
      values[p] = x;
    }
  }
  return { offsets, columns, values };
}

function maxLength(block: EntityBlock): number {
  let m = 0;
  for (let e = 0; e + 1 < block.offsets.length; e++) m = Math.max(m, block.offsets[e + 1] - block.offsets[e]);
  return m;
}

/**
 * Every parameter value of a model in one SharedArrayBuffer, so that data-parallel training
 * (`data-parallel.ts`) can hand the weights after each optimizer step to its worker threads
 * without messages: the owner (the main thread, which runs Adam) `publish`es its values, each
 * replica `adopt`s them before computing its part of the next batch.
 *
 * Parameters are laid out in declaration order; a replica built by the same model code declares
 * the same names with the same sizes, which `checkLayout` verifies once.
 */
import { HeedError } from '../util/errors.js';
import type { Params } from './params.js';

/** Where one parameter's values sit in the shared buffer (in float32 elements). */
export interface SharedSlot {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

export interface SharedWeightsLayout {
  readonly buffer: SharedArrayBuffer;
  readonly slots: readonly SharedSlot[];
}

/** Allocates the shared buffer for `params` (zero-filled; call `publishWeights` to fill it). */
export function sharedWeightsFor(params: Params): SharedWeightsLayout {
  const slots: SharedSlot[] = [];
  let offset = 0;
  for (const p of params.list()) {
    slots.push({ name: p.name, offset, size: p.value.length });
    offset += p.value.length;
  }
  return { buffer: new SharedArrayBuffer(offset * Float32Array.BYTES_PER_ELEMENT), slots };
}

/** Throws when `params` does not declare exactly the layout's names and sizes, in order. */
export function checkLayout(params: Params, layout: SharedWeightsLayout): void {
  const list = params.list();
  const mismatch = (why: string): never => {
    throw new HeedError(`data-parallel replica: its parameters differ from the model's (${why})`);
  };
  if (list.length !== layout.slots.length)
    mismatch(`${list.length} parameters, the model has ${layout.slots.length}`);
  list.forEach((p, i) => {
    const slot = layout.slots[i];
    if (p.name !== slot.name || p.value.length !== slot.size)
      mismatch(`"${p.name}" [${p.value.length}] where the model has "${slot.name}" [${slot.size}]`);
  });
}

/** Copies every value of `params` into the shared buffer. */
export function publishWeights(params: Params, layout: SharedWeightsLayout): void {
  const shared = new Float32Array(layout.buffer);
  const list = params.list();
  layout.slots.forEach((slot, i) => shared.set(list[i].value, slot.offset));
}

/** Copies the shared values into `params` and refreshes the dense parameters' tensors. */
export function adoptWeights(params: Params, layout: SharedWeightsLayout): void {
  const shared = new Float32Array(layout.buffer);
  const list = params.list();
  layout.slots.forEach((slot, i) => {
    const p = list[i];
    p.value.set(shared.subarray(slot.offset, slot.offset + slot.size));
    if (p.kind === 'dense') p.sync();
  });
}

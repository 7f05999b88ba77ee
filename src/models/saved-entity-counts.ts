/**
 * The numbers of users and items a saved neural model's meta records (the row counts of its user
 * and item tables, declared again before the weights are loaded), checked the same way for every
 * model that saves them (NCF, AFM-GAU, AANMF).
 */
import { DataError } from '../util/errors.js';
import type { ModelState } from './model.js';

export function savedEntityCounts(state: ModelState): { users: number; items: number } {
  const meta = state.meta as { users?: unknown; items?: unknown } | null;
  const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (meta === null || typeof meta !== 'object' || !count(meta.users) || !count(meta.items)) {
    throw new DataError(
      `saved model "${state.id}"`,
      undefined,
      'meta',
      'lacks the numbers of users and items (integers >= 0)',
    );
  }
  return { users: meta.users, items: meta.items };
}

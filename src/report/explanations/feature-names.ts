/**
 * Models name the explained item's own feature by its id: AFM-GAU "item id", FM and AFM "item=242"
 * (alone or in a pair "user=196 × item=242"). A picture names it by its title instead.
 */
import type { ExplainedGroup } from '../../serve/explanations.js';

/** The label models give the item's own embedding in AFM-GAU (see afm-gau.ts). */
export const ITEM_ID_FEATURE = 'item id';
const PAIR_SEPARATOR = ' × ';

/** `feature` with the item's id feature replaced by "item: <itemName>". */
export function nameItemFeature(feature: string, item: string, itemName: string): string {
  return feature
    .split(PAIR_SEPARATOR)
    .map((part) => (part === ITEM_ID_FEATURE || part === `item=${item}` ? `item: ${itemName}` : part))
    .join(PAIR_SEPARATOR);
}

/** Every weight of `groups` named with `nameItemFeature`. */
export function withItemName(
  groups: readonly ExplainedGroup[],
  item: string,
  itemName: string,
): ExplainedGroup[] {
  return groups.map((g) => ({
    ...g,
    weights: g.weights.map((w) => ({ ...w, feature: nameItemFeature(w.feature, item, itemName) })),
  }));
}

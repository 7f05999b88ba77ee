/**
 * The review models' picture (SAFMR, NARRE): each group of reviews the model gives as evidence,
 * with its weight, who wrote it on which item, the rating and the start of the text.
 */
import type { ExplainedReviews } from '../../serve/explanations.js';
import type { Panel } from './panel.js';
import { reviewListPanel } from './review-list.js';

/** Reviews shown per group. */
const TOP_REVIEWS = 6;

export function reviewPanels(
  groups: readonly ExplainedReviews[],
  itemName: (raw: string) => string,
): Panel[] {
  return groups.map((group) => {
    const shown = group.reviews.slice(0, TOP_REVIEWS);
    const count = group.total > shown.length ? `, top ${shown.length} of ${group.total}` : '';
    return reviewListPanel({
      heading: `${group.name.charAt(0).toUpperCase()}${group.name.slice(1)}${count}`,
      reviews: shown.map((r) => ({
        caption:
          `user ${r.user} on ${itemName(r.item)}, rated ${r.rating}` +
          (r.distance !== undefined ? `, distance ${r.distance.toFixed(3)}` : ''),
        text: r.text,
        weight: r.weight,
      })),
    });
  });
}

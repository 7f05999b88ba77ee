/**
 * AANMF's pictures. For one prediction: λ of Algorithm 1, the attention the movie gives each of the
 * user's attributes. For a user, the paper's Fig. 7: a heatmap of the mean attention on each user
 * attribute (rows: gender, age, occupation) by movie genre (columns); the paper shades high
 * attention white and low black, here the deeper the blue the higher, with the values printed.
 */
import type { ExplainedGroup } from '../../serve/explanations.js';
import type { AttentionByGenre } from './attention-over-items.js';
import { heatmapPanel } from './heatmap.js';
import type { Panel } from './panel.js';
import { weightBarsPanel } from './weight-bars.js';

export function aanmfPairPanels(groups: readonly ExplainedGroup[], itemName: string): Panel[] {
  return groups.map((group) =>
    weightBarsPanel({
      heading: `Attention of ${itemName} on the user's attributes (λ, Algorithm 1)`,
      kind: group.kind,
      bars: group.weights.map((w) => ({ label: w.feature, value: w.weight })),
      valueAxis: "attention weight (the user's attributes sum to 100%)",
    }),
  );
}

export function aanmfUserPanels(summary: AttentionByGenre): Panel[] {
  return [
    heatmapPanel({
      heading: `Mean attention on each user attribute by movie genre, over ${summary.items} movies (AANMF Fig. 7)`,
      rowAxis: 'user attribute',
      columnAxis: 'movie genre (grey: no movie of that genre)',
      rows: summary.attributes,
      columns: summary.genres,
      values: summary.values,
      format: (v) => (100 * v).toFixed(0),
    }),
  ];
}

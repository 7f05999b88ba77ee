/**
 * The picture of a model without a figure of its own (fm, attentional-fm): one bar panel per
 * group of its explanation, attention as shares, contributions as signed values.
 */
import type { ExplainedGroup } from '../../serve/explanations.js';
import type { Panel } from './panel.js';
import { weightBarsPanel } from './weight-bars.js';

/** Bars shown per group unless the caller says otherwise. */
const TOP_WEIGHTS = 20;

export function genericPanels(groups: readonly ExplainedGroup[], top = TOP_WEIGHTS): Panel[] {
  return groups.map((group) => {
    const shown = group.weights.slice(0, top);
    const count = group.total > shown.length ? `, top ${shown.length} of ${group.total}` : '';
    return weightBarsPanel({
      heading: `${group.name.charAt(0).toUpperCase()}${group.name.slice(1)}${count}`,
      kind: group.kind,
      bars: shown.map((w) => ({ label: w.feature, value: w.weight })),
      valueAxis:
        group.kind === 'attention'
          ? 'attention weight (the group sums to 100%)'
          : 'contribution to the predicted rating (signed)',
    });
  });
}

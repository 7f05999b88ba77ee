/**
 * The picture of one explanation: the attention weights of its first group as bars, one per
 * feature from the largest to the smallest (as `heed explain` lists them), the highlighted feature
 * (the demo's planted one) in its own colour. A stand-in behind one
 * call until the papers' own explanation figures (`renderExplanationSvg`, branch `pictures`) land.
 */
import type { Explanation } from '../models/model.js';
import { HeedError } from '../util/errors.js';
import { barChart } from './bar-chart.js';

export interface ExplanationPictureOptions {
  readonly title: string;
  /** A feature drawn in its own colour and legend entry. */
  readonly highlight?: string;
  /** Legend name of the highlighted bar. */
  readonly highlightName?: string;
}

export function explanationPicture(explanation: Explanation, options: ExplanationPictureOptions): string {
  const group = explanation.groups[0];
  if (group === undefined || group.weights.length === 0) {
    throw new HeedError(`explanationPicture: the ${explanation.model} explanation has no attention weights`);
  }
  const highlightName = options.highlightName ?? options.highlight ?? '';
  return barChart({
    title: options.title,
    yLabel: 'attention weight',
    yFromZero: true,
    groups: [...group.weights]
      .sort((a, b) => b.weight - a.weight)
      .map((w) => ({
        label: w.feature,
        bars: [{ name: w.feature === options.highlight ? highlightName : 'other features', value: w.weight }],
      })),
  });
}

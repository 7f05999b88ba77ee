/**
 * The demo's pictures of AFM-GAU's attention (Eq. 2; the paper's Fig. 1 draws it for two users):
 * one horizontal bar per feature, largest first, the planted feature in its own colour. Drawn
 * with the panels of the papers' explanation figures (`report/explanations/`), from the weights
 * the demo holds in memory rather than from a saved model.
 */
import type { Explanation } from '../models/model.js';
import { stackPanels } from '../report/explanations/panel.js';
import { weightBarsPanel } from '../report/explanations/weight-bars.js';
import { HeedError } from '../util/errors.js';

export interface AttentionPictureOptions {
  readonly title: string;
  /** Lines under the title. */
  readonly subtitles?: readonly string[];
  /** What the bars are, above them. */
  readonly heading: string;
  /** A feature drawn in its own colour. */
  readonly highlight?: string;
}

export function attentionPicture(explanation: Explanation, options: AttentionPictureOptions): string {
  const group = explanation.groups[0];
  if (group === undefined || group.weights.length === 0) {
    throw new HeedError(`attentionPicture: the ${explanation.model} explanation has no attention weights`);
  }
  return stackPanels(options.title, options.subtitles ?? [], [
    weightBarsPanel({
      heading: options.heading,
      kind: 'attention',
      bars: [...group.weights]
        .sort((a, b) => b.weight - a.weight)
        .map((w) => ({ label: w.feature, value: w.weight })),
      valueAxis: 'attention weight (the weights drawn sum to 100%)',
      ...(options.highlight !== undefined ? { highlight: options.highlight } : {}),
    }),
  ]);
}

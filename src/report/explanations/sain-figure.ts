/**
 * SAIN's Fig. 3 (Yun et al., SIGIR 2019, §3.5.1): the self-attention of the feature-level
 * interaction layer as a feature × feature heatmap per head. Row = the query feature, columns = the
 * features it attends to (each row sums to 1). Then α_CF of Eq. 7, how much the user's and the
 * item's representations take from the feedback embedding rather than from the features.
 *
 * Input: the groups of SAIN's explanation (`head h: <query>`, or `layer l, head h: <query>` with
 * several layers, then `user integration` and `item integration`), in the model's order.
 */
import type { ExplainedGroup } from '../../serve/explanations.js';
import { heatmapPanel } from './heatmap.js';
import type { Panel } from './panel.js';
import { weightBarsPanel } from './weight-bars.js';

const HEAD_GROUP = /^((?:layer \d+, )?head \d+): (.+)$/;

export function sainPanels(groups: readonly ExplainedGroup[]): Panel[] {
  const heads = new Map<string, Array<{ query: string; weights: ReadonlyMap<string, number> }>>();
  const integration: Array<{ label: string; value: number }> = [];
  for (const group of groups) {
    const match = HEAD_GROUP.exec(group.name);
    if (match !== null) {
      const [, head, query] = match;
      const rows = heads.get(head) ?? [];
      rows.push({ query, weights: new Map(group.weights.map((w) => [w.feature, w.weight])) });
      heads.set(head, rows);
    } else if (group.name.endsWith('integration')) {
      const side = group.name.replace(/ integration$/, '');
      // Feedback first, then content, whatever their sizes: the two bars of a side read as a split.
      const ordered = [...group.weights].sort((a, b) =>
        a.feature === 'feedback' ? -1 : b.feature === 'feedback' ? 1 : 0,
      );
      for (const w of ordered) integration.push({ label: `${side}: ${w.feature}`, value: w.weight });
    }
  }
  const panels: Panel[] = [];
  for (const [head, rows] of heads) {
    // Every query attends over the same features, the pair's; the queries list them in model order.
    const columns = rows.map((r) => r.query);
    panels.push(
      heatmapPanel({
        heading: `${capitalise(head)}: attention of each feature (row) over the pair's features (SAIN Fig. 3)`,
        rowAxis: 'query feature',
        columnAxis: 'attended feature (each row sums to 1)',
        rows: columns,
        columns,
        values: rows.map((r) => columns.map((c) => r.weights.get(c) ?? null)),
      }),
    );
  }
  if (integration.length > 0) {
    panels.push(
      weightBarsPanel({
        heading: 'Information integration (Eq. 7): feedback embedding vs combined features',
        kind: 'attention',
        bars: integration,
        valueAxis: 'α_CF for feedback, 1 − α_CF for content, per side',
      }),
    );
  }
  return panels;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

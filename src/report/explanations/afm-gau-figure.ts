/**
 * AFM-GAU's pictures (Chen et al., SIGIR 2018). For one prediction: the user's attention over the
 * movie's features, as the Gated Attention Units give it (Eq. 2), one bar per feature. For a user (Fig. 1): how the attention splits between the
 * feature fields, averaged over every movie; then, as Fig. 4 colours the 18 genres, the mean weight
 * of each value of each field (a row of cells, or the 15 largest as bars when a field has too many
 * values to read in one row, such as actors).
 */
import type { ExplainedGroup } from '../../serve/explanations.js';
import type { UserFeatureAttention } from './attention-over-items.js';
import { fieldOf } from './attention-over-items.js';
import { ITEM_ID_FEATURE } from './feature-names.js';
import { heatmapPanel } from './heatmap.js';
import type { Panel } from './panel.js';
import { weightBarsPanel } from './weight-bars.js';

/** Fields with more values than this are drawn as their largest values' bars, not as a row of cells. */
const MAX_CELLS = 24;
const TOP_VALUES = 15;

/** The pair picture (the movie's own feature already named by its title, see feature-names.ts). */
export function afmGauPairPanels(groups: readonly ExplainedGroup[]): Panel[] {
  return groups.map((group) =>
    weightBarsPanel({
      heading: `Attention over the ${group.name} (GAU, Eq. 2; AFM-GAU Fig. 1)`,
      kind: group.kind,
      bars: group.weights.map((w) => ({ label: w.feature, value: w.weight })),
      valueAxis: "attention weight (the weights of the movie's features sum to 100%)",
    }),
  );
}

/** The user picture: field shares, then per-field value weights in the order of `valueOrder`. */
export function afmGauUserPanels(
  summary: UserFeatureAttention,
  userName: string,
  valueOrder: readonly string[] = [],
): Panel[] {
  const order = (feature: string): number => {
    const k = valueOrder.indexOf(feature);
    return k < 0 ? valueOrder.length : k;
  };
  const panels: Panel[] = [
    weightBarsPanel({
      heading: `Where the attention goes, averaged over ${summary.items} movies (AFM-GAU Fig. 1)`,
      kind: 'attention',
      bars: [...summary.fields]
        .sort((a, b) => b.share - a.share)
        .map((f) => ({
          label: f.field === ITEM_ID_FEATURE ? 'the movie itself (item id)' : f.field,
          value: f.share,
        })),
      valueAxis: "mean share of the attention a movie's features get, by feature field",
    }),
  ];
  // Fields in the order of `valueOrder` (the data set's field order), values likewise.
  const fieldRank = (field: string): number =>
    Math.min(...summary.values.filter((v) => fieldOf(v.feature) === field).map((v) => order(v.feature)));
  const fields = [...new Set(summary.values.map((v) => fieldOf(v.feature)))]
    .filter((f) => f !== ITEM_ID_FEATURE)
    .sort((a, b) => fieldRank(a) - fieldRank(b));
  for (const field of fields) {
    const values = summary.values
      .filter((v) => fieldOf(v.feature) === field)
      .sort((a, b) => order(a.feature) - order(b.feature) || (a.feature < b.feature ? -1 : 1));
    const label = (feature: string): string => feature.slice(field.length + 1);
    if (values.length <= MAX_CELLS) {
      panels.push(
        heatmapPanel({
          heading: `Mean attention on each ${field} when the movie has it (AFM-GAU Fig. 4)`,
          rowAxis: field,
          columnAxis: `${field}: % of a movie's attention, mean over the movies with that ${field}`,
          rows: [userName],
          columns: values.map((v) => label(v.feature)),
          values: [values.map((v) => v.mean)],
          format: (v) => (100 * v).toFixed(0),
        }),
      );
    } else {
      const top = [...values].sort((a, b) => b.mean - a.mean).slice(0, TOP_VALUES);
      panels.push(
        weightBarsPanel({
          heading: `The ${TOP_VALUES} ${field} values with the most attention, of ${values.length}`,
          kind: 'attention',
          bars: top.map((v) => ({ label: `${label(v.feature)} (${v.items} movies)`, value: v.mean })),
          valueAxis: `mean attention on the ${field} when the movie has it`,
        }),
      );
    }
  }
  return panels;
}

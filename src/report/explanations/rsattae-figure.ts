/**
 * RSAttAE's picture (Dadashzadeh Taromi et al., Eq. 2): Ê = LayerNorm(α·A·E + (1 − α)·E). First α
 * of the user and of the item autoencoder, the learned share of the attention term in the
 * embedding XGBoost rates from; then the feature attention A: which groups of users (and of
 * movies), named by their features, the user's (the movie's) feature query attended to.
 */
import type { ExplainedGroup } from '../../serve/explanations.js';
import type { Panel } from './panel.js';
import { weightBarsPanel } from './weight-bars.js';

/** Bars shown per attention group: the groups are many (every feature combination with keys). */
const TOP_GROUPS = 12;

export interface RsattaeAlpha {
  readonly user: number | null;
  readonly item: number | null;
}

export function rsattaePanels(groups: readonly ExplainedGroup[], alpha: RsattaeAlpha | undefined): Panel[] {
  const panels: Panel[] = [];
  const alphas = [
    ...(alpha?.user != null ? [{ label: 'α of the user autoencoder', value: alpha.user }] : []),
    ...(alpha?.item != null ? [{ label: 'α of the item autoencoder', value: alpha.item }] : []),
  ];
  if (alphas.length > 0) {
    panels.push(
      weightBarsPanel({
        heading: 'α (Eq. 2): the share of the attention term in each embedding',
        kind: 'attention',
        bars: alphas,
        valueAxis: "α; the rest, 1 − α, is the autoencoder's own embedding",
      }),
    );
  }
  for (const group of groups) {
    const shown = group.weights.slice(0, TOP_GROUPS);
    panels.push(
      weightBarsPanel({
        heading: `${capitalise(group.name)}${group.total > shown.length ? `, top ${shown.length} of ${group.total}` : ''}`,
        kind: group.kind,
        bars: shown.map((w) => ({ label: w.feature, value: w.weight })),
        valueAxis: 'attention weight A (Eq. 2) over groups of entities with the same features',
      }),
    );
  }
  return panels;
}

/** α from a saved model's meta (`fit.alpha`), when the fit recorded it. */
export function rsattaeAlphaOf(meta: unknown): RsattaeAlpha | undefined {
  const fit = (meta as { fit?: { alpha?: { user?: unknown; item?: unknown } } } | null)?.fit;
  const alpha = fit?.alpha;
  if (alpha === undefined) return undefined;
  const value = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return { user: value(alpha.user), item: value(alpha.item) };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

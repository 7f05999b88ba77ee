/**
 * A saved model's explanation of one prediction, by raw ids: what `heed explain` prints and what
 * `GET /explain` answers. The model's `Explanation` (dense indices, groups in the model's order) is
 * turned into something a person reads: each group's weights sorted, optionally cut to the top N,
 * and marked as an attention distribution or as signed contributions (FM splits its prediction
 * into per-feature contributions that can be negative, so percentages would mislead there).
 *
 * The explanation is given only when the model itself answered: a pair answered by the cold-start
 * fallback (see `src/models/predictor.ts`) has no attention behind it, and an id the model's data
 * set never had has no index to explain.
 */
import { predictRaw, type LoadedArtifact, type RawPrediction } from '../models/artifact.js';
import { MODELS } from '../models/index.js';
import type { AttentionWeight } from '../models/model.js';
import { UsageError } from '../util/errors.js';

/**
 * `attention`: non-negative weights (a distribution, or the top part of one), shown as shares.
 * `contribution`: signed additive parts of the prediction, shown as values.
 */
export type WeightKind = 'attention' | 'contribution';

export interface ExplainedGroup {
  readonly name: string;
  readonly kind: WeightKind;
  /** Sorted: largest weight first (largest |weight| first for contributions). */
  readonly weights: readonly AttentionWeight[];
  /** How many weights the group has before `top` cut it. */
  readonly total: number;
  /** Sum of all the group's weights before the cut (1 for a full attention distribution). */
  readonly sum: number;
}

export interface ExplainReply extends RawPrediction {
  readonly model: string;
  readonly dataset: string;
  /** Null when there is nothing to explain; `note` then says why. */
  readonly explanation: {
    /** The model's own unclipped output for the pair (the `rating` is clipped to the scale). */
    readonly raw: number;
    readonly groups: readonly ExplainedGroup[];
    /** Review models: reviews shown as evidence, by raw ids (see `ExplainedReviews`). */
    readonly reviews?: readonly ExplainedReviews[];
  } | null;
  readonly note?: string;
}

/** A group of reviews given as evidence (SAFMR's most similar reviews, NARRE's most useful). */
export interface ExplainedReviews {
  readonly name: string;
  /** How many reviews the group has before `top` cut it. */
  readonly total: number;
  readonly reviews: ReadonlyArray<{
    readonly user: string;
    readonly item: string;
    readonly rating: number;
    readonly weight: number;
    readonly distance?: number;
    readonly text: string;
  }>;
}

/** The model cannot explain at all: names the model and the models that can. */
export class NoExplanationError extends UsageError {
  constructor(model: string) {
    super(
      `model "${model}" does not explain its predictions; models that do: ${explainingModels().join(', ')}`,
    );
    this.name = 'NoExplanationError';
  }
}

let explaining: readonly string[] | undefined;

/**
 * Ids of the shipped models that implement `explain`, found by asking each model class (creating a
 * model with its defaults only stores its config), so the list cannot go stale.
 */
export function explainingModels(): readonly string[] {
  explaining ??= MODELS.filter((spec) => {
    try {
      return typeof spec.create({ ...spec.defaults }).explain === 'function';
    } catch {
      return false;
    }
  }).map((spec) => spec.id);
  return explaining;
}

/** Whether a loaded model explains its predictions. */
export function canExplain(artifact: LoadedArtifact): boolean {
  return typeof artifact.model.explain === 'function';
}

/**
 * The prediction and explanation for raw ids. `top` keeps the N largest weights of each group.
 * Throws `NoExplanationError` for a model without `explain`.
 */
export function explainRaw(artifact: LoadedArtifact, user: string, item: string, top?: number): ExplainReply {
  const model = artifact.model;
  if (typeof model.explain !== 'function') throw new NoExplanationError(artifact.manifest.model);
  if (top !== undefined && !(Number.isInteger(top) && top >= 1)) {
    throw new UsageError(`top must be a positive integer, got ${top}`);
  }
  const prediction = predictRaw(artifact, user, item);
  const head = { model: artifact.manifest.model, dataset: artifact.manifest.dataset, ...prediction };
  const u = artifact.users.index.get(user);
  const i = artifact.items.index.get(item);
  if (u === undefined || i === undefined) {
    const unknown = [u === undefined ? `user "${user}"` : '', i === undefined ? `item "${item}"` : '']
      .filter((s) => s !== '')
      .join(' and ');
    return {
      ...head,
      explanation: null,
      note: `${unknown} not in the model's data set: the cold-start fallback answered, so there is no attention to show`,
    };
  }
  if (prediction.source === 'fallback') {
    return {
      ...head,
      explanation: null,
      note: `cold start (${prediction.coldStart} without training ratings): the fallback answered, not the model, so there is no attention to show`,
    };
  }
  const explanation = model.explain(u, i);
  const groups = explanation.groups.map((g) => explainGroup(g.name, g.weights, top));
  const reviews = explanation.reviews?.map((g): ExplainedReviews => ({
    name: g.name,
    total: g.reviews.length,
    reviews: (top === undefined ? g.reviews : g.reviews.slice(0, top)).map((r) => ({
      user: artifact.users.ids[r.user] ?? String(r.user),
      item: artifact.items.ids[r.item] ?? String(r.item),
      rating: r.rating,
      weight: r.weight,
      ...(r.distance !== undefined ? { distance: r.distance } : {}),
      text: r.text,
    })),
  }));
  return {
    ...head,
    explanation: { raw: explanation.prediction, groups, ...(reviews !== undefined ? { reviews } : {}) },
    ...(groups.length === 0 ? { note: `model "${head.model}" has no attention for this pair` } : {}),
  };
}

/** Sorts a group's weights, says what kind they are and keeps the top N. */
export function explainGroup(
  name: string,
  weights: readonly AttentionWeight[],
  top?: number,
): ExplainedGroup {
  const kind: WeightKind = weights.every((w) => w.weight >= 0) ? 'attention' : 'contribution';
  const magnitude = kind === 'attention' ? (w: number) => w : Math.abs;
  // Stable: equal weights keep the model's order.
  const sorted = weights
    .map((w, k) => ({ w, k }))
    .sort((a, b) => magnitude(b.w.weight) - magnitude(a.w.weight) || a.k - b.k)
    .map(({ w }) => ({ feature: w.feature, weight: w.weight }));
  let sum = 0;
  for (const w of weights) sum += w.weight;
  return {
    name,
    kind,
    weights: top === undefined ? sorted : sorted.slice(0, top),
    total: weights.length,
    sum,
  };
}

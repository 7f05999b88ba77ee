/**
 * The SAFMR paper's own protocol for review models, as its code base (the PyTorch TransNets of
 * winterant, whose `config.py` SAFMR's Table 3 copies) runs it — so that its effect on MSE is
 * measured rather than guessed (docs/REVIEW-MODELS.md):
 *
 * - training documents come from the training reviews, and training pairs whose user or item has
 *   fewer than `lowestReviewCount` (2) other training reviews are not trained on (as in the clean
 *   protocol);
 * - validation and test documents come from *the validation or test file itself*: a test pair's
 *   user document is that user's other reviews in the test file (its own review left out);
 * - validation and test pairs whose user or item has fewer than `lowestReviewCount` other reviews
 *   in that file are dropped from scoring. On Musical Instruments this keeps under a tenth of
 *   the test pairs; the result says how many (`nTest`, `nTestDropped`).
 *
 * The clean protocol (`runFold`) never reads a validation or test review; this one reads other
 * test reviews, so its numbers are not comparable with the clean ones or with non-text models.
 */
import type { Dataset, Split } from '../data/dataset.js';
import { num } from '../models/config.js';
import type { FitReport, ProgressEvent, RatingModel } from '../models/model.js';
import { trainingStats } from '../models/predictor.js';
import { ReviewRatingModel, type BuiltNetwork } from '../models/review/review-model.js';
import { HeedError } from '../util/errors.js';
import type { Metric } from './metric.js';
import { runFold, scoreFold, type EvaluationProgress, type FoldResult } from './protocol.js';

/** SAFMR Table 3's lowest review count, used to choose the kept test pairs for non-review models. */
export const PAPER_LOWEST_REVIEW_COUNT = 2;

/** The pairs of `indices` whose user and item each have ≥ `lowest` other reviews among `indices`. */
export function pairsWithContext(dataset: Dataset, indices: Int32Array, lowest: number): Int32Array {
  const users = new Map<number, number>();
  const items = new Map<number, number>();
  for (const i of indices) {
    users.set(dataset.ratings.user[i], (users.get(dataset.ratings.user[i]) ?? 0) + 1);
    items.set(dataset.ratings.item[i], (items.get(dataset.ratings.item[i]) ?? 0) + 1);
  }
  // "Other" reviews: the pair's own review is in the file, so the counts include it once.
  return indices.filter(
    (i) =>
      (users.get(dataset.ratings.user[i]) ?? 0) - 1 >= lowest &&
      (items.get(dataset.ratings.item[i]) ?? 0) - 1 >= lowest,
  );
}

/**
 * One fold under the paper protocol: a review model as described above; any other model (it reads
 * no reviews) trained as usual and scored on the test pairs the protocol keeps, for comparison.
 */
export async function runPaperProtocolFold(
  model: RatingModel,
  modelId: string,
  dataset: Dataset,
  split: Split,
  report: (phase: EvaluationProgress['phase'], epoch?: ProgressEvent) => void = () => {},
  signal?: AbortSignal,
  metrics?: readonly Metric[],
): Promise<FoldResult> {
  if (model instanceof ReviewRatingModel)
    return runReviewModelFold(model, dataset, split, report, signal, metrics);
  const kept = pairsWithContext(dataset, split.test, PAPER_LOWEST_REVIEW_COUNT);
  const result = await runFold(model, dataset, { ...split, test: kept }, report, signal, undefined, metrics);
  return {
    ...result,
    split: `${split.name} (paper protocol's test pairs)`,
    notes: [
      ...(result.notes ?? []),
      `paper protocol: scored the ${kept.length} of ${split.test.length} test pairs whose user and item have ` +
        `${PAPER_LOWEST_REVIEW_COUNT} other reviews in the test part; "${modelId}" reads no reviews`,
    ],
  };
}

async function runReviewModelFold(
  model: ReviewRatingModel<BuiltNetwork>,
  dataset: Dataset,
  split: Split,
  report: (phase: EvaluationProgress['phase'], epoch?: ProgressEvent) => void = () => {},
  signal?: AbortSignal,
  metrics?: readonly Metric[],
): Promise<FoldResult> {
  if (split.test.length === 0)
    throw new HeedError(`split "${split.name}" of "${dataset.id}" has no test ratings`);
  const lowest = num(model.config, 'lowestReviewCount');
  const validation = pairsWithContext(dataset, split.validation, lowest);
  const test = pairsWithContext(dataset, split.test, lowest);
  if (test.length === 0)
    throw new HeedError(`paper protocol: no test pair has ${lowest} other reviews in the test part`);
  const train = { dataset, indices: split.train };
  report('fit');
  const fitStart = performance.now();
  const fit: FitReport = await model.fit(train, {
    ...(validation.length > 0 ? { validation: { dataset, indices: validation } } : {}),
    reviewContexts: 'own-file',
    onProgress: (event) => report('fit', event),
    ...(signal ? { signal } : {}),
  });
  const fitSeconds = (performance.now() - fitStart) / 1000;

  report('predict');
  const predictStart = performance.now();
  const n = test.length;
  const users = Int32Array.from(test, (i) => dataset.ratings.user[i]);
  const items = Int32Array.from(test, (i) => dataset.ratings.item[i]);
  const truth = Float32Array.from(test, (i) => dataset.ratings.rating[i]);
  // Documents from the whole test part (as the paper's code builds them), scores for the kept pairs.
  const raw = model.predictInContext({ dataset, indices: split.test }, users, items);
  const { min, max } = dataset.scale;
  const values = raw.map((v) => Math.min(max, Math.max(min, v)));
  const predictSeconds = (performance.now() - predictStart) / 1000;
  report('done');
  // Pairs without training ratings are answered by the model from the test part's reviews.
  const stats = trainingStats(train);
  const coldStart = { user: 0, item: 0, both: 0, fallback: 0 };
  for (let k = 0; k < n; k++) {
    const u = stats.userCount[users[k]] === 0;
    const i = stats.itemCount[items[k]] === 0;
    if (u && i) coldStart.both++;
    else if (u) coldStart.user++;
    else if (i) coldStart.item++;
  }
  return scoreFold({
    split: `${split.name} (paper protocol)`,
    users,
    items,
    truth,
    values,
    fit,
    fitSeconds,
    predictSeconds,
    nTrain: split.train.length,
    nValidation: validation.length,
    coldStart,
    ...(metrics !== undefined ? { metrics } : {}),
    notes: [
      `paper protocol: scored ${n} of ${split.test.length} test pairs and validated on ${validation.length} of ` +
        `${split.validation.length} (the others have fewer than ${lowest} other reviews in their own part); ` +
        `documents of test pairs come from the test part's reviews`,
    ],
  });
}

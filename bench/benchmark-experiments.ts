/**
 * The experiment files behind BENCHMARKS.md's accuracy tables. Where a paper's experiment file in
 * experiments/ is the table, it is used as is. Each stores its runs under
 * bench/results/experiments/<experiment name>/. AFM-GAU's Table 2 was refitted by the runner
 * (its earlier folds ran with itemFeatures=genre, no longer the default); those earlier folds are
 * the experiment afm-gau-genre-ml1m, which asks for itemFeatures=genre.
 */
import * as path from 'node:path';
import type { Experiment } from '../src/experiment/format.js';

export const BENCHMARK_EXPERIMENT_FILES: readonly string[] = [
  'bench/experiments/classic-ml100k.json',
  'bench/experiments/classic-ml1m.json',
  'experiments/sain/table2.json',
  'experiments/aanmf/table4-ml100k.json',
  'experiments/aanmf/table4-ml1m.json',
  'experiments/afm-gau/table2.json',
  'bench/experiments/afm-gau-genre-ml1m.json',
  'bench/experiments/svdfeature-validation-ml1m.json',
  'bench/experiments/cdl-validation-ml1m.json',
  'experiments/rsattae/table3.json',
  'experiments/safmr/musical-instruments.json',
  'bench/experiments/review-models-catalogue-ndcg.json',
  'bench/experiments/review-models-paper.json',
  'bench/experiments/review-tuning-deepconn.json',
  'bench/experiments/review-tuning-narre.json',
  'bench/experiments/review-tuning-tafa.json',
  'bench/experiments/review-tuning-transnet.json',
  'bench/experiments/review-tuning-safmr.json',
  'bench/experiments/review-rating-loss.json',
  'bench/experiments/issue13-ml1m-9010.json',
];

/** Where an experiment's runs and reports live, relative to the repository root. */
export function benchmarkOutDir(experiment: Experiment): string {
  return path.join('bench', 'results', 'experiments', experiment.name);
}

/**
 * `heed evaluate`'s result from the runner's stored runs: the runs of one seed (one per fold) give
 * the same `EvaluationResult` that `evaluate()` returns for that seed, so the command prints what
 * it always has while its fits go through the runner (kept, reused, resumed).
 */
import {
  combineFolds,
  modelConfig,
  type EvaluationHead,
  type EvaluationResult,
  type FoldResult,
} from '../eval/protocol.js';
import { getModelSpec } from '../models/index.js';
import { HeedError } from '../util/errors.js';
import type { RunRecord } from './store.js';

/** The result of one seed's runs, in fold order; `head` names it. */
export function evaluationOfRuns(
  head: Omit<EvaluationHead, 'config'>,
  records: readonly RunRecord[],
  where: string,
): EvaluationResult {
  const runs = [...records].sort((a, b) => a.identity.fold - b.identity.fold);
  if (runs.length === 0) throw new HeedError(`${where}: no stored run of seed ${head.seed}`);
  // The config the fit ran with, execution settings (threads) included, which the run key leaves out.
  const first = runs[0];
  const config = modelConfig(getModelSpec(first.identity.model), first.settings, first.identity.seed);
  return combineFolds(
    { ...head, config },
    runs.map((r) => foldOfRun(r, where)),
  );
}

/** A stored run as the fold result `evaluate()` gave when it was fitted. */
export function foldOfRun(record: RunRecord, where: string): FoldResult {
  const detail = record.detail;
  if (detail === undefined)
    throw new HeedError(
      `${where}: run ${record.key} was stored without the details heed evaluate shows ` +
        `(imported, or stored by an older Heed); delete runs/${record.key}.json to fit it again`,
    );
  // In scoreFold's order, so the JSON reads as it did before the runner.
  return {
    split: detail.split,
    metrics: record.metrics,
    rmse: detail.rmse,
    mae: detail.mae,
    mse: detail.mse,
    ndcg10: detail.ndcg10,
    fitSeconds: record.fitSeconds,
    predictSeconds: record.predictSeconds,
    samplesPerSecond: detail.samplesPerSecond,
    epochs: record.epochs,
    ...(record.bestEpoch !== undefined && detail.bestValidationRmse !== undefined
      ? { bestEpoch: record.bestEpoch, bestValidationRmse: detail.bestValidationRmse }
      : {}),
    nTrain: record.nTrain,
    nValidation: detail.nValidation,
    nTest: record.nTest,
    coldStart: detail.coldStart,
    ...(record.notes !== undefined ? { notes: record.notes } : {}),
    ...(detail.catalogueNdcg !== undefined ? { catalogueNdcg: detail.catalogueNdcg } : {}),
  };
}

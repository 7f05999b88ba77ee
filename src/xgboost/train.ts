/**
 * Round-by-round training with evaluation and early stopping, the way XGBoost's Python
 * `xgboost.train` does it: the metric watched is the last metric on the last evaluation set; the
 * model keeps every round it trained and, when early stopping was asked for, records the best
 * round in the `best_iteration` and `best_score` attributes, which `Booster.predict` then uses by
 * default (also after save and load). Without early stopping, predictions use every round.
 */
import { UsageError } from '../util/errors.js';
import { BEST_ITERATION_ATTR, BEST_SCORE_ATTR, Booster, type EvalSet } from './booster.js';
import type { DMatrix } from './dmatrix.js';
import type { XGBoostParams } from './params.js';

/** Reported after every round. */
export interface XGBoostRoundEvent {
  /** 0-based round just trained. */
  readonly iteration: number;
  readonly rounds: number;
  /** This round's metrics, `{ 'valid-rmse': 0.87, ... }` (empty without `evals`). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly bestIteration: number;
  readonly bestScore: number | undefined;
  /** Seconds since training began. */
  readonly seconds: number;
}

export interface TrainXGBoostOptions {
  readonly params: XGBoostParams;
  readonly dtrain: DMatrix;
  /** Boosting rounds (`n_estimators` in scikit-learn terms). */
  readonly rounds: number;
  /** Sets to evaluate after each round; the last one's last metric drives early stopping. */
  readonly evals?: readonly EvalSet[];
  /** Stop after this many rounds without improvement of the watched metric. */
  readonly earlyStoppingRounds?: number;
  /** Watch this key (e.g. 'valid-rmse') instead of the last metric of the last set. */
  readonly earlyStoppingMetric?: string;
  /** Whether larger is better for the watched metric; default guessed from its name as XGBoost does. */
  readonly maximize?: boolean;
  readonly onRound?: (event: XGBoostRoundEvent) => void;
  /** Aborting stops after the current round; the booster returned is usable. */
  readonly signal?: AbortSignal;
}

export interface TrainXGBoostResult {
  readonly booster: Booster;
  /**
   * The best round (0-based) by the watched metric; the last round trained when there are no
   * `evals`; -1 when aborted before the first round.
   */
  readonly bestIteration: number;
  /** The watched metric at `bestIteration`; undefined without `evals`. */
  readonly bestScore: number | undefined;
  /** The watched metric's key, e.g. 'valid-rmse'; undefined without `evals`. */
  readonly watched: string | undefined;
  /** Every metric, one value per round trained: `{ 'valid-rmse': [...], 'train-rmse': [...] }`. */
  readonly history: Readonly<Record<string, readonly number[]>>;
  /** Rounds actually trained (fewer than asked when stopped early or aborted). */
  readonly roundsTrained: number;
  readonly stoppedEarly: boolean;
  readonly aborted: boolean;
}

/** Metrics where larger is better; the prefixes XGBoost's Python package checks. */
const MAXIMIZE_PREFIXES = ['auc', 'aucpr', 'pre', 'map', 'ndcg'];

/** Whether larger is better for an XGBoost metric name such as 'rmse', 'auc' or 'ndcg@10'. */
export function metricMaximizes(metric: string): boolean {
  return MAXIMIZE_PREFIXES.some((p) => metric === p || metric.startsWith(`${p}@`));
}

/** The metric part of an evaluation key: 'valid-rmse' → 'rmse' (set names may contain '-'). */
function metricOfKey(key: string, setNames: readonly string[]): string {
  const set = setNames.find((name) => key.startsWith(`${name}-`));
  return set === undefined ? key : key.slice(set.length + 1);
}

/**
 * Trains a booster. Yields to the event loop between rounds so that `signal` and timers work; a
 * round itself runs in XGBoost's threads and blocks the JavaScript thread while it lasts.
 */
export async function trainXGBoost(options: TrainXGBoostOptions): Promise<TrainXGBoostResult> {
  const { params, dtrain, rounds, evals = [], earlyStoppingRounds, onRound, signal } = options;
  if (!Number.isSafeInteger(rounds) || rounds < 1)
    throw new UsageError(`rounds must be an integer ≥ 1, got ${rounds}`);
  if (earlyStoppingRounds !== undefined) {
    if (!Number.isSafeInteger(earlyStoppingRounds) || earlyStoppingRounds < 1) {
      throw new UsageError(`earlyStoppingRounds must be an integer ≥ 1, got ${earlyStoppingRounds}`);
    }
    if (evals.length === 0)
      throw new UsageError('earlyStoppingRounds needs at least one evaluation set in "evals"');
  }
  const names = new Set(evals.map(([, name]) => name));
  if (names.size !== evals.length) throw new UsageError('evaluation set names must be distinct');

  const booster = new Booster(params, [dtrain, ...evals.map(([m]) => m).filter((m) => m !== dtrain)]);
  const history: Record<string, number[]> = {};
  const started = performance.now();
  let watched = options.earlyStoppingMetric;
  let maximize = options.maximize;
  let bestIteration = -1;
  let bestScore: number | undefined;
  let roundsTrained = 0;
  let stoppedEarly = false;
  let aborted = false;

  try {
    for (let iteration = 0; iteration < rounds; iteration++) {
      if (signal?.aborted === true) {
        aborted = true;
        break;
      }
      booster.updateOneIter(iteration, dtrain);
      roundsTrained = iteration + 1;
      const metrics = evals.length > 0 ? booster.evalOneIter(iteration, evals) : {};
      for (const [key, value] of Object.entries(metrics)) (history[key] ??= []).push(value);

      if (evals.length === 0) {
        bestIteration = iteration;
      } else {
        watched ??= Object.keys(metrics).at(-1);
        if (watched === undefined || !(watched in metrics)) {
          throw new UsageError(
            `early-stopping metric "${String(watched)}" is not among this round's metrics (${Object.keys(metrics).join(', ')})`,
          );
        }
        const score = metrics[watched] as number;
        maximize ??= metricMaximizes(metricOfKey(watched, [...names]));
        const improved =
          bestScore === undefined ||
          Number.isNaN(bestScore) ||
          (maximize ? score > bestScore : score < bestScore);
        if (improved) {
          bestScore = score;
          bestIteration = iteration;
        }
      }
      onRound?.({
        iteration,
        rounds,
        metrics,
        bestIteration,
        bestScore,
        seconds: (performance.now() - started) / 1000,
      });
      if (earlyStoppingRounds !== undefined && iteration - bestIteration >= earlyStoppingRounds) {
        stoppedEarly = true;
        break;
      }
      // Let abort signals, timers and I/O run between rounds.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (roundsTrained > 0 && earlyStoppingRounds !== undefined) {
      booster.setAttr(BEST_ITERATION_ATTR, String(bestIteration));
      booster.setAttr(BEST_SCORE_ATTR, String(bestScore));
    }
  } catch (e) {
    booster.dispose();
    throw e;
  }
  return {
    booster,
    bestIteration,
    bestScore,
    watched: evals.length > 0 ? watched : undefined,
    history,
    roundsTrained,
    stoppedEarly,
    aborted,
  };
}

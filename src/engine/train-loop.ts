/**
 * The one training loop of every neural model in Heed.
 *
 * A model describes its training as a `TrainTask` (its parameters, the number of examples, and a
 * function building the mean loss of a batch of example positions from tensors), and the loop
 * does the rest, the same way for all models:
 *
 * - seeded shuffling every epoch (the task's Rng also draws dropout masks), batches of example
 *   positions;
 * - gradients by autodiff (`tf.engine().gradients`) with respect to the dense weights and the
 *   table rows each batch looked up; Adam with L2 (`optimizer.ts`), the tables updated row-sparsely;
 * - learning-rate decay per epoch: lr(e) = lr · decayᵉ⁻¹, and, when asked, on a plateau: after
 *   every epoch whose validation RMSE is not a new best the rate is multiplied by `plateauDecay`
 *   (Keras's ReduceLROnPlateau with patience 1);
 * - optionally an exponential moving average of the weights (`weight-average.ts`): validation, the
 *   best epoch and the final model then use the averaged weights;
 * - validation RMSE after every epoch (predictions clipped to the rating scale when a `clip` is
 *   given), early stopping after `patience` epochs without improvement, and the weights of the
 *   best epoch restored at the end;
 * - a `ProgressEvent` per epoch, cancellation by AbortSignal between batches (the event loop is
 *   given a turn every ~50 ms so a signal can arrive), and no tensor leaks: every step runs in
 *   `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { HeedError, UsageError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { assertTrainingBackend, engineInfo } from './backend.js';
import { batchesOf, range } from './batch.js';
import { DataParallel, type TaskReplica } from './data-parallel.js';
import { Adam } from './optimizer.js';
import type { DenseParam, Params } from './params.js';
import type { ProgressEvent, TrainingControl } from './progress.js';
import { StepContext } from './step.js';
import { applyGradients, stepGradients } from './step-gradients.js';
import { WeightAverage } from './weight-average.js';

export interface TrainSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** L2 weight-decay rate (coupled, as PyTorch Adam's weight_decay); default 0. */
  readonly l2?: number;
  /** The learning rate is multiplied by this after every epoch; default 1 (constant). */
  readonly lrDecay?: number;
  /**
   * After an epoch that does not lower the validation RMSE, later epochs' learning rates are
   * multiplied by this; default 1 (off). Needs a validation set.
   */
  readonly plateauDecay?: number;
  /**
   * Decay of the exponential moving average of the weights that validation and the final model
   * use, e.g. 0.999 (about the last thousand steps); 0 (default) uses the trained weights as they are.
   */
  readonly weightAverage?: number;
  /** Stop after this many epochs without a lower validation RMSE; 0 (default) never stops early. */
  readonly patience?: number;
  readonly seed: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  /**
   * Threads training data-parallel (`data-parallel.ts`); default 1, the one-thread step. More needs
   * a task with a `replica`. `batchSize` is per thread, as in PyTorch's DistributedDataParallel:
   * each thread takes a whole batch of its own and a step applies the mean of their gradients, so
   * a step covers threads × batchSize examples and an epoch has that many times fewer steps. The
   * step's learning rate is then `learningRate × √threads` (`dataParallelLearningRate`).
   */
  readonly threads?: number;
}

/** Validation examples the loop scores after every epoch. */
export interface ValidationSet {
  readonly size: number;
  /** True ratings of the validation examples 0..size-1. */
  readonly targets: Float32Array;
  /** Predictions [batch.length] for validation positions `batch` (inference mode). */
  predict(batch: Int32Array, ctx: StepContext): tf.Tensor;
  /** Predictions are clipped to this range before the RMSE, as the predictor does. */
  readonly clip?: { readonly min: number; readonly max: number };
}

export interface TrainTask {
  readonly params: Params;
  /** Number of training examples; batches hold positions 0..size-1. */
  readonly size: number;
  /** The mean loss over the batch's examples, a scalar built from tensors (L2 is added by Adam). */
  loss(batch: Int32Array, ctx: StepContext): tf.Scalar;
  readonly validation?: ValidationSet;
  /** How to build this task in a worker thread, for `threads` > 1. */
  readonly replica?: TaskReplica;
}

export interface TrainOptions extends TrainingControl {
  /** Tests only: allow training on the slow pure-JS cpu backend. */
  readonly allowCpu?: boolean;
  /** Batch size for validation predictions; default 4096. */
  readonly predictBatchSize?: number;
}

/** A model's `FitReport` (src/models/model.ts), with what the loop knows besides. */
export interface TrainReport {
  readonly epochs: number;
  /** Training examples processed in total (epochs x examples per epoch). */
  readonly samplesProcessed: number;
  /** The epoch whose weights the parameters hold now (the best one when validating). */
  readonly bestEpoch: number;
  readonly bestValidationRmse?: number;
  readonly stoppedEarly: boolean;
  readonly cancelled: boolean;
  readonly history: readonly ProgressEvent[];
  readonly seconds: number;
}

const YIELD_MS = 50;

export async function train(
  task: TrainTask,
  settings: TrainSettings,
  options: TrainOptions = {},
): Promise<TrainReport> {
  assertTrainingBackend(options.allowCpu === true);
  checkSettings(settings);
  const rng = new Rng(settings.seed);
  const optimizer = new Adam({
    learningRate: settings.learningRate,
    beta1: settings.beta1,
    beta2: settings.beta2,
    epsilon: settings.epsilon,
    l2: settings.l2 ?? 0,
  });
  const dense = task.params.denseParams().filter((p) => p.trainable);
  const decay = settings.lrDecay ?? 1;
  const plateauDecay = settings.plateauDecay ?? 1;
  let plateauScale = 1;
  const averageDecay = settings.weightAverage ?? 0;
  const average = averageDecay > 0 ? new WeightAverage(task.params, averageDecay) : undefined;
  const patience = settings.patience ?? 0;
  const started = performance.now();
  const history: ProgressEvent[] = [];
  let best: { epoch: number; rmse: number; weights: Map<string, Float32Array> } | undefined;
  let samples = 0;
  let epochsRun = 0;
  let stale = 0;
  let stoppedEarly = false;
  let cancelled = false;
  let lastYield = performance.now();
  const threads = settings.threads ?? 1;
  if (threads > 1 && task.replica === undefined) {
    throw new UsageError(
      `training setting "threads" is ${threads}, but this model trains on one thread only`,
    );
  }
  const parallel =
    threads > 1 && task.replica !== undefined
      ? await DataParallel.start(
          task,
          task.replica,
          threads,
          settings.seed,
          engineInfo().backend,
          settings.batchSize * threads,
          optimizer,
        )
      : undefined;
  // Threads > 1: one step on threads consecutive batches of the shuffled order, one per thread
  // (the data-parallel step cuts it into equal contiguous parts, the main thread's first).
  const stepSize = parallel === undefined ? settings.batchSize : settings.batchSize * threads;
  const learningRate =
    parallel === undefined ? settings.learningRate : dataParallelLearningRate(settings.learningRate, threads);
  try {
    for (let epoch = 1; epoch <= settings.epochs && !cancelled; epoch++) {
      optimizer.learningRate = learningRate * Math.pow(decay, epoch - 1) * plateauScale;
      const order = rng.permutation(task.size);
      let lossSum = 0;
      let seen = 0;
      let batchNo = 0;
      for (const batch of batchesOf(order, stepSize)) {
        batchNo++;
        const loss =
          parallel === undefined
            ? trainStep(task, batch, rng, optimizer, dense)
            : await parallel.step(batch, rng, optimizer, dense);
        average?.update();
        if (!Number.isFinite(loss)) {
          throw new HeedError(
            `training diverged at epoch ${epoch}, batch ${batchNo}: the loss is ${loss}; lower the learning rate (now ${optimizer.learningRate})`,
          );
        }
        lossSum += loss * batch.length;
        seen += batch.length;
        if (performance.now() - lastYield > YIELD_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        if (options.signal?.aborted === true) {
          cancelled = true;
          break;
        }
      }
      samples += seen;
      if (cancelled) break;
      epochsRun = epoch;
      const trainLoss = seen > 0 ? lossSum / seen : 0;
      let event: ProgressEvent = {
        epoch,
        epochs: settings.epochs,
        seconds: (performance.now() - started) / 1000,
        trainLoss,
        learningRate: optimizer.learningRate,
      };
      if (task.validation !== undefined) {
        const validation = task.validation;
        const score = (): number => validationRmse(validation, rng, options.predictBatchSize ?? 4096);
        const rmse = average === undefined ? score() : average.withAveraged(score);
        event = { ...event, validationRmse: rmse, seconds: (performance.now() - started) / 1000 };
        if (best === undefined || rmse < best.rmse) {
          best = {
            epoch,
            rmse,
            weights: average === undefined ? task.params.snapshot() : average.snapshot(),
          };
          stale = 0;
        } else {
          stale++;
          plateauScale *= plateauDecay;
        }
      }
      history.push(event);
      options.onProgress?.(event);
      if (patience > 0 && stale >= patience) {
        stoppedEarly = true;
        break;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
      if (options.signal?.aborted === true) cancelled = true;
    }
  } finally {
    await parallel?.close();
  }
  if (best !== undefined) task.params.restore(best.weights);
  else if (average !== undefined) task.params.restore(average.snapshot());
  const report: TrainReport = {
    epochs: epochsRun,
    samplesProcessed: samples,
    bestEpoch: best?.epoch ?? epochsRun,
    stoppedEarly,
    cancelled,
    history,
    seconds: (performance.now() - started) / 1000,
  };
  return best === undefined ? report : { ...report, bestValidationRmse: best.rmse };
}

/**
 * The learning rate of a data-parallel step on `threads` batches: `learningRate × √threads`, the
 * square-root rule for a batch `threads` times larger (the gradient's noise shrinks by √threads;
 * Krizhevsky 2014, "One weird trick for parallelizing convolutional neural networks"). Chosen
 * on SAIN's validation split over no scaling and over the linear rule (Goyal et al. 2017), which led
 * after 4 epochs but stopped improving at epoch 7 (BENCHMARKS.md, "SAIN on both cores").
 */
export function dataParallelLearningRate(learningRate: number, threads: number): number {
  return learningRate * Math.sqrt(threads);
}

/**
 * One optimisation step on `batch`; returns the batch's mean loss. Exported for benchmarks and
 * tests; models use `train`.
 */
export function trainStep(
  task: TrainTask,
  batch: Int32Array,
  rng: Rng,
  optimizer: Adam,
  dense: readonly DenseParam[],
): number {
  const g = stepGradients(task, batch, rng, dense);
  if (Number.isFinite(g.loss)) applyGradients(g, optimizer);
  return g.loss;
}

/**
 * Runs `predict` over positions 0..n-1 in batches (inference mode, no gradients) and returns the
 * predictions. Models use it for `predict(users, items)` too.
 */
export function predictInBatches(
  n: number,
  batchSize: number,
  predict: (batch: Int32Array, ctx: StepContext) => tf.Tensor,
  rng: Rng = new Rng(0),
): Float32Array {
  const out = new Float32Array(n);
  const ctx = new StepContext(false, rng);
  let at = 0;
  for (const batch of batchesOf(range(n), batchSize)) {
    const values = tf.tidy(() => predict(batch, ctx).dataSync() as Float32Array);
    if (values.length !== batch.length) {
      throw new HeedError(`predict returned ${values.length} values for a batch of ${batch.length}`);
    }
    out.set(values, at);
    at += batch.length;
  }
  return out;
}

function validationRmse(v: ValidationSet, rng: Rng, batchSize: number): number {
  if (v.size === 0) return NaN;
  const p = predictInBatches(v.size, batchSize, (b, ctx) => v.predict(b, ctx), rng);
  let sse = 0;
  for (let i = 0; i < v.size; i++) {
    const x = v.clip === undefined ? p[i] : Math.min(v.clip.max, Math.max(v.clip.min, p[i]));
    const e = x - v.targets[i];
    sse += e * e;
  }
  return Math.sqrt(sse / v.size);
}

function checkSettings(s: TrainSettings): void {
  const need = (name: string, value: number | undefined, ok: (v: number) => boolean, what: string): void => {
    if (value !== undefined && (!Number.isFinite(value) || !ok(value))) {
      throw new UsageError(`training setting "${name}" must be ${what}, got ${value}`);
    }
  };
  need('epochs', s.epochs, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  need('batchSize', s.batchSize, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  need('learningRate', s.learningRate, (v) => v > 0, 'positive');
  need('l2', s.l2, (v) => v >= 0, '>= 0');
  need('lrDecay', s.lrDecay, (v) => v > 0 && v <= 1, 'in (0, 1]');
  need('plateauDecay', s.plateauDecay, (v) => v > 0 && v <= 1, 'in (0, 1]');
  need('weightAverage', s.weightAverage, (v) => v >= 0 && v < 1, 'in [0, 1)');
  need('patience', s.patience, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
  need('seed', s.seed, (v) => Number.isInteger(v), 'an integer');
  need('threads', s.threads, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
}

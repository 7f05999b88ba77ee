/**
 * Training one RSAttAE module (or the vanilla autoencoder) on the rows of a rating matrix, as the
 * paper and the authors' code do it: full-batch steps over the whole matrix (the attention mixes
 * every row with every other, so a step needs them all), the masked RMSE of Eq. 4 as the loss,
 * input dropout, Adam with coupled L2 weight decay, and the validation RMSE on held-out ratings
 * after every step.
 *
 * Differences from the authors' script, each for a reason:
 * - the validation input is the training matrix alone; the script feeds training plus validation
 *   ratings and scores the reconstruction of the validation ones, i.e. partly the identity map;
 * - the script keeps the last epoch's weights (it records the best but does not restore them);
 *   here that is `restoreBest: false`, and `restoreBest: true` restores the best validation
 *   epoch (with early stopping after `patience` epochs); see `model.ts` for which serves RSAttAE
 *   better;
 * - Adam instead of ADOPT (no ADOPT in the engine; both are Adam-style, the step size matters more);
 * - everything is seeded (initialisation, dropout masks).
 *
 * It runs on the engine's training loop (`src/engine/train-loop.ts`) with one "example" per epoch:
 * the whole matrix.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StepContext } from '../../engine/step.js';
import { Params } from '../../engine/params.js';
import { train, type TrainReport, type TrainTask, type ValidationSet } from '../../engine/train-loop.js';
import type { FitOptions, ProgressEvent } from '../model.js';
import { HeedError } from '../../util/errors.js';
import {
  attend,
  attentionInputs,
  attentionLayout,
  attentionWeights,
  groupAttention,
  type AttentionInputs,
} from './attention.js';
import {
  alphaOf,
  declareAutoencoder,
  decoderHidden,
  encodeProduct,
  mix,
  type AutoencoderLayers,
  type AutoencoderShape,
} from './autoencoder.js';
import { SparseKernels } from './sparse-kernels.js';
import { cellPredictions, observedRmse, sparseProduct, type ValuedCells } from './sparse-ops.js';
import type { EntityFeatures } from './features.js';
import { cellsOf, droppedValues, nonEmptyRows, type SparseRows } from './rating-matrix.js';

export interface AutoencoderSettings {
  readonly hidden: number;
  readonly dim: number;
  readonly attentionDim: number;
  readonly attention: boolean;
  /** Input dropout rate (the authors': 0.5). */
  readonly dropout: number;
  /** Most epochs (full-batch steps). */
  readonly epochs: number;
  readonly learningRate: number;
  /** Coupled L2 weight decay (the authors': 1e-5). */
  readonly weightDecay: number;
  /** Keep the weights of the epoch with the lowest validation RMSE (else those of the last epoch). */
  readonly restoreBest: boolean;
  /** With `restoreBest`: stop after this many epochs without a lower validation RMSE (0: never). */
  readonly patience: number;
  readonly seed: number;
}

/** Held-out ratings of the same orientation as the training rows. */
export interface HeldOut {
  readonly row: Int32Array;
  readonly col: Int32Array;
  readonly rating: Float32Array;
}

export interface AutoencoderTraining extends Omit<FitOptions, 'validation'> {
  readonly rows: SparseRows;
  readonly validation?: HeldOut;
  readonly features: EntityFeatures;
  readonly settings: AutoencoderSettings;
  /** Validation predictions are clipped to this range, as the evaluator clips. */
  readonly clip?: { readonly min: number; readonly max: number };
  /** Name prefix of the parameters ("user" or "item"). */
  readonly name: string;
  /** Tests only: train on the cpu backend. */
  readonly allowCpu?: boolean;
}

/** A trained autoencoder: its weights and what the rest of RSAttAE asks of it. */
export class TrainedAutoencoder {
  private kernels: SparseKernels | undefined;

  constructor(
    /** "user" or "item": the prefix of its parameter names. */
    readonly name: string,
    readonly params: Params,
    readonly layers: AutoencoderLayers,
    readonly features: EntityFeatures,
    readonly report: TrainReport,
    /** The epoch whose weights were kept. */
    readonly keptEpoch: number,
  ) {}

  /** The learned α, or undefined for the vanilla autoencoder. */
  get alpha(): number | undefined {
    return alphaOf(this.layers);
  }

  /** Eq. 1 on the rows of `input` (no dropout): the embeddings E, row-major [rows, d]. */
  embed(input: SparseRows): Float32Array {
    if (input.cols !== this.layers.shape.inputDim || input.rows !== this.features.count) {
      throw new HeedError(
        `autoencoder "${this.name}": a ${input.rows} × ${input.cols} matrix for a ${this.features.count} × ${this.layers.shape.inputDim} model`,
      );
    }
    const cells = cellsOf(input);
    const kernels = this.kernelsFor(cells.row.length);
    const e = tf.tidy(() =>
      encodeProduct(this.layers, sparseProduct(kernels, cells, input.rows, this.layers.encoder1.w.variable)),
    );
    const out = e.dataSync() as Float32Array;
    e.dispose();
    return out;
  }

  /**
   * The attention output A·V for every entity, with `embeddings` [rows, d] as values and only the
   * entities flagged in `isKey` as keys. For an entity without ratings this is its embedding from
   * features alone. Undefined for the vanilla autoencoder.
   */
  attended(embeddings: Float32Array, isKey: Uint8Array): Float32Array | undefined {
    const att = this.layers.attention;
    if (att === undefined) return undefined;
    const inputs = attentionInputs(attentionLayout(this.features, isKey));
    try {
      const out = tf.tidy(() =>
        attend(
          attentionWeights(att.layer),
          inputs,
          tf.tensor2d(embeddings, [this.features.count, this.layers.shape.dim]),
        ),
      );
      const values = out.dataSync() as Float32Array;
      out.dispose();
      return values;
    } finally {
      inputs.dispose();
    }
  }

  /** The group-to-group attention weights [G, G] with the flagged keys (undefined when vanilla). */
  groupWeights(isKey: Uint8Array): Float32Array | undefined {
    const att = this.layers.attention;
    if (att === undefined) return undefined;
    const inputs = attentionInputs(attentionLayout(this.features, isKey));
    try {
      const w = tf.tidy(() => groupAttention(attentionWeights(att.layer), inputs));
      const values = w.dataSync() as Float32Array;
      w.dispose();
      return values;
    } finally {
      inputs.dispose();
    }
  }

  dispose(): void {
    this.params.dispose();
  }

  private kernelsFor(cells: number): SparseKernels {
    if (this.kernels === undefined || this.kernels.capacity.cells < cells) {
      this.kernels = newKernels(this.layers.shape, this.features.count, cells);
    }
    return this.kernels;
  }
}

function newKernels(shape: AutoencoderShape, rows: number, cells: number): SparseKernels {
  return new SparseKernels({ cells, rows: Math.max(rows, shape.inputDim), width: shape.hidden });
}

/** Trains one autoencoder (see the file comment). */
export async function trainAutoencoder(job: AutoencoderTraining): Promise<TrainedAutoencoder> {
  const { rows, features, settings } = job;
  if (features.count !== rows.rows) {
    throw new HeedError(
      `autoencoder "${job.name}": ${features.count} feature rows for ${rows.rows} matrix rows`,
    );
  }
  const observed = cellsOf(rows);
  if (observed.row.length === 0) throw new HeedError(`autoencoder "${job.name}": no training ratings`);
  const { shape, params, layers } = declared(job);
  const kernels = newKernels(
    shape,
    rows.rows,
    Math.max(observed.row.length, job.validation?.row.length ?? 0),
  );
  // Keys of the attention: the rows with training ratings (see `attention.ts`).
  const inputs: AttentionInputs | undefined = settings.attention
    ? attentionInputs(attentionLayout(features, nonEmptyRows(rows)))
    : undefined;
  const dropped = new Float32Array(observed.value.length);

  const task: TrainTask = {
    params,
    size: 1,
    loss: (_batch: Int32Array, ctx: StepContext) => {
      const input: ValuedCells = {
        ...observed,
        value: droppedValues(rows, settings.dropout, ctx.rng, dropped),
      };
      const embedding = encodeProduct(
        layers,
        sparseProduct(kernels, input, rows.rows, layers.encoder1.w.variable),
      );
      const hidden = decoderHidden(layers, mix(layers, inputs, embedding));
      return observedRmse(
        kernels,
        observed,
        hidden,
        layers.decoder2.w.variable as tf.Tensor2D,
        layers.decoder2.b.variable as tf.Tensor1D,
      );
    },
    ...(job.validation !== undefined && job.validation.row.length > 0
      ? { validation: validationSet(job.validation, observed, rows.rows, layers, inputs, kernels, job.clip) }
      : {}),
  };
  // The engine's loop keeps the best validation epoch; to keep the last one instead, its weights
  // are copied when its progress event arrives (after the step, before the loop restores) and
  // put back afterwards.
  let last: { epoch: number; weights: Map<string, Float32Array> } | undefined;
  const onProgress = (event: ProgressEvent): void => {
    if (!settings.restoreBest && event.epoch === settings.epochs)
      last = { epoch: event.epoch, weights: params.snapshot() };
    job.onProgress?.(event);
  };
  let report: TrainReport;
  try {
    report = await train(
      task,
      {
        epochs: settings.epochs,
        batchSize: 1,
        learningRate: settings.learningRate,
        l2: settings.weightDecay,
        patience: settings.restoreBest ? settings.patience : 0,
        seed: settings.seed,
      },
      {
        onProgress,
        ...(job.signal ? { signal: job.signal } : {}),
        predictBatchSize: Math.max(1, job.validation?.row.length ?? 1),
        ...(job.allowCpu === true ? { allowCpu: true } : {}),
      },
    );
  } catch (e) {
    params.dispose();
    throw e;
  } finally {
    inputs?.dispose();
  }
  if (last !== undefined) params.restore(last.weights);
  return new TrainedAutoencoder(job.name, params, layers, features, report, last?.epoch ?? report.bestEpoch);
}

/** The parameters of `job`'s autoencoder, declared and seeded as training starts them. */
function declared(job: AutoencoderTraining): {
  shape: AutoencoderShape;
  params: Params;
  layers: AutoencoderLayers;
} {
  const { settings } = job;
  const shape: AutoencoderShape = {
    inputDim: job.rows.cols,
    hidden: settings.hidden,
    dim: settings.dim,
    featureDim: job.features.dimension,
    attentionDim: settings.attentionDim,
    attention: settings.attention,
  };
  const params = new Params(settings.seed);
  return { shape, params, layers: declareAutoencoder(params, job.name, shape) };
}

/** What a worker thread sends back of an autoencoder it trained for `job`. */
export interface TrainedWeights {
  readonly weights: Map<string, Float32Array>;
  readonly report: TrainReport;
  readonly keptEpoch: number;
}

/** The weights of a trained autoencoder, to send to another thread. */
export function weightsOf(ae: TrainedAutoencoder): TrainedWeights {
  return { weights: ae.params.snapshot(), report: ae.report, keptEpoch: ae.keptEpoch };
}

/** The autoencoder of `job` with the weights another thread trained (`weightsOf`). */
export function trainedFromWeights(job: AutoencoderTraining, trained: TrainedWeights): TrainedAutoencoder {
  const { params, layers } = declared(job);
  params.restore(trained.weights);
  return new TrainedAutoencoder(job.name, params, layers, job.features, trained.report, trained.keptEpoch);
}

/**
 * Validation: encode the clean training matrix (no dropout), decode at the held-out cells. The
 * engine asks for all held-out cells in one batch (`predictBatchSize`).
 */
function validationSet(
  held: HeldOut,
  observed: ValuedCells,
  rows: number,
  layers: AutoencoderLayers,
  inputs: AttentionInputs | undefined,
  kernels: SparseKernels,
  clip: { readonly min: number; readonly max: number } | undefined,
): ValidationSet {
  return {
    size: held.row.length,
    targets: held.rating,
    ...(clip ? { clip } : {}),
    predict: (batch: Int32Array) => {
      const embedding = encodeProduct(
        layers,
        sparseProduct(kernels, observed, rows, layers.encoder1.w.variable),
      );
      const hidden = decoderHidden(layers, mix(layers, inputs, embedding));
      const row = new Int32Array(batch.length);
      const col = new Int32Array(batch.length);
      for (let k = 0; k < batch.length; k++) {
        row[k] = held.row[batch[k]];
        col[k] = held.col[batch[k]];
      }
      const predicted = cellPredictions(
        kernels,
        { row, col },
        hidden.dataSync() as Float32Array,
        rows,
        layers.decoder2.w.value,
        layers.decoder2.b.value,
      );
      return tf.tensor1d(predicted);
    },
  };
}

/**
 * What a training run reports and how it is steered from outside, for the engine's training loop
 * and for every model (`src/models/model.ts` builds `FitOptions` on `TrainingControl` and re-exports
 * `ProgressEvent`). It lives here because the engine must not depend on the models.
 */

/** Reported once per epoch (or per sweep) while a model trains. */
export interface ProgressEvent {
  readonly epoch: number;
  readonly epochs: number;
  readonly seconds: number;
  readonly trainLoss?: number;
  readonly validationRmse?: number;
  /** The learning rate the epoch trained with (neural models). */
  readonly learningRate?: number;
}

/** Progress reporting and cancellation of a training run. */
export interface TrainingControl {
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Aborting stops training after the current epoch and keeps the model usable. */
  readonly signal?: AbortSignal;
}

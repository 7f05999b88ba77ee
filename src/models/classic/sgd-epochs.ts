/**
 * The epoch loop of the SGD factor models (BiasedMF, SVD++): one pass over the training ratings per
 * epoch at the current learning rates, which then decay by `lrDecay` (Koren's step sizes shrink
 * as training goes on). The models differ only in what one pass does and how they score a pair.
 */
import type { FitOptions } from '../model.js';
import { checkConverging, progressEvent, subsetRmse, yieldToEventLoop } from './mf-common.js';

/**
 * The learning rates of one epoch by setting name: γ (`lr`, named in the divergence error), γ_b
 * (`lrBias`) and, for SVD++, γ_y (`lrImplicit`). Every one decays after every epoch.
 */
export type LearningRates = { lr: number } & Record<string, number>;

export interface SgdEpochs<R extends LearningRates> {
  /** Names the model in the divergence error. */
  readonly model: string;
  readonly epochs: number;
  readonly lrDecay: number;
  /** Training ratings per epoch (for the progress event's training RMSE). */
  readonly ratings: number;
  /** Shuffles and runs one pass at `rates`; returns the pass's sum of squared errors. */
  readonly epoch: (rates: Readonly<R>) => number | Promise<number>;
  /** The model's current scorer, built only when there is a validation set to report on. */
  readonly validationScore: () => (u: number, i: number) => number;
}

/**
 * Runs the epochs, starting from `rates` (decayed in place), until `epochs` are done or the fit is
 * aborted; stops a diverging fit, reports progress after every epoch and yields to the event loop
 * between epochs so that aborts and progress output get through. Returns the epochs done.
 */
export async function runSgdEpochs<R extends LearningRates>(
  loop: SgdEpochs<R>,
  rates: R,
  options: FitOptions,
): Promise<number> {
  const { epochs, lrDecay } = loop;
  const decaying: Record<string, number> = rates;
  const started = performance.now();
  let done = 0;
  while (done < epochs && !options.signal?.aborted) {
    const sse = await loop.epoch(rates);
    checkConverging(loop.model, sse, done + 1, rates.lr);
    done++;
    for (const key of Object.keys(decaying)) decaying[key] *= lrDecay;
    if (options.onProgress) {
      const validation = options.validation
        ? subsetRmse(options.validation, loop.validationScore())
        : undefined;
      options.onProgress(progressEvent(done, epochs, started, sse, loop.ratings, validation));
    }
    if (done < epochs) await yieldToEventLoop();
  }
  return done;
}

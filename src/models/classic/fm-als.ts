/**
 * Alternating least squares (coordinate descent) for factorization machines: Rendle (2012)
 * "Factorization Machines with libFM", Sec. 4.1, Eq. 24-26; Rendle et al. (2011) "Fast
 * context-aware recommendations with factorization machines".
 *
 * Each parameter θ in turn is set to the minimiser of Σ_r (y_r − ŷ(x_r))² + λ_θ θ² with all others
 * fixed, which is the mean of the MCMC conditional with α = 1 and fixed λ, μ = 0. So the sweep is
 * `FmCoordinateState`'s with `draw = false`. Note that the regularisation here weighs against the
 * *sum* of squared errors over all training rows, so useful values are far larger than SGD's
 * per-rating ones (on a validation split of ml-100k u1.base, 20 beat 5 and 50).
 */
import type { Rng } from '../../util/rng.js';
import { copyParams, packSamples, type FmParams } from './fm-core.js';
import { createHyper, withCoordinateState, type FmCoordinateState } from './fm-mcmc.js';
import {
  score,
  yieldToEventLoop,
  type FmSolverHooks,
  type FmSolverResult,
  type FmTrainingData,
} from './fm-solver.js';

export interface AlsSettings {
  readonly factors: number;
  readonly iterations: number;
  readonly initStd: number;
  readonly seed: number;
  readonly regBias: number;
  readonly regLinear: number;
  readonly regPair: number;
  /** Stop after this many sweeps without a better validation RMSE and keep the best (0 = off). */
  readonly patience: number;
  /** Threads the sweeps run on (already capped, `fmFitThreads`; default 1); the result is the same for any. */
  readonly threads?: number;
}

export async function fitFmAls(
  data: FmTrainingData,
  settings: AlsSettings,
  hooks: FmSolverHooks = {},
): Promise<FmSolverResult> {
  return withCoordinateState(data, settings, (state, rng) => descend(state, data, settings, rng, hooks));
}

/** The sweeps of `fitFmAls`. */
async function descend(
  state: FmCoordinateState,
  data: FmTrainingData,
  settings: AlsSettings,
  rng: Rng,
  hooks: FmSolverHooks,
): Promise<FmSolverResult> {
  const hyper = createHyper(data.groupCount, settings.factors);
  hyper.alpha = 1;
  hyper.reg0 = settings.regBias;
  hyper.wLambda.fill(settings.regLinear);
  hyper.vLambda.fill(settings.regPair);
  const { validation } = hooks;
  let best: { rmse: number; params: FmParams } | undefined;
  let sinceBest = 0;
  const started = Date.now();
  let sweep = 0;
  while (sweep < settings.iterations) {
    sweep++;
    state.recomputeResiduals();
    state.updateW0(hyper, false, rng);
    await state.updateW(hyper, false, rng);
    await state.updateV(hyper, false, rng);
    let validationRmse: number | undefined;
    if (validation) {
      validationRmse = score(state.params, validation, data.scale);
      if (!best || validationRmse < best.rmse) {
        best = { rmse: validationRmse, params: copyParams(state.params) };
        sinceBest = 0;
      } else {
        sinceBest++;
      }
    }
    hooks.onProgress?.({
      epoch: sweep,
      epochs: settings.iterations,
      seconds: (Date.now() - started) / 1000,
      trainLoss: state.trainRmse(),
      ...(validationRmse === undefined ? {} : { validationRmse }),
    });
    await yieldToEventLoop();
    if (hooks.signal?.aborted) break;
    if (settings.patience > 0 && sinceBest >= settings.patience) break;
  }
  const final = settings.patience > 0 && best ? best.params : state.params;
  return { samples: packSamples([final], data.columnCount, settings.factors), iterations: sweep };
}

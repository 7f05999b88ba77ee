/**
 * Bayesian factorization machine: Gibbs sampling as in libFM.
 *
 * Freudenthaler, Schmidt-Thieme & Rendle (2011) "Bayesian Factorization Machines"; Rendle (2012)
 * "Factorization Machines with libFM", Sec. 4 (ALS, Eq. 24-26) and Sec. 4.3 (MCMC, Fig. 4/5):
 *
 * - Likelihood y ~ N(ŷ(x), 1/α); each model parameter θ has a Gaussian prior N(μ_θ, 1/λ_θ) with
 *   one (μ, λ) per group of columns (user id, item id, one per feature field) and, for the factors,
 *   per factor f. Normal-Gamma hyperpriors on (μ, λ) and a Gamma prior on α, with every
 *   hyperprior constant 1 and prior mean 0 as libFM fixes them; w0 has a flat prior (reg0 = 0).
 * - ŷ is linear in every single parameter: ŷ = g_θ + θ h_θ with h_{w0} = 1, h_{w_j} = x_j and
 *   h_{v_{j,f}} = x_j (q_f(x) − v_{j,f} x_j), q_f(x) = Σ_l v_{l,f} x_l. So each conditional is
 *   Gaussian:  σ² = 1 / (α Σ h² + λ),  mean = σ² (α Σ h (θ h − e) + μ λ),  with the residual
 *   e = ŷ − y cached per training row and q_f cached per row while factor f is swept. Each update
 *   walks only the rows where x_j ≠ 0 (the CSC column), so a sweep costs O(k N_z(X)).
 * - ALS (`fm-als.ts`) is the same sweep with the conditional mean instead of a draw and fixed
 *   hyperparameters (Rendle 2012 Sec. 4.1).
 * - The residual pass and the w and v_{.,f} sweeps run as WebAssembly kernels
 *   (`fm-coordinate-kernels.ts`, `fm-kernels.wat`) that perform the plain loops' floating-point
 *   operations in the same order, so a seed gives the same draws as those loops, bit for bit.
 *
 * Prediction for arbitrary pairs after fitting. libFM predicts its test set *during* sampling and
 * averages those predictions. A model that must answer any (user, item) later cannot, so this one
 * keeps `samples` thinned draws of (w0, w, V) taken after `burnIn` sweeps, and predicts the mean of
 * the per-draw predictions (each clipped to the rating scale first, like libFM, when `clipSamples`).
 * Averaging V itself would be wrong: the posterior is symmetric under sign flips and rotations of
 * the factors, so the mean of V tends to zero while the mean of the pairwise terms does not.
 *
 * Deviation from libFM: columns with no training non-zero (users or items without ratings in the
 * training set, unused feature codes) are not drawn from their prior but held at 0 and left out of
 * the hyperparameter counts, so a cold user's id adds nothing and their features predict alone.
 */
import { Rng } from '../../util/rng.js';
import { copyParams, packSamples, predictRow, type FmParams } from './fm-core.js';
import { CoordinateKernels, type RunOrder } from './fm-coordinate-kernels.js';
import {
  columnCounts,
  yieldToEventLoop,
  type FmSolverHooks,
  type FmSolverResult,
  type FmTrainingData,
} from './fm-solver.js';

/** Group hyperparameters and the noise precision of one Gibbs state (or ALS's fixed values). */
export interface FmHyper {
  alpha: number;
  /** Prior precision of w0 (0 = flat). */
  reg0: number;
  readonly wMu: Float64Array;
  readonly wLambda: Float64Array;
  /** [g * factors + f]. */
  readonly vMu: Float64Array;
  readonly vLambda: Float64Array;
}

export function createHyper(groupCount: number, factors: number): FmHyper {
  return {
    alpha: 1,
    reg0: 0,
    wMu: new Float64Array(groupCount),
    wLambda: new Float64Array(groupCount),
    vMu: new Float64Array(groupCount * factors),
    vLambda: new Float64Array(groupCount * factors),
  };
}

/**
 * The sampler's working state: parameters, per-row caches and which columns are active. The
 * parameters w, V and the caches live in the WebAssembly kernels' memory (`fm-coordinate-kernels.ts`).
 */
export class FmCoordinateState {
  readonly data: FmTrainingData;
  readonly params: FmParams;
  /**
   * Per training row r: eq[2r] = e_r = ŷ(x_r) − y_r, eq[2r + 1] = q_f(x_r) for the factor being
   * swept. Interleaved (libFM's e_q_term) because the factor update reads both at a random row.
   */
  readonly eq: Float64Array;
  readonly rowCount: number;
  /** Columns with at least one training non-zero; the others stay at 0. */
  readonly active: Uint8Array;
  /** Active columns per group. */
  readonly groupSize: Float64Array;
  private readonly kernels: CoordinateKernels;

  /**
   * `order`: how one-hot column runs are walked (`RunOrder`); `threads`: how many threads sweep
   * them (`start` before the first sweep, `close` after the last). The same numbers every way.
   */
  constructor(
    data: FmTrainingData,
    factors: number,
    initStd: number,
    rng: Rng,
    order: RunOrder = 'timed',
    threads = 1,
  ) {
    this.data = data;
    const n = data.target.length;
    this.rowCount = n;
    const counts = columnCounts(data);
    this.active = new Uint8Array(data.columnCount);
    this.groupSize = new Float64Array(data.groupCount);
    for (let j = 0; j < data.columnCount; j++) {
      if (counts[j] > 0) {
        this.active[j] = 1;
        this.groupSize[data.columnGroup[j]]++;
      }
    }
    this.kernels = new CoordinateKernels(
      data,
      factors,
      this.active,
      data.groupCount * Math.max(1, factors),
      order,
      threads,
    );
    const { w, v } = this.kernels;
    this.params = { columns: data.columnCount, factors, w0: 0, w, v };
    this.eq = this.kernels.eq;
    // libFM's initialisation: w0 = 0, w = 0, v ~ N(0, initStd²) (for active columns only here).
    for (let f = 0; f < factors; f++) {
      for (let j = 0; j < data.columnCount; j++) {
        if (this.active[j]) this.params.v[f * data.columnCount + j] = initStd * rng.normal();
      }
    }
    this.recomputeResiduals();
  }

  /** Resolves once the worker threads (if any) are ready to sweep. */
  start(): Promise<void> {
    return this.kernels.start();
  }

  /** Ends the worker threads (if any). */
  close(): Promise<void> {
    return this.kernels.close();
  }

  /** e from scratch; done once per sweep so rounding errors of the incremental updates never pile up. */
  recomputeResiduals(): void {
    this.kernels.residuals(this.params.w0);
  }

  /** Root mean squared training residual of the current point. */
  trainRmse(): number {
    return Math.sqrt(this.squaredError() / Math.max(1, this.rowCount));
  }

  /** Σ_r e_r². */
  squaredError(): number {
    const eq = this.eq;
    const n = this.rowCount;
    let se = 0;
    for (let r = 0; r < n; r++) se += eq[2 * r] * eq[2 * r];
    return se;
  }

  /** Global bias: h = 1 on every row. */
  updateW0(hyper: FmHyper, draw: boolean, rng: Rng): void {
    const eq = this.eq;
    const n = this.rowCount;
    const old = this.params.w0;
    let sum = 0;
    for (let r = 0; r < n; r++) sum += eq[2 * r] - old;
    const variance = 1 / (hyper.reg0 + hyper.alpha * n);
    const mean = -variance * hyper.alpha * sum;
    const next = draw ? mean + Math.sqrt(variance) * rng.normal() : mean;
    if (!Number.isFinite(next)) return;
    this.params.w0 = next;
    const delta = next - old;
    for (let r = 0; r < n; r++) eq[2 * r] += delta;
  }

  /** Linear weights: h = x_j on the rows of column j. */
  async updateW(hyper: FmHyper, draw: boolean, rng: Rng): Promise<void> {
    if (draw) this.drawNormals(rng);
    await this.kernels.sweepLinear(hyper.alpha, hyper.wMu, hyper.wLambda, draw);
  }

  /** Factors, one f at a time: h = x_j (q_f − v_{j,f} x_j), q_f cached per row while f is swept. */
  async updateV(hyper: FmHyper, draw: boolean, rng: Rng): Promise<void> {
    for (let f = 0; f < this.params.factors; f++) {
      if (draw) this.drawNormals(rng);
      await this.kernels.sweepFactor(f, hyper.alpha, hyper.vMu, hyper.vLambda, draw);
    }
  }

  /** The N(0,1) of each active column's draw in one sweep, in column order. */
  private drawNormals(rng: Rng): void {
    const normals = this.kernels.normals;
    for (let k = 0; k < this.kernels.activeCount; k++) normals[k] = rng.normal();
  }
}

/**
 * Hyperprior constants, libFM's fixed values. The conditionals they enter (n_g active columns in
 * group g, n training rows, Gamma(shape, rate)):
 *   λ_g | θ, μ_g ~ Gamma((ALPHA_0 + n_g + 1) / 2, (GAMMA_0 + BETA_0 (μ_g − MU_0)² + Σ_{j∈g} (θ_j − μ_g)²) / 2)
 *   μ_g | θ, λ_g ~ N((Σ_{j∈g} θ_j + BETA_0 MU_0) / (n_g + BETA_0), 1 / ((n_g + BETA_0) λ_g))
 *   α | e        ~ Gamma((ALPHA_0 + n) / 2, (GAMMA_0 + Σ_r e_r²) / 2)
 */
const ALPHA_0 = 1;
const BETA_0 = 1;
const GAMMA_0 = 1;
const MU_0 = 0;

/** Gamma(shape, rate) draw. */
function gammaRate(rng: Rng, shape: number, rate: number): number {
  return rng.gamma(shape) / rate;
}

/** What the hyperparameter draws read of a sampler's state (`bayes-svdpp` shares them). */
export interface GibbsPriorState {
  readonly data: Pick<FmTrainingData, 'columnGroup' | 'columnCount' | 'groupCount'>;
  readonly active: Uint8Array;
  readonly groupSize: Float64Array;
  readonly rowCount: number;
  squaredError(): number;
}

/** Noise precision α given the residuals. */
export function sampleAlpha(state: GibbsPriorState, hyper: FmHyper, rng: Rng): void {
  const next = gammaRate(rng, (ALPHA_0 + state.rowCount) / 2, (GAMMA_0 + state.squaredError()) / 2);
  if (Number.isFinite(next) && next > 0) hyper.alpha = next;
}

/**
 * λ then μ of each group for one family of parameters (w, or v's factor f), from the active
 * columns' current values: the Normal-Gamma conditional of Freudenthaler et al. (2011).
 */
export function sampleGroupPrior(
  state: GibbsPriorState,
  values: Float64Array,
  base: number,
  mu: Float64Array,
  lambda: Float64Array,
  stride: number,
  offset: number,
  rng: Rng,
): void {
  const { columnGroup, columnCount, groupCount } = state.data;
  const sumSq = new Float64Array(groupCount);
  const sum = new Float64Array(groupCount);
  for (let g = 0; g < groupCount; g++) {
    const m = mu[g * stride + offset];
    sumSq[g] = BETA_0 * (m - MU_0) * (m - MU_0) + GAMMA_0;
  }
  for (let j = 0; j < columnCount; j++) {
    if (!state.active[j]) continue;
    const g = columnGroup[j];
    const d = values[base + j] - mu[g * stride + offset];
    sumSq[g] += d * d;
  }
  for (let g = 0; g < groupCount; g++) {
    const next = gammaRate(rng, (ALPHA_0 + state.groupSize[g] + 1) / 2, sumSq[g] / 2);
    if (Number.isFinite(next) && next > 0) lambda[g * stride + offset] = next;
  }
  for (let j = 0; j < columnCount; j++) if (state.active[j]) sum[columnGroup[j]] += values[base + j];
  for (let g = 0; g < groupCount; g++) {
    const n = state.groupSize[g] + BETA_0;
    const mean = (sum[g] + BETA_0 * MU_0) / n;
    const next = mean + Math.sqrt(1 / (n * lambda[g * stride + offset])) * rng.normal();
    if (Number.isFinite(next)) mu[g * stride + offset] = next;
  }
}

export interface McmcSettings {
  readonly factors: number;
  /** Gibbs sweeps in total. */
  readonly iterations: number;
  /** Sweeps discarded before draws are kept. */
  readonly burnIn: number;
  /** Most draws kept for prediction (thinned evenly over the sweeps after burn-in). */
  readonly samples: number;
  readonly initStd: number;
  readonly seed: number;
  /** Clip each draw's prediction to the scale before averaging (libFM does). */
  readonly clipSamples: boolean;
  /** Threads the sweeps run on (already capped, `fmFitThreads`; default 1); the draws are the same for any. */
  readonly threads?: number;
}

/** Which sweeps' draws are kept: every `thin`-th, counted back from the last sweep. */
export function keptSweeps(
  iterations: number,
  burnIn: number,
  samples: number,
): { thin: number; first: number } {
  const after = Math.max(0, iterations - burnIn);
  const thin = Math.max(1, Math.ceil(after / Math.max(1, samples)));
  return { thin, first: burnIn + 1 };
}

/**
 * Builds the coordinate state of an MCMC or ALS fit from `settings` (its generator seeded by
 * `settings.seed`), runs `sweeps` over it once its threads are ready, and ends them however the
 * sweeps end.
 */
export async function withCoordinateState<T>(
  data: FmTrainingData,
  settings: {
    readonly factors: number;
    readonly initStd: number;
    readonly seed: number;
    readonly threads?: number;
  },
  sweeps: (state: FmCoordinateState, rng: Rng) => Promise<T>,
): Promise<T> {
  const rng = new Rng(settings.seed);
  const state = new FmCoordinateState(
    data,
    settings.factors,
    settings.initStd,
    rng,
    'timed',
    settings.threads ?? 1,
  );
  try {
    await state.start();
    return await sweeps(state, rng);
  } finally {
    await state.close();
  }
}

/** Runs the Gibbs sampler and returns the kept draws. */
export async function fitFmMcmc(
  data: FmTrainingData,
  settings: McmcSettings,
  hooks: FmSolverHooks = {},
): Promise<FmSolverResult> {
  return withCoordinateState(data, settings, (state, rng) => sample(state, data, settings, rng, hooks));
}

/** The sweeps of `fitFmMcmc`. */
async function sample(
  state: FmCoordinateState,
  data: FmTrainingData,
  settings: McmcSettings,
  rng: Rng,
  hooks: FmSolverHooks,
): Promise<FmSolverResult> {
  const { factors, iterations } = settings;
  const hyper = createHyper(data.groupCount, factors);
  const { thin, first } = keptSweeps(iterations, settings.burnIn, settings.samples);
  const kept: FmParams[] = [];
  const { validation } = hooks;
  // Running sum of (clipped) validation predictions over every sweep after burn-in: what libFM
  // reports as its MCMC test error, for progress reporting only.
  const validationSum = validation ? new Float64Array(validation.target.length) : undefined;
  let averaged = 0;
  const started = Date.now();
  let sweep = 0;
  while (sweep < iterations) {
    sweep++;
    state.recomputeResiduals();
    sampleAlpha(state, hyper, rng);
    state.updateW0(hyper, true, rng);
    sampleGroupPrior(state, state.params.w, 0, hyper.wMu, hyper.wLambda, 1, 0, rng);
    await state.updateW(hyper, true, rng);
    for (let f = 0; f < factors; f++) {
      sampleGroupPrior(
        state,
        state.params.v,
        f * data.columnCount,
        hyper.vMu,
        hyper.vLambda,
        factors,
        f,
        rng,
      );
    }
    await state.updateV(hyper, true, rng);

    let validationRmse: number | undefined;
    if (sweep >= first) {
      if ((iterations - sweep) % thin === 0) kept.push(copyParams(state.params));
      if (validation && validationSum) {
        averaged++;
        validationRmse = accumulateAndScore(
          state.params,
          validation,
          validationSum,
          averaged,
          data.scale,
          settings.clipSamples,
        );
      }
    }
    hooks.onProgress?.({
      epoch: sweep,
      epochs: iterations,
      seconds: (Date.now() - started) / 1000,
      trainLoss: state.trainRmse(),
      ...(validationRmse === undefined ? {} : { validationRmse }),
    });
    await yieldToEventLoop();
    if (hooks.signal?.aborted) break;
  }
  if (kept.length === 0) kept.push(copyParams(state.params));
  return { samples: packSamples(kept, data.columnCount, factors), iterations: sweep };
}

/** Adds this draw's validation predictions to the running sum and scores the running mean. */
function accumulateAndScore(
  params: FmParams,
  validation: NonNullable<FmSolverHooks['validation']>,
  sum: Float64Array,
  count: number,
  scale: { readonly min: number; readonly max: number },
  clip: boolean,
): number {
  const { rows, target } = validation;
  let se = 0;
  for (let r = 0; r < target.length; r++) {
    let y = predictRow(params, rows.columns, rows.values, rows.offsets[r], rows.offsets[r + 1]);
    if (clip) y = Math.min(scale.max, Math.max(scale.min, y));
    sum[r] += y;
    const p = Math.min(scale.max, Math.max(scale.min, sum[r] / count));
    se += (p - target[r]) * (p - target[r]);
  }
  return Math.sqrt(se / Math.max(1, target.length));
}

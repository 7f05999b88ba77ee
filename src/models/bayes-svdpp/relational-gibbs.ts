/**
 * Gibbs sampling for a factorization machine on relational data: the Bayesian FM of
 * Freudenthaler, Schmidt-Thieme & Rendle (2011) and Rendle (2012, "Factorization Machines with
 * libFM", Sec. 4.3), with the block structure of Rendle (2013, "Scaling Factorization Machines to
 * Relational Data", VLDB, Sec. 4-5).
 *
 * A row (u, i) is the user's block (id, features, the items u rated) next to the item's block (id,
 * features, the users who rated i), on disjoint columns. Expanded, a row of ml-1m carries hundreds
 * of non-zeros; a user's block is the same in every one of that user's rows. So every quantity a
 * coordinate update needs is summed per entity first, and the per-row caches are touched once per
 * block instead of once per non-zero.
 *
 * The conditional of one parameter θ is that of `fm-mcmc.ts`: with ŷ = g + θ h,
 *   σ² = 1 / (α Σ_r h_r² + λ),  mean = −σ² (α Σ_r h_r (e_r − θ h_r) − μ λ),  e_r = ŷ_r − y_r.
 * For a column j of side S (users, say) with value x_{s,j} in entity s's block, and the other side
 * O contributing q^O_f(r) = q_f(item of r):
 * - w_j: h_r = x_{s,j} on the rows of s, so Σ h² = Σ_s x² n_s and Σ h e = Σ_s x E_s, with n_s the
 *   entity's training rows and E_s = Σ_{r∈s} e_r.
 * - v_{j,f}: h_r = x_{s,j} (d_s + q^O_f(r)) with d_s = q^S_f(s) − v_{j,f} x_{s,j}, so
 *   Σ h² = Σ_s x² (n_s d_s² + 2 d_s Q_s + QQ_s) and Σ h e = Σ_s x (d_s E_s + QE_s), with
 *   Q_s = Σ_{r∈s} q^O_f(r), QQ_s = Σ q^O_f(r)², QE_s = Σ q^O_f(r) e_r.
 * A draw θ → θ + δ changes e_r by δ h_r, which on the rows of s is c (d_s + q^O_f(r)) with
 * c = δ x_{s,j}: linear in q^O_f(r), so E_s and QE_s update in closed form, Q_s and QQ_s do not
 * change (q^O is fixed while S is swept), and the rows only need e_r += a_s + b_s q^O_f(r) once the
 * side is done (a_s, b_s summing c d_s and c). Each factor costs O(N + nnz of the blocks) instead
 * of O(N · row length).
 *
 * Random numbers are drawn in exactly the order of `fm-mcmc.ts` (columns numbered user side first,
 * `layout.ts`), so a seed gives the same chain as the expanded FM up to rounding; a test checks it.
 */
import { Rng } from '../../util/rng.js';
import type { ProgressEvent } from '../model.js';
import type { FmParams } from '../classic/fm-core.js';
import type { EntityBlock } from '../classic/fm-design.js';
import { createHyper, keptSweeps, sampleAlpha, sampleGroupPrior, type FmHyper } from '../classic/fm-mcmc.js';
import { yieldToEventLoop } from '../classic/fm-solver.js';
import type { SvdppLayout } from './layout.js';
import { entityTerms } from './samples.js';

export interface RelationalData {
  readonly layout: SvdppLayout;
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly target: Float64Array;
  readonly scale: { readonly min: number; readonly max: number };
}

export interface RelationalMcmcSettings {
  readonly factors: number;
  readonly iterations: number;
  readonly burnIn: number;
  readonly samples: number;
  readonly initStd: number;
  readonly seed: number;
  readonly clipSamples: boolean;
}

export interface ValidationPairs {
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly target: Float64Array;
}

export interface RelationalHooks {
  /** Pairs scored after each sweep past burn-in (running mean of the draws), for progress only. */
  readonly validation?: ValidationPairs;
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * After each sweep past burn-in: the running sum of the draws' validation predictions and how
   * many draws it holds, so that chains run apart can report the RMSE of their pooled mean.
   */
  readonly onValidationSum?: (sweep: number, sum: Float64Array, averaged: number) => void;
  readonly signal?: AbortSignal;
}

/** Doubles per entity in `Side.acc`. */
const ACC = 8;

/** One side (users or items): its block by columns and its per-entity sums. */
export class Side {
  readonly count: number;
  /** Entity of every training row. */
  readonly ofRow: Int32Array;
  /** Training rows per entity. */
  readonly n: Float64Array;
  /** The side's columns [start, end) by column: entity and value of each non-zero. */
  readonly start: number;
  readonly end: number;
  readonly colOffsets: Int32Array;
  readonly colEntity: Int32Array;
  readonly colValue: Float64Array;
  /** q_f(s) of every factor, factor-major; kept current while the side is swept. */
  q: Float64Array;
  /**
   * The per-entity sums of the header, eight per entity so that one update touches one cache line:
   * [E, Q, QQ, QE, a, b, n, q_f] at ACC * s + slot (q_f is the swept factor's, copied in and out).
   */
  readonly acc: Float64Array;

  constructor(block: EntityBlock, ofRow: Int32Array, start: number, end: number, factors: number) {
    this.count = block.offsets.length - 1;
    this.ofRow = ofRow;
    this.start = start;
    this.end = end;
    this.n = new Float64Array(this.count);
    for (let r = 0; r < ofRow.length; r++) this.n[ofRow[r]]++;
    const width = end - start;
    this.colOffsets = new Int32Array(width + 1);
    for (const c of block.columns) this.colOffsets[c - start + 1]++;
    for (let j = 0; j < width; j++) this.colOffsets[j + 1] += this.colOffsets[j];
    const fill = this.colOffsets.slice(0, width);
    this.colEntity = new Int32Array(block.columns.length);
    this.colValue = new Float64Array(block.columns.length);
    for (let e = 0; e < this.count; e++) {
      for (let p = block.offsets[e]; p < block.offsets[e + 1]; p++) {
        const at = fill[block.columns[p] - start]++;
        this.colEntity[at] = e;
        this.colValue[at] = block.values[p];
      }
    }
    this.q = new Float64Array(factors * this.count);
    this.acc = new Float64Array(ACC * this.count);
  }

  /** Training rows that touch column j (Σ over its entities of their row counts). */
  rowsOf(j: number): number {
    let total = 0;
    for (let p = this.colOffsets[j - this.start]; p < this.colOffsets[j - this.start + 1]; p++)
      total += this.n[this.colEntity[p]];
    return total;
  }
}

/** The draw of one coordinate from its Gaussian conditional (see the header). */
function conditional(she: number, shh: number, alpha: number, mu: number, lambda: number, z: number): number {
  const variance = 1 / (lambda + alpha * shh);
  const mean = -variance * (alpha * she - mu * lambda);
  return mean + Math.sqrt(variance) * z;
}

/** The sampler's state: parameters, residuals and the two sides. */
export class RelationalState {
  readonly params: FmParams;
  readonly e: Float64Array;
  readonly rowCount: number;
  readonly active: Uint8Array;
  readonly activeCount: number;
  readonly groupSize: Float64Array;
  readonly data: { columnGroup: Int32Array; columnCount: number; groupCount: number };
  readonly users: Side;
  readonly items: Side;
  private readonly normals: Float64Array;
  private readonly source: RelationalData;

  constructor(source: RelationalData, factors: number, initStd: number, rng: Rng) {
    const { layout } = source;
    this.source = source;
    const columns = layout.columnCount;
    this.data = {
      columnGroup: layout.columnGroup,
      columnCount: columns,
      groupCount: layout.groupNames.length,
    };
    this.rowCount = source.target.length;
    this.e = new Float64Array(this.rowCount);
    this.users = new Side(layout.users, source.user, 0, layout.itemStart, factors);
    this.items = new Side(layout.items, source.item, layout.itemStart, columns, factors);
    this.active = new Uint8Array(columns);
    this.groupSize = new Float64Array(this.data.groupCount);
    let activeCount = 0;
    for (const side of [this.users, this.items]) {
      for (let j = side.start; j < side.end; j++) {
        if (side.rowsOf(j) > 0) {
          this.active[j] = 1;
          this.groupSize[layout.columnGroup[j]]++;
          activeCount++;
        }
      }
    }
    this.activeCount = activeCount;
    this.normals = new Float64Array(activeCount);
    this.params = {
      columns,
      factors,
      w0: 0,
      w: new Float64Array(columns),
      v: new Float64Array(columns * factors),
    };
    // libFM's initialisation, in the order of fm-mcmc.ts: v ~ N(0, initStd²) on active columns.
    for (let f = 0; f < factors; f++) {
      for (let j = 0; j < columns; j++)
        if (this.active[j]) this.params.v[f * columns + j] = initStd * rng.normal();
    }
  }

  /** e_r = ŷ_r − y_r from scratch, and each side's q from scratch. */
  recomputeResiduals(): void {
    const u = entityTerms(this.source.layout.users, this.params);
    const i = entityTerms(this.source.layout.items, this.params);
    this.users.q = u.q;
    this.items.q = i.q;
    const { user, item, target } = this.source;
    const k = this.params.factors;
    const nu = this.users.count;
    const ni = this.items.count;
    for (let r = 0; r < this.rowCount; r++) {
      let y = this.params.w0 + u.a[user[r]] + i.a[item[r]];
      for (let f = 0; f < k; f++) y += u.q[f * nu + user[r]] * i.q[f * ni + item[r]];
      this.e[r] = y - target[r];
    }
  }

  squaredError(): number {
    let se = 0;
    for (let r = 0; r < this.rowCount; r++) se += this.e[r] * this.e[r];
    return se;
  }

  /** Global bias: h = 1 on every row (as fm-mcmc.ts). */
  updateW0(hyper: FmHyper, rng: Rng): void {
    const old = this.params.w0;
    let sum = 0;
    for (let r = 0; r < this.rowCount; r++) sum += this.e[r] - old;
    const variance = 1 / (hyper.reg0 + hyper.alpha * this.rowCount);
    const next = -variance * hyper.alpha * sum + Math.sqrt(variance) * rng.normal();
    if (!Number.isFinite(next)) return;
    this.params.w0 = next;
    for (let r = 0; r < this.rowCount; r++) this.e[r] += next - old;
  }

  /** The N(0,1) of each active column's draw in one sweep, in column order (as fm-mcmc.ts). */
  drawNormals(rng: Rng): void {
    for (let k = 0; k < this.activeCount; k++) this.normals[k] = rng.normal();
  }

  /** Every active w_j of the side; `next` is the index of its first normal. Returns the next index. */
  sweepLinear(side: Side, hyper: FmHyper, next: number): number {
    const { e, active, params } = this;
    const { ofRow, n, acc, colOffsets, colEntity, colValue } = side;
    acc.fill(0);
    // Slots: E at 0, a at 4.
    for (let r = 0; r < this.rowCount; r++) acc[ACC * ofRow[r]] += e[r];
    for (let j = side.start; j < side.end; j++) {
      if (!active[j]) continue;
      const from = colOffsets[j - side.start];
      const to = colOffsets[j - side.start + 1];
      const old = params.w[j];
      let she = 0;
      let shh = 0;
      for (let p = from; p < to; p++) {
        const s = colEntity[p];
        const x = colValue[p];
        shh += x * x * n[s];
        she += x * (acc[ACC * s] - old * x * n[s]);
      }
      const g = this.data.columnGroup[j];
      const drawn = conditional(she, shh, hyper.alpha, hyper.wMu[g], hyper.wLambda[g], this.normals[next++]);
      if (!Number.isFinite(drawn)) continue;
      params.w[j] = drawn;
      const delta = drawn - old;
      for (let p = from; p < to; p++) {
        const s = colEntity[p];
        const c = delta * colValue[p];
        acc[ACC * s] += c * n[s];
        acc[ACC * s + 4] += c;
      }
    }
    for (let r = 0; r < this.rowCount; r++) e[r] += acc[ACC * ofRow[r] + 4];
    return next;
  }

  /** Every active v_{j,f} of the side for factor f, the other side's q fixed. */
  sweepFactor(side: Side, other: Side, f: number, hyper: FmHyper, next: number): number {
    const { e, active, params } = this;
    const { ofRow, n, acc, colOffsets, colEntity, colValue } = side;
    const k = params.factors;
    const count = side.count;
    const qBase = f * count;
    const qo = other.q;
    const oBase = f * other.count;
    const otherOfRow = other.ofRow;
    acc.fill(0);
    for (let s = 0; s < count; s++) {
      acc[ACC * s + 6] = n[s];
      acc[ACC * s + 7] = side.q[qBase + s];
    }
    for (let r = 0; r < this.rowCount; r++) {
      const at = ACC * ofRow[r];
      const t = qo[oBase + otherOfRow[r]];
      const er = e[r];
      acc[at] += er;
      acc[at + 1] += t;
      acc[at + 2] += t * t;
      acc[at + 3] += t * er;
    }
    const vBase = f * params.columns;
    for (let j = side.start; j < side.end; j++) {
      if (!active[j]) continue;
      const from = colOffsets[j - side.start];
      const to = colOffsets[j - side.start + 1];
      const old = params.v[vBase + j];
      let sheRaw = 0;
      let shh = 0;
      for (let p = from; p < to; p++) {
        const at = ACC * colEntity[p];
        const x = colValue[p];
        const d = acc[at + 7] - old * x;
        shh += x * x * (acc[at + 6] * d * d + 2 * d * acc[at + 1] + acc[at + 2]);
        sheRaw += x * (d * acc[at] + acc[at + 3]);
      }
      const gf = this.data.columnGroup[j] * k + f;
      const she = sheRaw - old * shh;
      const drawn = conditional(
        she,
        shh,
        hyper.alpha,
        hyper.vMu[gf],
        hyper.vLambda[gf],
        this.normals[next++],
      );
      if (!Number.isFinite(drawn)) continue;
      params.v[vBase + j] = drawn;
      const delta = drawn - old;
      for (let p = from; p < to; p++) {
        const at = ACC * colEntity[p];
        const x = colValue[p];
        const d = acc[at + 7] - old * x;
        const c = delta * x;
        acc[at] += c * (acc[at + 6] * d + acc[at + 1]);
        acc[at + 3] += c * (d * acc[at + 1] + acc[at + 2]);
        acc[at + 4] += c * d;
        acc[at + 5] += c;
        acc[at + 7] += c;
      }
    }
    for (let s = 0; s < count; s++) side.q[qBase + s] = acc[ACC * s + 7];
    for (let r = 0; r < this.rowCount; r++) {
      const at = ACC * ofRow[r];
      e[r] += acc[at + 4] + acc[at + 5] * qo[oBase + otherOfRow[r]];
    }
    return next;
  }
}

/**
 * Runs the sampler; `keep` receives the parameters of every kept draw (thinned as `fm-mcmc.ts`
 * does) while they are current, and must copy what it needs. Returns the sweeps run.
 */
export async function fitRelationalMcmc(
  data: RelationalData,
  settings: RelationalMcmcSettings,
  keep: (params: FmParams) => void,
  hooks: RelationalHooks = {},
): Promise<number> {
  const rng = new Rng(settings.seed);
  const { factors, iterations } = settings;
  const state = new RelationalState(data, factors, settings.initStd, rng);
  const hyper = createHyper(state.data.groupCount, factors);
  const { thin, first } = keptSweeps(iterations, settings.burnIn, settings.samples);
  const { validation } = hooks;
  const validationSum = validation ? new Float64Array(validation.target.length) : undefined;
  let averaged = 0;
  let keptAny = false;
  const started = Date.now();
  let sweep = 0;
  while (sweep < iterations) {
    sweep++;
    state.recomputeResiduals();
    sampleAlpha(state, hyper, rng);
    state.updateW0(hyper, rng);
    sampleGroupPrior(state, state.params.w, 0, hyper.wMu, hyper.wLambda, 1, 0, rng);
    state.drawNormals(rng);
    let next = state.sweepLinear(state.users, hyper, 0);
    state.sweepLinear(state.items, hyper, next);
    const columns = state.params.columns;
    for (let f = 0; f < factors; f++) {
      sampleGroupPrior(state, state.params.v, f * columns, hyper.vMu, hyper.vLambda, factors, f, rng);
    }
    for (let f = 0; f < factors; f++) {
      state.drawNormals(rng);
      next = state.sweepFactor(state.users, state.items, f, hyper, 0);
      state.sweepFactor(state.items, state.users, f, hyper, next);
    }

    let validationRmse: number | undefined;
    if (sweep >= first) {
      if ((iterations - sweep) % thin === 0) {
        keep(state.params);
        keptAny = true;
      }
      if (validation && validationSum) {
        averaged++;
        validationRmse = scoreRunningMean(
          data,
          state.params,
          validation,
          validationSum,
          averaged,
          settings.clipSamples,
        );
        hooks.onValidationSum?.(sweep, validationSum, averaged);
      }
    }
    hooks.onProgress?.({
      epoch: sweep,
      epochs: iterations,
      seconds: (Date.now() - started) / 1000,
      trainLoss: Math.sqrt(state.squaredError() / Math.max(1, state.rowCount)),
      ...(validationRmse === undefined ? {} : { validationRmse }),
    });
    await yieldToEventLoop();
    if (hooks.signal?.aborted) break;
  }
  if (!keptAny) keep(state.params);
  return sweep;
}

/** Adds this draw's predictions of the validation pairs to the running sum; RMSE of the running mean. */
function scoreRunningMean(
  data: RelationalData,
  params: FmParams,
  validation: ValidationPairs,
  sum: Float64Array,
  count: number,
  clip: boolean,
): number {
  const u = entityTerms(data.layout.users, params);
  const i = entityTerms(data.layout.items, params);
  const { min, max } = data.scale;
  const k = params.factors;
  const nu = u.a.length;
  const ni = i.a.length;
  for (let r = 0; r < validation.target.length; r++) {
    const a = validation.user[r];
    const c = validation.item[r];
    let y = params.w0 + u.a[a] + i.a[c];
    for (let f = 0; f < k; f++) y += u.q[f * nu + a] * i.q[f * ni + c];
    if (clip) y = Math.min(max, Math.max(min, y));
    sum[r] += y;
  }
  return rmseOfMean(sum, count, validation, data.scale);
}

/** RMSE of the mean prediction sum / count (clipped to the scale) against the validation targets. */
export function rmseOfMean(
  sum: Float64Array,
  count: number,
  validation: ValidationPairs,
  scale: { readonly min: number; readonly max: number },
): number {
  let se = 0;
  for (let r = 0; r < validation.target.length; r++) {
    const p = Math.min(scale.max, Math.max(scale.min, sum[r] / count));
    se += (p - validation.target[r]) * (p - validation.target[r]);
  }
  return Math.sqrt(se / Math.max(1, validation.target.length));
}

/**
 * SVDFeature's prediction and one stochastic-gradient step (Chen et al., JMLR 13, 2012).
 *
 * Eq. 1, with the global features reduced to the base score μ (the mean training rating; AFM's
 * MovieLens experiment gives the model no global feature):
 *     ŷ = μ + Σ_j α_j b^u_j + Σ_j β_j b^i_j + (Σ_j α_j p_j)ᵀ (Σ_j β_j q_j),
 * α the user's feature vector and β the item's (`feature-rows.ts`). The toolkit minimises the
 * squared loss ½(r − ŷ)² by SGD, one rating at a time (Sec. 3, "Training"): with e = r − ŷ and
 * the sums s_u = Σ α_j p_j, s_i = Σ β_j q_j taken before the step,
 *     p_j += η e α_j s_i,   q_j += η e β_j s_u,   b^u_j += η e α_j,   b^i_j += η e β_j,
 * and then, as the toolkit's default regulariser (reg_method 0) does, every touched factor row is
 * shrunk by (1 − η λ) and every touched bias by (1 − η λ_b) — once per occurrence of the row in
 * the rating's features.
 */
import type { FeatureRows } from './feature-rows.js';

/** What SVDFeature learns: μ and one factor row and bias per feature of each side. */
export interface SvdFeatureParams {
  readonly mean: number;
  readonly factors: number;
  /** p_j, [user table rows × factors] row-major. */
  readonly userFactors: Float32Array;
  /** q_j, [item table rows × factors] row-major. */
  readonly itemFactors: Float32Array;
  readonly userBias: Float32Array;
  readonly itemBias: Float32Array;
}

export interface StepSizes {
  /** η */
  readonly lr: number;
  /** λ, on the factors */
  readonly l2: number;
  /** λ_b, on the biases */
  readonly biasL2: number;
}

/** Scratch space for s_u and s_i, reused across ratings. */
export interface Sums {
  readonly user: Float64Array;
  readonly item: Float64Array;
}

export function newSums(factors: number): Sums {
  return { user: new Float64Array(factors), item: new Float64Array(factors) };
}

/** Fills `sum` with Σ_j w_j t_j over the entity's features. */
function featureSum(table: Float32Array, k: number, f: FeatureRows, entity: number, sum: Float64Array): void {
  sum.fill(0);
  for (let a = f.offsets[entity]; a < f.offsets[entity + 1]; a++) {
    const w = f.values[a];
    const row = f.rows[a] * k;
    for (let c = 0; c < k; c++) sum[c] += w * table[row + c];
  }
}

function biasSum(bias: Float32Array, f: FeatureRows, entity: number): number {
  let s = 0;
  for (let a = f.offsets[entity]; a < f.offsets[entity + 1]; a++) s += f.values[a] * bias[f.rows[a]];
  return s;
}

/** ŷ for (user, item); leaves s_u and s_i in `sums`. */
export function predictPair(
  p: SvdFeatureParams,
  users: FeatureRows,
  items: FeatureRows,
  user: number,
  item: number,
  sums: Sums,
): number {
  const k = p.factors;
  featureSum(p.userFactors, k, users, user, sums.user);
  featureSum(p.itemFactors, k, items, item, sums.item);
  let dot = 0;
  for (let c = 0; c < k; c++) dot += sums.user[c] * sums.item[c];
  return p.mean + biasSum(p.userBias, users, user) + biasSum(p.itemBias, items, item) + dot;
}

/** Moves one side's touched rows along the gradient, then decays them (see the file comment). */
function stepSide(
  table: Float32Array,
  bias: Float32Array,
  k: number,
  f: FeatureRows,
  entity: number,
  other: Float64Array,
  err: number,
  step: StepSizes,
): void {
  const shrink = 1 - step.lr * step.l2;
  const shrinkBias = 1 - step.lr * step.biasL2;
  const start = f.offsets[entity];
  const end = f.offsets[entity + 1];
  for (let a = start; a < end; a++) {
    const g = step.lr * err * f.values[a];
    const row = f.rows[a];
    const at = row * k;
    for (let c = 0; c < k; c++) table[at + c] += g * other[c];
    bias[row] += g;
  }
  for (let a = start; a < end; a++) {
    const row = f.rows[a];
    const at = row * k;
    for (let c = 0; c < k; c++) table[at + c] *= shrink;
    bias[row] *= shrinkBias;
  }
}

/** One SGD step on the rating r of (user, item); returns e = r − ŷ before the step. */
export function sgdStep(
  p: SvdFeatureParams,
  users: FeatureRows,
  items: FeatureRows,
  user: number,
  item: number,
  rating: number,
  step: StepSizes,
  sums: Sums,
): number {
  const err = rating - predictPair(p, users, items, user, item, sums);
  const k = p.factors;
  stepSide(p.userFactors, p.userBias, k, users, user, sums.item, err, step);
  stepSide(p.itemFactors, p.itemBias, k, items, item, sums.user, err, step);
  return err;
}

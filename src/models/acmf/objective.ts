/**
 * ACMF's objective and the updates that minimise it (Yu, Wang, Wang & Gao, Applied Intelligence
 * 46, 2017, §4): matrix factorisation of the ratings plus the item-relationship regulariser built
 * from coupled object similarity,
 *
 *     E = ½ Σ_(u,i) (r_ui − r̂_ui)² + λ/2 Σ_(u,i) (‖U_u‖² + ‖V_i‖²)
 *         + α/2 Σ_i Σ_{f ∈ N⁺(i)} S_if ‖V_i − V_f‖²,     r̂_ui = μ + U_uᵀ V_i.
 *
 * The paper's prediction is U_uᵀ V_i; Heed factorises the ratings centred on their training mean
 * μ, so that small initial factors start from μ rather than from 0.
 *
 * One epoch takes a stochastic-gradient step on every training rating's terms (in a fresh random
 * order) and then one gradient step on the coupling term, so that each part of E is descended once
 * per epoch at the same step size. The coupling step also moves items without training ratings
 * towards their neighbours, as the paper uses the regulariser for cold-start items.
 */
import type { Neighbourhoods } from '../neighbour-graph.js';

/** The factor tables, row-major [rows × factors]. */
export interface AcmfFactors {
  readonly factors: number;
  readonly mean: number;
  readonly userFactors: Float64Array;
  readonly itemFactors: Float64Array;
}

/** r̂_ui = μ + U_uᵀ V_i. */
export function acmfScore(f: AcmfFactors, u: number, i: number): number {
  const k = f.factors;
  let dot = 0;
  for (let c = 0; c < k; c++) dot += f.userFactors[u * k + c] * f.itemFactors[i * k + c];
  return f.mean + dot;
}

/**
 * One SGD step on rating r_ui's terms ½ e² + λ/2 (‖U_u‖² + ‖V_i‖²), both factors from their old
 * values:  U_u += γ (e V_i − λ U_u),  V_i += γ (e U_u − λ V_i),  e = r_ui − r̂_ui.
 * Returns e².
 */
export function ratingStep(f: AcmfFactors, u: number, i: number, r: number, lr: number, l2: number): number {
  const k = f.factors;
  const U = f.userFactors;
  const V = f.itemFactors;
  const e = r - acmfScore(f, u, i);
  for (let c = 0; c < k; c++) {
    const pu = U[u * k + c];
    const qi = V[i * k + c];
    U[u * k + c] = pu + lr * (e * qi - l2 * pu);
    V[i * k + c] = qi + lr * (e * pu - l2 * qi);
  }
  return e * e;
}

/**
 * ∂/∂V of ½ Σ_i Σ_{f∈N⁺(i)} S_if ‖V_i − V_f‖², into `out` [items × factors]: for item i,
 * Σ over its partners p of w_ip (V_i − V_p).
 */
export function couplingGradient(V: Float64Array, graph: Neighbourhoods, k: number, out: Float64Array): void {
  out.fill(0);
  const n = graph.offsets.length - 1;
  for (let i = 0; i < n; i++) {
    for (let p = graph.offsets[i]; p < graph.offsets[i + 1]; p++) {
      const f = graph.items[p];
      const w = graph.weights[p];
      for (let c = 0; c < k; c++) out[i * k + c] += w * (V[i * k + c] - V[f * k + c]);
    }
  }
}

/** V −= γ α ∂(coupling)/∂V, all items at once from the old V; `scratch` has V's length. */
export function couplingStep(
  V: Float64Array,
  graph: Neighbourhoods,
  k: number,
  stepTimesAlpha: number,
  scratch: Float64Array,
): void {
  couplingGradient(V, graph, k, scratch);
  for (let x = 0; x < V.length; x++) V[x] -= stepTimesAlpha * scratch[x];
}

/**
 * The two ends of the autoencoder that touch the rating matrix, as differentiable tensor ops that
 * work on the observed cells only (`sparse-kernels.wat` does the arithmetic).
 *
 * - `sparseProduct`: X·W for the sparse input rows X (Eq. 1's first product R W₁; X carries the
 *   input dropout). Its gradient is ∂L/∂W = Xᵀ·∂L/∂(XW).
 * - `observedRmse`: the decoder's last layer r̂_ij = σ(h_i · w_j + b_j) (Eq. 3, with W₄ stored
 *   transposed so that w_j is row j) evaluated at the observed cells only, and the masked RMSE of
 *   Eq. 4 over them, L = √(Σ_obs (r̂_ij − r_ij)² / N). With e_ij = r̂_ij − r_ij and σ' the
 *   LeakyReLU's slope at the cell, g_ij = e_ij σ'_ij / (N L), and
 *     ∂L/∂h_i = Σ_j g_ij w_j,   ∂L/∂w_j = Σ_i g_ij h_i,   ∂L/∂b_j = Σ_i g_ij.
 *
 * Written as dense tensor ops these are four products of the whole n × m matrix per step and about
 * ten element-wise passes over it, of which ~95% are unobserved cells that contribute nothing;
 * here they cost O(observed cells × hidden width). `reconstruct` and `maskedRmse` in
 * `autoencoder.ts` are the dense forms of the same maths; the tests check that both agree.
 */
import * as tf from '@tensorflow/tfjs-core';
import { HeedError } from '../../util/errors.js';
import { LEAKY_SLOPE } from './autoencoder.js';
import type { CellList, SparseKernels } from './sparse-kernels.js';

/** Cells with values: the (possibly dropped-out) inputs, or the observed ratings. */
export interface ValuedCells extends CellList {
  readonly value: Float32Array;
}

/** r̂ = σ(z) for the LeakyReLU σ. */
export function leakyValue(z: number): number {
  return z >= 0 ? z : LEAKY_SLOPE * z;
}

/** X·W for the sparse X [rows, W.shape[0]] given by `cells`; differentiable in W. */
export function sparseProduct(
  kernels: SparseKernels,
  cells: ValuedCells,
  rows: number,
  weight: tf.Tensor,
): tf.Tensor2D {
  if (weight.rank !== 2)
    throw new HeedError(
      `sparse product: the weight must be a matrix, got shape [${weight.shape.join(', ')}]`,
    );
  const [inputDim, width] = weight.shape as [number, number];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const w = args[0] as tf.Tensor2D;
    const product = kernels.scatterRows(
      cells.row,
      cells.col,
      cells.value,
      w.dataSync() as Float32Array,
      inputDim,
      rows,
    );
    const gradFunc = (dy: tf.Tensor2D): tf.Tensor[] => {
      const upstream = dy.dataSync() as Float32Array;
      return [
        tf.tensor2d(kernels.scatterRows(cells.col, cells.row, cells.value, upstream, rows, inputDim), [
          inputDim,
          width,
        ]),
      ];
    };
    return { value: tf.tensor2d(product, [rows, width]), gradFunc };
  });
  return op(weight as tf.Tensor2D);
}

/**
 * Eq. 3's last layer at the observed cells and Eq. 4 over them (see the file comment), from the
 * decoder's hidden rows `hidden` [rows, h], the transposed last weight `weightT` [cols, h] and its
 * bias `bias` [cols]; differentiable in all three.
 */
export function observedRmse(
  kernels: SparseKernels,
  observed: ValuedCells,
  hidden: tf.Tensor2D,
  weightT: tf.Tensor2D,
  bias: tf.Tensor1D,
): tf.Scalar {
  const [rows, width] = hidden.shape;
  const cols = weightT.shape[0];
  if (weightT.shape[1] !== width || bias.shape[0] !== cols) {
    throw new HeedError(
      `masked loss: hidden [${hidden.shape.join(', ')}], weight [${weightT.shape.join(', ')}], bias [${bias.shape.join(', ')}]`,
    );
  }
  const n = observed.row.length;
  if (n === 0) throw new HeedError('masked RMSE over no observed ratings');
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [h, w, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const hv = h.dataSync() as Float32Array;
    const wv = w.dataSync() as Float32Array;
    const bv = b.dataSync() as Float32Array;
    const dots = kernels.cellDots(observed, hv, rows, wv, cols);
    // e·σ' per cell, kept for the gradient.
    const slopedError = new Float32Array(n);
    let sse = 0;
    for (let k = 0; k < n; k++) {
      const z = dots[k] + bv[observed.col[k]];
      const slope = z >= 0 ? 1 : LEAKY_SLOPE;
      const e = z * slope - observed.value[k];
      slopedError[k] = e * slope;
      sse += e * e;
    }
    const loss = Math.sqrt(sse / n);
    const gradFunc = (dy: tf.Scalar): tf.Tensor[] => {
      const upstream = (dy.dataSync() as Float32Array)[0];
      const scale = loss > 0 ? upstream / (n * loss) : 0;
      const g = new Float32Array(n);
      const db = new Float32Array(cols);
      for (let k = 0; k < n; k++) {
        g[k] = slopedError[k] * scale;
        db[observed.col[k]] += g[k];
      }
      const dh = kernels.scatterRows(observed.row, observed.col, g, wv, cols, rows);
      const dw = kernels.scatterRows(observed.col, observed.row, g, hv, rows, cols);
      return [tf.tensor2d(dh, [rows, width]), tf.tensor2d(dw, [cols, width]), tf.tensor1d(db)];
    };
    return { value: tf.scalar(loss), gradFunc };
  });
  return op(hidden, weightT, bias);
}

/** r̂ at the listed cells (inference), from the same three inputs as `observedRmse`. */
export function cellPredictions(
  kernels: SparseKernels,
  cells: CellList,
  hidden: Float32Array,
  rows: number,
  weightT: Float32Array,
  bias: Float32Array,
): Float32Array {
  const cols = bias.length;
  const dots = kernels.cellDots(cells, hidden, rows, weightT, cols);
  for (let k = 0; k < dots.length; k++) dots[k] = leakyValue(dots[k] + bias[cells.col[k]]);
  return dots;
}

/**
 * The Compressed Interaction Network of xDeepFM (Lian et al., KDD 2018, §3.2, eq. 6-7):
 *
 *   X^k_{h,*} = Σ_{i=1}^{H_{k−1}} Σ_{j=1}^{m} W^{k,h}_{ij} (X^{k−1}_{i,*} ∘ X^0_{j,*})   (eq. 6)
 *   p^k_h = Σ_{d=1}^{D} X^k_{h,d},   p⁺ = [p¹, …, p^T]                              (eq. 7)
 *
 * Each layer is one product: the outer products z[b, d, i, j] = X^{k−1}[b, i, d]·X^0[b, j, d] are
 * laid out as [B·D, H_{k−1}·m] (row index i·m + j) and multiplied by W^k [H_{k−1}·m, H_k]. With
 * `splitHalf` (DeepCTR's default, which SAIN's baselines used) every layer but the last feeds
 * half its maps to the next layer and pools the other half.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../util/errors.js';
import type { Params } from '../params.js';
import { activate, type Activation, type DenseLayer } from './dense.js';

export interface CinLayer {
  readonly layers: readonly DenseLayer[];
  readonly fields: number;
  readonly sizes: readonly number[];
  readonly splitHalf: boolean;
}

export function declareCin(
  params: Params,
  name: string,
  fields: number,
  sizes: readonly number[],
  options: { readonly splitHalf?: boolean; readonly bias?: boolean } = {},
): CinLayer {
  const splitHalf = options.splitHalf ?? false;
  const layers: DenseLayer[] = [];
  let prev = fields;
  sizes.forEach((size, k) => {
    const last = k === sizes.length - 1;
    if (splitHalf && !last && size % 2 !== 0)
      throw new UsageError(`CIN "${name}": layer size ${size} must be even with splitHalf`);
    const w = params.dense(`${name}.${k}.w`, [prev * fields, size]);
    layers.push(
      options.bias === false
        ? { w }
        : { w, b: params.dense(`${name}.${k}.b`, [size], { init: { kind: 'zeros' }, l2: 0 }) },
    );
    prev = splitHalf && !last ? size / 2 : size;
  });
  return { layers, fields, sizes, splitHalf };
}

/** The output size of `cin` (the length of p⁺). */
export function cinOutputSize(cin: CinLayer): number {
  return cin.sizes.reduce(
    (sum, size, k) => sum + (cin.splitHalf && k < cin.sizes.length - 1 ? size / 2 : size),
    0,
  );
}

/** x0 [B, m, D] → p⁺ [B, cinOutputSize]. */
export function cin(x0: tf.Tensor3D, layer: CinLayer, activation: Activation = 'linear'): tf.Tensor2D {
  const [b, m, d] = x0.shape;
  if (m !== layer.fields)
    throw new UsageError(`cin: input has ${m} fields, the layer was declared for ${layer.fields}`);
  const x0t = tf.transpose(x0, [0, 2, 1]); // [B, D, m]
  let xk: tf.Tensor = x0t; // [B, D, H]
  let hPrev = m;
  const pooled: tf.Tensor[] = [];
  layer.layers.forEach((l, k) => {
    const z = tf.mul(tf.expandDims(xk, 3), tf.expandDims(x0t, 2)); // [B, D, H, m]
    let y: tf.Tensor = tf.matMul(tf.reshape(z, [b * d, hPrev * m]), l.w.variable as tf.Tensor2D);
    if (l.b !== undefined) y = tf.add(y, l.b.variable);
    y = activate(y, activation);
    const size = layer.sizes[k];
    const maps = tf.reshape(y, [b, d, size]);
    if (layer.splitHalf && k < layer.layers.length - 1) {
      const [next, out] = tf.split(maps, 2, 2);
      xk = next;
      hPrev = size / 2;
      pooled.push(tf.sum(out, 1));
    } else {
      xk = maps;
      hPrev = size;
      pooled.push(tf.sum(maps, 1));
    }
  });
  return (pooled.length === 1 ? pooled[0] : tf.concat(pooled, 1)) as tf.Tensor2D;
}

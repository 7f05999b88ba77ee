/**
 * SAIN's information integration layer (Yun et al., SIGIR 2019, §2.2, Eq. 7-8): for one side
 * (users or items), an attention over two candidate representations, the feedback latent vector
 * X_CF and the content vector X̄ from the feature-level interaction layer:
 *
 *   α_CF = exp(g(X_CF)) / (exp(g(X_CF)) + exp(g(X̄)))        (Eq. 7)
 *   X    = α_CF · X_CF + (1 − α_CF) · X̄                        (Eq. 8)
 *
 * g is one fully connected layer to a scalar, shared by both candidates (and, as in SAIN's code,
 * by both sides). Eq. 7 is a two-way softmax, i.e. α_CF = σ(g(X_CF) − g(X̄)), computed in that
 * form so that large scores cannot overflow exp. A bias of g cancels in the difference, so g has
 * none, and g(X_CF) − g(X̄) = (X_CF − X̄)·w is one product. (SAIN's code composes two linear
 * layers, 64 → 16 → 1, with no activation between them: the same function class.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyDense, type DenseLayer } from '../../engine/layers/dense.js';
import type { Params } from '../../engine/params.js';

export interface IntegrationLayer {
  /** g: [dim] → scalar. */
  readonly g: DenseLayer;
}

export function declareIntegration(
  params: Params,
  name: string,
  dim: number,
  initStd: number,
): IntegrationLayer {
  const w = params.dense(`${name}.g.w`, [dim, 1], { init: { kind: 'normal', std: initStd }, l2: 0 });
  return { g: { w } };
}

export interface IntegrationResult {
  /** [B, d]: X of Eq. 8. */
  readonly combined: tf.Tensor2D;
  /** [B, 1]: α_CF of Eq. 7, in (0, 1). */
  readonly alpha: tf.Tensor2D;
}

/** Eq. 7-8 for feedback vectors `cf` [B, d] and content vectors `content` [B, d]. */
export function integrate(cf: tf.Tensor2D, content: tf.Tensor2D, layer: IntegrationLayer): IntegrationResult {
  const alpha = tf.sigmoid(applyDense(tf.sub(cf, content), layer.g)) as tf.Tensor2D;
  const combined = tf.add(content, tf.mul(alpha, tf.sub(cf, content))) as tf.Tensor2D;
  return { combined, alpha };
}

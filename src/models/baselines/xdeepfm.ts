/**
 * xDeepFM: Lian et al., "xDeepFM: Combining Explicit and Implicit Feature Interactions for
 * Recommender Systems", KDD 2018, §3, as DeepCTR implements it (the implementation SAIN's authors
 * ran, SAIN §3.2). Three parts over the m field embeddings X⁰ ∈ ℝ^{m×D} of a rating (user id, item
 * id, side features; `field-inputs.ts`):
 *
 * - linear: w₀ + Σᵢ wᵢxᵢ over the raw fields;
 * - CIN (§3.2, Eq. 6-7; the engine's `cin` layer): X^k_{h,*} = Σᵢ Σⱼ W^{k,h}_{ij}(X^{k−1}_{i,*} ∘ X⁰_{j,*}),
 *   sum-pooled over D into p⁺;
 * - DNN: a plain MLP over the concatenated field embeddings;
 *
 * combined by the output unit (§3.3): ŷ = w_linearᵀa + w_dnnᵀx_dnn + w_cinᵀp⁺ + b, without the
 * sigmoid because the target is a rating (squared-error loss).
 *
 * Settings: embedding size 16 (SAIN §3.3, the FM models); DeepCTR's xDeepFM defaults for the rest:
 * DNN (256, 256) with ReLU, CIN (128, 128) with ReLU and split-half (each layer but the last feeds
 * half its maps forward and pools the other half), biases in the CIN, no dropout, embeddings from
 * N(0, (10⁻⁴)²).
 */
import * as tf from '@tensorflow/tfjs-core';
import { cin, cinOutputSize, declareCin, type CinLayer } from '../../engine/layers/cin.js';
import {
  activate,
  applyDense,
  declareDense,
  declareMlp,
  type Activation,
  type DenseLayer,
} from '../../engine/layers/dense.js';
import { Params } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { UsageError } from '../../util/errors.js';
import { bool, num, str } from '../config.js';
import type { ModelConfig, ModelSpec } from '../model.js';
import { FieldEmbedding } from './field-embedding.js';
import type { FieldInputs } from './field-inputs.js';
import { fieldModelSpec, type FieldNetwork } from './field-model.js';
import { layerSizes, positiveInt, rate } from './neural-training.js';
import { defaultsOf } from '../settings-schema.js';
import { XDEEPFM_SETTINGS } from './settings.js';

export const XDEEPFM_DEFAULTS: ModelConfig = defaultsOf(XDEEPFM_SETTINGS);

const CIN_ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'sigmoid', 'tanh'];

export class XDeepFmNetwork implements FieldNetwork {
  readonly params: Params;
  readonly embedding: FieldEmbedding;
  readonly dnn: DenseLayer[];
  readonly dnnOut: DenseLayer | undefined;
  readonly cin: CinLayer | undefined;
  readonly cinOut: DenseLayer | undefined;
  readonly cinActivation: Activation;
  private readonly dropout: number;

  constructor(config: ModelConfig, inputs: FieldInputs) {
    const d = positiveInt(config, 'factors');
    const m = inputs.fields.length;
    const dnnSizes = layerSizes(config, 'mlpLayers');
    const cinSizes = layerSizes(config, 'cinLayers');
    const activation = str(config, 'cinActivation') as Activation;
    if (!CIN_ACTIVATIONS.includes(activation)) {
      throw new UsageError(
        `setting "cinActivation" must be one of ${CIN_ACTIVATIONS.join(', ')}, got "${activation}"`,
      );
    }
    this.cinActivation = activation;
    this.dropout = rate(config, 'dropout');
    this.params = new Params(num(config, 'seed'));
    this.embedding = new FieldEmbedding(this.params, inputs, d, num(config, 'initStd'));
    this.dnn = dnnSizes.length === 0 ? [] : declareMlp(this.params, 'dnn', [m * d, ...dnnSizes]);
    this.dnnOut =
      dnnSizes.length === 0
        ? undefined
        : declareDense(this.params, 'dnn.out', dnnSizes[dnnSizes.length - 1], 1, false);
    this.cin =
      cinSizes.length === 0
        ? undefined
        : declareCin(this.params, 'cin', m, cinSizes, { splitHalf: bool(config, 'cinSplitHalf') });
    this.cinOut =
      this.cin === undefined
        ? undefined
        : declareDense(this.params, 'cin.out', cinOutputSize(this.cin), 1, false);
  }

  /** p⁺ of the pairs [B, cinOutputSize] (exposed for tests). */
  cinFeatures(fields: tf.Tensor3D): tf.Tensor2D {
    if (this.cin === undefined) throw new UsageError('this xDeepFM has no CIN (cinLayers=none)');
    return cin(fields, this.cin, this.cinActivation);
  }

  score(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor1D {
    const { fields, linear } = this.embedding.lookup(users, items, ctx);
    const [b, m, d] = fields.shape;
    let y: tf.Tensor = linear;
    if (this.dnnOut !== undefined) {
      let h: tf.Tensor = tf.reshape(fields, [b, m * d]);
      for (const layer of this.dnn) h = ctx.dropout(activate(applyDense(h, layer), 'relu'), this.dropout);
      y = tf.add(y, tf.reshape(applyDense(h, this.dnnOut), [-1]));
    }
    if (this.cinOut !== undefined)
      y = tf.add(y, tf.reshape(applyDense(this.cinFeatures(fields), this.cinOut), [-1]));
    return y as tf.Tensor1D;
  }
}

export const xdeepfmSpec: ModelSpec = fieldModelSpec(
  {
    id: 'xdeepfm',
    summary: 'xDeepFM (CIN + DNN + linear over user, item and feature fields), SAIN set-up',
    reference: 'Lian et al., xDeepFM: Combining Explicit and Implicit Feature Interactions, KDD 2018',
    settings: XDEEPFM_SETTINGS,
    testSettings: { factors: 4, mlpLayers: '8', cinLayers: '4,4', epochs: 2, batchSize: 64 },
  },
  (config, inputs) => new XDeepFmNetwork(config, inputs),
);

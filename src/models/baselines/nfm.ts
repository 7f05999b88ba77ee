/**
 * NFM: He & Chua, "Neural Factorization Machines for Sparse Predictive Analytics", SIGIR 2017, §3,
 * as DeepCTR implements it (the implementation SAIN's authors ran, SAIN §3.2):
 *
 *   ŷ(x)  = w₀ + Σᵢ wᵢxᵢ + f(x)                                 (the NFM model)
 *   f_BI  = Σᵢ Σ_{j>i} xᵢvᵢ ⊙ xⱼvⱼ = ½[(Σᵢ xᵢvᵢ)² − Σᵢ (xᵢvᵢ)²]   (Bi-Interaction pooling)
 *   z_l   = ReLU(W_l z_{l−1} + b_l),  z_0 = f_BI                 (hidden layers)
 *   f(x)  = hᵀ z_L                                              (prediction layer)
 *
 * over the fields of a rating: user id, item id and the side features (`field-inputs.ts`). With no
 * hidden layers (`layers=none`) it is a factorization machine (the paper's NFM-0).
 *
 * Settings: embedding size 16 (SAIN §3.3: "For the FM models, we used an embedding dimension of
 * 16"); hidden layers (128, 128), dropout 0 on the Bi-Interaction output and on the hidden layers,
 * embeddings from N(0, (10⁻⁴)²) — DeepCTR's NFM defaults. Output linear, squared-error loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import { biInteraction } from '../../engine/layers/fm.js';
import { applyDense, declareDense, declareMlp, type DenseLayer } from '../../engine/layers/dense.js';
import { Params } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { num } from '../config.js';
import type { ModelConfig, ModelSpec } from '../model.js';
import { FieldEmbedding } from './field-embedding.js';
import type { FieldInputs } from './field-inputs.js';
import { fieldModelSpec, type FieldNetwork } from './field-model.js';
import { layerSizes, positiveInt, rate } from './neural-training.js';
import { defaultsOf } from '../settings-schema.js';
import { NFM_SETTINGS } from './settings.js';

export const NFM_DEFAULTS: ModelConfig = defaultsOf(NFM_SETTINGS);

export class NfmNetwork implements FieldNetwork {
  readonly params: Params;
  readonly embedding: FieldEmbedding;
  readonly hidden: DenseLayer[];
  /** h: the prediction layer (no bias; w₀ is the model's bias). */
  readonly output: DenseLayer;
  private readonly biDropout: number;
  private readonly dropout: number;

  constructor(config: ModelConfig, inputs: FieldInputs) {
    const k = positiveInt(config, 'factors');
    const sizes = layerSizes(config, 'mlpLayers');
    this.biDropout = rate(config, 'biDropout');
    this.dropout = rate(config, 'dropout');
    this.params = new Params(num(config, 'seed'));
    this.embedding = new FieldEmbedding(this.params, inputs, k, num(config, 'initStd'));
    this.hidden = sizes.length === 0 ? [] : declareMlp(this.params, 'dnn', [k, ...sizes]);
    this.output = declareDense(
      this.params,
      'dnn.out',
      sizes.length === 0 ? k : sizes[sizes.length - 1],
      1,
      false,
    );
  }

  score(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor1D {
    const { fields, linear } = this.embedding.lookup(users, items, ctx);
    let z: tf.Tensor = ctx.dropout(biInteraction(fields), this.biDropout);
    for (const layer of this.hidden) z = ctx.dropout(applyDense(z, layer, 'relu'), this.dropout);
    return tf.add(linear, tf.reshape(applyDense(z, this.output), [-1])) as tf.Tensor1D;
  }
}

export const nfmSpec: ModelSpec = fieldModelSpec(
  {
    id: 'nfm',
    summary: 'NFM (Bi-Interaction pooling + MLP over user, item and feature fields), SAIN set-up',
    reference: 'He & Chua, Neural Factorization Machines for Sparse Predictive Analytics, SIGIR 2017',
    settings: NFM_SETTINGS,
    testSettings: { factors: 4, mlpLayers: '8', epochs: 2, batchSize: 64 },
  },
  (config, inputs) => new NfmNetwork(config, inputs),
);

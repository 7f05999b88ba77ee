/**
 * The `RatingModel` side of the factorization-machine family (NFM, xDeepFM): choosing the feature
 * fields, building the network for the data set, training it through the engine, predicting,
 * saving and restoring. The networks themselves (`nfm.ts`, `xdeepfm.ts`) only score pairs.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { RatingSubset } from '../../data/dataset.js';
import { loadState, toModelState } from '../neural-state.js';
import type { Params } from '../../engine/params.js';
import type { StepContext } from '../../engine/step.js';
import { HeedError } from '../../util/errors.js';
import { str } from '../config.js';
import { selectFeatureFields } from '../feature-selection.js';
import { fitPairs, meanRating, predictPairs, type PairFitReport } from '../pair-training.js';
import type { FitOptions, JsonValue, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import type { FieldEmbedding } from './field-embedding.js';
import {
  buildFieldInputs,
  fieldInputsArrays,
  fieldInputsMeta,
  restoreFieldInputs,
  type FieldInputs,
} from './field-inputs.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';

/** A network over field inputs. */
export interface FieldNetwork {
  readonly params: Params;
  readonly embedding: FieldEmbedding;
  score(users: Int32Array, items: Int32Array, ctx: StepContext): tf.Tensor1D;
}

export type FieldNetworkFactory<N extends FieldNetwork = FieldNetwork> = (
  config: ModelConfig,
  inputs: FieldInputs,
) => N;

export class FieldModel<N extends FieldNetwork = FieldNetwork> implements RatingModel {
  readonly handlesColdStart = false;
  network: N | undefined;
  lastReport: PairFitReport | undefined;

  constructor(
    readonly id: string,
    readonly config: ModelConfig,
    private readonly build: FieldNetworkFactory<N>,
  ) {}

  async fit(
    trainSet: RatingSubset,
    options: FitOptions & { allowCpu?: boolean } = {},
  ): Promise<PairFitReport> {
    const { dataset } = trainSet;
    const inputs = buildFieldInputs(
      dataset,
      selectFeatureFields(dataset.userFeatures, str(this.config, 'userFeatures'), 'userFeatures'),
      selectFeatureFields(dataset.itemFeatures, str(this.config, 'itemFeatures'), 'itemFeatures'),
    );
    const net = this.build(this.config, inputs);
    net.embedding.bias.value[0] = meanRating(trainSet);
    net.embedding.bias.sync();
    this.network?.params.dispose();
    this.network = net;
    this.lastReport = await fitPairs(
      net.params,
      (u, i, ctx) => ({ prediction: net.score(u, i, ctx) }),
      trainSet,
      this.config,
      options,
    );
    return this.lastReport;
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const net = this.fitted();
    return predictPairs(this.id, (u, i, ctx) => ({ prediction: net.score(u, i, ctx) }), users, items);
  }

  state(): ModelState {
    const net = this.fitted();
    const inputs = net.embedding.inputs;
    const base = toModelState(this.id, this.config, net.params, { inputs: fieldInputsMeta(inputs) });
    return { ...base, arrays: { ...base.arrays, ...fieldInputsArrays(inputs) } };
  }

  /** Rebuilds a saved model: the layout from its arrays and meta, then the network's weights. */
  static restore<N extends FieldNetwork>(state: ModelState, build: FieldNetworkFactory<N>): FieldModel<N> {
    const model = new FieldModel(state.id, { ...state.config }, build);
    model.network = restoreFieldNetwork(state, model.config, build);
    return model;
  }

  protected fitted(): N {
    if (this.network === undefined) throw new HeedError(`${this.id}: call fit() before predict() or state()`);
    return this.network;
  }
}

/** The network of a saved field model: the layout from its arrays and meta, then the weights. */
export function restoreFieldNetwork<N extends FieldNetwork>(
  state: ModelState,
  config: ModelConfig,
  build: FieldNetworkFactory<N>,
): N {
  const meta = state.meta as { inputs?: JsonValue } | null;
  const inputs = restoreFieldInputs(meta?.inputs, state.arrays, `saved model "${state.id}"`);
  const network = build(config, inputs);
  loadState(network.params, state);
  return network;
}

/**
 * The `ModelSpec` of an FM-family baseline: `about` says which model it is, `build` makes its
 * network, and a `FieldModel` does the rest (it trains on the tensor engine).
 */
export function fieldModelSpec(
  about: Pick<ModelSpec, 'id' | 'summary' | 'reference' | 'settings' | 'testSettings'>,
  build: FieldNetworkFactory,
): ModelSpec {
  return {
    usesEngine: true,
    ...about,
    defaults: defaultsOf(about.settings),
    create: (config) => new FieldModel(about.id, checkConfig(about.id, about.settings, config), build),
    restore: (state) =>
      FieldModel.restore({ ...state, config: checkConfig(about.id, about.settings, state.config) }, build),
  };
}

/**
 * TransNet as a Heed model (Catherine & Cohen, RecSys 2017), and the model class SAFMR shares:
 * the network of `transnet-network.ts` with a rating head, fitted with the review models' loop,
 * saved with its review context.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { declareFm, fm } from '../../engine/layers/fm.js';
import type { StepContext } from '../../engine/step.js';
import { num } from '../config.js';
import type { ModelConfig, ModelSpec } from '../model.js';
import { ReviewRatingModel } from '../review/review-model.js';
import { REVIEW_TEXT_TEST_SETTINGS } from '../review/review-settings.js';
import type { ReviewBatch } from '../review/review-training.js';
import { TransNetNetwork, type RatingHeadFactory } from './transnet-network.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { TRANSNET_SETTINGS } from './settings.js';

export const TRANSNET_DEFAULTS: ModelConfig = defaultsOf(TRANSNET_SETTINGS);

/** A model of the TransNets family: TransNet itself, or SAFMR with its own rating head. */
export class TransNetFamilyModel extends ReviewRatingModel<TransNetNetwork> {
  constructor(id: string, config: ModelConfig, head: (config: ModelConfig) => RatingHeadFactory) {
    super(
      id,
      config,
      (cfg, settings, context, mean, loadVectors) =>
        new TransNetNetwork(id, cfg, settings, context, head(cfg), mean, loadVectors),
    );
  }

  protected override loss(net: TransNetNetwork, batch: ReviewBatch, ctx: StepContext): tf.Scalar {
    return net.loss(batch, ctx);
  }
}

const checked = (config: ModelConfig): ModelConfig => checkConfig('transnet', TRANSNET_SETTINGS, config);

/** TransNets' rating head: a factorization machine over the text vector. */
export const fmHead =
  (config: ModelConfig): RatingHeadFactory =>
  (params, name, inDim, mean) => {
    const layer = declareFm(params, name, inDim, num(config, 'factors'), mean);
    return { score: (x) => fm(x, layer) };
  };

export const transnetSpec: ModelSpec = {
  usesEngine: true,
  id: 'transnet',
  summary: "TransNet: source network transformed to approximate the target review's CNN vector, FM heads, L1",
  reference: 'Catherine & Cohen, TransNets: Learning to Transform for Recommendation, RecSys 2017 (§3)',
  settings: TRANSNET_SETTINGS,
  defaults: TRANSNET_DEFAULTS,
  create: (config) => new TransNetFamilyModel('transnet', checked(config), fmHead),
  restore: (state) =>
    new TransNetFamilyModel('transnet', checked({ ...state.config }), fmHead).restoreFrom(state),
  testSettings: { ...REVIEW_TEXT_TEST_SETTINGS, cnnOutDim: 4, transformLayers: 1, factors: 4 },
};

/**
 * AFM, the Attentional Factorization Machine: Xiao, Ye, He, Zhang, Wu & Chua, "Attentional
 * Factorization Machines: Learning the Weight of Feature Interactions via Attention Networks",
 * IJCAI 2017. An FM whose pairwise interactions are pooled with learnt attention weights
 * (`network.ts`, `attention-pooling.ts`). Not the SIGIR'18 Attention-driven Factor Model, which
 * Heed calls `afm-gau`: hence the id `attentional-fm`.
 *
 * Settings: SAIN's set-up for its FM-family baselines, as Heed's NFM and xDeepFM use it (fields
 * user id, item id and the side features; embedding size 16, SAIN §3.3; Adam 1e-3, L2 1e-4,
 * batch 128, early stopping on validation; embeddings from N(0, (10⁻⁴)²), DeepCTR's init_std).
 * Where SAIN is silent, the AFM paper's choices, picked on SAIN's validation split (see README.md):
 * the attention factor t and the dropout on the pooled interaction vector.
 *
 * The explanation of a prediction is the attention distribution over its feature pairs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RatingSubset } from '../../data/dataset.js';
import { engineStarted } from '../../engine/backend.js';
import { StepContext } from '../../engine/step.js';
import { DataError, HeedError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { str } from '../config.js';
import { selectFeatureFields } from '../feature-selection.js';
import type {
  AttentionWeight,
  Explanation,
  FitOptions,
  ModelConfig,
  ModelSpec,
  ModelState,
} from '../model.js';
import { checkExplainIndex } from '../setting-checks.js';
import { fieldValueLabels, type FieldInputs } from '../baselines/field-inputs.js';
import { FieldModel, restoreFieldNetwork } from '../baselines/field-model.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { ATTENTIONAL_FM_SETTINGS } from './settings.js';
import type { PairFitReport } from '../pair-training.js';
import { fieldPairs } from './attention-pooling.js';
import { AttentionalFmNetwork } from './network.js';

export const ATTENTIONAL_FM_ID = 'attentional-fm';

export const ATTENTIONAL_FM_DEFAULTS: ModelConfig = defaultsOf(ATTENTIONAL_FM_SETTINGS);

const build = (config: ModelConfig, inputs: FieldInputs): AttentionalFmNetwork =>
  new AttentionalFmNetwork(config, inputs);

export class AttentionalFm extends FieldModel<AttentionalFmNetwork> {
  /** The label of every global feature index (raw ids, vocabulary), to name pairs in explanations. */
  valueLabels: readonly string[] | undefined;

  constructor(config: ModelConfig) {
    super(ATTENTIONAL_FM_ID, config, build);
  }

  override async fit(
    trainSet: RatingSubset,
    options: FitOptions & { allowCpu?: boolean } = {},
  ): Promise<PairFitReport> {
    const report = await super.fit(trainSet, options);
    const { dataset } = trainSet;
    this.valueLabels = fieldValueLabels(
      dataset,
      selectFeatureFields(dataset.userFeatures, str(this.config, 'userFeatures'), 'userFeatures'),
      selectFeatureFields(dataset.itemFeatures, str(this.config, 'itemFeatures'), 'itemFeatures'),
    );
    return report;
  }

  /** The attention weights aᵢⱼ over the feature pairs of (user, item): one group, summing to 1. */
  explain(user: number, item: number): Explanation {
    const net = this.fitted();
    if (!engineStarted())
      throw new HeedError(
        `${this.id}: the tensor engine is not started; await initEngine() before explaining`,
      );
    const inputs = net.embedding.inputs;
    checkExplainIndex(this.id, user, inputs.user.count, 'user');
    checkExplainIndex(this.id, item, inputs.item.count, 'item');
    const { prediction, weights } = tf.tidy(() => {
      const f = net.forward(Int32Array.of(user), Int32Array.of(item), new StepContext(false, new Rng(0)));
      return { prediction: f.score.dataSync()[0], weights: f.weights.dataSync() };
    });
    const labels = fieldLabels(inputs, this.labels(), user, item);
    const named: AttentionWeight[] = [];
    fieldPairs(labels.length).forEach(([i, j], q) => {
      const a = labels[i];
      const b = labels[j];
      // Pairs outside R_x (a field with no value) have weight 0 and are left out.
      if (a !== undefined && b !== undefined) named.push({ feature: `${a} × ${b}`, weight: weights[q] });
    });
    return { model: this.id, user, item, prediction, groups: [{ name: 'feature pairs', weights: named }] };
  }

  override state(): ModelState {
    const base = super.state();
    const meta = base.meta as Record<string, ModelState['meta']>;
    return { ...base, meta: { ...meta, valueLabels: [...this.labels()] } };
  }

  /** Rebuilds a saved model: the field layout, the network's weights and the feature labels. */
  static fromState(state: ModelState): AttentionalFm {
    const model = new AttentionalFm({ ...state.config });
    const network = restoreFieldNetwork(state, model.config, build);
    const labels = (state.meta as { valueLabels?: unknown } | null)?.valueLabels;
    const vocabulary = network.embedding.inputs.vocabulary;
    if (!Array.isArray(labels) || labels.length !== vocabulary || !labels.every((l) => typeof l === 'string'))
      throw new DataError(
        `saved model "${state.id}"`,
        undefined,
        'meta.valueLabels',
        `expected ${vocabulary} feature labels`,
      );
    model.network = network;
    model.valueLabels = labels as string[];
    return model;
  }

  private labels(): readonly string[] {
    if (this.valueLabels === undefined)
      throw new HeedError(`${this.id}: call fit() before explain() or state()`);
    return this.valueLabels;
  }
}

/**
 * "field=value" for each field of the pair (user, item), multi-valued fields as "genre=Action|Drama";
 * undefined for a field with no value. Field names drop their side ("user.age" → "age").
 */
function fieldLabels(
  inputs: FieldInputs,
  valueLabels: readonly string[],
  user: number,
  item: number,
): Array<string | undefined> {
  const { fieldSlot } = inputs;
  return inputs.fields.map((field, f) => {
    const values: string[] = [];
    for (let s = fieldSlot[f]; s < fieldSlot[f + 1]; s++) {
      const side = s < inputs.user.width ? inputs.user : inputs.item;
      const at = s < inputs.user.width ? user * side.width + s : item * side.width + s - inputs.user.width;
      if (side.weights[at] !== 0) values.push(valueLabels[side.codes[at]]);
    }
    return values.length === 0 ? undefined : `${field.replace(/^(user|item)\./, '')}=${values.join('|')}`;
  });
}

export const attentionalFmSpec: ModelSpec = {
  id: ATTENTIONAL_FM_ID,
  summary:
    'Attentional FM (attention over pairwise feature interactions of user, item and feature fields), SAIN set-up (explainable)',
  reference:
    'Xiao et al., Attentional Factorization Machines: Learning the Weight of Feature Interactions via Attention Networks, IJCAI 2017',
  settings: ATTENTIONAL_FM_SETTINGS,
  defaults: ATTENTIONAL_FM_DEFAULTS,
  usesEngine: true,
  testSettings: { factors: 4, attentionFactor: 4, epochs: 2, batchSize: 64 },
  create: (config) => new AttentionalFm(checkConfig(ATTENTIONAL_FM_ID, ATTENTIONAL_FM_SETTINGS, config)),
  restore: (state) =>
    AttentionalFm.fromState({
      ...state,
      config: checkConfig(ATTENTIONAL_FM_ID, ATTENTIONAL_FM_SETTINGS, state.config),
    }),
};

/**
 * Settings that were renamed so that one concept has one name across the models (issue #10):
 * old name → new name, per model. `--set` with an old name is refused with the new one suggested;
 * a saved model (`model.json`) written with old names is migrated on load by `migrateConfig`, so
 * old artifacts keep predicting exactly as before (only the keys change, never a value).
 */
import { DataError } from '../util/errors.js';
import type { ModelConfig } from './model.js';

const CLASSIC_SGD = {
  lr: 'learningRate',
  reg: 'l2',
  lrBias: 'biasLearningRate',
  regBias: 'biasL2',
} as const;

const RSATTAE = {
  validation: 'validationFraction',
  userFields: 'userFeatures',
  itemFields: 'itemFeatures',
  dim: 'factors',
  lr: 'learningRate',
  weightDecay: 'l2',
  earlyStopping: 'xgbPatience',
} as const;

export const RENAMED_SETTINGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  baseline: { method: 'solver', regUser: 'userL2', regItem: 'itemL2', lr: 'learningRate', reg: 'l2' },
  biasedmf: CLASSIC_SGD,
  svdpp: { ...CLASSIC_SGD, lrImplicit: 'implicitLearningRate', regImplicit: 'implicitL2' },
  fm: {
    learnRate: 'learningRate',
    regBias: 'biasL2',
    regLinear: 'linearL2',
    regPair: 'pairL2',
    alsReg: 'alsL2',
  },
  ncf: { layers: 'mlpLayers' },
  nfm: { embeddingSize: 'factors', layers: 'mlpLayers' },
  xdeepfm: { embeddingSize: 'factors', dnnLayers: 'mlpLayers' },
  sain: { dim: 'factors' },
  rsattae: RSATTAE,
  'rsattae-vanilla': RSATTAE,
  tafa: { attentionSize: 'attentionDim' },
};

/** The new name of a model's old setting name, if it was renamed. */
export function renamedSetting(model: string, key: string): string | undefined {
  return Object.hasOwn(RENAMED_SETTINGS, model) ? RENAMED_SETTINGS[model][key] : undefined;
}

/**
 * A saved config with every old key renamed (values untouched). `file` is named in the error when
 * a config holds both an old key and its new name.
 */
export function migrateConfig(model: string, config: ModelConfig, file: string): ModelConfig {
  const migrated: ModelConfig = {};
  for (const [key, value] of Object.entries(config)) {
    const name = renamedSetting(model, key) ?? key;
    if (name in migrated) {
      const old = name === key ? Object.keys(config).find((k) => renamedSetting(model, k) === name) : key;
      throw new DataError(file, undefined, 'config', `has both "${old}" and its new name "${name}"`);
    }
    migrated[name] = value;
  }
  return migrated;
}

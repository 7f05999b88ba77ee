/**
 * Settings of the Attentional FM (Xiao et al., IJCAI 2017), trained in SAIN's set-up for its
 * baselines (the fields, optimiser and batch size of NFM and xDeepFM). The attention factor and
 * dropout are the AFM paper's, checked on SAIN's validation split (README.md in this folder).
 */
import { FIELD_MODEL_SETTINGS } from '../baselines/settings.js';
import { integer, real, type SettingsSchema } from '../settings-schema.js';

export const ATTENTIONAL_FM_SETTINGS: SettingsSchema = {
  factors: integer(16, 'Dimension k of every field’s embedding', {
    min: 1,
    paper: 'SAIN §3.3 (16 for the FM family)',
  }),
  attentionFactor: integer(16, 'Hidden size t of the attention network over feature pairs', {
    min: 1,
    paper: 'Xiao et al. 2017 Eq. 5, §4.2',
  }),
  dropout: real(0.5, 'Dropout on the attention-pooled interaction vector', {
    min: 0,
    max: 1,
    maxExclusive: true,
    paper: 'Xiao et al. 2017 §3.3',
  }),
  initStd: real(1e-4, 'Standard deviation of the embeddings’ Gaussian initialisation (DeepCTR’s init_std)', {
    min: 0,
  }),
  ...FIELD_MODEL_SETTINGS,
};

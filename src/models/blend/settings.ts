/**
 * Settings of `blend`. The default members and penalty were chosen on validation data only
 * (docs/BLEND.md lists the runs).
 */
import { integer, real, text, type SettingsSchema } from '../settings-schema.js';

export const BLEND_SETTINGS: SettingsSchema = {
  members: text(
    'bayes-svdpp,svdpp,biasedmf,fm,baseline',
    'Models blended: comma list of model ids, each optionally with its settings, e.g. bayes-svdpp(factors=64;iterations=400),svdpp',
  ),
  ridge: real(0.001, 'Ridge penalty λ on the blend weights (per rating; the intercept is not penalised)', {
    min: 0,
  }),
  validationFraction: real(
    0.1,
    'When the split has no validation part: the seeded fraction of training ratings the weights are fitted on',
    { min: 0, max: 1, minExclusive: true, maxExclusive: true },
  ),
  seed: integer(1, 'Seed of the carved part, and of every member that has a seed and is not given one', {
    min: 0,
  }),
};

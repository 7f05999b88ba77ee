/**
 * Every model Heed ships, by id. Add a model by writing its spec and listing it here.
 */
import { UsageError } from '../util/errors.js';
import { globalMeanSpec } from './classic/global-mean.js';
import { baselineSpec } from './classic/baseline-only.js';
import { biasedMfSpec } from './classic/biased-mf.js';
import { svdppSpec } from './classic/svdpp.js';
import { fmSpec } from './classic/fm.js';
import { bayesSvdppSpec } from './bayes-svdpp/bayes-svdpp.js';
import { ncfSpec } from './baselines/ncf.js';
import { nfmSpec } from './baselines/nfm.js';
import { xdeepfmSpec } from './baselines/xdeepfm.js';
import { attentionalFmSpec } from './attentional-fm/attentional-fm.js';
import { sainSpec } from './sain/sain.js';
import { afmGauSpec } from './afm-gau/afm-gau.js';
import { aanmfPSpec, aanmfSpec } from './aanmf/aanmf.js';
import { rsattaeSpec, rsattaeVanillaSpec } from './rsattae/model.js';
import { deepconnSpec } from './deepconn/deepconn.js';
import { transnetSpec } from './transnet/transnet.js';
import { safmrSpec } from './safmr/safmr.js';
import { narreSpec } from './narre/narre.js';
import { tafaSpec } from './tafa/tafa.js';
import { acmfSpec } from './acmf/acmf.js';
import { aesrSpec } from './aesr/aesr.js';
import { svdFeatureSpec } from './svdfeature/svdfeature.js';
import { cdlSpec } from './cdl/cdl.js';
import { blendSpecWith } from './blend/blend.js';
import type { ModelSpec } from './model.js';

export const MODELS: readonly ModelSpec[] = [
  globalMeanSpec,
  baselineSpec,
  biasedMfSpec,
  svdppSpec,
  fmSpec,
  bayesSvdppSpec,
  ncfSpec,
  nfmSpec,
  xdeepfmSpec,
  attentionalFmSpec,
  sainSpec,
  afmGauSpec,
  aanmfSpec,
  aanmfPSpec,
  rsattaeSpec,
  rsattaeVanillaSpec,
  deepconnSpec,
  transnetSpec,
  safmrSpec,
  narreSpec,
  tafaSpec,
  acmfSpec,
  aesrSpec,
  svdFeatureSpec,
  cdlSpec,
  blendSpecWith((id) => getModelSpec(id)),
];

export function getModelSpec(id: string): ModelSpec {
  const spec = MODELS.find((m) => m.id === id);
  if (!spec) {
    throw new UsageError(
      `unknown model "${id}" (--model): choose one of ${MODELS.map((m) => m.id).join(', ')}`,
    );
  }
  return spec;
}

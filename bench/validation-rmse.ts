/**
 * The best validation RMSE of one model with some settings on a seeded ratio split, and the epoch
 * it kept: how settings are chosen without looking at the test part, which is never scored here.
 * (`heed evaluate` scores the test part too.) Used for AESR's settings (src/models/aesr/README.md).
 *
 *   npx tsc -p . && node dist/bench/validation-rmse.js --model aesr --dataset ml-100k \
 *     --data-dir ../shared/data [--split ratio:0.8,0.1,0.1] [--seed 1] [--set KEY=VALUE ...]
 */
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/data/registry.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { modelConfig } from '../src/eval/protocol.js';
import { getModelSpec } from '../src/models/index.js';
import { loadAverages } from './machine-load.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    dataset: { type: 'string' },
    'data-dir': { type: 'string' },
    split: { type: 'string', default: 'ratio:0.8,0.1,0.1' },
    seed: { type: 'string', default: '1' },
    set: { type: 'string', multiple: true, default: [] },
  },
});
if (values.model === undefined || values.dataset === undefined)
  throw new Error('--model and --dataset are needed');
const seed = Number(values.seed);
const spec = getModelSpec(values.model);
const overrides = Object.fromEntries(
  values.set.map((kv) => {
    const at = kv.indexOf('=');
    if (at < 1) throw new Error(`--set ${kv}: expected KEY=VALUE`);
    return [kv.slice(0, at), kv.slice(at + 1)];
  }),
);
const dataset = loadDataset(
  values.dataset,
  values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {},
);
const split = makeSplits(dataset, parseSplitSpec(values.split), seed)[0];
if (split.validation.length === 0) throw new Error(`--split ${values.split} has no validation part`);
const model = spec.create(modelConfig(spec, overrides, seed));
const started = performance.now();
const report = await model.fit(
  { dataset, indices: split.train },
  { validation: { dataset, indices: split.validation } },
);
const seconds = (performance.now() - started) / 1000;
const set = values.set.length > 0 ? values.set.join(' ') : 'defaults';
console.log(
  `${values.model} ${values.dataset} ${values.split} seed ${seed} [${set}]: validation RMSE ` +
    `${report.bestValidationRmse?.toFixed(4) ?? '-'} at epoch ${report.bestEpoch ?? '-'} of ${report.epochs}; ` +
    `fit ${seconds.toFixed(0)} s, load average ${loadAverages().join(' ')}`,
);
for (const note of report.notes ?? []) console.log(`  ${note}`);

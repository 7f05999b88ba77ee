import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { modelsCommand } from '../src/cli/models.js';
import { RUN_FLAGS } from '../src/cli/common.js';
import { parseArgs } from '../src/cli/flags.js';
import { loadArtifact, MODEL_FILE, saveArtifact } from '../src/models/artifact.js';
import { resolveConfig } from '../src/models/config.js';
import { MODELS, getModelSpec } from '../src/models/index.js';
import { migrateConfig, RENAMED_SETTINGS } from '../src/models/renamed-settings.js';
import { settingsMarkdown } from '../src/models/settings-docs.js';
import {
  checkConfig,
  defaultsOf,
  editDistance,
  integer,
  nearestName,
  parseSetting,
  real,
  text,
} from '../src/models/settings-schema.js';
import { trainingStats } from '../src/models/predictor.js';
import { DataError, UsageError } from '../src/util/errors.js';
import { ratingsDataset } from '../test-helpers/datasets.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-settings-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('every model: defaults come from its schema, pass it, and every setting is documented', () => {
  for (const spec of MODELS) {
    assert.deepEqual(spec.defaults, defaultsOf(spec.settings), spec.id);
    assert.doesNotThrow(() => checkConfig(spec.id, spec.settings, { ...spec.defaults }), spec.id);
    for (const [key, d] of Object.entries(spec.settings)) {
      assert.ok(d.doc.trim().length > 0, `${spec.id} ${key} has no doc`);
      if (d.type === 'string' && d.choices) assert.ok(d.choices.includes(d.default), `${spec.id} ${key}`);
    }
  }
});

test('one name per concept: no model keeps a renamed name, and every new name exists', () => {
  for (const [model, renamed] of Object.entries(RENAMED_SETTINGS)) {
    const spec = getModelSpec(model);
    for (const [old, now] of Object.entries(renamed)) {
      assert.ok(!(old in spec.settings), `${model} still has "${old}"`);
      assert.ok(now in spec.settings, `${model} has no "${now}"`);
    }
  }
  const forbidden = [
    'lr',
    'learnRate',
    'reg',
    'weightDecay',
    'embeddingSize',
    'dim',
    'attentionSize',
    'earlyStopping',
  ];
  for (const spec of MODELS) {
    for (const key of forbidden) assert.ok(!(key in spec.settings), `${spec.id} has "${key}"`);
  }
});

test('values are checked for type, integer-ness, range and choices, naming model and key', () => {
  const biasedmf = getModelSpec('biasedmf');
  assert.throws(
    () => resolveConfig(biasedmf, { factors: '0' }),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message === 'model "biasedmf" setting "factors" must be an integer >= 1, got 0',
  );
  assert.throws(
    () => resolveConfig(biasedmf, { factors: '2.5' }),
    /model "biasedmf" setting "factors" must be an integer >= 1, got 2.5/,
  );
  assert.throws(
    () => resolveConfig(biasedmf, { learningRate: 'fast' }),
    /model "biasedmf" setting "learningRate" must be a number >= 0, got "fast"/,
  );
  assert.throws(
    () => resolveConfig(biasedmf, { lrDecay: '0' }),
    /model "biasedmf" setting "lrDecay" must be a number > 0, got 0/,
  );
  assert.throws(
    () => resolveConfig(getModelSpec('sain'), { dropout: '1' }),
    /model "sain" setting "dropout" must be a number in \[0, 1\), got 1/,
  );
  assert.throws(
    () => resolveConfig(getModelSpec('aanmf'), { pooling: 'max' }),
    /model "aanmf" setting "pooling" must be one of sum, pairwise, got "max"/,
  );
  assert.throws(
    () => resolveConfig(getModelSpec('fm'), { clipSamples: 'yes' }),
    /model "fm" setting "clipSamples" must be true or false, got "yes"/,
  );
  assert.throws(
    () => resolveConfig(biasedmf, { factors: true }),
    /model "biasedmf" setting "factors" must be an integer >= 1, got true/,
  );
  assert.throws(() => resolveConfig(biasedmf, { factors: ' ' }), /setting "factors" must be an integer/);
  // A whole config built in code is checked too, when the model is created.
  assert.throws(
    () => biasedmf.create({ ...biasedmf.defaults, l2: -0.5 }),
    /model "biasedmf" setting "l2" must be a number >= 0, got -0.5/,
  );
  assert.throws(
    () => biasedmf.create({ ...biasedmf.defaults, extra: 1 }),
    /model "biasedmf" has no setting "extra"/,
  );
});

test('text values parse to the setting type; bounds can be exclusive on both sides', () => {
  const d = real(0.5, 'a rate', { min: 0, minExclusive: true, max: 1, maxExclusive: true });
  assert.equal(parseSetting('m', 'k', d, '0.25'), 0.25);
  assert.equal(parseSetting('m', 'k', d, 0.75), 0.75);
  assert.throws(() => parseSetting('m', 'k', d, '1'), /must be a number in \(0, 1\), got 1/);
  assert.throws(() => parseSetting('m', 'k', d, '0'), /must be a number in \(0, 1\), got 0/);
  assert.equal(parseSetting('m', 'k', integer(1, 'n'), '-3'), -3);
  assert.equal(parseSetting('m', 'k', text('', 'a file'), '12'), '12');
  const fm = getModelSpec('fm');
  assert.equal(resolveConfig(fm, { clipSamples: 'false' }).clipSamples, false);
  assert.equal(resolveConfig(fm, { clipSamples: '1' }).clipSamples, true);
});

test('an unknown key is refused with the renamed or the nearest name suggested', () => {
  assert.throws(
    () => resolveConfig(getModelSpec('biasedmf'), { lr: '0.01' }),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message.startsWith(
        'model "biasedmf" has no setting "lr"; did you mean "learningRate"? (settings: factors,',
      ),
  );
  assert.throws(
    () => resolveConfig(getModelSpec('fm'), { learnRate: '0.01' }),
    /did you mean "learningRate"\?/,
  );
  assert.throws(() => resolveConfig(getModelSpec('rsattae'), { weightDecay: '0' }), /did you mean "l2"\?/);
  assert.throws(() => resolveConfig(getModelSpec('nfm'), { embeddingSize: '8' }), /did you mean "factors"\?/);
  assert.throws(() => resolveConfig(getModelSpec('sain'), { dim: '8' }), /did you mean "factors"\?/);
  assert.throws(() => resolveConfig(getModelSpec('ncf'), { factor: '8' }), /did you mean "factors"\?/);
  assert.throws(
    () => resolveConfig(getModelSpec('sain'), { LearningRate: '1' }),
    /did you mean "learningRate"\?/,
  );
  // Nothing close: no suggestion, the list of settings instead.
  assert.throws(
    () => resolveConfig(getModelSpec('baseline'), { depth: '3' }),
    (e: unknown) =>
      e instanceof UsageError && !e.message.includes('did you mean') && e.message.includes('solver'),
  );
  assert.throws(
    () => resolveConfig(getModelSpec('globalmean'), { depth: '3' }),
    /model "globalmean" has no setting "depth" \(settings: none\)/,
  );
});

test('edit distance and the nearest name', () => {
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('factors', 'factors'), 0);
  assert.equal(nearestName('patiense', ['patience', 'epochs']), 'patience');
  assert.equal(nearestName('l', ['l2', 'seed']), 'l2');
  assert.equal(nearestName('zzzz', ['l2', 'seed']), undefined);
});

test('--set learningRate=<value> reaches every model that has a learning rate', () => {
  const parsed = parseArgs(['--model', 'any', '--dataset', 'any', '--set', 'learningRate=0.0123'], {
    name: 'evaluate',
    summary: '',
    flags: RUN_FLAGS,
  });
  const overrides = parsed.keyValues('set');
  const withRate = MODELS.filter((m) => 'learningRate' in m.settings);
  // bayes-svdpp is sampled (MCMC): it has no step size; blend's members carry their own.
  assert.deepEqual(
    MODELS.filter((m) => !withRate.includes(m)).map((m) => m.id),
    ['globalmean', 'bayes-svdpp', 'blend'],
  );
  for (const spec of withRate) {
    assert.equal(resolveConfig(spec, { learningRate: 0.0123 }).learningRate, 0.0123, spec.id);
    const model = spec.create(resolveConfig(spec, overrides));
    assert.equal(model.config.learningRate, 0.0123, spec.id);
  }
});

test('a model saved with the old setting names loads, with its keys renamed', async () => {
  const data = ratingsDataset([
    ['u1', 'i1', 5],
    ['u1', 'i2', 3],
    ['u2', 'i1', 4],
    ['u2', 'i2', 1],
    ['u3', 'i2', 2],
  ]);
  const train = { dataset: data, indices: Int32Array.of(0, 1, 2, 3, 4) };
  const spec = getModelSpec('biasedmf');
  const model = spec.create(resolveConfig(spec, { factors: 2, epochs: 3, learningRate: 0.02 }));
  await model.fit(train);
  const dir = path.join(tmp, 'old-biasedmf');
  saveArtifact(dir, { model, dataset: data, stats: trainingStats(train) });
  // model.json as Heed wrote it before the rename.
  const file = path.join(dir, MODEL_FILE);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  manifest.config = {
    factors: 2,
    epochs: 3,
    lr: 0.02,
    reg: 0.04,
    lrBias: 0.005,
    regBias: 0.02,
    initStd: 0.01,
    lrDecay: 0.97,
    seed: 1,
  };
  fs.writeFileSync(file, JSON.stringify(manifest));
  const loaded = loadArtifact(dir);
  assert.deepEqual(loaded.model.config, model.config);
  const users = Int32Array.of(0, 1, 2);
  const items = Int32Array.of(1, 0, 1);
  assert.deepEqual(loaded.model.predict(users, items), model.predict(users, items));

  manifest.config = { ...(manifest.config as object), learningRate: 0.02 };
  fs.writeFileSync(file, JSON.stringify(manifest));
  assert.throws(
    () => loadArtifact(dir),
    (e: unknown) =>
      e instanceof DataError && /model\.json: field "config": has both "lr" and its new name/.test(e.message),
  );
});

test('migrateConfig renames only the model’s own old keys', () => {
  assert.deepEqual(migrateConfig('rsattae', { dim: 64, earlyStopping: 100, hidden: 128 }, 'f'), {
    factors: 64,
    xgbPatience: 100,
    hidden: 128,
  });
  // SAIN's "layers" is its own setting (attention layers), not NCF's old MLP sizes.
  assert.deepEqual(migrateConfig('sain', { layers: 1 }, 'f'), { layers: 1 });
  assert.deepEqual(migrateConfig('ncf', { layers: '8,4' }, 'f'), { mlpLayers: '8,4' });
  for (const both of [
    { l2: 1, reg: 2 },
    { reg: 2, l2: 1 },
  ]) {
    assert.throws(
      () => migrateConfig('svdpp', both, 'f.json'),
      /^DataError: f\.json: field "config": has both "reg" and its new name "l2"$/,
    );
  }
});

test('heed models shows every setting: --json carries type, default, range, doc and paper', async () => {
  let out = '';
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, env: {} };
  await modelsCommand.run(parseArgs(['--json'], modelsCommand.spec), io);
  const models = JSON.parse(out) as Array<{ id: string; settings: Array<Record<string, unknown>> }>;
  const safmr = models.find((m) => m.id === 'safmr');
  assert.deepEqual(
    safmr?.settings.find((s) => s.name === 'learningRate'),
    {
      name: 'learningRate',
      type: 'number',
      default: 0.008,
      range: 'a number > 0',
      doc: 'Adam’s step size',
      paper: 'SAFMR Table 3',
    },
  );
  out = '';
  await modelsCommand.run(parseArgs([], modelsCommand.spec), io);
  assert.match(out, /^ {2}factors +integer +100 +an integer >= 1 +Latent factors k of p_u and q_i/m);
});

test('docs/SETTINGS.md is what `heed models --markdown` prints now', () => {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const onDisk = fs.readFileSync(path.join(root, 'docs/SETTINGS.md'), 'utf8');
  assert.ok(
    onDisk === settingsMarkdown(MODELS),
    'docs/SETTINGS.md is out of date: run `npx tsc -p tsconfig.json && node dist/src/cli/main.js models --markdown > docs/SETTINGS.md`',
  );
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { helpText, parseArgs, type CommandSpec } from '../src/cli/flags.js';
import { progressPrinter } from '../src/cli/progress.js';
import { UsageError } from '../src/util/errors.js';
import { runHeed, type HeedResult } from '../test-helpers/cli.js';

// dist/test/cli.test.js → dist/src/cli/main.js
const heed = (args: readonly string[], env: Record<string, string> = {}): HeedResult =>
  runHeed(args, { env });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A small synthetic data set keeps these end-to-end runs fast. */
const SMALL = 'synthetic:users=60,items=80,ratingsPerUser=20';
/** The fastest model on SMALL, and the 8:1:1 split most runs use. */
const GLOBALMEAN_ON_SMALL = ['--model', 'globalmean', '--dataset', SMALL];
const RATIO_SPLIT = ['--split', 'ratio:0.8,0.1,0.1'];

test('evaluate --json prints exactly one JSON object on stdout; progress stays on stderr', () => {
  const r = heed(['evaluate', ...GLOBALMEAN_ON_SMALL, ...RATIO_SPLIT, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as Record<string, unknown>; // throws if anything else is on stdout
  assert.equal(typeof result, 'object');
  for (const key of [
    'model',
    'dataset',
    'split',
    'rmse',
    'mae',
    'mse',
    'fitSeconds',
    'predictSeconds',
    'samplesPerSecond',
  ]) {
    assert.ok(key in result, `missing "${key}"`);
  }
  assert.equal(result.model, 'globalmean');
  assert.equal(result.dataset, SMALL);
  assert.equal(result.split, 'ratio:0.8,0.1,0.1');
  assert.equal(result.nTrain, 960);
  assert.equal(result.nTest, 120);
  assert.ok(typeof result.rmse === 'number' && result.rmse > 0);
  assert.ok(Math.abs((result.rmse as number) ** 2 - (result.mse as number)) < 1e-9);
});

test('a loader warning goes to stderr once as "warning: …" and into evaluate --json as warnings', () => {
  const file = path.join(tmp, 'amazon-no-text.json');
  const lines: string[] = [];
  for (let u = 0; u < 6; u++) {
    for (let i = 0; i < 5; i++) {
      const text = u === 2 && i > 2 ? {} : { reviewText: `review ${u} ${i}` };
      lines.push(
        JSON.stringify({
          reviewerID: `U${u}`,
          asin: `I${i}`,
          overall: 1 + ((u + i) % 5),
          unixReviewTime: 1,
          ...text,
        }),
      );
    }
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const expected = `warning: amazon ${file}: 2 reviews have no reviewText (first at line 14); kept as ratings with empty text`;
  const r = heed([
    'evaluate',
    '--model',
    'globalmean',
    '--dataset',
    `amazon:${file}`,
    ...RATIO_SPLIT,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr
      .split('\n')
      .filter((l) => l.startsWith('warning: '))
      .join('\n'),
    expected,
  );
  const result = JSON.parse(r.stdout) as { warnings?: string[] };
  assert.deepEqual(result.warnings, [expected.slice('warning: '.length)]);
  const clean = heed(['evaluate', ...GLOBALMEAN_ON_SMALL, ...RATIO_SPLIT, '--json', '--quiet']);
  assert.equal(clean.stderr, '');
  assert.equal('warnings' in (JSON.parse(clean.stdout) as object), false);
});

test('evaluate with a k-fold split gives means and a folds array; text mode prints a table', () => {
  const r = heed(['evaluate', ...GLOBALMEAN_ON_SMALL, '--split', 'kfold:3', '--json', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { rmse: number; folds: Array<{ rmse: number; nTest: number }> };
  assert.equal(result.folds.length, 3);
  const mean = result.folds.reduce((s, f) => s + f.rmse, 0) / 3;
  assert.ok(Math.abs(result.rmse - mean) < 1e-12);
  assert.equal(
    result.folds.reduce((s, f) => s + f.nTest, 0),
    1200,
  );
  const text = heed(['evaluate', ...GLOBALMEAN_ON_SMALL, '--split', 'kfold:3']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /fold\s+RMSE\s+MAE/);
  assert.match(text.stdout, /^mean\s/m);
});

test('usage errors exit 2 and name the flag; no stack trace unless HEED_DEBUG=1', () => {
  const bad = heed(['evaluate', '--modle', 'globalmean', '--dataset', SMALL]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^heed: unknown flag --modle for heed evaluate \(did you mean --model\?\)/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);

  const missingValue = heed(['evaluate', '--dataset', SMALL, '--model']);
  assert.equal(missingValue.code, 2);
  assert.match(missingValue.stderr, /flag --model needs a value/);

  const missingFlag = heed(['evaluate', '--dataset', SMALL]);
  assert.equal(missingFlag.code, 2);
  assert.match(missingFlag.stderr, /heed evaluate needs --model ID/);

  const badSplit = heed(['evaluate', ...GLOBALMEAN_ON_SMALL, '--split', 'ratio:0.5,0.1,0.1']);
  assert.equal(badSplit.code, 2);
  assert.match(badSplit.stderr, /--split "ratio:0.5,0.1,0.1": the ratios must sum to 1/);

  const badSet = heed(['evaluate', ...GLOBALMEAN_ON_SMALL, '--set', 'depth=3']);
  assert.equal(badSet.code, 2);
  assert.match(badSet.stderr, /model "globalmean" has no setting "depth"/);
  const oldName = heed(['evaluate', '--model', 'biasedmf', '--dataset', SMALL, '--set', 'lr=0.01']);
  assert.equal(oldName.code, 2);
  assert.match(oldName.stderr, /model "biasedmf" has no setting "lr"; did you mean "learningRate"\?/);

  const unknownModel = heed(['evaluate', '--model', 'nope', '--dataset', SMALL]);
  assert.equal(unknownModel.code, 2);
  assert.match(unknownModel.stderr, /unknown model "nope" \(--model\)/);

  const unknownCommand = heed(['evalute']);
  assert.equal(unknownCommand.code, 2);
  assert.match(unknownCommand.stderr, /unknown command "evalute"/);

  const debug = heed(['evaluate', '--modle', 'x'], { HEED_DEBUG: '1' });
  assert.equal(debug.code, 2);
  assert.match(debug.stderr, /\n\s+at /);
});

test('a missing data directory exits 1 and names the path', () => {
  const missing = path.join(tmp, 'no-such-data');
  const r = heed(['evaluate', '--model', 'globalmean', '--dataset', 'ml-100k', '--data-dir', missing]);
  assert.equal(r.code, 1);
  assert.ok(r.stderr.startsWith('heed: '), r.stderr);
  assert.ok(r.stderr.includes(missing), r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('train --out saves a model that predict answers from, with explicit cold start', () => {
  const out = path.join(tmp, 'model-gm');
  const train = heed(['train', ...GLOBALMEAN_ON_SMALL, ...RATIO_SPLIT, '--out', out, '--json']);
  assert.equal(train.code, 0, train.stderr);
  const summary = JSON.parse(train.stdout) as { out: string; nTrain: number; rmse: number };
  assert.equal(summary.out, out);
  assert.equal(summary.nTrain, 960);
  assert.deepEqual(fs.readdirSync(out).sort(), ['labels.json', 'model.json', 'params.bin']);

  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')) as {
    users: string[];
    items: string[];
  };
  const [user, item] = [manifest.users[0], manifest.items[0]];
  const warm = heed(['predict', '--model-dir', out, '--user', user, '--item', item, '--json']);
  assert.equal(warm.code, 0, warm.stderr);
  const w = JSON.parse(warm.stdout) as { rating: number; coldStart: string; source: string; model: string };
  assert.equal(w.model, 'globalmean');
  assert.equal(w.coldStart, 'none');
  assert.ok(w.rating >= 1 && w.rating <= 5);

  const cold = heed(['predict', '--model-dir', out, '--user', 'nobody', '--item', item, '--json']);
  assert.equal(cold.code, 0, cold.stderr);
  const c = JSON.parse(cold.stdout) as { coldStart: string; source: string; user: string };
  assert.deepEqual([c.user, c.coldStart, c.source], ['nobody', 'user', 'fallback']);
  const coldText = heed(['predict', '--model-dir', out, '--user', 'nobody', '--item', 'nothing']);
  assert.equal(coldText.code, 0);
  assert.match(coldText.stdout, /cold start: neither the user nor the item has training ratings/);

  const notAModel = heed(['predict', '--model-dir', tmp, '--user', user, '--item', item]);
  assert.equal(notAModel.code, 1);
  assert.ok(notAModel.stderr.includes(path.join(tmp, 'model.json')), notAModel.stderr);
});

test('a saved neural model predicts from the CLI: predict starts the tensor engine itself', () => {
  const out = path.join(tmp, 'model-ncf');
  const train = heed([
    'train',
    '--model',
    'ncf',
    '--dataset',
    SMALL,
    ...RATIO_SPLIT,
    '--set',
    'epochs=1',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(train.code, 0, train.stderr);
  const trained = JSON.parse(train.stdout) as { rmse: number };
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')) as {
    users: string[];
    items: string[];
  };
  const r = heed([
    'predict',
    '--model-dir',
    out,
    '--user',
    manifest.users[0],
    '--item',
    manifest.items[0],
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout) as { model: string; rating: number; source: string };
  assert.equal(p.model, 'ncf');
  assert.equal(p.source, 'model');
  assert.ok(p.rating >= 1 && p.rating <= 5, String(p.rating));
  assert.ok(Number.isFinite(trained.rmse));
});

test('a failed train leaves no --out directory behind', () => {
  const out = path.join(tmp, 'never-written');
  const r = heed(['train', ...GLOBALMEAN_ON_SMALL, '--split', 'kfold:3', '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /heed train needs one split/);
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(
    fs.readdirSync(tmp).filter((f) => f.includes('never-written')),
    [],
  );
});

test('help, models and datasets', () => {
  const help = heed(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Commands:/);
  for (const c of ['demo', 'evaluate', 'train', 'predict', 'models', 'datasets', 'data fetch']) {
    assert.match(help.stdout, new RegExp(`\\n  ${c}\\s`));
  }
  const evalHelp = heed(['evaluate', '--help']);
  assert.equal(evalHelp.code, 0);
  assert.match(evalHelp.stdout, /--split SPEC/);
  assert.match(evalHelp.stdout, /--set KEY=VALUE/);

  const models = heed(['models', '--json']);
  assert.equal(models.code, 0);
  const list = JSON.parse(models.stdout) as Array<{ id: string; defaults: object }>;
  assert.ok(list.some((m) => m.id === 'globalmean'));

  const datasets = heed(['datasets']);
  assert.equal(datasets.code, 0, datasets.stderr);
  assert.match(datasets.stdout, /ml-100k/);
  assert.match(datasets.stdout, /synthetic/);
});

// In-process tests of the parser and the progress printer (no spawning).

const SPEC: CommandSpec = {
  name: 'try',
  summary: 'A command for tests.',
  positionals: [{ name: 'NAME', description: 'a name' }],
  flags: {
    model: { kind: 'string', value: 'ID', required: true, description: 'model' },
    seed: { kind: 'integer', value: 'N', description: 'seed', defaultText: '1' },
    set: { kind: 'repeatable', value: 'KEY=VALUE', description: 'settings' },
    json: { kind: 'switch', description: 'json' },
  },
};

test('flag parser: forms it accepts', () => {
  const a = parseArgs(['x', '--model=mf', '--seed', '-3', '--set', 'a=1', '--set=b=x=y', '--json'], SPEC);
  assert.equal(a.string('model'), 'mf');
  assert.equal(a.integer('seed'), -3);
  assert.deepEqual(a.keyValues('set'), { a: '1', b: 'x=y' });
  assert.equal(a.switch('json'), true);
  assert.deepEqual(a.positionals, ['x']);
  const b = parseArgs(['--model', 'mf'], SPEC);
  assert.equal(b.integer('seed'), undefined);
  assert.equal(b.switch('json'), false);
  assert.deepEqual(b.keyValues('set'), {});
  // --help wins over missing required flags.
  assert.equal(parseArgs(['--help'], SPEC).help, true);
  const help = helpText(SPEC);
  assert.match(help, /^heed try NAME \[flags\]/);
  assert.match(help, /--model ID\s+model \(required\)/);
  assert.match(help, /--set KEY=VALUE\s+settings \(repeatable\)/);
  assert.match(help, /--seed N\s+seed \(default: 1\)/);
});

test('flag parser: every mistake is a UsageError naming the flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--model', 'm', '--sed', '2'], /unknown flag --sed for heed try \(did you mean --seed\?\)/],
    [['--model', 'm', '--zzz'], /unknown flag --zzz for heed try; see heed try --help/],
    [['--model', 'm', '-s', '2'], /unknown flag -s for heed try/],
    [['--model'], /flag --model needs a value/],
    [['--model', '--json'], /flag --model needs a value/],
    [['--model', 'a', '--model', 'b'], /flag --model is given twice/],
    [['--model', 'a', '--seed', '1.5'], /flag --seed must be an integer, got "1.5"/],
    [['--model', 'a', '--json=yes'], /flag --json takes no value/],
    [['--seed', '1'], /heed try needs --model ID/],
    [['x', 'y', '--model', 'a'], /unexpected argument "y" for heed try/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseArgs(argv, SPEC),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
      argv.join(' '),
    );
  }
  const kv = parseArgs(['--model', 'a', '--set', 'novalue', '--set', 'k=1', '--set', 'k=2'], SPEC);
  assert.throws(() => kv.keyValues('set'), /--set expects key=value, got "novalue"/);
  const twice = parseArgs(['--model', 'a', '--set', 'k=1', '--set', 'k=2'], SPEC);
  assert.throws(() => twice.keyValues('set'), /--set k=\.\.\. is given twice/);
});

test('progress: a redrawn bar on a terminal, bounded plain lines otherwise', () => {
  const written: string[] = [];
  const epoch = (
    e: number,
    epochs: number,
  ): { epoch: number; epochs: number; seconds: number; trainLoss: number } => ({
    epoch: e,
    epochs,
    seconds: e / 10,
    trainLoss: 1 / e,
  });
  const tty = progressPrinter('mf', { isTTY: true, write: (t: string) => written.push(t) });
  tty.onProgress({ fold: 1, folds: 1, phase: 'fit' });
  tty.onProgress({ fold: 1, folds: 1, phase: 'fit', epoch: epoch(1, 4) });
  tty.onProgress({ fold: 1, folds: 1, phase: 'fit', epoch: epoch(2, 4) });
  tty.finish();
  assert.ok(written.every((t) => t.startsWith('\r') || t === '\n'));
  assert.match(written[2], /mf \[#{12}\.{12}\] epoch 2\/4 {2}loss 0\.5000 {2}0\.2s/);
  assert.equal(written.at(-1), '\n');

  const lines: string[] = [];
  const plain = progressPrinter('fm', { isTTY: false, write: (t: string) => lines.push(t) });
  for (let e = 1; e <= 200; e++) plain.onProgress({ fold: 2, folds: 5, phase: 'fit', epoch: epoch(e, 200) });
  plain.onProgress({ fold: 2, folds: 5, phase: 'done' });
  assert.equal(lines.length, 21); // epoch 1, then every 10th up to 200
  assert.ok(lines.every((l) => /^fm fold 2\/5: epoch \d+\/200 {2}loss/.test(l) && l.endsWith('\n')));

  const quiet: string[] = [];
  const q = progressPrinter('x', { isTTY: true, write: (t: string) => quiet.push(t) }, true);
  q.onProgress({ fold: 1, folds: 1, phase: 'fit', epoch: epoch(1, 1) });
  assert.deepEqual(quiet, []);
});

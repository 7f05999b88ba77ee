/**
 * `heed explain --out` on afm-gau, sain and aanmf trained (one short epoch) on the real ml-100k in
 * ../shared/data (skipped, saying so, when it is absent): the SVG parses, says the model, the user,
 * the movie's title and the predicted rating, and shows feature labels; the user-level pictures,
 * the HTML page, the PNG, a model saved without labels, and the errors naming the flag.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openArtifact, predictRaw } from '../src/models/artifact.js';
import { LABELS_FILE } from '../src/models/labels.js';
import { renderExplanationSvg } from '../src/report/explanations/render.js';
import { readSvg } from '../test-helpers/svg-text.js';
import { runHeedHere as heed } from '../test-helpers/cli.js';

const SHARED = fileURLToPath(new URL('../../../shared/data', import.meta.url));
const HAVE_DATA = fs.existsSync(path.join(SHARED, 'ml-100k'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-explain-pictures-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The shortest training that still gives each model real weights: one epoch, big batches. */
const SHORT: Readonly<Record<string, readonly string[]>> = {
  'afm-gau': ['epochs=1', 'batchSize=1024'],
  sain: ['epochs=1', 'batchSize=1024', 'factors=8', 'featureDim=4', 'topK=4'],
  aanmf: ['epochs=1', 'batchSize=1024'],
};
const dirs: Record<string, string> = {};

before(async () => {
  if (!HAVE_DATA) return;
  for (const [model, settings] of Object.entries(SHORT)) {
    const out = path.join(tmp, model);
    const r = await heed([
      'train',
      '--model',
      model,
      '--dataset',
      'ml-100k',
      '--data-dir',
      SHARED,
      '--split',
      'u1',
      ...settings.flatMap((s) => ['--set', s]),
      '--quiet',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    dirs[model] = out;
  }
});

function present(t: TestContext): boolean {
  if (HAVE_DATA) return true;
  t.skip(`real data not found at ${path.join(SHARED, 'ml-100k')}`);
  return false;
}

/** What every pair picture of user 196 and item 242 (Kolya) must say. */
async function checkPairPicture(model: string, title: string, labels: readonly string[]): Promise<void> {
  const file = path.join(tmp, `${model}.svg`);
  const r = await heed([
    'explain',
    '--model-dir',
    dirs[model],
    '--user',
    '196',
    '--item',
    '242',
    '--out',
    file,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `wrote ${file}\n`);
  const { texts, titles } = readSvg(fs.readFileSync(file, 'utf8'));
  const rating = predictRaw(await openArtifact(dirs[model]), '196', '242').rating;
  const heading = `${title}: ${rating.toFixed(2)} predicted for Kolya (1996)`;
  assert.ok(texts.includes(heading), `${model}: no "${heading}" in ${texts.slice(0, 4).join(' | ')}`);
  assert.ok(titles[0].startsWith(heading), titles[0]);
  assert.ok(
    texts.includes('user 196 (age 45-49, gender M, occupation writer)'),
    texts.slice(0, 4).join(' | '),
  );
  for (const label of labels) assert.ok(texts.includes(label), `${model}: no label "${label}"`);
  assert.ok(!texts.includes('item id'), `${model}: a bare id where the title exists`);
}

test('afm-gau: the attention over Kolya (1996)’s features, the movie named by its title', async (t) => {
  if (!present(t)) return;
  await checkPairPicture('afm-gau', 'AFM-GAU', ['item: Kolya (1996)', 'genre=Comedy', 'year=1990+']);
});

test('sain: a feature × feature heatmap per head with the user’s and the movie’s features', async (t) => {
  if (!present(t)) return;
  await checkPairPicture('sain', 'SAIN', ['gender=M', 'occupation=writer', 'genre=Comedy', 'user: feedback']);
  const { texts } = readSvg(fs.readFileSync(path.join(tmp, 'sain.svg'), 'utf8'));
  assert.ok(texts.some((l) => l.startsWith('Head 2: attention')));
});

test('aanmf: λ over user 196’s attributes for Kolya (1996)', async (t) => {
  if (!present(t)) return;
  await checkPairPicture('aanmf', 'AANMF', ['gender=M', 'age=45-49', 'occupation=writer']);
});

test('without --item: the user-level pictures of afm-gau (by feature) and aanmf (attribute × genre)', async (t) => {
  if (!present(t)) return;
  for (const model of ['afm-gau', 'aanmf']) {
    const file = path.join(tmp, `${model}-user.svg`);
    const r = await heed(['explain', '--model-dir', dirs[model], '--user', '196', '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    const { texts, elements } = readSvg(fs.readFileSync(file, 'utf8'));
    assert.ok(texts.some((l) => l.endsWith('the attention of user 196 over every movie')));
    for (const genre of ['Action', 'Comedy', 'Western'])
      assert.ok(texts.includes(genre), `${model}: ${genre}`);
    const values = elements
      .filter((e) => e.attributes.class === 'cell' && e.attributes['data-value'] !== undefined)
      .map((e) => Number(e.attributes['data-value']));
    assert.ok(values.length >= 19, `${model}: ${values.length} cells with values`);
    assert.ok(values.every((v) => v >= 0 && v <= 1));
  }
});

test('.html is a self-contained page with the picture inline and the explanation as text; .png is a PNG', async (t) => {
  if (!present(t)) return;
  const html = path.join(tmp, 'sain.html');
  assert.equal(
    (await heed(['explain', '--model-dir', dirs.sain, '--user', '196', '--item', '242', '--out', html])).code,
    0,
  );
  const page = fs.readFileSync(html, 'utf8');
  assert.match(page, /^<!doctype html>/);
  assert.match(page, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(page, /<h1>SAIN: \d\.\d\d predicted for Kolya \(1996\)<\/h1>/);
  assert.match(page, /<li>gender=M: \d+\.\d%<\/li>/);
  assert.doesNotMatch(page, /<script|<link|src="http/);

  const png = path.join(tmp, 'aanmf.png');
  const r = await heed([
    'explain',
    '--model-dir',
    dirs.aanmf,
    '--user',
    '196',
    '--item',
    '242',
    '--out',
    png,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    [...fs.readFileSync(png).subarray(0, 8)],
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  );
});

test('a model saved without labels.json shows ids, not titles', async (t) => {
  if (!present(t)) return;
  const old = path.join(tmp, 'afm-gau-old');
  fs.cpSync(dirs['afm-gau'], old, { recursive: true });
  fs.rmSync(path.join(old, LABELS_FILE));
  const { texts } = readSvg(renderExplanationSvg(await openArtifact(old), '196', '242'));
  assert.ok(texts.some((l) => l.endsWith('predicted for item 242')));
  assert.ok(texts.includes('item: item 242'));
  assert.ok(!texts.some((l) => l.includes('Kolya')));
});

test('errors name the flag: the file extension, a user-level picture the model lacks, --json with --out', async (t) => {
  if (!present(t)) return;
  const cases: Array<[string[], RegExp]> = [
    [
      ['--user', '196', '--item', '242', '--out', path.join(tmp, 'x.pdf')],
      /--out must name a \.svg, \.html or \.png file/,
    ],
    [['--user', '196', '--out', path.join(tmp, 'x.svg')], /model "sain" has no user-level picture .*--item/],
    [
      ['--user', '196', '--item', '242', '--out', path.join(tmp, 'y.svg'), '--json'],
      /--top and --json .* --out/,
    ],
    [['--user', '196'], /explain needs --item ID/],
  ];
  for (const [args, message] of cases) {
    const r = await heed(['explain', '--model-dir', dirs.sain, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.ok(!fs.existsSync(path.join(tmp, 'x.svg')));
});

/**
 * `heed explain` (src/cli/explain.ts), run in process on models trained in memory on a tiny
 * synthetic data set and saved: the text output (groups, sorted weights as bars and shares), the
 * `--json` document, `--top`, cold-start pairs, FM's signed contributions, and the error for a
 * model that does not explain.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Dataset, Split } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { initEngine } from '../src/engine/index.js';
import { modelConfig } from '../src/eval/protocol.js';
import { openArtifact, predictRaw, saveArtifact, type LoadedArtifact } from '../src/models/artifact.js';
import { getModelSpec } from '../src/models/index.js';
import { trainingStats } from '../src/models/predictor.js';
import { explainGroup, type ExplainReply } from '../src/serve/explanations.js';
import { runHeedHere as heed } from '../test-helpers/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-cli-explain-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let dataset: Dataset;
let split: Split;
let afm: LoadedArtifact;

async function trainAndSave(id: string, overrides: Record<string, string>): Promise<string> {
  const spec = getModelSpec(id);
  const model = spec.create(modelConfig(spec, overrides, 1));
  await model.fit({ dataset, indices: split.train }, { validation: { dataset, indices: split.validation } });
  const dir = path.join(tmp, id);
  saveArtifact(dir, { model, dataset, stats: trainingStats({ dataset, indices: split.train }) });
  return dir;
}

before(async () => {
  await initEngine({ backend: 'wasm' });
  dataset = generateSynthetic({ users: 30, items: 40, ratingsPerUser: 10, seed: 5 });
  split = makeSplits(dataset, parseSplitSpec('ratio:0.8,0.1,0.1'), 1)[0];
  afm = await openArtifact(await trainAndSave('afm-gau', { factors: '4', epochs: '2', batchSize: '64' }));
  await trainAndSave('biasedmf', { factors: '4', epochs: '3' });
  await trainAndSave('fm', { iterations: '6', burnIn: '2', samples: '3', factors: '2' });
});

/** A user and an item with training ratings. */
function warmPair(): { user: string; item: string } {
  const { userCount, itemCount } = afm.predictor.stats;
  return {
    user: dataset.users.ids[userCount.findIndex((c) => c > 0)],
    item: dataset.items.ids[itemCount.findIndex((c, i) => c > 0 && i > 2)],
  };
}

test('heed explain prints the prediction and each group with its weights sorted, as bars and shares', async () => {
  const { user, item } = warmPair();
  const r = await heed(['explain', '--model-dir', afm.dir, '--user', user, '--item', item]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const rating = predictRaw(afm, user, item).rating;
  assert.equal(lines[0], `user ${user}, item ${item}: ${rating.toFixed(4)} (by afm-gau)`);
  const head = lines.findIndex((l) => l.startsWith('item features (attention, '));
  assert.ok(head > 0, r.stdout);
  const rows = lines.slice(head + 1).filter((l) => l.startsWith('  '));
  const own = afm.model.explain?.(afm.users.index.get(user) ?? -1, afm.items.index.get(item) ?? -1);
  assert.ok(own !== undefined);
  assert.equal(rows.length, own.groups[0].weights.length);
  const shares = rows.map((row) => Number(/(-?[\d.]+)%$/.exec(row)?.[1]));
  for (let k = 1; k < shares.length; k++) assert.ok(shares[k - 1] >= shares[k], 'sorted, largest first');
  const total = shares.reduce((s, x) => s + x, 0);
  assert.ok(Math.abs(total - 100) < 0.1 * rows.length, `shares sum to ${total}%`);
  // The largest weight's feature is on the first row, with its share.
  const largest = [...own.groups[0].weights].sort((a, b) => b.weight - a.weight)[0];
  assert.ok(rows[0].trimStart().startsWith(largest.feature), rows[0]);
  assert.ok(rows[0].endsWith(`${(100 * largest.weight).toFixed(1)}%`), rows[0]);
  assert.match(rows[0], /█+·*/);
});

test('heed explain --json prints the reply of GET /explain; --top keeps the largest weights', async () => {
  const { user, item } = warmPair();
  const r = await heed(['explain', '--model-dir', afm.dir, '--user', user, '--item', item, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const reply = JSON.parse(r.stdout) as ExplainReply;
  assert.equal(reply.model, 'afm-gau');
  assert.equal(reply.dataset, dataset.id);
  assert.equal(reply.rating, predictRaw(afm, user, item).rating);
  assert.equal(reply.coldStart, 'none');
  assert.ok(reply.explanation !== null);
  for (const group of reply.explanation.groups) {
    const sum = group.weights.reduce((s, w) => s + w.weight, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `${group.name} sums to ${sum}`);
    assert.ok(Math.abs(group.sum - 1) < 1e-5);
  }
  const top = await heed([
    'explain',
    '--model-dir',
    afm.dir,
    '--user',
    user,
    '--item',
    item,
    '--json',
    '--top',
    '2',
  ]);
  const cut = JSON.parse(top.stdout) as ExplainReply;
  assert.ok(cut.explanation !== null);
  assert.deepEqual(cut.explanation.groups[0].weights, reply.explanation.groups[0].weights.slice(0, 2));
  assert.equal(cut.explanation.groups[0].total, reply.explanation.groups[0].total);
  const text = await heed(['explain', '--model-dir', afm.dir, '--user', user, '--item', item, '--top', '2']);
  assert.match(text.stdout, /\(attention, top 2 of \d+ weights\)/);
});

test('heed explain on a cold-start pair says so and shows no attention', async () => {
  const { item } = warmPair();
  const r = await heed(['explain', '--model-dir', afm.dir, '--user', 'nobody', '--item', item]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^user nobody, item \S+: \d\.\d{4} \(cold start: the user has no training ratings/);
  assert.match(r.stdout, /user "nobody" not in the model's data set: the cold-start fallback answered/);
  assert.doesNotMatch(r.stdout, /attention,/);
  const json = JSON.parse(
    (await heed(['explain', '--model-dir', afm.dir, '--user', 'nobody', '--item', item, '--json'])).stdout,
  ) as ExplainReply;
  assert.equal(json.explanation, null);
  assert.equal(json.coldStart, 'user');
  assert.equal(json.source, 'fallback');
});

test('heed explain on a model without explanations names it and the models that explain', async () => {
  const { user, item } = warmPair();
  const r = await heed([
    'explain',
    '--model-dir',
    path.join(tmp, 'biasedmf'),
    '--user',
    user,
    '--item',
    item,
  ]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^heed: model "biasedmf" does not explain its predictions; models that do: /);
  for (const id of ['sain', 'afm-gau', 'aanmf', 'aanmf-p', 'rsattae'])
    assert.match(r.stderr, new RegExp(`\\b${id}\\b`));
  assert.doesNotMatch(r.stderr, /do: .*biasedmf/);
});

test("heed explain shows FM's signed contributions as values, largest magnitude first", async () => {
  const { user, item } = warmPair();
  const r = await heed([
    'explain',
    '--model-dir',
    path.join(tmp, 'fm'),
    '--user',
    user,
    '--item',
    item,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const reply = JSON.parse(r.stdout) as ExplainReply;
  assert.ok(reply.explanation !== null);
  const group = reply.explanation.groups[0];
  assert.equal(group.name, 'feature contributions');
  // FM's contributions add up to its (unclipped) prediction.
  assert.ok(Math.abs(group.sum - reply.explanation.raw) < 1e-3, `${group.sum} vs ${reply.explanation.raw}`);
  const magnitudes = group.weights.map((w) => Math.abs(w.weight));
  for (let k = 1; k < magnitudes.length; k++) assert.ok(magnitudes[k - 1] >= magnitudes[k]);
  const text = await heed(['explain', '--model-dir', path.join(tmp, 'fm'), '--user', user, '--item', item]);
  assert.match(text.stdout, /\n {2}bias +[█▒·]+ {2}[+-]\d+\.\d{4}\n/);
});

test('explainGroup: attention vs contributions, sorting, top', () => {
  const attention = explainGroup('g', [
    { feature: 'a', weight: 0.2 },
    { feature: 'b', weight: 0.5 },
    { feature: 'c', weight: 0.3 },
  ]);
  assert.equal(attention.kind, 'attention');
  assert.deepEqual(
    attention.weights.map((w) => w.feature),
    ['b', 'c', 'a'],
  );
  assert.equal(attention.sum, 1);
  const signed = explainGroup(
    'h',
    [
      { feature: 'x', weight: 0.5 },
      { feature: 'y', weight: -2 },
      { feature: 'z', weight: 1 },
    ],
    2,
  );
  assert.equal(signed.kind, 'contribution');
  assert.deepEqual(
    signed.weights.map((w) => w.feature),
    ['y', 'z'],
  );
  assert.equal(signed.total, 3);
  assert.equal(signed.sum, -0.5);
});

test('heed explain flag errors name the flag', async () => {
  const r = await heed(['explain', '--model-dir', afm.dir, '--user', 'u1', '--item', 'i1', '--top', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--top must be at least 1, got 0/);
  const missing = await heed(['explain', '--model-dir', afm.dir, '--user', 'u1']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /needs --item ID/);
  const help = await heed(['explain', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^heed explain \[flags\]/);
  assert.match(help.stdout, /--top N/);
  const overview = await heed(['--help']);
  assert.match(overview.stdout, /\n {2}explain +Explain one prediction of a saved model: /);
  assert.match(overview.stdout, /\n {2}serve +Serve a saved model over HTTP: /);
});

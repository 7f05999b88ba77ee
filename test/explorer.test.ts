/**
 * What the explorer asks the service for, over two small models trained in memory on the synthetic
 * data set (an AFM-GAU that explains, a biased MF that does not): several models behind one server
 * chosen with `?model=`, the model list, data set statistics (stored at train time, or worked out
 * from the training counts for a model saved without them), user search, and the explanation picture.
 * The page itself runs in Chromium in test/explorer-browser.test.ts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../src/cli/cli.js';
import type { CliIo } from '../src/cli/command.js';
import type { Dataset, Split } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { ratingStatistics } from '../src/data/rating-statistics.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { initEngine } from '../src/engine/index.js';
import { modelConfig } from '../src/eval/protocol.js';
import { loadArtifact, openArtifact, saveArtifact, type LoadedArtifact } from '../src/models/artifact.js';
import { getModelSpec } from '../src/models/index.js';
import { trainingStats } from '../src/models/predictor.js';
import { renderExplanationSvg } from '../src/report/explanations/render.js';
import { escapeXml } from '../src/report/svg.js';
import { explainRaw } from '../src/serve/explanations.js';
import { modelNames } from '../src/serve/served-models.js';
import { createServer } from '../src/serve/server.js';
import { NO_STATISTICS_NOTE } from '../src/serve/statistics.js';
import { recommendForUser } from '../src/serve/recommend.js';
import { searchUsers } from '../src/serve/user-search.js';
import { parseXml } from '../test-helpers/xml.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-explorer-'));
const SPLIT = 'ratio:0.8,0.1,0.1';

let dataset: Dataset;
let split: Split;
let afm: LoadedArtifact;
let mf: LoadedArtifact;
let server: http.Server;
let base: string;

/** Trains a small `id` on the synthetic set and saves it, with statistics unless told otherwise. */
async function trainAndOpen(
  id: string,
  overrides: Record<string, string>,
  withStatistics = true,
): Promise<LoadedArtifact> {
  const spec = getModelSpec(id);
  const model = spec.create(modelConfig(spec, overrides, 1));
  await model.fit({ dataset, indices: split.train });
  const dir = path.join(tmp, withStatistics ? id : `${id}-bare`);
  saveArtifact(dir, {
    model,
    dataset,
    stats: trainingStats({ dataset, indices: split.train }),
    ...(withStatistics
      ? {
          statistics: {
            dataset: ratingStatistics(dataset),
            training: ratingStatistics(dataset, split.train),
          },
        }
      : {}),
    provenance: { split: SPLIT, seed: 1 },
  });
  return await openArtifact(dir);
}

before(async () => {
  await initEngine({ backend: 'wasm' });
  dataset = generateSynthetic({ users: 40, items: 50, ratingsPerUser: 12, seed: 3 });
  split = makeSplits(dataset, parseSplitSpec(SPLIT), 1)[0];
  afm = await trainAndOpen('afm-gau', { factors: '4', epochs: '2', batchSize: '64' });
  mf = await trainAndOpen('biasedmf', { factors: '4', epochs: '3' });
  server = createServer(
    [
      { name: 'afm', artifact: afm },
      { name: 'mf', artifact: mf },
    ],
    { log: () => {} },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function call(pathAndQuery: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(base + pathAndQuery);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('ratingStatistics counts users, items and ratings, the sparsity and one histogram bin per rating value', () => {
  const all = ratingStatistics(dataset);
  assert.equal(all.ratings, dataset.ratings.rating.length);
  assert.equal(all.users, new Set(dataset.ratings.user).size);
  assert.equal(all.items, new Set(dataset.ratings.item).size);
  assert.equal(all.sparsity, 1 - all.ratings / (all.users * all.items));
  const values = [...new Set(dataset.ratings.rating)].sort((a, b) => a - b);
  assert.deepEqual(
    all.histogram,
    values.map((v) => ({ from: v, to: v, count: dataset.ratings.rating.filter((r) => r === v).length })),
  );
  const training = ratingStatistics(dataset, split.train);
  assert.equal(training.ratings, split.train.length);
  assert.equal(
    training.histogram.reduce((n, bin) => n + bin.count, 0),
    split.train.length,
  );
});

test('ratingStatistics bins ratings that take many values into equal-width bins over the scale', () => {
  const n = 100;
  const many: Dataset = {
    ...dataset,
    ratings: {
      user: new Int32Array(n).map((_, k) => k % 40),
      item: new Int32Array(n).map((_, k) => k % 50),
      rating: new Float32Array(n).map((_, k) => 1 + (4 * k) / (n - 1)),
    },
    scale: { min: 1, max: 5 },
  };
  const { histogram } = ratingStatistics(many);
  assert.equal(histogram.length, 20);
  assert.equal(histogram[0].from, 1);
  assert.equal(histogram[19].to, 5);
  assert.equal(
    histogram.reduce((sum, bin) => sum + bin.count, 0),
    n,
  );
  assert.ok(
    histogram.every((bin) => bin.count === 5),
    JSON.stringify(histogram.map((b) => b.count)),
  );
});

test('the statistics are saved in model.json, and a malformed statistics field is refused naming it', () => {
  const file = path.join(afm.dir, 'model.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(manifest.statistics, {
    dataset: ratingStatistics(dataset),
    training: ratingStatistics(dataset, split.train),
  });
  const broken = path.join(tmp, 'broken');
  fs.cpSync(afm.dir, broken, { recursive: true });
  const statistics = manifest.statistics as unknown as { training: Record<string, unknown> };
  statistics.training.histogram = [{ from: 1, to: 1 }];
  fs.writeFileSync(path.join(broken, 'model.json'), JSON.stringify(manifest));
  assert.throws(() => loadArtifact(broken), /statistics\.training.*histogram\[0\]/);
});

test('GET /models lists the served models, the default first', async () => {
  const { status, body } = await call('/models');
  assert.equal(status, 200);
  assert.deepEqual(body.models, [
    {
      name: 'afm',
      model: 'afm-gau',
      dataset: dataset.id,
      users: 40,
      items: 50,
      explains: true,
      excludesRated: false,
    },
    {
      name: 'mf',
      model: 'biasedmf',
      dataset: dataset.id,
      users: 40,
      items: 50,
      explains: false,
      excludesRated: false,
    },
  ]);
});

test('?model= chooses the model on every endpoint; without it the first answers; an unknown name is a 404', async () => {
  const user = dataset.users.ids[2];
  const item = dataset.items.ids[7];
  const first = await call(`/predict?user=${user}&item=${item}`);
  const mfPrediction = await call(`/predict?user=${user}&item=${item}&model=mf`);
  assert.equal(first.body.model, 'afm-gau');
  assert.equal(mfPrediction.body.model, 'biasedmf');
  assert.equal(mfPrediction.body.rating, mf.predictor.predictOne(2, 7).rating);
  assert.equal((await call('/health?model=mf')).body.model, 'biasedmf');
  assert.equal((await call(`/recommend?user=${user}&model=mf`)).body.model, 'biasedmf');
  assert.equal((await call('/stats?model=mf')).body.model, 'biasedmf');

  const batch = await fetch(`${base}/predict?model=mf`, {
    method: 'POST',
    body: JSON.stringify({ pairs: [{ user, item }] }),
  });
  const batchBody = (await batch.json()) as { model: string; predictions: Array<{ rating: number }> };
  assert.equal(batchBody.model, 'biasedmf');
  assert.equal(batchBody.predictions[0].rating, mfPrediction.body.rating);

  const unknown = await call(`/predict?user=${user}&item=${item}&model=nope`);
  assert.equal(unknown.status, 404);
  assert.match(String(unknown.body.error), /no served model is named "nope".*"afm", "mf"/);
  const twice = await call('/stats?model=afm&model=mf');
  assert.equal(twice.status, 400);
  assert.match(String(twice.body.error), /"model" is given 2 times/);
  const noExplanation = await call(`/explain?user=${user}&item=${item}&model=mf`);
  assert.equal(noExplanation.status, 400);
  assert.match(String(noExplanation.body.error), /model "biasedmf" does not explain/);
});

test('modelNames: directory names, or the paths as given where two directories share a name', () => {
  assert.deepEqual(modelNames(['models/afm-gau', 'models/sain/']), ['afm-gau', 'sain']);
  assert.deepEqual(modelNames(['a/model', 'b/model', 'c/other']), ['a/model', 'b/model', 'other']);
  assert.throws(() => modelNames(['a/model', 'a/model']), /--model-dir a\/model is given twice/);
});

test('GET /stats answers the stored statistics', async () => {
  const { status, body } = await call('/stats');
  assert.equal(status, 200);
  assert.deepEqual(body, {
    model: 'afm-gau',
    dataset: dataset.id,
    scale: dataset.scale,
    all: ratingStatistics(dataset),
    training: ratingStatistics(dataset, split.train),
  });
});

test('GET /stats for a model saved without statistics: training counts from the artifact, and a note', async () => {
  const bare = await trainAndOpen('biasedmf', { factors: '4', epochs: '1' }, false);
  const single = createServer(bare, { log: () => {} });
  await new Promise<void>((resolve) => single.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(single.address() as AddressInfo).port}/stats`);
    const body = (await response.json()) as Record<string, unknown>;
    const stored = ratingStatistics(dataset, split.train);
    assert.equal(response.status, 200);
    assert.equal(body.all, null);
    assert.deepEqual(body.training, {
      users: stored.users,
      items: stored.items,
      ratings: stored.ratings,
      sparsity: stored.sparsity,
      histogram: null,
    });
    assert.equal(body.note, NO_STATISTICS_NOTE);
  } finally {
    await new Promise<void>((resolve) => {
      single.close(() => resolve());
      single.closeAllConnections();
    });
  }
});

test('GET /users: the id, then ids starting with the query, then descriptions; limit and total', async () => {
  const all = await call('/users?limit=100');
  const warm = dataset.users.ids.filter((_, u) => afm.predictor.stats.userCount[u] > 0);
  assert.deepEqual(
    (all.body.users as Array<{ id: string }>).map((u) => u.id),
    warm,
  );
  assert.equal(all.body.total, warm.length);

  // Synthetic ids are u1..u40: "u1" is itself, then u10..u19.
  const found = await call('/users?q=U1&limit=4');
  assert.equal(found.body.total, 11);
  const users = found.body.users as Array<{ id: string; ratings: number }>;
  assert.deepEqual(
    users.map((u) => u.id),
    ['u1', 'u10', 'u11', 'u12'],
  );
  assert.equal(users[0].ratings, afm.predictor.stats.userCount[afm.users.index.get('u1') ?? -1]);
  assert.equal((await call('/users?q=nobody')).body.total, 0);

  // By description: the saved labels' "age 25-34, taste director fan" and the like.
  const u7 = afm.labels.userDescription('u7');
  assert.match(u7, /^age \S+, taste /);
  const phrase = u7.slice(u7.indexOf('taste'));
  const expected = dataset.users.ids.filter((id) => afm.labels.userDescription(id).includes(phrase));
  const described = searchUsers(afm, phrase.toUpperCase(), 100);
  assert.deepEqual(
    described.users.map((u) => u.id),
    expected,
  );
  assert.equal(described.users.find((u) => u.id === 'u7')?.description, u7);

  for (const [query, pattern] of [
    ['limit=0', /"limit" must be between 1 and 100/],
    ['limit=x', /"limit" must be an integer/],
    ['q=a&q=b', /"q" is given 2 times/],
    [`q=${'x'.repeat(201)}`, /"q" is longer than 200 characters/],
  ] as const) {
    const { status, body } = await call(`/users?${query}`);
    assert.equal(status, 400, query);
    assert.match(String(body.error), pattern);
  }
});

test('GET /recommend gives each item its saved title', async () => {
  const user = dataset.users.ids[4];
  const { body } = await call(`/recommend?user=${user}&k=5&model=mf`);
  const items = body.items as Array<{ item: string; title: string; rating: number }>;
  assert.equal(items.length, 5);
  for (const r of items) {
    assert.equal(r.title, dataset.itemTitles?.[dataset.items.index.get(r.item) ?? -1]);
    assert.match(r.title, /^Film \d+ \(\d{4}\)$/);
  }
  assert.deepEqual(items, recommendForUser(mf, 4, 5).items);
});

test("GET /explain.svg is the model's explanation figure, as heed explain --out draws it", async () => {
  const user = dataset.users.ids[2];
  const item = dataset.items.ids[7];
  const response = await fetch(`${base}/explain.svg?user=${user}&item=${item}`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^image\/svg\+xml/);
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const svg = await response.text();
  assert.equal(parseXml(svg)[0].name, 'svg');
  assert.equal(svg, renderExplanationSvg(afm, user, item), 'the same picture as heed explain --out');
  const reply = explainRaw(afm, user, item);
  const title = dataset.itemTitles?.[7] ?? '';
  assert.ok(svg.includes(`predicted for ${escapeXml(title)}`), `the item's title ${title}`);
  assert.ok(svg.includes(escapeXml(afm.labels.user(user))), 'the user and their description');
  assert.ok(svg.includes(reply.rating.toFixed(2)), 'the predicted rating');

  const cold = await (await fetch(`${base}/explain.svg?user=nobody&item=${item}`)).text();
  parseXml(cold);
  assert.equal(cold, renderExplanationSvg(afm, 'nobody', item));

  const refused = await call(`/explain.svg?user=${user}&item=${item}&model=mf`);
  assert.equal(refused.status, 400);
  assert.match(String(refused.body.error), /does not explain/);
  const missing = await call(`/explain.svg?item=${item}`);
  assert.equal(missing.status, 400);
  assert.match(String(missing.body.error), /"user" is required/);
});

test('heed serve with --model-dir twice serves both, named by their directories', async () => {
  const controller = new AbortController();
  let stdout = '';
  const io: CliIo = {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
    },
    stderr: { write: () => true },
    env: {},
    signal: controller.signal,
  };
  const running = runCli(
    ['serve', '--model-dir', afm.dir, '--model-dir', mf.dir, '--port', '0', '--quiet'],
    io,
  );
  const deadline = Date.now() + 20_000;
  while (!/listening on (http:\S+)/.test(stdout) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const url = /listening on (http:\S+)/.exec(stdout)?.[1];
  assert.ok(url !== undefined, stdout);
  assert.match(stdout, /afm-gau, biasedmf listening/);
  try {
    const models = (await (await fetch(url + 'models')).json()) as { models: Array<{ name: string }> };
    assert.deepEqual(
      models.models.map((m) => m.name),
      ['afm-gau', 'biasedmf'],
    );
  } finally {
    controller.abort();
    assert.equal(await running, 0);
  }
});

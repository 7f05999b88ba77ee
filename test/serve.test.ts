/**
 * The HTTP service (src/serve/) over a tiny AFM-GAU trained in memory on the synthetic data set:
 * every endpoint's answers checked against the library (predictRaw, the model's explain, the
 * training split), and every malformed request answered with the right status and a JSON error
 * naming the problem, the server still answering afterwards. Also `heed serve` itself: it prints
 * its URL, serves, and stops when interrupted.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/cli.js';
import type { CliIo } from '../src/cli/command.js';
import type { Dataset, Split } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { initEngine } from '../src/engine/index.js';
import { modelConfig } from '../src/eval/protocol.js';
import { openArtifact, predictRaw, saveArtifact, type LoadedArtifact } from '../src/models/artifact.js';
import { getModelSpec } from '../src/models/index.js';
import type { Explanation, RatingModel } from '../src/models/model.js';
import { Predictor, trainingStats } from '../src/models/predictor.js';
import { rebuildRatedItems, ratedItemsOf, type RatedItems } from '../src/serve/rated-items.js';
import { MAX_BODY_BYTES } from '../src/serve/request.js';
import { createServer } from '../src/serve/server.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-serve-'));
const SPLIT = 'ratio:0.8,0.1,0.1';

let dataset: Dataset;
let split: Split;
let artifact: LoadedArtifact;
let rated: RatedItems;
let server: http.Server;
let base: string;
const logLines: string[] = [];

/** Trains a small model of `id` on the tiny synthetic set and opens its saved directory. */
async function trainAndOpen(id: string, overrides: Record<string, string>): Promise<LoadedArtifact> {
  const spec = getModelSpec(id);
  const model = spec.create(modelConfig(spec, overrides, 1));
  await model.fit({ dataset, indices: split.train }, { validation: { dataset, indices: split.validation } });
  const dir = path.join(tmp, id);
  saveArtifact(dir, {
    model,
    dataset,
    stats: trainingStats({ dataset, indices: split.train }),
    provenance: { split: SPLIT, seed: 1 },
  });
  return await openArtifact(dir);
}

async function listen(s: http.Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function close(s: http.Server): Promise<void> {
  return new Promise((resolve) => {
    s.close(() => resolve());
    s.closeAllConnections();
  });
}

before(async () => {
  await initEngine({ backend: 'wasm' });
  dataset = generateSynthetic({ users: 40, items: 50, ratingsPerUser: 12, seed: 3 });
  split = makeSplits(dataset, parseSplitSpec(SPLIT), 1)[0];
  artifact = await trainAndOpen('afm-gau', { factors: '4', epochs: '2', batchSize: '64' });
  rated = rebuildRatedItems(artifact);
  server = createServer(artifact, { rated, log: (line) => logLines.push(line) });
  base = await listen(server);
});

after(async () => {
  await close(server);
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function call(pathAndQuery: string, init: RequestInit = {}, at = base): Promise<Answer> {
  const response = await fetch(at + pathAndQuery, init);
  const text = await response.text();
  assert.match(response.headers.get('content-type') ?? '', /application\/json/, `${pathAndQuery}: ${text}`);
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

function post(pathAndQuery: string, body: string): Promise<Answer> {
  return call(pathAndQuery, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
}

/** A user and an item that both have training ratings. */
function warmPair(): { user: string; item: string } {
  const { userCount, itemCount } = artifact.predictor.stats;
  const u = userCount.findIndex((c) => c > 0);
  const i = itemCount.findIndex((c, k) => c > 0 && k > 3);
  return { user: dataset.users.ids[u], item: dataset.items.ids[i] };
}

async function assertStillServing(): Promise<void> {
  const health = await call('/health');
  assert.equal(health.status, 200);
  assert.equal(health.body.status, 'ok');
}

test('GET /health: model, data set, counts and uptime', async () => {
  const { status, body } = await call('/health');
  assert.equal(status, 200);
  assert.equal(body.model, 'afm-gau');
  assert.equal(body.dataset, dataset.id);
  assert.equal(body.users, 40);
  assert.equal(body.items, 50);
  assert.equal(body.trainingRatings, split.train.length);
  assert.equal(body.explains, true);
  assert.equal(body.excludesRated, true);
  assert.ok(typeof body.uptimeSeconds === 'number' && body.uptimeSeconds >= 0);
  assert.ok((body.explainingModels as string[]).includes('afm-gau'));
  assert.ok(!(body.explainingModels as string[]).includes('biasedmf'));
});

test('GET /predict answers what predictRaw answers; unknown ids get the cold-start fallback', async () => {
  const { user, item } = warmPair();
  const { status, body } = await call(`/predict?user=${user}&item=${item}`);
  assert.equal(status, 200);
  const expected = predictRaw(artifact, user, item);
  assert.equal(body.rating, expected.rating);
  assert.equal(body.coldStart, 'none');
  assert.equal(body.source, 'model');
  assert.equal(body.user, user);

  const cold = await call(`/predict?user=nobody&item=${item}`);
  assert.equal(cold.status, 200);
  assert.equal(cold.body.coldStart, 'user');
  assert.equal(cold.body.source, 'fallback');
  assert.equal(cold.body.rating, predictRaw(artifact, 'nobody', item).rating);
  const both = await call('/predict?user=nobody&item=nothing');
  assert.equal(both.body.coldStart, 'both');
  assert.equal(both.body.rating, Math.fround(artifact.predictor.stats.globalMean));
});

test('POST /predict: a batch, each pair as predictRaw answers it, in order', async () => {
  const users = dataset.users.ids;
  const items = dataset.items.ids;
  const pairs = [
    { user: users[0], item: items[5] },
    { user: users[7], item: items[9] },
    { user: 'nobody', item: items[9] },
    { user: users[7], item: 'nothing' },
    { user: users[0], item: items[5] },
  ];
  const { status, body } = await post('/predict', JSON.stringify({ pairs }));
  assert.equal(status, 200);
  const predictions = body.predictions as Array<Record<string, unknown>>;
  assert.equal(predictions.length, pairs.length);
  pairs.forEach((p, k) => {
    const expected = predictRaw(artifact, p.user, p.item);
    assert.deepEqual(predictions[k], { ...expected }, `pair ${k}`);
  });
  assert.deepEqual(
    predictions.map((p) => p.coldStart),
    ['none', 'none', 'user', 'item', 'none'],
  );
  const empty = await post('/predict', '{"pairs": []}');
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body.predictions, []);
});

test('GET /explain: the prediction and the attention over item features, each group summing to 1', async () => {
  const { user, item } = warmPair();
  const { status, body } = await call(`/explain?user=${user}&item=${item}`);
  assert.equal(status, 200);
  assert.equal(body.rating, predictRaw(artifact, user, item).rating);
  const explanation = body.explanation as {
    raw: number;
    groups: Array<{
      name: string;
      kind: string;
      total: number;
      weights: Array<{ feature: string; weight: number }>;
    }>;
  };
  const direct = artifact.model.explain?.(
    artifact.users.index.get(user) ?? -1,
    artifact.items.index.get(item) ?? -1,
  );
  assert.ok(direct !== undefined);
  assert.equal(explanation.groups.length, direct.groups.length);
  for (const group of explanation.groups) {
    assert.equal(group.kind, 'attention');
    assert.equal(group.weights.length, group.total);
    const sum = group.weights.reduce((s, w) => s + w.weight, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `group ${group.name} sums to ${sum}`);
    for (let k = 1; k < group.weights.length; k++) {
      assert.ok(group.weights[k - 1].weight >= group.weights[k].weight, 'weights sorted, largest first');
    }
    // The same weights as the model's own explanation, only reordered.
    const own: Explanation['groups'][number] | undefined = direct.groups.find((g) => g.name === group.name);
    assert.ok(own !== undefined);
    const byFeature = (ws: ReadonlyArray<{ feature: string; weight: number }>) =>
      [...ws].sort((a, b) => a.feature.localeCompare(b.feature));
    assert.deepEqual(byFeature(group.weights), byFeature(own.weights));
  }
  assert.ok(explanation.groups[0].weights.some((w) => w.feature === 'item id'));

  const top = await call(`/explain?user=${user}&item=${item}&top=2`);
  const topGroup = (top.body.explanation as typeof explanation).groups[0];
  assert.equal(topGroup.weights.length, 2);
  assert.deepEqual(topGroup.weights, explanation.groups[0].weights.slice(0, 2));

  const cold = await call(`/explain?user=nobody&item=${item}`);
  assert.equal(cold.status, 200);
  assert.equal(cold.body.explanation, null);
  assert.equal(cold.body.coldStart, 'user');
  assert.match(String(cold.body.note), /user "nobody" not in the model's data set/);
});

test('GET /recommend: top-k by predicted rating, sorted, without the items the user rated in training', async () => {
  // The user with the most training ratings, so leaving them out matters.
  const counts = artifact.predictor.stats.userCount;
  const u = counts.indexOf(Math.max(...counts));
  const user = dataset.users.ids[u];
  const trained = new Set(ratedItemsOf(dataset, split.train, 'test').byUser[u]);
  assert.ok(trained.size > 0);
  const { status, body } = await call(`/recommend?user=${user}&k=7`);
  assert.equal(status, 200);
  assert.equal(body.excludesRated, true);
  assert.equal(body.k, 7);
  const items = body.items as Array<{ item: string; rating: number }>;
  assert.equal(items.length, 7);
  for (let k = 1; k < items.length; k++) assert.ok(items[k - 1].rating >= items[k].rating, 'sorted');
  for (const r of items) {
    const i = artifact.items.index.get(r.item) ?? -1;
    assert.ok(!trained.has(i), `item ${r.item} was rated in training`);
    assert.equal(r.rating, predictRaw(artifact, user, r.item).rating);
  }
  // Nothing left out scores above the last recommended item.
  const last = items[items.length - 1].rating;
  const shown = new Set(items.map((r) => r.item));
  for (const [i, id] of dataset.items.ids.entries()) {
    if (trained.has(i) || shown.has(id) || artifact.predictor.stats.itemCount[i] === 0) continue;
    assert.ok(predictRaw(artifact, user, id).rating <= last, `item ${id} should have been recommended`);
  }
  assert.deepEqual(body.excluded, {
    rated: trained.size,
    coldItems: artifact.predictor.stats.itemCount.filter((c, i) => c === 0 && !trained.has(i)).length,
  });

  const defaults = await call(`/recommend?user=${user}`);
  assert.equal((defaults.body.items as unknown[]).length, 10);

  const unknown = await call('/recommend?user=nobody');
  assert.equal(unknown.status, 404);
  assert.match(String(unknown.body.error), /user "nobody"/);
});

test('GET /recommend without rated items says so instead of leaving them out', async () => {
  const plain = createServer(artifact, { log: () => {} });
  const at = await listen(plain);
  try {
    const user = dataset.users.ids[0];
    const { status, body } = await call(`/recommend?user=${user}&k=50`, {}, at);
    assert.equal(status, 200);
    assert.equal(body.excludesRated, false);
    assert.match(String(body.note), /does not store which items each user rated/);
    assert.equal((body.excluded as { rated: number }).rated, 0);
    const health = await call('/health', {}, at);
    assert.equal(health.body.excludesRated, false);
  } finally {
    await close(plain);
  }
});

test('rebuildRatedItems finds the training ratings again, and refuses a split that does not match', () => {
  const expected = ratedItemsOf(dataset, split.train, 'x').byUser;
  assert.deepEqual(rated.byUser, expected);
  const wrongSeed = {
    ...artifact,
    manifest: { ...artifact.manifest, provenance: { ...artifact.manifest.provenance, seed: 2 } },
  };
  assert.throws(() => rebuildRatedItems(wrongSeed), /do not match the model's/);
  const noProvenance = { ...artifact, manifest: { ...artifact.manifest, provenance: {} } };
  assert.throws(() => rebuildRatedItems(noProvenance), /does not record the split/);
});

test('GET /: the explorer page is one self-contained HTML document', async () => {
  const response = await fetch(base + '/');
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const html = await response.text();
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<script>[\s\S]*\/explain\.svg\?[\s\S]*<\/script>/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\//, 'nothing loaded from elsewhere');
  assert.doesNotMatch(html, /innerHTML/, 'replies are shown as text only');
  // The inline script at least parses (test/explorer-browser.test.ts runs it in Chromium).
  const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
  assert.doesNotThrow(() => new Function(script));
});

test('malformed requests: the right status, a JSON error naming the problem, and the server goes on', async () => {
  const { user, item } = warmPair();
  const cases: Array<{ what: string; answer: () => Promise<Answer>; status: number; error: RegExp }> = [
    { what: 'unknown route', answer: () => call('/nope'), status: 404, error: /no such endpoint: \/nope/ },
    {
      what: 'wrong method',
      answer: () => call('/health', { method: 'DELETE' }),
      status: 405,
      error: /\/health does not accept DELETE; use GET/,
    },
    {
      what: 'POST to a GET endpoint',
      answer: () => post('/explain', '{}'),
      status: 405,
      error: /does not accept POST/,
    },
    {
      what: 'missing user',
      answer: () => call(`/predict?item=${item}`),
      status: 400,
      error: /"user" is required/,
    },
    {
      what: 'missing item',
      answer: () => call(`/explain?user=${user}`),
      status: 400,
      error: /"item" is required/,
    },
    {
      what: 'repeated parameter',
      answer: () => call(`/predict?user=${user}&user=${user}&item=${item}`),
      status: 400,
      error: /"user" is given 2 times/,
    },
    {
      what: 'bad top',
      answer: () => call(`/explain?user=${user}&item=${item}&top=abc`),
      status: 400,
      error: /"top" must be an integer/,
    },
    {
      what: 'zero top',
      answer: () => call(`/explain?user=${user}&item=${item}&top=0`),
      status: 400,
      error: /"top" must be between 1/,
    },
    {
      what: 'k too large',
      answer: () => call(`/recommend?user=${user}&k=100000`),
      status: 400,
      error: /"k" must be between 1 and 1000/,
    },
    { what: 'bad JSON', answer: () => post('/predict', '{"pairs": ['), status: 400, error: /not valid JSON/ },
    { what: 'empty body', answer: () => post('/predict', ''), status: 400, error: /body is empty/ },
    { what: 'not an object', answer: () => post('/predict', '[1, 2]'), status: 400, error: /JSON object/ },
    {
      what: 'no pairs',
      answer: () => post('/predict', '{"pair": []}'),
      status: 400,
      error: /"pairs" is missing/,
    },
    {
      what: 'pairs not an array',
      answer: () => post('/predict', '{"pairs": "196,242"}'),
      status: 400,
      error: /"pairs" must be an array/,
    },
    {
      what: 'pair not an object',
      answer: () => post('/predict', `{"pairs": [{"user": "${user}", "item": "${item}"}, 7]}`),
      status: 400,
      error: /pairs\[1\] must be an object/,
    },
    {
      what: 'missing field',
      answer: () => post('/predict', `{"pairs": [{"user": "${user}"}]}`),
      status: 400,
      error: /pairs\[0\]: field "item" is missing/,
    },
    {
      what: 'wrong type',
      answer: () => post('/predict', `{"pairs": [{"user": 196, "item": "${item}"}]}`),
      status: 400,
      error: /pairs\[0\]: field "user" must be a non-empty string .* got number 196/,
    },
    {
      what: 'too many pairs',
      answer: () =>
        post('/predict', JSON.stringify({ pairs: Array.from({ length: 10_001 }, () => ({ user, item })) })),
      status: 413,
      error: /10001 pairs, more than the limit of 10000/,
    },
    {
      what: 'oversize body',
      answer: () => post('/predict', JSON.stringify({ pairs: [], pad: 'x'.repeat(MAX_BODY_BYTES) })),
      status: 413,
      error: /larger than the limit of 1048576 bytes/,
    },
  ];
  for (const c of cases) {
    const { status, body } = await c.answer();
    assert.equal(status, c.status, `${c.what}: ${JSON.stringify(body)}`);
    assert.match(String(body.error), c.error, c.what);
    await assertStillServing();
  }
  const allow = await call('/predict', { method: 'PUT' });
  assert.equal(allow.headers.get('allow'), 'GET, HEAD, POST');
  // One log line per request, with its status.
  assert.ok(
    logLines.some((l) => /DELETE \/health 405/.test(l)),
    logLines.join('\n'),
  );
  assert.ok(logLines.some((l) => /GET \/nope 404/.test(l)));
});

test('an oversize body sent in chunks, without Content-Length, is refused while it streams', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const request = http.request(base + '/predict', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    // The server may close the connection before every chunk is sent; the reply is what matters.
    request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let k = 0; k < 20; k++) request.write(chunk);
    request.end();
  });
  assert.equal(status, 413);
  await assertStillServing();
});

test('an exception in a handler is a 500 with its message, and the server keeps serving', async () => {
  // A model that has diverged: the predictor refuses its NaN with an error.
  const broken: RatingModel = {
    ...artifact.model,
    id: 'afm-gau',
    config: artifact.model.config,
    handlesColdStart: false,
    fit: artifact.model.fit.bind(artifact.model),
    state: artifact.model.state.bind(artifact.model),
    predict: (users) => new Float32Array(users.length).fill(Number.NaN),
  };
  const stats = artifact.predictor.stats;
  const failing = createServer(
    { ...artifact, model: broken, predictor: new Predictor(broken, stats, artifact.predictor.scale) },
    { log: () => {} },
  );
  const at = await listen(failing);
  try {
    const { user, item } = warmPair();
    const { status, body } = await call(`/predict?user=${user}&item=${item}`, {}, at);
    assert.equal(status, 500);
    assert.match(String(body.error), /^internal error: .*diverged/);
    const again = await call(`/predict?user=${user}&item=${item}`, {}, at);
    assert.equal(again.status, 500);
    const health = await call('/health', {}, at);
    assert.equal(health.status, 200);
    // The fallback path does not touch the model, so cold pairs are still answered.
    const cold = await call(`/predict?user=nobody&item=${item}`, {}, at);
    assert.equal(cold.status, 200);
  } finally {
    await close(failing);
  }
});

test('heed serve prints its URL, serves, and shuts down when interrupted', async () => {
  let stdout = '';
  let stderr = '';
  const interrupt = new AbortController();
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    signal: interrupt.signal,
  };
  const running = runCli(['serve', '--model-dir', artifact.dir, '--port', '0', '--exclude-rated'], io);
  const deadline = Date.now() + 20_000;
  while (!/http:\/\/\S+/.test(stdout) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const url = /http:\/\/\S+/.exec(stdout)?.[0];
  assert.ok(url !== undefined, `no URL printed; stderr: ${stderr}`);
  assert.match(stdout, /^heed serve: afm-gau listening on http:\/\/127\.0\.0\.1:\d+\/\n$/);
  const health = await call('health', {}, url);
  assert.equal(health.status, 200);
  assert.equal(health.body.excludesRated, true);
  interrupt.abort();
  assert.equal(await running, 0);
  assert.match(stderr, /GET \/health 200/);
  assert.match(stderr, /shutting down/);
  await assert.rejects(fetch(url + 'health'), 'the server no longer listens');

  const usage: string[] = [];
  const quietIo: CliIo = { ...io, stderr: { write: (t: string) => usage.push(t) } };
  assert.equal(await runCli(['serve', '--model-dir', artifact.dir, '--port', '70000'], quietIo), 2);
  assert.match(usage.join(''), /--port must be between 0 and 65535/);
  assert.equal(await runCli(['serve', '--model-dir', artifact.dir, '--data-dir', tmp], quietIo), 2);
  assert.match(usage.join(''), /--data-dir is used only with --exclude-rated/);
  const taken = new URL(base).port;
  assert.equal(await runCli(['serve', '--model-dir', artifact.dir, '--port', taken], quietIo), 1);
  assert.match(usage.join(''), new RegExp(`port ${taken} on 127\\.0\\.0\\.1 is already in use \\(--port`));
});

// dist/test/serve.test.js → dist/src/cli/main.js
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

/** Runs the real executable, makes one request, sends `signal` and checks a clean exit. */
async function serveUntil(signal: 'SIGTERM' | 'SIGINT'): Promise<void> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--model-dir', artifact.dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    while (!/http:\/\/\S+/.test(stdout) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const url = /http:\/\/\S+/.exec(stdout)?.[0];
    assert.ok(url !== undefined, `${signal}: no URL printed; stderr: ${stderr}`);
    const { status, body } = await call('predict?user=nobody&item=nothing', {}, url);
    assert.equal(status, 200);
    assert.equal(body.coldStart, 'both');
    child.kill(signal);
    assert.equal(await exited, 0, `${signal}: ${stderr}`);
    assert.match(stderr, /GET \/predict\?user=nobody&item=nothing 200/);
    assert.match(stderr, /shutting down/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

test('the heed executable serves until SIGTERM or Ctrl-C (SIGINT), then shuts down cleanly (exit 0)', async () => {
  // Both at once: most of each run is starting Node and the tensor engine.
  await Promise.all([serveUntil('SIGTERM'), serveUntil('SIGINT')]);
});

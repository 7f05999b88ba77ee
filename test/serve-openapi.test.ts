/**
 * `GET /openapi.json`: the document is valid OpenAPI 3.1 (checked by @seriousme/openapi-schema-validator,
 * which bundles the official 3.1 schema), lists every route of the route table with HEAD beside
 * every GET, and real replies of every endpoint, successes and errors, match the schemas it gives
 * for their status (checked with Ajv's JSON Schema 2020-12, OpenAPI 3.1's dialect). The main server
 * serves two models (`?model=` chooses); the plain one serves biasedmf alone, saved without
 * statistics.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import { after, before, test } from 'node:test';
import type { LoadedArtifact } from '../src/models/artifact.js';
import { ROUTES } from '../src/serve/handlers.js';
import { createServer } from '../src/serve/server.js';
import { close, listen, temporaryDir, trainSmallModel } from '../test-helpers/served-model.js';
import { parseXml } from '../test-helpers/xml.js';

const tmp = temporaryDir();
let artifact: LoadedArtifact;
let biasedmf: LoadedArtifact;
let server: http.Server;
let base: string;
let plain: http.Server;
let plainBase: string;
let document: OpenApi;

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

before(async () => {
  artifact = await trainSmallModel(tmp);
  biasedmf = await trainSmallModel(tmp, 'biasedmf', { factors: '4', epochs: '2' }, { statistics: false });
  server = createServer(
    [
      { name: 'afm-gau', artifact },
      { name: 'mf', artifact: biasedmf },
    ],
    { log: () => {} },
  );
  base = await listen(server);
  plain = createServer(biasedmf, { log: () => {} });
  plainBase = await listen(plain);
  document = (await (await fetch(base + '/openapi.json')).json()) as OpenApi;
});

after(async () => {
  await close(server);
  await close(plain);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('/openapi.json is a valid OpenAPI 3.1 document', async () => {
  assert.equal(document.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1));
  assert.equal(validator.version, '3.1');
  // Every schema in it compiles as JSON Schema 2020-12 in Ajv's strict mode (no unknown keywords).
  const ajv = new Ajv2020.default({ strict: true });
  ajv.addSchema({ $id: 'heed', $defs: document.components.schemas });
  for (const name of Object.keys(document.components.schemas)) {
    assert.ok(ajv.getSchema(`heed#/$defs/${name}`) !== undefined, name);
  }
});

test('the document lists every route of the route table, and HEAD wherever GET is', () => {
  const listed = Object.entries(document.paths).flatMap(([p, item]) =>
    Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`),
  );
  const served = Object.entries(ROUTES).flatMap(([p, methods]) =>
    Object.keys(methods).flatMap((m) => (m === 'GET' ? [`GET ${p}`, `HEAD ${p}`] : [`${m} ${p}`])),
  );
  assert.deepEqual([...listed].sort(), [...served].sort());
});

/** A real request; `at` picks the server (the two-model one, or the biasedmf one that cannot explain). */
interface Sample {
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly at?: 'plain';
}

test('real replies of every endpoint, successes and errors, match the document', async () => {
  const user = artifact.manifest.users[0];
  const item = artifact.manifest.items[1];
  const samples: Sample[] = [
    { method: 'GET', path: '/' },
    { method: 'HEAD', path: '/' },
    { method: 'GET', path: '/health' },
    { method: 'GET', path: '/health', at: 'plain' },
    { method: 'GET', path: '/health?model=mf' },
    { method: 'GET', path: '/health?model=nobody' },
    { method: 'HEAD', path: '/health' },
    { method: 'HEAD', path: '/health?model=nobody' },
    { method: 'GET', path: '/models' },
    { method: 'GET', path: '/models', at: 'plain' },
    { method: 'HEAD', path: '/models' },
    { method: 'GET', path: '/openapi.json' },
    { method: 'HEAD', path: '/openapi.json' },
    { method: 'GET', path: `/predict?user=${user}&item=${item}` },
    { method: 'GET', path: `/predict?user=${user}&item=${item}&model=mf` },
    { method: 'GET', path: `/predict?user=${user}&item=${item}&model=nobody` },
    { method: 'GET', path: `/predict?user=nobody&item=${item}` },
    { method: 'GET', path: `/predict?user=${user}` },
    { method: 'HEAD', path: `/predict?user=${user}&item=${item}` },
    { method: 'HEAD', path: `/predict?item=${item}` },
    {
      method: 'POST',
      path: '/predict',
      body: JSON.stringify({
        pairs: [
          { user, item },
          { user, item: 'x' },
        ],
      }),
    },
    { method: 'POST', path: '/predict?model=mf', body: JSON.stringify({ pairs: [{ user, item }] }) },
    { method: 'POST', path: '/predict?model=nobody', body: JSON.stringify({ pairs: [{ user, item }] }) },
    { method: 'POST', path: '/predict', body: '{"pairs": [{"user": 1}]}' },
    { method: 'POST', path: '/predict', body: '{"pairs": [' },
    { method: 'GET', path: `/explain?user=${user}&item=${item}&top=2` },
    { method: 'GET', path: `/explain?user=${user}&item=nothing` },
    { method: 'GET', path: `/explain?user=${user}&item=${item}`, at: 'plain' },
    { method: 'GET', path: `/explain?user=${user}&item=${item}&top=0` },
    { method: 'HEAD', path: `/explain?user=${user}&item=${item}` },
    { method: 'HEAD', path: `/explain?user=${user}` },
    { method: 'GET', path: `/explain?user=${user}&item=${item}&model=mf` },
    { method: 'GET', path: `/explain.svg?user=${user}&item=${item}` },
    { method: 'GET', path: `/explain.svg?user=nobody&item=${item}&model=afm-gau` },
    { method: 'GET', path: `/explain.svg?user=${user}&item=${item}&model=mf` },
    { method: 'GET', path: `/explain.svg?user=${user}&item=${item}`, at: 'plain' },
    { method: 'GET', path: `/explain.svg?item=${item}` },
    { method: 'HEAD', path: `/explain.svg?user=${user}&item=${item}` },
    { method: 'HEAD', path: `/explain.svg?item=${item}` },
    { method: 'GET', path: `/recommend?user=${user}&k=3` },
    { method: 'GET', path: `/recommend?user=${user}`, at: 'plain' },
    { method: 'GET', path: '/recommend?user=nobody' },
    { method: 'GET', path: `/recommend?user=${user}&k=x` },
    { method: 'HEAD', path: `/recommend?user=${user}` },
    { method: 'HEAD', path: '/recommend?user=nobody' },
    { method: 'GET', path: `/recommend?user=${user}&k=2&model=mf` },
    { method: 'GET', path: `/recommend?user=${user}&model=nobody` },
    { method: 'GET', path: '/users' },
    { method: 'GET', path: `/users?q=${user}&limit=2&model=mf` },
    { method: 'GET', path: '/users?q=nobody', at: 'plain' },
    { method: 'GET', path: '/users?limit=0' },
    { method: 'GET', path: `/users?q=${'x'.repeat(201)}` },
    { method: 'HEAD', path: '/users?q=1' },
    { method: 'HEAD', path: '/users?q=a&q=b' },
    { method: 'GET', path: '/stats' },
    { method: 'GET', path: '/stats', at: 'plain' },
    { method: 'GET', path: '/stats?model=mf' },
    { method: 'GET', path: '/stats?model=nobody' },
    { method: 'HEAD', path: '/stats' },
    { method: 'HEAD', path: '/stats?model=nobody' },
    // Errors outside any operation: answered with the Error schema all the same.
    { method: 'GET', path: '/nope' },
    { method: 'DELETE', path: '/health' },
    { method: 'PUT', path: '/predict' },
  ];
  const ajv = new Ajv2020.default({ strict: true });
  ajv.addSchema({ $id: 'heed', $defs: document.components.schemas });
  /** A response schema with its `#/components/schemas/X` references pointed at the schemas added above. */
  const compile = (schema: object) =>
    ajv.compile(
      JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"heed#/$defs/')) as object,
    );
  const errorSchema = compile({ $ref: '#/components/schemas/Error' });
  const answered = new Map<string, Set<'success' | 'error'>>();

  for (const sample of samples) {
    const url = new URL((sample.at === 'plain' ? plainBase : base) + sample.path);
    const response = await fetch(url, {
      method: sample.method,
      ...(sample.body === undefined
        ? {}
        : { body: sample.body, headers: { 'Content-Type': 'application/json' } }),
    });
    const text = await response.text();
    const what = `${sample.method} ${sample.path} → ${response.status}`;
    const operation = document.paths[url.pathname]?.[sample.method.toLowerCase()];
    if (operation === undefined) {
      assert.ok(response.status >= 400, what);
      assert.ok(errorSchema(JSON.parse(text)), `${what}: ${JSON.stringify(errorSchema.errors)}`);
      continue;
    }
    const kind = response.status < 400 ? 'success' : 'error';
    const key = `${sample.method} ${url.pathname}`;
    answered.set(key, (answered.get(key) ?? new Set()).add(kind));
    const documented = operation.responses[String(response.status)] ?? operation.responses.default;
    assert.ok(documented !== undefined, `${what}: status not in the document`);
    if (sample.method === 'HEAD') {
      assert.equal(text, '', `${what}: HEAD has no body`);
      assert.ok(Number(response.headers.get('content-length')) > 0, `${what}: the GET's length`);
      assert.equal(documented.content, undefined);
      continue;
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0];
    const content = documented.content?.[type];
    assert.ok(content !== undefined, `${what}: content type ${type} not in the document`);
    if (type === 'application/json') {
      const validate = compile(content.schema);
      assert.ok(validate(JSON.parse(text)), `${what}: ${JSON.stringify(validate.errors)}\n${text}`);
    } else if (type === 'image/svg+xml') {
      assert.equal(parseXml(text)[0].name, 'svg', `${what}: an SVG document`);
    } else {
      assert.match(text, /^<!doctype html>/);
    }
  }
  // Every operation of the document answered a real request with success; every one that takes
  // parameters or a body answered a faulty one with an error.
  for (const [p, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const key = `${method.toUpperCase()} ${p}`;
      assert.ok(answered.get(key)?.has('success'), `${key}: no successful reply checked`);
      const takesInput = 'parameters' in op || 'requestBody' in op;
      if (takesInput) assert.ok(answered.get(key)?.has('error'), `${key}: no error reply checked`);
    }
  }
});

/**
 * A sweep of malformed and hostile requests, sent as raw bytes so nothing is tidied up on the way:
 * bad JSON, wrong types, unknown ids, oversized bodies, stalled bodies and headers, long headers,
 * bad methods, broken framing, invalid UTF-8 in the body and in the query. Every one must be answered with a 4xx and a JSON
 * `{"error": ...}` body, and the server must go on serving after each.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import type { LoadedArtifact } from '../src/models/artifact.js';
import { MAX_BODY_BYTES } from '../src/serve/request.js';
import { createServer } from '../src/serve/server.js';
import { close, listen, temporaryDir, trainSmallModel } from '../test-helpers/served-model.js';

const tmp = temporaryDir();
let artifact: LoadedArtifact;
let server: http.Server;
let port: number;
const logLines: string[] = [];
/** Short limits, so the stalled clients are answered quickly. */
const HEADERS_TIMEOUT_MS = 300;
const REQUEST_TIMEOUT_MS = 600;

before(async () => {
  artifact = await trainSmallModel(tmp);
  server = createServer(artifact, {
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    log: (line) => logLines.push(line),
  });
  port = Number(new URL(await listen(server)).port);
});

after(async () => {
  await close(server);
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface RawReply {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
  readonly ms: number;
}

/**
 * Sends `parts` (with `pauseMs` between them; a part that is `null` stops sending without closing,
 * as a stalled client does) and reads until the server closes the connection.
 */
function exchange(parts: ReadonlyArray<string | Buffer | null>, pauseMs = 0): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while a large request is still being written: the reply is what counts.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const headers = end < 0 ? text : text.slice(0, end);
      resolve({
        status: Number(headers.slice(9, 12)),
        headers,
        body: end < 0 ? '' : text.slice(end + 4),
        ms: Date.now() - start,
      });
    });
    socket.on('connect', async () => {
      for (const part of parts) {
        if (part === null) return;
        if (socket.destroyed) return;
        socket.write(part);
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
  });
}

/** A well-formed request that asks the server to close the connection after replying. */
function request(method: string, target: string, body?: string | Buffer, headers = ''): Buffer[] {
  const length =
    body === undefined
      ? ''
      : `Content-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\n`;
  const head = Buffer.from(
    `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${length}${headers}\r\n`,
  );
  return body === undefined ? [head] : [head, Buffer.isBuffer(body) ? body : Buffer.from(body)];
}

async function assertStillServing(after: string): Promise<void> {
  const reply = await exchange(request('GET', '/health'));
  assert.equal(reply.status, 200, `after ${after}: ${reply.headers}`);
  assert.equal((JSON.parse(reply.body) as { status: string }).status, 'ok');
}

test('every malformed request gets a 4xx with a JSON error, and the server keeps serving', async () => {
  const user = artifact.manifest.users[0];
  const item = artifact.manifest.items[0];
  const cases: Array<{
    what: string;
    parts: ReadonlyArray<string | Buffer | null>;
    status: number;
    error: RegExp;
  }> = [
    {
      what: 'bad JSON',
      parts: request('POST', '/predict', '{"pairs": [{"user": '),
      status: 400,
      error: /not valid JSON/,
    },
    {
      what: 'JSON of the wrong shape',
      parts: request('POST', '/predict', '"pairs"'),
      status: 400,
      error: /JSON object/,
    },
    {
      what: 'wrong types',
      parts: request('POST', '/predict', '{"pairs": [{"user": ["u"], "item": null}]}'),
      status: 400,
      error: /pairs\[0\]: field "user" must be a non-empty string/,
    },
    {
      what: 'a number where an integer parameter goes',
      parts: request('GET', `/recommend?user=${user}&k=1.5`),
      status: 400,
      error: /"k" must be an integer/,
    },
    {
      what: 'unknown user for /recommend',
      parts: request('GET', '/recommend?user=nobody%00x'),
      status: 404,
      error: /not in the model's data set/,
    },
    {
      what: 'an unknown model name',
      parts: request('GET', `/recommend?user=${user}&model=nobody`),
      status: 404,
      error: /no served model is named "nobody" \(query parameter "model"; served: "afm-gau"\)/,
    },
    {
      what: 'the model named twice',
      parts: request('GET', '/stats?model=a&model=b'),
      status: 400,
      error: /query parameter "model" is given 2 times/,
    },
    {
      what: 'an explanation picture without its item (the error is JSON, not SVG)',
      parts: request('GET', `/explain.svg?user=${user}`),
      status: 400,
      error: /query parameter "item" is required/,
    },
    {
      what: 'a user search too long',
      parts: request('GET', `/users?q=${'q'.repeat(300)}`),
      status: 400,
      error: /query parameter "q" is longer than 200 characters/,
    },
    {
      what: 'a user search limit out of range',
      parts: request('GET', '/users?limit=100000'),
      status: 400,
      error: /query parameter "limit" must be between 1 and 100/,
    },
    {
      what: 'unknown path',
      parts: request('GET', '/../../etc/passwd'),
      status: 404,
      error: /no such endpoint/,
    },
    {
      what: 'a known method not allowed',
      parts: request('DELETE', '/predict'),
      status: 405,
      error: /does not accept DELETE/,
    },
    {
      what: 'an unknown method',
      parts: ['BREW /predict HTTP/1.1\r\nHost: x\r\n\r\n'],
      status: 400,
      error: /unknown HTTP method/,
    },
    {
      what: 'a lower-case method',
      parts: ['get /health HTTP/1.1\r\nHost: x\r\n\r\n'],
      status: 400,
      error: /malformed|unknown HTTP method/,
    },
    {
      what: 'not HTTP at all',
      parts: [
        Buffer.from([
          0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a,
        ]),
      ],
      status: 400,
      error: /malformed/,
    },
    {
      what: 'an HTTP/2 preface',
      parts: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
      status: 400,
      error: /malformed|method/,
    },
    {
      what: 'a header without a colon',
      parts: ['GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'],
      status: 400,
      error: /malformed HTTP request/,
    },
    {
      what: 'a Content-Length that is not a number',
      parts: ['POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n{}'],
      status: 400,
      error: /malformed HTTP request/,
    },
    {
      what: 'both Content-Length and chunked',
      parts: [
        'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}',
      ],
      status: 400,
      error: /malformed HTTP request/,
    },
    {
      what: 'broken chunked framing',
      parts: ['POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
      status: 400,
      error: /malformed HTTP request/,
    },
    {
      what: 'invalid UTF-8 in the body',
      parts: request(
        'POST',
        '/predict',
        Buffer.concat([
          Buffer.from('{"pairs": [{"user": "'),
          Buffer.from([0xc3, 0x28]),
          Buffer.from(`", "item": "${item}"}]}`),
        ]),
      ),
      status: 400,
      error: /not valid UTF-8 \(byte 21\)/,
    },
    {
      what: 'a query parameter that is not percent-encoded UTF-8',
      parts: request('GET', `/predict?user=%FF&item=${item}`),
      status: 400,
      error: /query parameter "user" is not valid percent-encoded UTF-8: user=%FF/,
    },
    {
      what: 'a raw non-ASCII byte in the URL',
      parts: [
        Buffer.concat([
          Buffer.from('GET /predict?user='),
          Buffer.from([0xff]),
          Buffer.from('&item=1 HTTP/1.1\r\nHost: x\r\n\r\n'),
        ]),
      ],
      status: 400,
      error: /malformed HTTP request/,
    },
    {
      what: 'an oversized body, declared',
      parts: request('POST', '/predict', '{"pairs": []}'.padEnd(MAX_BODY_BYTES + 1, ' ')),
      status: 413,
      error: /larger than the limit/,
    },
    {
      what: 'an oversized body, chunked',
      parts: [
        'POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
        ...Array.from({ length: 20 }, () => `10000\r\n${' '.repeat(0x10000)}\r\n`),
        '0\r\n\r\n',
      ],
      status: 413,
      error: /larger than the limit/,
    },
    {
      what: 'long headers',
      parts: request('GET', '/health', undefined, `X-Padding: ${'a'.repeat(20_000)}\r\n`),
      status: 431,
      error: /headers are larger than the limit/,
    },
    {
      what: 'a long URL',
      parts: request('GET', `/predict?user=${'u'.repeat(20_000)}&item=${item}`),
      status: 431,
      error: /headers are larger/,
    },
    {
      what: 'a stalled body',
      parts: [
        'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"pairs": [',
        null,
      ],
      status: 408,
      error: /whole request within 600 ms/,
    },
    {
      what: 'stalled headers',
      parts: ['GET /health HTTP/1.1\r\nHost: x\r\n', null],
      status: 408,
      error: /headers must arrive within 300 ms/,
    },
  ];
  for (const c of cases) {
    const reply = await exchange(c.parts);
    assert.equal(reply.status, c.status, `${c.what}: ${reply.headers}\n${reply.body}`);
    assert.match(reply.headers, /\r\nContent-Type: application\/json; charset=utf-8/i, c.what);
    const body = JSON.parse(reply.body) as { error?: unknown };
    assert.match(String(body.error), c.error, c.what);
    if (c.status === 408) {
      assert.ok(reply.ms < 5 * REQUEST_TIMEOUT_MS, `${c.what}: answered after ${reply.ms} ms`);
    }
    await assertStillServing(c.what);
  }
  assert.ok(
    logLines.some((l) => / 431 \(HPE_HEADER_OVERFLOW\)/.test(l)),
    logLines.join('\n'),
  );
});

test('a body sent slowly but within the request timeout is still answered', async () => {
  const body = `{"pairs": [{"user": "${artifact.manifest.users[0]}", "item": "${artifact.manifest.items[0]}"}]}`;
  const [head] = request('POST', '/predict', body);
  const reply = await exchange([head, body.slice(0, 10), body.slice(10, 20), body.slice(20)], 50);
  assert.equal(reply.status, 200, reply.body);
  assert.equal((JSON.parse(reply.body) as { predictions: unknown[] }).predictions.length, 1);
});

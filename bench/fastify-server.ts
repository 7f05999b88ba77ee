/**
 * The service's own handlers (src/serve/handlers.ts, every route of the table) mounted on Fastify
 * instead of node:http, for bench/fastify-vs-http.ts: same artifact, same replies byte for byte
 * on the success path, same headers. Fastify does its routing and reply writing; the handlers read
 * the body themselves (its content-type parsers are replaced by one that leaves the stream alone).
 *
 *   node dist/bench/fastify-server.js MODEL_DIR     → prints http://127.0.0.1:PORT/
 */
import Fastify from 'fastify';
import { openArtifact } from '../src/models/artifact.js';
import type { ReplyType, ServiceContext } from '../src/serve/endpoint.js';
import { ROUTES } from '../src/serve/handlers.js';
import { HttpError, MAX_BODY_BYTES } from '../src/serve/request.js';
import { modelNames } from '../src/serve/served-models.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: fastify-server.js MODEL_DIR');
const context: ServiceContext = {
  models: [{ name: modelNames([dir])[0], artifact: await openArtifact(dir) }],
  startedAt: performance.now(),
  maxBodyBytes: MAX_BODY_BYTES,
};

const CONTENT_TYPES: Record<ReplyType, string> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
};

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
for (const [path, methods] of Object.entries(ROUTES)) {
  for (const [method, endpoint] of Object.entries(methods)) {
    if (endpoint === undefined) continue;
    app.route({
      method: method as 'GET' | 'POST',
      url: path,
      handler: async (request, reply) => {
        const url = new URL(request.raw.url ?? '/', 'http://localhost');
        let status: number;
        let body: unknown;
        let type: ReplyType = 'json';
        try {
          const answer = await endpoint.handle(request.raw, url, context);
          ({ status, body } = answer);
          type = answer.type ?? 'json';
        } catch (error) {
          status = error instanceof HttpError ? error.status : 500;
          body = { error: error instanceof Error ? error.message : String(error) };
        }
        const text = type === 'json' ? JSON.stringify(body, null, 1) + '\n' : String(body);
        return reply
          .code(status)
          .header('Content-Type', CONTENT_TYPES[type])
          .header('Cache-Control', 'no-store')
          .header('X-Content-Type-Options', 'nosniff')
          .send(text);
      },
    });
  }
}
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('no address');
process.stdout.write(`fastify listening on http://127.0.0.1:${address.port}/\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));

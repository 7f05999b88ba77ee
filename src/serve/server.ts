/**
 * The HTTP service over a loaded model (`node:http`, no framework): `createServer(artifact)` gives
 * a `http.Server` to `listen` on, for `heed serve` and for anyone embedding Heed.
 *
 * Robustness is the point of this file: every request ends in exactly one reply; client mistakes
 * are 4xx with `{"error": "..."}` naming the parameter or field (see `request.ts`); an exception in
 * a handler is a 500 with its message, and the server goes on serving. One line per request goes
 * to the log (stderr by default): method, path, status, milliseconds.
 */
import * as http from 'node:http';
import type { LoadedArtifact } from '../models/artifact.js';
import { route, type Reply, type ServiceContext } from './handlers.js';
import type { RatedItems } from './rated-items.js';
import { HttpError, MAX_BODY_BYTES } from './request.js';

export interface ServerOptions {
  /** The items each user rated in training, so /recommend can leave them out (`rated-items.ts`). */
  readonly rated?: RatedItems;
  /** Request body limit in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Where the one-line request log goes (default: stderr). */
  readonly log?: (line: string) => void;
}

/** The explorer page may run its own inline script and talk to this server, and nothing else. */
const PAGE_POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";

export function createServer(artifact: LoadedArtifact, options: ServerOptions = {}): http.Server {
  const context: ServiceContext = {
    artifact,
    ...(options.rated === undefined ? {} : { rated: options.rated }),
    startedAt: performance.now(),
    maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
  };
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  return http.createServer((request, response) => {
    const start = performance.now();
    response.on('finish', () => {
      const ms = (performance.now() - start).toFixed(1);
      try {
        log(`heed serve: ${request.method ?? '?'} ${request.url ?? '?'} ${response.statusCode} ${ms} ms`);
      } catch {
        // A failing log (a closed stderr, an embedder's logger) must not stop the service.
      }
    });
    void answer(request, context).then((reply) => {
      try {
        send(response, reply);
      } catch (error) {
        // Only a reply that cannot be serialised gets here; never let it take the server down.
        const message = error instanceof Error ? error.message : String(error);
        if (!response.headersSent)
          send(response, { status: 500, body: { error: `internal error: ${message}` } });
        else response.destroy();
      }
    });
  });
}

/** Runs the handler; turns every failure into a reply, so nothing escapes as an unhandled error. */
async function answer(
  request: http.IncomingMessage,
  context: ServiceContext,
): Promise<Reply & { headers?: Record<string, string> }> {
  try {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, `malformed request URL: ${request.url ?? ''}`);
    }
    const handler = route(request.method ?? 'GET', url.pathname);
    return await handler(request, url, context);
  } catch (error) {
    if (error instanceof HttpError) {
      return { status: error.status, body: { error: error.message }, headers: { ...error.headers } };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { status: 500, body: { error: `internal error: ${message}` } };
  }
}

function send(response: http.ServerResponse, reply: Reply & { headers?: Record<string, string> }): void {
  if (response.headersSent || response.destroyed) return;
  const html = reply.type === 'html';
  const text = html ? String(reply.body) : JSON.stringify(reply.body, null, 1) + '\n';
  const headers: Record<string, string | number> = {
    'Content-Type': html ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...(html ? { 'Content-Security-Policy': PAGE_POLICY } : {}),
    ...(reply.headers ?? {}),
  };
  // A body the server stopped reading (413) leaves the connection in an unknown state: close it.
  if (reply.status === 413) headers.Connection = 'close';
  response.writeHead(reply.status, headers);
  response.end(text);
}

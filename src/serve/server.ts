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
import { modelNames, type ServedModel } from './served-models.js';

export interface ServerOptions {
  /**
   * The items each user rated in training, so /recommend can leave them out (`rated-items.ts`); for
   * one artifact (with several models, each `ServedModel` has its own).
   */
  readonly rated?: RatedItems;
  /** Request body limit in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Where the one-line request log goes (default: stderr). */
  readonly log?: (line: string) => void;
}

/** The explorer page may run its own inline script, talk to this server and show its pictures, and nothing else. */
const PAGE_POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'";
/** A picture runs nothing and loads nothing. */
const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

/**
 * One artifact, or several models (`served-models.ts`): requests choose one with `?model=NAME`,
 * the first by default.
 */
export function createServer(
  served: LoadedArtifact | readonly ServedModel[],
  options: ServerOptions = {},
): http.Server {
  const models: readonly ServedModel[] = isModelList(served)
    ? served
    : [
        {
          name: modelNames([served.dir])[0],
          artifact: served,
          ...(options.rated === undefined ? {} : { rated: options.rated }),
        },
      ];
  if (models.length === 0) throw new Error('createServer: no model to serve');
  const context: ServiceContext = {
    models,
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

function isModelList(served: LoadedArtifact | readonly ServedModel[]): served is readonly ServedModel[] {
  return Array.isArray(served);
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

const CONTENT_TYPES: Record<NonNullable<Reply['type']>, string> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
};

function send(response: http.ServerResponse, reply: Reply & { headers?: Record<string, string> }): void {
  if (response.headersSent || response.destroyed) return;
  const type = reply.type ?? 'json';
  const text = type === 'json' ? JSON.stringify(reply.body, null, 1) + '\n' : String(reply.body);
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPES[type],
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...(type === 'html' ? { 'Content-Security-Policy': PAGE_POLICY } : {}),
    ...(type === 'svg' ? { 'Content-Security-Policy': SVG_POLICY } : {}),
    ...(reply.headers ?? {}),
  };
  // A body the server stopped reading (413) leaves the connection in an unknown state: close it.
  if (reply.status === 413) headers.Connection = 'close';
  response.writeHead(reply.status, headers);
  response.end(text);
}

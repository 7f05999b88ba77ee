/**
 * The HTTP service over one or several loaded models (`node:http`, no framework; docs/SERVE.md
 * says why): `createServer(artifact)` or `createServer(models)` gives a `http.Server` to `listen`
 * on, for `heed serve` and for anyone embedding Heed.
 *
 * Robustness is the point of this file: every request ends in exactly one reply; client mistakes
 * are 4xx with `{"error": "..."}` naming the parameter or field (see `request.ts`), including the
 * ones Node's parser and timers refuse before a handler runs (`client-errors.ts`); an exception in
 * a handler is a 500 with its message, and the server goes on serving. Headers must arrive within
 * `headersTimeoutMs` and the whole request within `requestTimeoutMs`, so a stalled client cannot
 * hold a socket (Node's own default is 300 s). One line per request goes to the log: method,
 * path, status, milliseconds.
 */
import * as http from 'node:http';
import type { LoadedArtifact } from '../models/artifact.js';
import { answerClientError, type ClientErrorLimits } from './client-errors.js';
import type { Reply, ReplyType, ServiceContext } from './endpoint.js';
import { route } from './handlers.js';
import type { RatedItems } from './rated-items.js';
import { checkQueryEncoding, HttpError, MAX_BODY_BYTES } from './request.js';
import { modelNames, type ServedModel } from './served-models.js';

export interface ServerOptions {
  /**
   * The items each user rated in training, so /recommend can leave them out (`rated-items.ts`); for
   * one artifact (with several models, each `ServedModel` has its own).
   */
  readonly rated?: RatedItems;
  /** Request body limit in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /**
   * Where the one-line request log goes (default: stderr, a write per line; `batchedLog` makes it
   * cheap); `false`: no log, and no per-request work for it.
   */
  readonly log?: ((line: string) => void) | false;
  /** Time for a client to send the request headers (default 10 s); 408 after it. */
  readonly headersTimeoutMs?: number;
  /** Time for a client to send the whole request, body included (default 30 s); 408 after it. */
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The explorer page may run its own inline script, talk to this server and show its pictures, and nothing else. */
const PAGE_POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'";
/** A picture runs nothing and loads nothing. */
const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

type FullReply = Reply & { headers?: Record<string, string> };

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
  const limits: ClientErrorLimits = {
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxHeaderSize: http.maxHeaderSize,
  };
  if (!(limits.headersTimeoutMs > 0 && limits.headersTimeoutMs <= limits.requestTimeoutMs)) {
    throw new RangeError(
      `the headers timeout (${limits.headersTimeoutMs} ms) must be positive and at most the request timeout (${limits.requestTimeoutMs} ms)`,
    );
  }
  const write = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const log = (line: string): void => {
    if (write === false) return;
    try {
      write(line);
    } catch {
      // A failing log (a closed stderr, an embedder's logger) must not stop the service.
    }
  };
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks the timeouts on this period (30 s by default, which would let a 10 s limit
      // run to 40 s); a quarter of the shorter limit keeps them within 25 %.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (request, response) => {
      if (write !== false) {
        const start = performance.now();
        response.on('finish', () => {
          const ms = (performance.now() - start).toFixed(1);
          log(`heed serve: ${request.method ?? '?'} ${request.url ?? '?'} ${response.statusCode} ${ms} ms`);
        });
      }
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
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status = answerClientError(error, socket, limits);
    if (status !== undefined) log(`heed serve: - - ${status} (${error.code ?? error.message})`);
  });
  return server;
}

function isModelList(served: LoadedArtifact | readonly ServedModel[]): served is readonly ServedModel[] {
  return Array.isArray(served);
}

/** Runs the handler; turns every failure into a reply, so nothing escapes as an unhandled error. */
async function answer(request: http.IncomingMessage, context: ServiceContext): Promise<FullReply> {
  try {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, `malformed request URL: ${request.url ?? ''}`);
    }
    checkQueryEncoding(url);
    const endpoint = route(request.method ?? 'GET', url.pathname);
    return await endpoint.handle(request, url, context);
  } catch (error) {
    if (error instanceof HttpError) {
      return { status: error.status, body: { error: error.message }, headers: { ...error.headers } };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { status: 500, body: { error: `internal error: ${message}` } };
  }
}

const CONTENT_TYPES: Record<ReplyType, string> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
};

function send(response: http.ServerResponse, reply: FullReply): void {
  // A client that timed out or went away while its handler ran has nothing left to answer on.
  if (response.headersSent || response.destroyed || response.socket?.destroyed !== false) return;
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
  // Node sends no body for HEAD, but the headers (Content-Length included) are the GET's.
  response.end(text);
}

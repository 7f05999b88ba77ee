/**
 * What one endpoint is: the function that answers it and the description of its query, body and
 * replies that `/openapi.json` publishes (`openapi.ts`). Both live in one value, so a route cannot
 * be served without being documented. Handlers are plain functions of the request, its URL and the
 * service's context; they know nothing of the HTTP server around them.
 */
import type { IncomingMessage } from 'node:http';
import type { ServedModel } from './served-models.js';

/** What every handler can see. */
export interface ServiceContext {
  /** The served models, the default first; requests choose one with `?model=` (`served-models.ts`). */
  readonly models: readonly ServedModel[];
  /** `performance.now()` when the service started, for /health. */
  readonly startedAt: number;
  /** Request body limit in bytes. */
  readonly maxBodyBytes: number;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  /** `html`, `svg`: `body` is the document's text. */
  readonly type?: ReplyType;
}

/** What a reply's body is: JSON (the default), an HTML page or an SVG picture. */
export type ReplyType = 'json' | 'html' | 'svg';

export type Handler = (request: IncomingMessage, url: URL, context: ServiceContext) => Promise<Reply> | Reply;

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface QueryParameter {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  readonly schema: JsonSchema;
}

export interface ResponseDoc {
  readonly description: string;
  /** Absent: JSON described by `schema`. */
  readonly type?: ReplyType;
  readonly schema: JsonSchema;
}

export interface Endpoint {
  readonly summary: string;
  readonly description?: string;
  readonly query?: readonly QueryParameter[];
  /** A JSON request body and its schema. */
  readonly body?: { readonly description: string; readonly schema: JsonSchema };
  /** Successful replies and the errors particular to this endpoint, by status. */
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  readonly handle: Handler;
}

/** Path → HTTP method (upper case) → endpoint. `HEAD` is answered wherever `GET` is. */
export type RouteTable = Readonly<Record<string, Readonly<Partial<Record<string, Endpoint>>>>>;

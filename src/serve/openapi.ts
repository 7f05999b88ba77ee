/**
 * The OpenAPI 3.1 document of the service (`GET /openapi.json`), built from the route table itself
 * (`handlers.ts`): every path and method the server answers is in it, with its query parameters,
 * request body and replies, because each route entry carries its own description (`endpoint.ts`).
 * `HEAD` is listed wherever `GET` is, as the server answers it.
 */
import type { Endpoint, ReplyType, ResponseDoc, RouteTable } from './endpoint.js';
import { ref, SCHEMAS } from './schemas.js';

/** The version of the HTTP API this document describes (not of the package): bump it when a reply changes shape. */
export const API_VERSION = '1.2.0';

/** Every operation can fail this way, whatever its own responses say. */
const ANY_ERROR = {
  description:
    'An error: 400 malformed request or parameter, 404 unknown path or id, 405 wrong method, ' +
    '408 request not received in time, 413 body too large, 431 headers too large, 500 internal error',
  content: { 'application/json': { schema: ref('Error') } },
};

export function openApiDocument(routes: RouteTable, title: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(routes)) {
    const item: Record<string, unknown> = {};
    for (const [method, endpoint] of Object.entries(methods)) {
      if (endpoint === undefined) continue;
      item[method.toLowerCase()] = operation(endpoint);
      if (method === 'GET') item.head = headOperation(endpoint);
    }
    paths[path] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title,
      version: API_VERSION,
      description:
        'Predictions, explanations and recommendations of the saved Heed models this service ' +
        'serves, by raw ids; `model=NAME` chooses one (GET /models lists them). ' +
        'Every error is JSON: {"error": "..."}.',
    },
    paths,
    components: { schemas: SCHEMAS },
  };
}

function operation(endpoint: Endpoint): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, doc] of Object.entries(endpoint.responses)) {
    responses[status] = {
      description: doc.description,
      content: { [mediaType(doc)]: { schema: doc.schema } },
    };
  }
  responses.default = ANY_ERROR;
  return {
    summary: endpoint.summary,
    ...(endpoint.description === undefined ? {} : { description: endpoint.description }),
    ...parameters(endpoint),
    ...(endpoint.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            description: endpoint.body.description,
            content: { 'application/json': { schema: endpoint.body.schema } },
          },
        }),
    responses,
  };
}

/** The same as GET, with the status and headers but no body (uptime monitors use it). */
function headOperation(endpoint: Endpoint): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, doc] of Object.entries(endpoint.responses)) {
    responses[status] = { description: `${doc.description} (headers only)` };
  }
  responses.default = { description: 'An error, as for GET (headers only)' };
  return { summary: `${endpoint.summary}: headers only`, ...parameters(endpoint), responses };
}

function parameters(endpoint: Endpoint): { parameters?: unknown[] } {
  if (endpoint.query === undefined || endpoint.query.length === 0) return {};
  return {
    parameters: endpoint.query.map((p) => ({
      name: p.name,
      in: 'query',
      required: p.required,
      description: p.description,
      schema: p.schema,
    })),
  };
}

const MEDIA_TYPES: Record<ReplyType, string> = {
  json: 'application/json',
  html: 'text/html',
  svg: 'image/svg+xml',
};

function mediaType(doc: ResponseDoc): string {
  return MEDIA_TYPES[doc.type ?? 'json'];
}

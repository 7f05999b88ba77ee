/**
 * The service's endpoints: which path and method does what, each answering a JSON value (or the
 * explorer page). Handlers throw `HttpError` for anything the client got wrong; the server
 * (`server.ts`) turns those, and any other exception, into JSON error replies.
 *
 *   GET  /            the explanation explorer (HTML)
 *   GET  /health      model, data set, counts, uptime
 *   GET  /predict     ?user=&item=            one pair
 *   POST /predict     {"pairs": [{"user", "item"}, ...]}   up to MAX_PAIRS pairs
 *   GET  /explain     ?user=&item=[&top=]     prediction + attention groups
 *   GET  /recommend   ?user=[&k=10]           top-k items by predicted rating
 *   GET  /openapi.json                        the OpenAPI 3.1 document of all of the above
 *
 * `HEAD` is answered wherever `GET` is.
 */
import { predictRaw, type LoadedArtifact } from '../models/artifact.js';
import type { Endpoint, JsonSchema, QueryParameter, Reply, RouteTable, ServiceContext } from './endpoint.js';
import { canExplain, explainingModels, explainRaw, NoExplanationError } from './explanations.js';
import { explorerPage } from './explorer-page.js';
import { MAX_PAIRS, predictPairs, type RawPair } from './predict-batch.js';
import { openApiDocument } from './openapi.js';
import { RATED_UNKNOWN_NOTE, recommendForUser } from './recommend.js';
import {
  describe,
  HttpError,
  integerParam,
  isObject,
  parseJson,
  readBody,
  requireParam,
  stringField,
} from './request.js';
import { ref } from './schemas.js';

/** Most items /recommend returns. */
export const MAX_K = 1000;
/** Most weights per group /explain may ask for with `top` (more is the same as all). */
const MAX_TOP = 100_000;

const ok = (body: unknown): Reply => ({ status: 200, body });
const json = (description: string, schema: JsonSchema) => ({ description, schema });

const userParam: QueryParameter = {
  name: 'user',
  description: 'Raw user id, as in the data files (an unknown one is a cold-start answer)',
  required: true,
  schema: { type: 'string', minLength: 1 },
};
const itemParam: QueryParameter = { ...userParam, name: 'item', description: 'Raw item id' };

/**
 * Every endpoint the server answers, and so every path of `/openapi.json`. Add an endpoint here:
 * one entry, with its handler and its description (`Endpoint`).
 */
export const ROUTES: RouteTable = {
  '/': {
    GET: {
      summary: 'The explanation explorer, one self-contained HTML page',
      responses: { 200: { description: 'The page', type: 'html', schema: { type: 'string' } } },
      handle: () => ({ status: 200, body: explorerPage(), type: 'html' }),
    },
  },
  '/health': {
    GET: {
      summary: 'Model, data set, counts, uptime',
      responses: { 200: json('The service is up', ref('Health')) },
      handle: (_request, _url, context) => ok(health(context)),
    },
  },
  '/openapi.json': {
    GET: {
      summary: 'This document',
      responses: { 200: json('OpenAPI 3.1', ref('OpenApi')) },
      handle: (_request, _url, { artifact }) => ok(apiDocument(artifact)),
    },
  },
  '/predict': {
    GET: {
      summary: 'Predict the rating of one user-item pair',
      query: [userParam, itemParam],
      responses: { 200: json('The prediction', ref('Prediction')) },
      handle: (_request, url, { artifact }) => {
        const p = predictRaw(
          artifact,
          requireParam(url.searchParams, 'user'),
          requireParam(url.searchParams, 'item'),
        );
        return ok({ model: artifact.manifest.model, dataset: artifact.manifest.dataset, ...p });
      },
    },
    POST: {
      summary: `Predict up to ${MAX_PAIRS} pairs in one model call`,
      body: { description: 'The pairs, by raw ids', schema: ref('PairsRequest') },
      responses: { 200: json('One prediction per pair, in order', ref('Predictions')) },
      handle: async (request, _url, { artifact, maxBodyBytes }) => {
        const pairs = parsePairs(parseJson(await readBody(request, maxBodyBytes)));
        return ok({
          model: artifact.manifest.model,
          dataset: artifact.manifest.dataset,
          predictions: predictPairs(artifact, pairs),
        });
      },
    },
  },
  '/explain': {
    GET: {
      summary: 'A prediction and the attention behind it',
      description: 'A model that does not explain answers 400.',
      query: [
        userParam,
        itemParam,
        {
          name: 'top',
          description: 'Keep the N largest weights of each group (default: all)',
          required: false,
          schema: { type: 'integer', minimum: 1, maximum: MAX_TOP },
        },
      ],
      responses: { 200: json('The prediction and its explanation', ref('Explanation')) },
      handle: (_request, url, { artifact }) => {
        const query = url.searchParams;
        const user = requireParam(query, 'user');
        const item = requireParam(query, 'item');
        const top = integerParam(query, 'top', { min: 1, max: MAX_TOP });
        try {
          return ok(explainRaw(artifact, user, item, top));
        } catch (error) {
          if (error instanceof NoExplanationError) throw new HttpError(400, error.message);
          throw error;
        }
      },
    },
  },
  '/recommend': {
    GET: {
      summary: "A user's top-k items by predicted rating",
      description: 'An unknown user is 404. Items rated in training are left out with --exclude-rated.',
      query: [
        { ...userParam, description: "Raw user id of the model's data set" },
        {
          name: 'k',
          description: 'How many items',
          required: false,
          schema: { type: 'integer', minimum: 1, maximum: MAX_K, default: 10 },
        },
      ],
      responses: { 200: json('The top-k items, best first', ref('Recommendations')) },
      handle: (_request, url, { artifact, rated }) => {
        const query = url.searchParams;
        const user = requireParam(query, 'user');
        const k = integerParam(query, 'k', { min: 1, max: MAX_K }, 10) ?? 10;
        const u = artifact.users.index.get(user);
        if (u === undefined) {
          throw new HttpError(404, `user "${user}" is not in the model's data set (query parameter "user")`);
        }
        return ok(recommendForUser(artifact, u, k, rated));
      },
    },
  },
};

/** Built once per model: it does not change while the server runs. */
const documents = new WeakMap<LoadedArtifact, Record<string, unknown>>();
function apiDocument(artifact: LoadedArtifact): Record<string, unknown> {
  let document = documents.get(artifact);
  if (document === undefined) {
    document = openApiDocument(ROUTES, `Heed: ${artifact.manifest.model} on ${artifact.manifest.dataset}`);
    documents.set(artifact, document);
  }
  return document;
}

/**
 * The endpoint for a request, or 404 (unknown path) / 405 (known path, other method). `HEAD` is
 * answered by the `GET` endpoint (the server then sends no body).
 */
export function route(method: string, pathname: string): Endpoint {
  const methods = Object.hasOwn(ROUTES, pathname) ? ROUTES[pathname] : undefined;
  if (methods === undefined) {
    throw new HttpError(404, `no such endpoint: ${pathname} (try ${Object.keys(ROUTES).join(', ')})`);
  }
  const endpoint = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (endpoint !== undefined) return endpoint;
  if (method === 'HEAD' && methods.GET !== undefined) return methods.GET;
  const allowed = Object.keys(methods)
    .flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]))
    .join(', ');
  throw new HttpError(405, `${pathname} does not accept ${method}; use ${allowed}`, { Allow: allowed });
}

function health({ artifact, rated, startedAt }: ServiceContext): Record<string, unknown> {
  const { manifest, predictor } = artifact;
  const example = examplePair(artifact);
  return {
    status: 'ok',
    model: manifest.model,
    dataset: manifest.dataset,
    users: manifest.users.length,
    items: manifest.items.length,
    trainingRatings: manifest.training.ratings,
    scale: manifest.scale,
    handlesColdStart: predictor.model.handlesColdStart,
    explains: canExplain(artifact),
    explainingModels: explainingModels(),
    excludesRated: rated !== undefined,
    ...(rated === undefined ? { note: RATED_UNKNOWN_NOTE } : { ratedSource: rated.source }),
    ...(example === undefined ? {} : { example }),
    uptimeSeconds: Math.round((performance.now() - startedAt) / 10) / 100,
    pid: process.pid,
  };
}

/** The first user and item with training ratings, so the explorer has ids to start from. */
function examplePair(artifact: LoadedArtifact): RawPair | undefined {
  const { userCount, itemCount } = artifact.predictor.stats;
  const u = userCount.findIndex((c) => c > 0);
  const i = itemCount.findIndex((c) => c > 0);
  return u < 0 || i < 0 ? undefined : { user: artifact.manifest.users[u], item: artifact.manifest.items[i] };
}

/** `{"pairs": [{"user": "196", "item": "242"}, ...]}`, every field checked and named. */
function parsePairs(body: unknown): RawPair[] {
  if (!isObject(body))
    throw new HttpError(400, `request body must be a JSON object with "pairs", got ${describe(body)}`);
  if (!Object.hasOwn(body, 'pairs')) throw new HttpError(400, 'request body: field "pairs" is missing');
  const pairs = body.pairs;
  if (!Array.isArray(pairs)) {
    throw new HttpError(
      400,
      `request body: field "pairs" must be an array of {"user", "item"}, got ${describe(pairs)}`,
    );
  }
  if (pairs.length > MAX_PAIRS) {
    throw new HttpError(
      413,
      `request body: field "pairs" has ${pairs.length} pairs, more than the limit of ${MAX_PAIRS} per request`,
    );
  }
  return pairs.map((pair: unknown, k) => {
    const where = `pairs[${k}]`;
    if (!isObject(pair))
      throw new HttpError(400, `${where} must be an object {"user", "item"}, got ${describe(pair)}`);
    return { user: stringField(pair, 'user', where), item: stringField(pair, 'item', where) };
  });
}

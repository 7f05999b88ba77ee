/**
 * The service's endpoints: which path and method does what, each answering a JSON value (or the
 * explorer page, or an explanation picture). Handlers throw `HttpError` for anything the client
 * got wrong; the server (`server.ts`) turns those, and any other exception, into JSON error replies.
 *
 *   GET  /            the explanation explorer (HTML)
 *   GET  /health      model, data set, counts, uptime
 *   GET  /predict     ?user=&item=            one pair
 *   POST /predict     {"pairs": [{"user", "item"}, ...]}   up to MAX_PAIRS pairs
 *   GET  /explain     ?user=&item=[&top=]     prediction + attention groups
 *   GET  /explain.svg ?user=&item=[&top=10]   the explanation as a picture (SVG)
 *   GET  /recommend   ?user=[&k=10]           top-k items by predicted rating
 *   GET  /users       ?q=[&limit=20]          users found by id or description
 *   GET  /stats                               data set statistics
 *   GET  /models                              the served models
 *   GET  /openapi.json                        the OpenAPI 3.1 document of all of the above
 *
 * Every endpoint that answers for one model takes an optional `model` parameter naming one of the
 * served models (`served-models.ts`); without it the first answers. `/`, `/models` and
 * `/openapi.json` are the same whichever model is asked about, so they take none.
 *
 * `HEAD` is answered wherever `GET` is.
 */
import { predictRaw, type LoadedArtifact } from '../models/artifact.js';
import type { Endpoint, JsonSchema, QueryParameter, Reply, RouteTable, ServiceContext } from './endpoint.js';
import {
  canExplain,
  explainingModels,
  explainRaw,
  NoExplanationError,
  type ExplainReply,
} from './explanations.js';
import { renderExplanationSvg } from '../report/explanations/render.js';
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
import { chooseModel, listModels, type ServedModel } from './served-models.js';
import { statisticsOf } from './statistics.js';
import { findUsers, MAX_QUERY_LENGTH, MAX_USERS_LISTED } from './user-search.js';

/** Most items /recommend returns. */
export const MAX_K = 1000;
/** Most weights per group /explain may ask for with `top` (more is the same as all). */
const MAX_TOP = 100_000;

const ok = (body: unknown): Reply => ({ status: 200, body });
const json = (description: string, schema: JsonSchema) => ({ description, schema });
/** The model the request's `model` parameter names (`served-models.ts`). */
const served = (url: URL, context: ServiceContext): ServedModel =>
  chooseModel(context.models, url.searchParams);

const modelParam: QueryParameter = {
  name: 'model',
  description:
    'Which served model answers, by name (GET /models lists them; default: the first). ' +
    'An unknown name is 404.',
  required: false,
  schema: { type: 'string' },
};
const userParam: QueryParameter = {
  name: 'user',
  description: 'Raw user id, as in the data files (an unknown one is a cold-start answer)',
  required: true,
  schema: { type: 'string', minLength: 1 },
};
const itemParam: QueryParameter = { ...userParam, name: 'item', description: 'Raw item id' };
const topParam: QueryParameter = {
  name: 'top',
  description: 'Keep the N largest weights of each group (default: all)',
  required: false,
  schema: { type: 'integer', minimum: 1, maximum: MAX_TOP },
};

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
      query: [modelParam],
      responses: { 200: json('The service is up', ref('Health')) },
      handle: (_request, url, context) => ok(health(served(url, context), context.startedAt)),
    },
  },
  '/models': {
    GET: {
      summary: 'The served models, the default (first) first',
      responses: { 200: json('One entry per --model-dir', ref('Models')) },
      handle: (_request, _url, { models }) => ok(listModels(models)),
    },
  },
  '/openapi.json': {
    GET: {
      summary: 'This document',
      responses: { 200: json('OpenAPI 3.1', ref('OpenApi')) },
      handle: (_request, _url, { models }) => ok(apiDocument(models)),
    },
  },
  '/predict': {
    GET: {
      summary: 'Predict the rating of one user-item pair',
      query: [userParam, itemParam, modelParam],
      responses: { 200: json('The prediction', ref('Prediction')) },
      handle: (_request, url, context) => {
        const { artifact } = served(url, context);
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
      query: [modelParam],
      body: { description: 'The pairs, by raw ids', schema: ref('PairsRequest') },
      responses: { 200: json('One prediction per pair, in order', ref('Predictions')) },
      handle: async (request, url, context) => {
        const { artifact } = served(url, context);
        const pairs = parsePairs(parseJson(await readBody(request, context.maxBodyBytes)));
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
      query: [userParam, itemParam, topParam, modelParam],
      responses: { 200: json('The prediction and its explanation', ref('Explanation')) },
      handle: (_request, url, context) => ok(explainQuery(served(url, context).artifact, url)),
    },
  },
  '/explain.svg': {
    GET: {
      summary: 'The explanation of a prediction as a picture',
      description:
        "The model's own figure (docs/EXPLANATIONS.md: SAIN's attention per head, AFM-GAU's attention " +
        "over the item's features, the reviews given as evidence, ...), as `heed explain --out x.svg` " +
        'draws it, naming the item and the user by their saved labels. A model that does not explain ' +
        'answers 400; errors are JSON, as everywhere.',
      query: [userParam, itemParam, modelParam],
      responses: {
        200: { description: 'An SVG document', type: 'svg', schema: { type: 'string' } },
      },
      handle: (_request, url, context) => {
        const { artifact } = served(url, context);
        const user = requireParam(url.searchParams, 'user');
        const item = requireParam(url.searchParams, 'item');
        return {
          status: 200,
          body: withExplanation(() => renderExplanationSvg(artifact, user, item)),
          type: 'svg',
        };
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
        modelParam,
      ],
      responses: { 200: json('The top-k items, best first', ref('Recommendations')) },
      handle: (_request, url, context) => {
        const { artifact, rated } = served(url, context);
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
  '/users': {
    GET: {
      summary: 'Find users by id or by description',
      description:
        'Matches in this order: the id itself, ids that start with q, then users whose description ' +
        '(saved labels) contains q, case-insensitively. An empty q lists the first users with ' +
        'training ratings.',
      query: [
        {
          name: 'q',
          description: 'An id, the start of one, or words of a description (default: empty)',
          required: false,
          schema: { type: 'string', maxLength: MAX_QUERY_LENGTH },
        },
        {
          name: 'limit',
          description: 'Most users to list',
          required: false,
          schema: { type: 'integer', minimum: 1, maximum: MAX_USERS_LISTED, default: 20 },
        },
        modelParam,
      ],
      responses: { 200: json('The first `limit` matches and how many there are', ref('Users')) },
      handle: (_request, url, context) => ok(findUsers(served(url, context).artifact, url.searchParams)),
    },
  },
  '/stats': {
    GET: {
      summary: "Statistics of the model's data set and of its training ratings",
      description:
        'As heed train stored them in the saved model; a model saved before that has fewer (see note).',
      query: [modelParam],
      responses: { 200: json('Counts, sparsity and rating histograms', ref('Statistics')) },
      handle: (_request, url, context) => ok(statisticsOf(served(url, context).artifact)),
    },
  },
};

/** Built once per service: it does not change while the server runs. */
const documents = new WeakMap<readonly ServedModel[], Record<string, unknown>>();
function apiDocument(models: readonly ServedModel[]): Record<string, unknown> {
  let document = documents.get(models);
  if (document === undefined) {
    const what = models.map(({ artifact }) => `${artifact.manifest.model} on ${artifact.manifest.dataset}`);
    document = openApiDocument(ROUTES, `Heed: ${what.join(', ')}`);
    documents.set(models, document);
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

/** The `/explain` reply for the query's user, item and `top`; 400 for a model that cannot explain. */
function explainQuery(artifact: LoadedArtifact, url: URL): ExplainReply {
  const query = url.searchParams;
  const user = requireParam(query, 'user');
  const item = requireParam(query, 'item');
  const top = integerParam(query, 'top', { min: 1, max: MAX_TOP });
  return withExplanation(() => explainRaw(artifact, user, item, top));
}

/** A model without explanations is the client's mistake (400), not the server's. */
function withExplanation<T>(explain: () => T): T {
  try {
    return explain();
  } catch (error) {
    if (error instanceof NoExplanationError) throw new HttpError(400, error.message);
    throw error;
  }
}

function health({ artifact, rated }: ServedModel, startedAt: number): Record<string, unknown> {
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

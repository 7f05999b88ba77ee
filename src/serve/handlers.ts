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
 *   GET  /explain.svg ?user=&item=[&top=10]   the explanation as a picture (SVG)
 *   GET  /users       ?q=[&limit=20]          users found by id or description
 *   GET  /stats                               data set statistics
 *   GET  /models                              the served models
 *
 * Every endpoint but /models takes an optional `model` parameter naming one of the served models
 * (`served-models.ts`); without it the first answers.
 */
import type { IncomingMessage } from 'node:http';
import { predictRaw, type LoadedArtifact } from '../models/artifact.js';
import {
  canExplain,
  explainingModels,
  explainRaw,
  NoExplanationError,
  type ExplainReply,
} from './explanations.js';
import { explanationPicture } from './explanation-picture.js';
import { explorerPage } from './explorer-page.js';
import { MAX_PAIRS, predictPairs, type RawPair } from './predict-batch.js';
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
import { chooseModel, listModels, type ServedModel } from './served-models.js';
import { statisticsOf } from './statistics.js';
import { findUsers } from './user-search.js';

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
  readonly type?: 'json' | 'html' | 'svg';
}

type Handler = (request: IncomingMessage, url: URL, context: ServiceContext) => Promise<Reply> | Reply;

/** Most items /recommend returns. */
export const MAX_K = 1000;
/** Most weights per group /explain may ask for with `top` (more is the same as all). */
const MAX_TOP = 100_000;
/** Weights per group in an explanation picture unless `top` says otherwise. */
const PICTURE_TOP = 10;

const ok = (body: unknown): Reply => ({ status: 200, body });
const served = (url: URL, context: ServiceContext): ServedModel =>
  chooseModel(context.models, url.searchParams);

const ROUTES: Readonly<Record<string, Readonly<Partial<Record<string, Handler>>>>> = {
  '/': { GET: () => ({ status: 200, body: explorerPage(), type: 'html' }) },
  '/health': { GET: (_request, url, context) => ok(health(served(url, context), context.startedAt)) },
  '/predict': {
    GET: (_request, url, context) => {
      const { artifact } = served(url, context);
      const p = predictRaw(
        artifact,
        requireParam(url.searchParams, 'user'),
        requireParam(url.searchParams, 'item'),
      );
      return ok({ model: artifact.manifest.model, dataset: artifact.manifest.dataset, ...p });
    },
    POST: async (request, url, context) => {
      const { artifact } = served(url, context);
      const pairs = parsePairs(parseJson(await readBody(request, context.maxBodyBytes)));
      return ok({
        model: artifact.manifest.model,
        dataset: artifact.manifest.dataset,
        predictions: predictPairs(artifact, pairs),
      });
    },
  },
  '/explain': { GET: (_request, url, context) => ok(explainQuery(served(url, context).artifact, url)) },
  '/explain.svg': {
    GET: (_request, url, context) => {
      const { artifact } = served(url, context);
      const reply = explainQuery(artifact, url, PICTURE_TOP);
      return { status: 200, body: explanationPicture(artifact, reply), type: 'svg' };
    },
  },
  '/recommend': {
    GET: (_request, url, context) => {
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
  '/users': {
    GET: (_request, url, context) => ok(findUsers(served(url, context).artifact, url.searchParams)),
  },
  '/stats': { GET: (_request, url, context) => ok(statisticsOf(served(url, context).artifact)) },
  '/models': { GET: (_request, _url, { models }) => ok(listModels(models)) },
};

/** The handler for a request, or 404 (unknown path) / 405 (known path, other method). */
export function route(method: string, pathname: string): Handler {
  const methods = Object.hasOwn(ROUTES, pathname) ? ROUTES[pathname] : undefined;
  if (methods === undefined) {
    throw new HttpError(404, `no such endpoint: ${pathname} (try ${Object.keys(ROUTES).join(', ')})`);
  }
  const handler = methods[method];
  if (handler === undefined) {
    const allowed = Object.keys(methods).join(', ');
    throw new HttpError(405, `${pathname} does not accept ${method}; use ${allowed}`, { Allow: allowed });
  }
  return handler;
}

/** The `/explain` reply for the query's user, item and `top`; 400 for a model that cannot explain. */
function explainQuery(artifact: LoadedArtifact, url: URL, defaultTop?: number): ExplainReply {
  const query = url.searchParams;
  const user = requireParam(query, 'user');
  const item = requireParam(query, 'item');
  const top = integerParam(query, 'top', { min: 1, max: MAX_TOP }, defaultTop);
  try {
    return explainRaw(artifact, user, item, top);
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

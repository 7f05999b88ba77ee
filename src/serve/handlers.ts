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
 */
import type { IncomingMessage } from 'node:http';
import { predictRaw, type LoadedArtifact } from '../models/artifact.js';
import { canExplain, explainingModels, explainRaw, NoExplanationError } from './explanations.js';
import { explorerPage } from './explorer-page.js';
import { MAX_PAIRS, predictPairs, type RawPair } from './predict-batch.js';
import type { RatedItems } from './rated-items.js';
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

/** What every handler can see. */
export interface ServiceContext {
  readonly artifact: LoadedArtifact;
  /** The items each user rated in training, when known (see `rated-items.ts`). */
  readonly rated?: RatedItems;
  /** `performance.now()` when the service started, for /health. */
  readonly startedAt: number;
  /** Request body limit in bytes. */
  readonly maxBodyBytes: number;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  /** `html`: `body` is the page's text. */
  readonly type?: 'json' | 'html';
}

type Handler = (request: IncomingMessage, url: URL, context: ServiceContext) => Promise<Reply> | Reply;

/** Most items /recommend returns. */
export const MAX_K = 1000;
/** Most weights per group /explain may ask for with `top` (more is the same as all). */
const MAX_TOP = 100_000;

const ok = (body: unknown): Reply => ({ status: 200, body });

const ROUTES: Readonly<Record<string, Readonly<Partial<Record<string, Handler>>>>> = {
  '/': { GET: () => ({ status: 200, body: explorerPage(), type: 'html' }) },
  '/health': { GET: (_request, _url, context) => ok(health(context)) },
  '/predict': {
    GET: (_request, url, { artifact }) => {
      const p = predictRaw(
        artifact,
        requireParam(url.searchParams, 'user'),
        requireParam(url.searchParams, 'item'),
      );
      return ok({ model: artifact.manifest.model, dataset: artifact.manifest.dataset, ...p });
    },
    POST: async (request, _url, { artifact, maxBodyBytes }) => {
      const pairs = parsePairs(parseJson(await readBody(request, maxBodyBytes)));
      return ok({
        model: artifact.manifest.model,
        dataset: artifact.manifest.dataset,
        predictions: predictPairs(artifact, pairs),
      });
    },
  },
  '/explain': {
    GET: (_request, url, { artifact }) => {
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
  '/recommend': {
    GET: (_request, url, { artifact, rated }) => {
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
};

/** The handler for a request, or 404 (unknown path) / 405 (known path, other method). */
export function route(method: string, pathname: string): Handler {
  const methods = Object.hasOwn(ROUTES, pathname) ? ROUTES[pathname] : undefined;
  if (methods === undefined) {
    throw new HttpError(
      404,
      `no such endpoint: ${pathname} (try /, /health, /predict, /explain, /recommend)`,
    );
  }
  const handler = methods[method];
  if (handler === undefined) {
    const allowed = Object.keys(methods).join(', ');
    throw new HttpError(405, `${pathname} does not accept ${method}; use ${allowed}`, { Allow: allowed });
  }
  return handler;
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

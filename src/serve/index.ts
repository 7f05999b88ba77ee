/**
 * The HTTP service and the explanation logic it shares with `heed explain`, for embedding:
 *
 *     import { openArtifact, createServer } from 'heed';
 *     const server = createServer(await openArtifact('models/afm-gau'));
 *     server.listen(8080, '127.0.0.1');
 */
export {
  createServer,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type ServerOptions,
} from './server.js';
export { ROUTES } from './handlers.js';
export type { Endpoint, Handler, Reply, ReplyType, RouteTable, ServiceContext } from './endpoint.js';
export { API_VERSION, openApiDocument } from './openapi.js';
export { batchedLog, type RequestLog } from './request-log.js';
export {
  canExplain,
  explainGroup,
  explainingModels,
  explainRaw,
  NoExplanationError,
  type ExplainedGroup,
  type ExplainReply,
  type WeightKind,
} from './explanations.js';
export { ratedItemsOf, rebuildRatedItems, rebuildRatedItemsFrom, type RatedItems } from './rated-items.js';
export { recommendForUser, type Recommendation, type RecommendReply } from './recommend.js';
export { MAX_PAIRS, predictPairs, type RawPair } from './predict-batch.js';
export { MAX_BODY_BYTES } from './request.js';
export { chooseModel, listModels, modelNames, type ServedModel } from './served-models.js';
export { searchUsers, type FoundUser, type UserSearchReply } from './user-search.js';
export { statisticsOf, type StatisticsReply } from './statistics.js';

/**
 * `GET /users?q=&limit=`: find a user of a served model by id or by description, for the explorer's
 * user picker. Matches come in this order: the id itself, ids that start with `q`, then users whose
 * description (saved labels, e.g. "age 45-49, gender M, occupation writer") contains `q`,
 * case-insensitively; within each kind, the data set's order. An empty `q` lists the first users
 * with training ratings.
 */
import type { LoadedArtifact } from '../models/artifact.js';
import { HttpError, integerParam } from './request.js';

/** Most users one search answers. */
export const MAX_USERS_LISTED = 100;
/** Longest query accepted (a user id or a few words of a description). */
export const MAX_QUERY_LENGTH = 200;

export interface FoundUser {
  readonly id: string;
  /** Present where the data set describes its users. */
  readonly description?: string;
  /** How many training ratings the user has (0: cold start). */
  readonly ratings: number;
}

export interface UserSearchReply {
  readonly query: string;
  /** How many users match in all; `users` holds the first `limit`. */
  readonly total: number;
  readonly users: readonly FoundUser[];
}

/** `GET /users`: the query's `q` (optional) and `limit` (1..MAX_USERS_LISTED, default 20), checked. */
export function findUsers(artifact: LoadedArtifact, query: URLSearchParams): UserSearchReply {
  const q = query.getAll('q');
  if (q.length > 1) throw new HttpError(400, `query parameter "q" is given ${q.length} times`);
  const text = q[0] ?? '';
  if (text.length > MAX_QUERY_LENGTH) {
    throw new HttpError(400, `query parameter "q" is longer than ${MAX_QUERY_LENGTH} characters`);
  }
  const limit = integerParam(query, 'limit', { min: 1, max: MAX_USERS_LISTED }, 20) ?? 20;
  return searchUsers(artifact, text, limit);
}

/** The first `limit` users matching `query` (see the file comment), and how many match. */
export function searchUsers(artifact: LoadedArtifact, query: string, limit: number): UserSearchReply {
  const ids = artifact.manifest.users;
  // '' where the data set does not describe its users.
  const description = (u: number): string => artifact.labels.userDescription(ids[u]);
  const counts = artifact.predictor.stats.userCount;
  const q = query.trim().toLowerCase();
  let matches: number[];
  if (q === '') {
    matches = [];
    for (let u = 0; u < ids.length; u++) if (counts[u] > 0) matches.push(u);
  } else {
    const exact: number[] = [];
    const prefix: number[] = [];
    const described: number[] = [];
    for (let u = 0; u < ids.length; u++) {
      const id = ids[u].toLowerCase();
      if (id === q) exact.push(u);
      else if (id.startsWith(q)) prefix.push(u);
      else if (description(u).toLowerCase().includes(q)) described.push(u);
    }
    matches = [...exact, ...prefix, ...described];
  }
  return {
    query,
    total: matches.length,
    users: matches.slice(0, limit).map((u) => {
      const text = description(u);
      return { id: ids[u], ...(text === '' ? {} : { description: text }), ratings: counts[u] };
    }),
  };
}

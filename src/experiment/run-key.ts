/**
 * A run's key: the SHA-256 of the canonical JSON of everything that determines its result — the
 * data set (id and a fingerprint of its ratings), the split spec, the fold, the seed, the model id,
 * its fully resolved config (less the settings marked `execution`, such as `threads`, which say how
 * a fit runs rather than what it fits), the protocol, what it is scored on and with which metrics, and
 * `RUN_FORMAT_VERSION`. Same inputs, same key; change any of them and the run is a new one, so a
 * stored result is reused exactly when refitting would reproduce it.
 */
import { createHash } from 'node:crypto';
import type { Dataset } from '../data/dataset.js';
import type { ModelConfig } from '../models/model.js';

/** Bump when what a stored run holds, or how it is computed, changes. */
export const RUN_FORMAT_VERSION = 1;

/** What determines a run's result. */
export interface RunIdentity {
  readonly dataset: string;
  readonly ratingsFingerprint: string;
  readonly split: string;
  /** 0-based index into the split spec's folds. */
  readonly fold: number;
  readonly seed: number;
  readonly model: string;
  readonly config: ModelConfig;
  readonly reviewProtocol: 'clean' | 'paper';
  readonly scoredOn: 'test' | 'validation';
  /** Metric names, sorted. */
  readonly metrics: readonly string[];
  /**
   * The validation carve's fraction when it is not the default 0.1 (absent otherwise, so the keys
   * of runs stored before this field existed still match).
   */
  readonly validationFraction?: number;
  /** The catalogue NDCG's k, when the experiment asks for it. */
  readonly catalogueNdcg?: number;
  /** The users-with-at-least-n-ratings filter of ratio and k-fold splits, when there is one. */
  readonly minRatings?: number;
}

export function runKey(identity: RunIdentity): string {
  return createHash('sha256')
    .update(canonicalJson({ format: RUN_FORMAT_VERSION, ...identity }))
    .digest('hex');
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * SHA-256 over a data set's ratings (user, item, rating) and raw user and item ids, so a changed
 * data file gives new run keys even under the same data set id.
 */
export function ratingsFingerprint(dataset: Dataset): string {
  const hash = createHash('sha256');
  const { user, item, rating } = dataset.ratings;
  for (const array of [user, item, rating])
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  hash.update(dataset.users.ids.join('\n'));
  hash.update('\u0000');
  hash.update(dataset.items.ids.join('\n'));
  return hash.digest('hex');
}

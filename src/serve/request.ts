/**
 * Reading what a client sent, defensively: the body up to a size limit, JSON that may be anything,
 * query parameters that may be missing or malformed. Every problem becomes an `HttpError` whose
 * message names the parameter or field, and which the server turns into `{"error": ...}` with
 * its status; nothing a client sends can crash the server.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';

/** Largest request body accepted (413 beyond it). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A client error with the status to answer it with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (`Allow` for 405). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * The request body as text; 413 as soon as it passes `limit` bytes (by Content-Length when the
 * client declares it, else while reading), so an oversize body is never held in memory; 400 when
 * it is not UTF-8 (JSON must be, RFC 8259 §8.1: decoding it anyway would turn the bad bytes into
 * U+FFFD and silently change the ids in it).
 */
export function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const tooLarge = (): HttpError =>
    new HttpError(413, `request body is larger than the limit of ${limit} bytes`);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume(); // drain what arrives, so the reply can still be read by the client
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (failed) return;
      const body = Buffer.concat(chunks);
      if (!isUtf8(body)) {
        reject(new HttpError(400, `request body is not valid UTF-8 (byte ${firstInvalidUtf8(body)})`));
      } else resolve(body.toString('utf8'));
    });
    request.on('error', (error) => {
      if (!failed) {
        failed = true;
        reject(new HttpError(400, `could not read the request body: ${error.message}`));
      }
    });
  });
}

/** Offset of the first byte where `bytes` stops being UTF-8 (for the error message). */
function firstInvalidUtf8(bytes: Buffer): number {
  // One character at a time: from each position, the shortest valid run (1 to 4 bytes) is one
  // character; a position where none is valid is the culprit.
  let at = 0;
  while (at < bytes.length) {
    let next = at + 1;
    while (next <= Math.min(at + 4, bytes.length) && !isUtf8(bytes.subarray(at, next))) next++;
    if (next > Math.min(at + 4, bytes.length)) return at;
    at = next;
  }
  return at;
}

/** The body parsed as JSON; 400 naming the problem when it is not. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') throw new HttpError(400, 'request body is empty: expected a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, `request body is not valid JSON (${why})`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * 400 when a query parameter is not percent-encoded UTF-8 (`?user=%FF`): URLSearchParams would
 * decode the bad bytes to U+FFFD and look up a different id, a silent wrong answer.
 */
export function checkQueryEncoding(url: URL): void {
  // Only a percent sign can start a malformed escape; most queries have none.
  if (!url.search.includes('%')) return;
  for (const part of url.search.slice(1).split('&')) {
    try {
      decodeURIComponent(part.replaceAll('+', ' '));
    } catch {
      const name = part.split('=')[0];
      let shown = name;
      try {
        shown = decodeURIComponent(name);
      } catch {
        // The name itself is what is broken: show it as sent.
      }
      throw new HttpError(400, `query parameter "${shown}" is not valid percent-encoded UTF-8: ${part}`);
    }
  }
}

/** A required, non-empty query parameter. */
export function requireParam(query: URLSearchParams, name: string): string {
  const values = query.getAll(name);
  if (values.length === 0 || values[0] === '') {
    throw new HttpError(400, `query parameter "${name}" is required`);
  }
  if (values.length > 1)
    throw new HttpError(400, `query parameter "${name}" is given ${values.length} times`);
  return values[0];
}

/** An optional integer query parameter within [min, max]; `fallback` when absent. */
export function integerParam(
  query: URLSearchParams,
  name: string,
  range: { readonly min: number; readonly max: number },
  fallback?: number,
): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return fallback;
  if (!/^-?\d+$/.test(text.trim())) {
    throw new HttpError(400, `query parameter "${name}" must be an integer, got "${text}"`);
  }
  const value = Number(text);
  if (value < range.min || value > range.max) {
    throw new HttpError(
      400,
      `query parameter "${name}" must be between ${range.min} and ${range.max}, got ${value}`,
    );
  }
  return value;
}

/** A required string field of a JSON object; `where` names it for the message (`pairs[3].user`). */
export function stringField(object: Record<string, unknown>, name: string, where: string): string {
  if (!Object.hasOwn(object, name)) throw new HttpError(400, `${where}: field "${name}" is missing`);
  const v = object[name];
  if (typeof v !== 'string' || v === '') {
    throw new HttpError(
      400,
      `${where}: field "${name}" must be a non-empty string (raw ids are strings, e.g. "196"), got ${describe(v)}`,
    );
  }
  return v;
}

/** How a JSON value looks, for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v === '' ? 'an empty string' : `the string ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/**
 * Reading a large text file piece by piece, so that a 25-million-line ratings file never becomes
 * one string (or one buffer) in memory: the loaders parse each piece into typed arrays and drop it.
 *
 * Every piece ends at a line end, so a line (and, with `quoted`, a CSV record whose quoted field
 * spans lines) is never cut in two; each piece comes with the number of lines before it, so the
 * loaders' errors still name the true `file:line`. A `.gz` file is gunzipped whole first (Node has
 * no synchronous streaming gunzip) and then handed out in the same pieces.
 */
import * as fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from './errors.js';
import { fileError } from './io.js';

/** How many bytes are read at a time: big enough that per-piece costs vanish, small beside the data. */
export const CHUNK_BYTES = 8 << 20;

export interface FileChunkOptions {
  /** What the caller expected in this file, for the "not found" message. */
  readonly expect?: string;
  /** CSV: never end a piece inside a double-quoted field (RFC 4180 quotes may hold newlines). */
  readonly quoted?: boolean;
  /** Read size (tests use a tiny one to put piece boundaries everywhere). */
  readonly chunkBytes?: number;
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;

/**
 * Calls `visit(bytes, linesBefore)` for consecutive pieces of `file` that together are the whole
 * file; `bytes` is only valid during the call. The last piece may lack a final newline.
 */
export function forEachFileChunk(
  file: string,
  options: FileChunkOptions,
  visit: (bytes: Uint8Array, linesBefore: number) => void,
): void {
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const source = file.endsWith('.gz') ? gunzipped(file, options.expect) : openFile(file, options.expect);
  let pending = new Uint8Array(0);
  let linesBefore = 0;
  try {
    for (;;) {
      const fresh = source.read(chunkBytes);
      const bytes = pending.length === 0 ? fresh : concat(pending, fresh);
      const atEnd = fresh.length === 0;
      const cut = atEnd ? bytes.length : lastCut(bytes, options.quoted === true);
      if (cut > 0) {
        const piece = bytes.subarray(0, cut);
        visit(piece, linesBefore);
        linesBefore += countNewlines(piece);
      }
      if (atEnd) return;
      // Copied (a Uint8Array's slice, never a Buffer's view), so the next read may reuse the buffer.
      pending = bytes.slice(cut);
    }
  } finally {
    source.close();
  }
}

interface ByteSource {
  /** Up to `max` next bytes; empty at the end of the file. */
  read(max: number): Uint8Array;
  close(): void;
}

function openFile(file: string, expect: string | undefined): ByteSource {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw fileError(file, error, expect);
  }
  let buffer = new Uint8Array(0);
  return {
    read(max) {
      if (buffer.length !== max) buffer = new Uint8Array(max);
      const n = fs.readSync(fd, buffer, 0, max, null);
      return buffer.subarray(0, n);
    },
    close: () => fs.closeSync(fd),
  };
}

function gunzipped(file: string, expect: string | undefined): ByteSource {
  let compressed: Buffer;
  try {
    compressed = fs.readFileSync(file);
  } catch (error) {
    throw fileError(file, error, expect);
  }
  let bytes: Uint8Array;
  try {
    const inflated = gunzipSync(compressed);
    bytes = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
  } catch (error) {
    throw new DataError(file, undefined, undefined, `not a valid gzip file (${(error as Error).message})`);
  }
  let at = 0;
  return {
    read(max) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + max));
      at += piece.length;
      return piece;
    },
    close: () => {},
  };
}

/**
 * Where a piece may end: just after the last newline, or with `quoted` the last newline outside
 * double quotes (a doubled quote `""` toggles twice, so counting quotes from a record start is
 * enough); 0 when there is none yet.
 */
function lastCut(bytes: Uint8Array, quoted: boolean): number {
  if (!quoted) return bytes.lastIndexOf(NEWLINE) + 1;
  let inQuotes = false;
  let cut = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (c === NEWLINE && !inQuotes) cut = i + 1;
  }
  return cut;
}

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) n++;
  return n;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * File input and output shared by the loaders, the downloader and artifact saving.
 *
 * Reading: whole files at once (the largest input, MovieLens 1M's ratings, is ~25 MB), gunzipped
 * transparently when the name ends in `.gz`, decoded as UTF-8 or latin-1 (ISO-8859-1: MovieLens'
 * `u.item` and `movies.dat`). A missing file is an error that names the path and what a loader
 * expected to find there; bytes that are not valid UTF-8 are an error that names `file:line`.
 *
 * Writing: `writeFileAtomic` and `writeDirAtomic` write to a temporary sibling and rename it into
 * place, so a crash or an error never leaves a half-written file or directory behind (a rename
 * within one directory is atomic on POSIX file systems).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError, HeedError } from './errors.js';

/**
 * How to decode a text file.
 * - `utf-8`: strict; invalid bytes are an error naming the line (a leading BOM is dropped).
 * - `latin1`: ISO-8859-1, every byte is one character; never fails.
 * - `utf-8-or-latin1`: UTF-8 when the bytes are valid UTF-8, else latin-1. For files that were
 *   published as latin-1 but that users may have re-saved as UTF-8 (MovieLens titles): valid UTF-8
 *   with non-ASCII characters is vanishingly unlikely to be meant as latin-1.
 */
export type TextEncoding = 'utf-8' | 'latin1' | 'utf-8-or-latin1';

export interface ReadOptions {
  /** What the caller expected in this file, for the "not found" message ("MovieLens ratings"). */
  readonly expect?: string;
}

export interface ReadTextOptions extends ReadOptions {
  readonly encoding?: TextEncoding;
}

/** True when `file` exists and is a regular file. */
export function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** True when `dir` exists and is a directory. */
export function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The first of `candidates` that is a file, or undefined. */
export function firstExisting(candidates: readonly string[]): string | undefined {
  return candidates.find(isFile);
}

/** The bytes of `file`, gunzipped when its name ends in `.gz`. */
export function readBytes(file: string, options: ReadOptions = {}): Buffer {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw fileError(file, error, options.expect);
  }
  if (!file.endsWith('.gz')) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new DataError(file, undefined, undefined, `not a valid gzip file (${message(error)})`);
  }
}

/** The text of `file` (gunzipped when `.gz`), decoded as `options.encoding` (default UTF-8). */
export function readText(file: string, options: ReadTextOptions = {}): string {
  return decodeText(readBytes(file, options), file, options.encoding ?? 'utf-8');
}

/**
 * Decodes `bytes` read from `file` (named in errors); `linesBefore` is the number of lines of the
 * file before `bytes`, when they are one piece of it, so that an error names the true line.
 */
export function decodeText(bytes: Uint8Array, file: string, encoding: TextEncoding, linesBefore = 0): string {
  if (encoding === 'latin1')
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) {
    const text = new TextDecoder('utf-8').decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
  if (encoding === 'utf-8-or-latin1') {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
  let line = 1 + linesBefore;
  let lineStart = 0;
  for (let i = 0; i < bad; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const hex = bytes[bad].toString(16).toUpperCase().padStart(2, '0');
  throw new DataError(
    file,
    line,
    undefined,
    `not valid UTF-8 (byte 0x${hex} at column ${bad - lineStart + 1}); the file must be UTF-8 ` +
      `(a latin-1 file can be converted with: iconv -f latin1 -t utf-8 FILE > NEW)`,
  );
}

/**
 * Offset of the first byte that does not belong to a valid UTF-8 sequence, or -1 when all are
 * valid. Rejects overlong forms, surrogates and code points above U+10FFFF, as TextDecoder does.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = b & 0x07;
    } else {
      return i;
    }
    if (i + need >= n) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Calls `visit(line, lineNumber)` for every line of `text` (1-based numbers; `\n` or `\r\n`
 * endings; a final empty line after the last newline is not visited).
 */
export function forEachLine(text: string, visit: (line: string, lineNumber: number) => void): void {
  const n = text.length;
  let start = 0;
  let lineNumber = 1;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    visit(text.slice(start, stop), lineNumber);
    start = end + 1;
    lineNumber++;
  }
}

/** The lines of `text` with their 1-based numbers (see `forEachLine`). */
export function* lines(text: string): Generator<{ line: string; lineNumber: number }> {
  const n = text.length;
  let start = 0;
  let lineNumber = 1;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    yield { line: text.slice(start, stop), lineNumber };
    start = end + 1;
    lineNumber++;
  }
}

/** A unique name for a temporary sibling of `target` (same directory, so rename is atomic). */
function temporarySibling(target: string, kind: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Writes `data` to `file` atomically: into a temporary file in the same directory, flushed to
 * disk, then renamed over `file`. Readers see the old content or the new, never a mix. Creates
 * missing parent directories.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = temporarySibling(file, 'tmp');
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw new HeedError(`could not write ${file}: ${message(error)}`);
  }
}

/**
 * Builds a directory atomically: `fill(tmpDir)` writes everything into a fresh temporary
 * directory beside `dir`; only when it returns does the result replace `dir` (an existing `dir` is
 * moved aside first and removed after). If `fill` throws, the temporary directory is removed and
 * `dir` is left as it was.
 */
export async function writeDirAtomic(
  dir: string,
  fill: (tmpDir: string) => void | Promise<void>,
): Promise<void> {
  const tmp = prepareTemporaryDir(dir);
  try {
    await fill(tmp);
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  swapIntoPlace(tmp, dir);
}

/** `writeDirAtomic` for a synchronous `fill`. */
export function writeDirAtomicSync(dir: string, fill: (tmpDir: string) => void): void {
  const tmp = prepareTemporaryDir(dir);
  try {
    fill(tmp);
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  swapIntoPlace(tmp, dir);
}

function prepareTemporaryDir(dir: string): string {
  const target = path.resolve(dir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = temporarySibling(target, 'tmp');
  fs.mkdirSync(tmp);
  return tmp;
}

function swapIntoPlace(tmp: string, dir: string): void {
  const target = path.resolve(dir);
  let old: string | undefined;
  try {
    if (fs.existsSync(target)) {
      old = temporarySibling(target, 'old');
      fs.renameSync(target, old);
    }
    fs.renameSync(tmp, target);
  } catch (error) {
    // Put the previous directory back if the swap failed half-way.
    if (old !== undefined && !fs.existsSync(target)) fs.renameSync(old, target);
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new HeedError(`could not write directory ${target}: ${message(error)}`);
  }
  if (old !== undefined) fs.rmSync(old, { recursive: true, force: true });
}

/** The error for a file that cannot be opened, naming it and what the caller expected there. */
export function fileError(file: string, error: unknown, expect: string | undefined): HeedError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const wanted = expect === undefined ? '' : ` (expected ${expect} there)`;
  if (code === 'ENOENT') return new DataError(file, undefined, undefined, `file not found${wanted}`);
  if (code === 'EISDIR')
    return new DataError(file, undefined, undefined, `is a directory, not a file${wanted}`);
  return new DataError(file, undefined, undefined, `cannot read: ${message(error)}${wanted}`);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A fast reader for files of delimited numbers (MovieLens' `u.data`, `ratings.dat`, split files):
 * it scans the bytes once and parses integers in place, without making a string or an array per
 * line, which is what keeps MovieLens 1M's million ratings well under a second.
 *
 * Blank lines are skipped; every other line must hold the declared fields. Errors name
 * `file:line`, the field and what was there.
 */
import * as fs from 'node:fs';
import { DataError } from '../../util/errors.js';
import { forEachFileChunk, type FileChunkOptions } from '../../util/file-chunks.js';
import { Growable } from '../../util/growable.js';

export interface DelimitedSpec {
  /** The file the bytes came from, for error messages. */
  readonly file: string;
  /** Field separator: one or more ASCII characters ('\t', '::', ','). */
  readonly separator: string;
  /** Names of the fields, in file order (named in errors). */
  readonly fields: readonly string[];
  /** How many of the last fields may be absent (e.g. 1 for an optional timestamp). */
  readonly optionalTrailing?: number;
  /** Number of lines before `bytes` in the file (a header already read), so line numbers stay true. */
  readonly lineOffset?: number;
}

export interface DelimitedColumns {
  /** Number of (non-blank) rows. */
  readonly rows: number;
  /** One column per field; absent optional fields are NaN. */
  readonly columns: Float64Array[];
  /** The 1-based line number of each row, for later errors (duplicates, unknown ids). */
  readonly lines: Int32Array;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

export function parseDelimitedNumbers(bytes: Uint8Array, spec: DelimitedSpec): DelimitedColumns {
  const sep = Array.from(spec.separator, (c) => c.charCodeAt(0));
  const sep0 = sep[0];
  const nFields = spec.fields.length;
  const required = nFields - (spec.optionalTrailing ?? 0);
  const n = bytes.length;
  const sepLength = sep.length;

  let capacity = 1;
  for (let i = 0; i < n; i++) if (bytes[i] === NEWLINE) capacity++;
  const columns = Array.from({ length: nFields }, () => new Float64Array(capacity));
  const lines = new Int32Array(capacity);

  let rows = 0;
  let line = spec.lineOffset ?? 0;
  let pos = 0;
  while (pos < n) {
    line++;
    // Skip a blank (or whitespace-only) line.
    let probe = pos;
    while (probe < n && (bytes[probe] === SPACE || bytes[probe] === CR)) probe++;
    if (probe >= n || bytes[probe] === NEWLINE) {
      pos = probe + 1;
      continue;
    }
    for (let f = 0; f < nFields; f++) {
      while (bytes[pos] === SPACE) pos++;
      const start = pos;
      // Integer fast path: optional sign, digits.
      let c = bytes[pos];
      let negative = false;
      if (c === 0x2d || c === 0x2b) {
        negative = c === 0x2d;
        c = bytes[++pos];
      }
      let value = 0;
      let digits = 0;
      while (c >= 0x30 && c <= 0x39) {
        value = value * 10 + (c - 0x30);
        digits++;
        c = bytes[++pos];
      }
      if (digits > 0 && (c === 0x2e || c === 0x65 || c === 0x45)) {
        // A decimal or exponent: let the engine parse the token exactly.
        while (pos < n && c !== NEWLINE && c !== CR && c !== SPACE && !separatorAt(bytes, pos, sep))
          c = bytes[++pos];
        value = Number(latin1(bytes, start, pos));
        if (Number.isNaN(value)) fail(spec, bytes, line, f, start);
      } else {
        if (digits === 0) fail(spec, bytes, line, f, start);
        if (negative) value = -value;
      }
      while (c === SPACE) c = bytes[++pos];
      columns[f][rows] = value;
      const atEnd = pos >= n || c === NEWLINE || c === CR;
      if (f === nFields - 1) {
        if (!atEnd) {
          if (separatorAt(bytes, pos, sep)) {
            throw new DataError(
              spec.file,
              line,
              undefined,
              `more than ${nFields} fields (${describe(spec)})`,
            );
          }
          fail(spec, bytes, line, f, start);
        }
      } else if (c === sep0 && (sepLength === 1 || separatorAt(bytes, pos, sep))) {
        pos += sepLength;
      } else if (atEnd) {
        if (f + 1 < required) {
          throw new DataError(
            spec.file,
            line,
            spec.fields[f + 1],
            `missing: the line has ${f + 1} field${f === 0 ? '' : 's'}, expected ${describe(spec)}`,
          );
        }
        for (let g = f + 1; g < nFields; g++) columns[g][rows] = NaN;
        break;
      } else {
        fail(spec, bytes, line, f, start);
      }
    }
    lines[rows] = line;
    rows++;
    while (pos < n && bytes[pos] !== NEWLINE) pos++;
    pos++;
  }
  return { rows, columns: columns.map((c) => c.subarray(0, rows)), lines: lines.subarray(0, rows) };
}

/**
 * `parseDelimitedNumbers` over a whole file read piece by piece (`forEachFileChunk`), so that a
 * 25-million-line ratings file is never in memory as bytes or text, only as its number columns.
 */
export function readDelimitedNumbers(
  file: string,
  spec: Omit<DelimitedSpec, 'file' | 'lineOffset'>,
  options: Omit<FileChunkOptions, 'quoted'> = {},
): DelimitedColumns {
  const columns = spec.fields.map(() => new Growable(Float64Array));
  const lines = new Growable(Int32Array);
  forEachFileChunk(file, options, (bytes, linesBefore) => {
    const part = parseDelimitedNumbers(bytes, { ...spec, file, lineOffset: linesBefore });
    if (lines.length === 0 && part.rows > 0) {
      // Room for the whole file at this piece's bytes per row, so the columns are rarely copied.
      const rowsHint = Math.ceil((fileBytes(file) / bytes.length) * part.rows * 1.05);
      for (const column of columns) column.reserve(rowsHint);
      lines.reserve(rowsHint);
    }
    part.columns.forEach((column, f) => columns[f].append(column));
    lines.append(part.lines);
  });
  return { rows: lines.length, columns: columns.map((c) => c.toArray()), lines: lines.toArray() };
}

/** The size of `file` on disk (for a `.gz`, its compressed size: the hint is then low, which is harmless). */
function fileBytes(file: string): number {
  return fs.statSync(file).size;
}

function separatorAt(bytes: Uint8Array, pos: number, sep: readonly number[]): boolean {
  for (let k = 0; k < sep.length; k++) if (bytes[pos + k] !== sep[k]) return false;
  return true;
}

function describe(spec: DelimitedSpec): string {
  const sep = spec.separator === '\t' ? 'TAB' : `'${spec.separator}'`;
  return `${spec.fields.join(sep === 'TAB' ? ' TAB ' : spec.separator)} (${spec.fields.length} fields separated by ${sep})`;
}

/** Throws the error for a field that is not a number, quoting what the line holds there. */
function fail(spec: DelimitedSpec, bytes: Uint8Array, line: number, field: number, start: number): never {
  let end = start;
  const sep = Array.from(spec.separator, (c) => c.charCodeAt(0));
  while (end < bytes.length && bytes[end] !== NEWLINE && bytes[end] !== CR && !separatorAt(bytes, end, sep))
    end++;
  const got = latin1(bytes, start, Math.min(end, start + 40));
  throw new DataError(
    spec.file,
    line,
    spec.fields[field],
    got === '' ? `expected a number, found nothing (${describe(spec)})` : `expected a number, got "${got}"`,
  );
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

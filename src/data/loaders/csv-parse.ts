/**
 * A small RFC 4180 CSV reader: comma-separated fields, fields in double quotes may hold commas,
 * newlines and doubled quotes (`"say ""hi"""`), lines end in `\n` or `\r\n`. Blank lines are
 * skipped. Each record comes with the line it starts on, for error messages.
 */
import { DataError } from '../../util/errors.js';
import { forEachFileChunk, type FileChunkOptions } from '../../util/file-chunks.js';
import { decodeText } from '../../util/io.js';

const QUOTE = 34;
const COMMA = 44;
const NEWLINE = 10;
const CR = 13;

/**
 * Calls `visit(fields, line)` for each record of `text` (from `file`, named in errors); with
 * `linesBefore`, `text` is a piece of the file that starts after that many lines.
 */
export function forEachCsvRecord(
  text: string,
  file: string,
  visit: (fields: string[], line: number) => void,
  separator = ',',
  linesBefore = 0,
): void {
  const sep = separator.charCodeAt(0) || COMMA;
  const n = text.length;
  let pos = 0;
  let line = 1 + linesBefore;
  while (pos < n) {
    const recordLine = line;
    const fields: string[] = [];
    let done = false;
    while (!done) {
      if (text.charCodeAt(pos) === QUOTE) {
        // Quoted field: runs to the next quote not followed by another quote.
        const fieldLine = line;
        pos++;
        let value = '';
        let chunk = pos;
        for (;;) {
          if (pos >= n)
            throw new DataError(file, fieldLine, undefined, 'quoted field is never closed (missing ")');
          const c = text.charCodeAt(pos);
          if (c === QUOTE) {
            if (text.charCodeAt(pos + 1) === QUOTE) {
              value += text.slice(chunk, pos + 1);
              pos += 2;
              chunk = pos;
              continue;
            }
            value += text.slice(chunk, pos);
            pos++;
            break;
          }
          if (c === NEWLINE) line++;
          pos++;
        }
        fields.push(value.replace(/\r\n/g, '\n'));
        const after = pos < n ? text.charCodeAt(pos) : NEWLINE;
        if (after === sep) {
          pos++;
        } else if (after === NEWLINE || after === CR) {
          done = true;
        } else {
          throw new DataError(
            file,
            line,
            undefined,
            `unexpected "${text[pos]}" after a closing quote (field ${fields.length}); quotes inside a quoted field must be doubled ("")`,
          );
        }
      } else {
        let end = pos;
        while (end < n) {
          const c = text.charCodeAt(end);
          if (c === sep || c === NEWLINE || c === CR) break;
          end++;
        }
        fields.push(text.slice(pos, end));
        pos = end;
        if (pos < n && text.charCodeAt(pos) === sep) pos++;
        else done = true;
      }
    }
    // Consume the line ending.
    if (text.charCodeAt(pos) === CR) pos++;
    if (pos < n && text.charCodeAt(pos) === NEWLINE) pos++;
    line++;
    if (fields.length === 1 && fields[0].trim() === '') continue;
    visit(fields, recordLine);
  }
}

/**
 * `forEachCsvRecord` over a UTF-8 CSV file read piece by piece (`forEachFileChunk`, never cutting
 * a quoted field), so that a file of millions of records is never one string; `line` is the
 * record's line in the whole file.
 */
export function forEachCsvFileRecord(
  file: string,
  options: Omit<FileChunkOptions, 'quoted'>,
  visit: (fields: string[], line: number) => void,
): void {
  forEachFileChunk(file, { ...options, quoted: true }, (bytes, linesBefore) => {
    const text = decodeText(bytes, file, 'utf-8', linesBefore);
    forEachCsvRecord(text, file, visit, ',', linesBefore);
  });
}

/** All records of a CSV text with a header row. */
export interface CsvTable {
  readonly header: string[];
  readonly rows: string[][];
  /** Line where each row starts. */
  readonly lines: number[];
  readonly headerLine: number;
}

/** Reads a CSV text whose first record is a header; every row must have the header's width. */
export function parseCsvTable(text: string, file: string): CsvTable {
  let header: string[] | undefined;
  let headerLine = 0;
  const rows: string[][] = [];
  const lines: number[] = [];
  forEachCsvRecord(text, file, (fields, line) => {
    if (header === undefined) {
      header = fields;
      headerLine = line;
      return;
    }
    if (fields.length !== header.length) {
      throw new DataError(
        file,
        line,
        undefined,
        `${fields.length} fields, but the header (line ${headerLine}) has ${header.length}: ${header.join(',')}`,
      );
    }
    rows.push(fields);
    lines.push(line);
  });
  if (header === undefined)
    throw new DataError(file, undefined, undefined, 'empty file: expected a header row');
  return { header, rows, lines, headerLine };
}

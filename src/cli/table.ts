/**
 * Plain-text tables for the CLI and the benchmark report: columns padded to their widest cell,
 * numbers right-aligned, text left-aligned.
 */

export type Cell = string | number | null | undefined;

export interface TableOptions {
  /** Digits after the point for numbers (default 4). */
  readonly digits?: number;
  /** Per-column digits, overriding `digits`. */
  readonly columnDigits?: Readonly<Record<string, number>>;
}

/** Formats rows under headers; `null`/`undefined` print as `-`. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: TableOptions = {},
): string {
  const text = rows.map((row) =>
    headers.map((h, c) => formatCell(row[c], options.columnDigits?.[h] ?? options.digits ?? 4)),
  );
  const numeric = headers.map(
    (_, c) => rows.length > 0 && rows.every((row) => typeof row[c] === 'number' || row[c] == null),
  );
  const widths = headers.map((h, c) => Math.max(h.length, ...text.map((row) => row[c].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n') + '\n';
}

/**
 * A Markdown table (for BENCHMARKS.md), padded the way Prettier formats tables so that generated
 * files pass `prettier --check`. Columns whose cells are all numbers are right-aligned; `align`
 * can force a column to the right by its header.
 */
export function formatMarkdownTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  digits = 4,
  align: { readonly right?: readonly string[] } = {},
): string {
  const right = headers.map(
    (h, c) =>
      align.right?.includes(h) === true ||
      (rows.length > 0 && rows.every((row) => typeof row[c] === 'number' || row[c] == null)),
  );
  const text = rows.map((row) => headers.map((_, c) => formatCell(row[c], digits).replace(/\|/g, '\\|')));
  const widths = headers.map((h, c) => Math.max(3, h.length, ...text.map((row) => row[c].length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (right[c] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...text.map(line)].join('\n') + '\n';
}

export function formatCell(value: Cell, digits: number): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    return Number.isInteger(value) && Math.abs(value) >= 1000
      ? value.toLocaleString('en-US')
      : value.toFixed(digits);
  }
  return value;
}

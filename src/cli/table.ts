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

/** A Markdown table (for BENCHMARKS.md). */
export function formatMarkdownTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  digits = 4,
): string {
  const numeric = headers.map(
    (_, c) => rows.length > 0 && rows.every((row) => typeof row[c] === 'number' || row[c] == null),
  );
  const head = `| ${headers.join(' | ')} |`;
  const rule = `|${numeric.map((n) => (n ? '---:' : '---')).join('|')}|`;
  const body = rows.map((row) => `| ${headers.map((_, c) => formatCell(row[c], digits)).join(' | ')} |`);
  return [head, rule, ...body].join('\n') + '\n';
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

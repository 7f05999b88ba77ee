/**
 * A self-contained HTML report: one file with inline CSS and inline SVG, no script, no font, no
 * CDN, so it opens the same offline, from an e-mail attachment or years later. The markup is also
 * well-formed XML (every element closed, no named entities but XML's five), which lets a test
 * parse it strictly.
 *
 * The `generator` meta tag marks the file as Heed's own report: `report-file.ts` overwrites a file
 * only when it carries the mark, so a report never replaces anything else.
 */
import { escapeXml } from './svg.js';

export const REPORT_GENERATOR = 'heed demo';

export interface ReportTable {
  readonly caption: string;
  readonly headers: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  /** Index of the row drawn in bold (the attention model). */
  readonly emphasisedRow?: number;
}

export interface ReportFigure {
  /** An SVG document (no XML declaration), placed inline. */
  readonly svg: string;
  readonly caption: string;
}

export interface ReportSection {
  readonly heading: string;
  readonly paragraphs?: readonly string[];
  /** Lines shown as they are, in a fixed-width block (the terminal's text). */
  readonly preformatted?: string;
  readonly table?: ReportTable;
  readonly figure?: ReportFigure;
  /** Commands with what each one does. */
  readonly commands?: ReadonlyArray<{ readonly command: string; readonly what: string }>;
}

export interface HtmlReport {
  readonly title: string;
  readonly sections: readonly ReportSection[];
}

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #dddddd; }
table { border-collapse: collapse; margin: 0.5rem 0; }
caption { text-align: left; color: #555555; padding-bottom: 0.3rem; }
th, td { padding: 0.25rem 0.8rem; text-align: right; border-bottom: 1px solid #eeeeee; }
th:first-child, td:first-child { text-align: left; }
tr.emphasised td { font-weight: bold; background: #f3f7fc; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #555555; font-size: 0.9rem; }
pre, code { font-family: Menlo, Consolas, monospace; font-size: 0.85rem; }
pre { background: #f6f6f6; padding: 0.7rem; overflow-x: auto; }
dt { margin-top: 0.6rem; }
dd { margin-left: 1.5rem; color: #444444; }
`;

export function htmlReport(report: HtmlReport): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<meta name="generator" content="${REPORT_GENERATOR}"/>`,
    `<title>${escapeXml(report.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeXml(report.title)}</h1>`,
    ...report.sections.map(section),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** True when `html` is a report written by `htmlReport` (it carries the generator mark). */
export function isHeedReport(html: string): boolean {
  return html.includes(`<meta name="generator" content="${REPORT_GENERATOR}"/>`);
}

function section(s: ReportSection): string {
  const parts = [`<h2>${escapeXml(s.heading)}</h2>`];
  for (const p of s.paragraphs ?? []) parts.push(`<p>${escapeXml(p)}</p>`);
  if (s.table !== undefined) parts.push(table(s.table));
  if (s.figure !== undefined) {
    parts.push(`<figure>\n${s.figure.svg}<figcaption>${escapeXml(s.figure.caption)}</figcaption>\n</figure>`);
  }
  if (s.preformatted !== undefined) parts.push(`<pre>${escapeXml(s.preformatted)}</pre>`);
  if (s.commands !== undefined && s.commands.length > 0) {
    const items = s.commands.map(
      (c) => `<dt><code>${escapeXml(c.command)}</code></dt>\n<dd>${escapeXml(c.what)}</dd>`,
    );
    parts.push(`<dl>\n${items.join('\n')}\n</dl>`);
  }
  return `<section>\n${parts.join('\n')}\n</section>`;
}

function table(t: ReportTable): string {
  const head = `<tr>${t.headers.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>`;
  const rows = t.rows.map((row, r) => {
    const cells = row.map((cell) => `<td>${escapeXml(cell)}</td>`).join('');
    return r === t.emphasisedRow ? `<tr class="emphasised">${cells}</tr>` : `<tr>${cells}</tr>`;
  });
  return [
    '<table>',
    `<caption>${escapeXml(t.caption)}</caption>`,
    `<thead>${head}</thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
  ].join('\n');
}

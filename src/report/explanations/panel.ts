/**
 * An explanation picture is a title block over panels stacked top to bottom (a heatmap per SAIN
 * head, a bar panel per attention group, a list of reviews). Each panel knows its size and draws
 * itself at a given corner, so the figure only has to add up heights.
 */
import { element, escapeXml, svgDocument, text, textWidth } from '../svg.js';

export interface Panel {
  readonly width: number;
  readonly height: number;
  /** The panel's SVG elements with its top-left corner at (left, top). */
  render(left: number, top: number): string[];
}

export const MARGIN = 16;
const TITLE_SIZE = 16;
const SUBTITLE_SIZE = 12;
const LINE = 18;
const GAP = 20;
export const HEADING_SIZE = 13;
export const LABEL_SIZE = 11;
/** Height a panel's heading line takes. */
export const HEADING_HEIGHT = 22;

/**
 * The whole picture: `title` (bold) and `subtitles` (one line each) above the panels. The SVG
 * <title> holds all of them, so a screen reader or a tooltip tells what the picture shows.
 */
export function stackPanels(title: string, subtitles: readonly string[], panels: readonly Panel[]): string {
  const headerHeight = 12 + LINE + subtitles.length * (LINE - 2) + 8;
  const width =
    2 * MARGIN +
    Math.max(
      textWidth(title, TITLE_SIZE),
      ...subtitles.map((s) => textWidth(s, SUBTITLE_SIZE)),
      ...panels.map((p) => p.width),
      200,
    );
  const body: string[] = [
    text(MARGIN, 12 + TITLE_SIZE, title, { 'font-size': TITLE_SIZE, 'font-weight': 'bold', fill: '#111111' }),
    ...subtitles.map((s, k) =>
      text(MARGIN, 12 + TITLE_SIZE + (k + 1) * (LINE - 2), s, {
        'font-size': SUBTITLE_SIZE,
        fill: '#333333',
      }),
    ),
  ];
  let top = headerHeight;
  for (const panel of panels) {
    body.push(...panel.render(MARGIN, top));
    top += panel.height + GAP;
  }
  return svgDocument(width, top - GAP + MARGIN, [title, ...subtitles].join(' — '), body);
}

/** A panel's heading, bold, on its first line. */
export function heading(left: number, top: number, content: string): string {
  return text(left, top + 15, content, { 'font-size': HEADING_SIZE, 'font-weight': 'bold', fill: '#111111' });
}

/** `content` cut to `max` characters with an ellipsis, so one long name cannot widen a figure. */
export function truncate(content: string, max: number): string {
  return content.length > max ? `${content.slice(0, max - 1)}…` : content;
}

/** Words of `content` in lines of at most `width` characters; at most `maxLines`, the last with "…" if cut. */
export function wrapWords(content: string, width: number, maxLines: number): string[] {
  const words = content.replace(/\s+/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line === '' ? word : `${line} ${word}`;
    if (next.length <= width || line === '') {
      line = next;
      continue;
    }
    lines.push(line);
    line = word;
    if (lines.length === maxLines) break;
  }
  if (lines.length < maxLines && line !== '') lines.push(line);
  const shown = lines.slice(0, maxLines).map((l) => truncate(l, width));
  const all = words.join(' ');
  if (shown.join(' ').length < all.length && shown.length > 0) {
    const last = shown.length - 1;
    shown[last] = truncate(shown[last], width - 1).replace(/…?$/, '…');
  }
  return shown;
}

/** "42.1%" for an attention weight. */
export function percent(weight: number): string {
  return `${(100 * weight).toFixed(1)}%`;
}

/** A panel of plain lines, for what has no picture (a cold-start pair has no attention). */
export function notePanel(lines: readonly string[]): Panel {
  return {
    width: Math.max(...lines.map((l) => textWidth(l, LABEL_SIZE))),
    height: lines.length * LINE,
    render: (left, top) =>
      lines.map((l, k) => text(left, top + 14 + k * LINE, l, { 'font-size': LABEL_SIZE, fill: '#333333' })),
  };
}

/** A <title> child: the tooltip of a cell or bar (escaped here: labels such as "<1930" are text). */
export function tooltip(content: string): string {
  return element('title', {}, escapeXml(content));
}

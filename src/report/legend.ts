/** Series markers and the legend box that names each series by colour, line style and marker. */
import { type MarkerShape } from './palette.js';
import { element, text, textWidth } from './svg.js';

export interface LegendEntry {
  name: string;
  colour: string;
  marker: MarkerShape;
  dashed?: boolean;
  /** Bar charts show a filled swatch instead of a line with a marker. */
  swatch?: boolean;
}

export const DASH_PATTERN = '6 4';
const FONT_SIZE = 12;
const ROW_HEIGHT = 20;
const KEY_WIDTH = 28;

export function marker(shape: MarkerShape, x: number, y: number, colour: string, size = 4): string {
  switch (shape) {
    case 'circle':
      return element('circle', { cx: x, cy: y, r: size, fill: colour });
    case 'square':
      return element('rect', { x: x - size, y: y - size, width: 2 * size, height: 2 * size, fill: colour });
    case 'triangle':
      return element('path', {
        d: polygonPath([x, y - size * 1.2, x + size * 1.1, y + size, x - size * 1.1, y + size]),
        fill: colour,
      });
    case 'diamond':
      return element('path', {
        d: polygonPath([x, y - size * 1.3, x + size, y, x, y + size * 1.3, x - size, y]),
        fill: colour,
      });
  }
}

function polygonPath(xy: number[]): string {
  const pairs: string[] = [];
  for (let i = 0; i < xy.length; i += 2)
    pairs.push(`${i === 0 ? 'M' : 'L'}${round(xy[i])} ${round(xy[i + 1])}`);
  return pairs.join(' ') + ' Z';
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Width the legend needs, so the caller can leave room for it. */
export function legendWidth(entries: readonly LegendEntry[]): number {
  return KEY_WIDTH + 16 + Math.max(...entries.map((entry) => textWidth(entry.name, FONT_SIZE)));
}

export function legendHeight(entries: readonly LegendEntry[]): number {
  return 16 + ROW_HEIGHT * entries.length;
}

/** The legend, one row per entry, with its top-left corner at (x, y). */
export function legend(entries: readonly LegendEntry[], x: number, y: number): string {
  const width = legendWidth(entries);
  const rows = entries.map((entry, i) => {
    const rowY = y + 8 + ROW_HEIGHT * i + ROW_HEIGHT / 2;
    const key = entry.swatch
      ? element('rect', { x: x + 8, y: rowY - 6, width: KEY_WIDTH - 8, height: 12, fill: entry.colour })
      : element('line', {
          x1: x + 6,
          y1: rowY,
          x2: x + KEY_WIDTH + 2,
          y2: rowY,
          stroke: entry.colour,
          'stroke-width': 2,
          'stroke-dasharray': entry.dashed ? DASH_PATTERN : undefined,
        }) + marker(entry.marker, x + 4 + KEY_WIDTH / 2, rowY, entry.colour);
    return key + text(x + KEY_WIDTH + 10, rowY + 4, entry.name, { 'font-size': FONT_SIZE, fill: '#222222' });
  });
  const frame = element('rect', {
    x,
    y,
    width,
    height: legendHeight(entries),
    fill: '#ffffff',
    stroke: '#bbbbbb',
  });
  return element('g', { class: 'legend' }, [frame, ...rows]);
}

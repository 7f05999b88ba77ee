/** The frame shared by the line and bar charts: plot area, title, axis labels, y ticks with grid lines. */
import { formatTick, type Ticks } from './nice-ticks.js';
import { coordinate, element, text, textWidth } from './svg.js';

const TITLE_FONT_SIZE = 16;

export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Maps [domainMin, domainMax] linearly onto [rangeStart, rangeEnd] (which may run backwards, as y does). */
export function linearScale(domainMin: number, domainMax: number, rangeStart: number, rangeEnd: number) {
  return (value: number): number =>
    rangeStart + ((value - domainMin) / (domainMax - domainMin)) * (rangeEnd - rangeStart);
}

/**
 * The default canvas of the line and bar charts. It grows rather than squeeze the plot below
 * MIN_PLOT_WIDTH for a long legend, or run a long title off its edges.
 */
const CANVAS_WIDTH = 720;
const CANVAS_HEIGHT = 420;
const MIN_PLOT_WIDTH = 360;

export interface Margin {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** The plot's width: the canvas less its margins and the legend; a wide title widens the plot too. */
export function plotWidthFor(title: string, legendSpace: number, margin: Margin): number {
  const canvas = Math.max(CANVAS_WIDTH, titleWidth(title));
  return Math.max(canvas - margin.left - margin.right - legendSpace, MIN_PLOT_WIDTH);
}

/** The canvas around a plot starting at `left`: wide enough for the title, tall enough for the legend. */
export function canvasSize(
  title: string,
  frame: { left: number; plotWidth: number; legendSpace: number; legendHeight: number; labelDepth: number },
  margin: Margin,
): { width: number; height: number } {
  return {
    width: Math.max(frame.left + frame.plotWidth + frame.legendSpace + margin.right, titleWidth(title)),
    height: Math.max(CANVAS_HEIGHT, margin.top + frame.legendHeight + 16) + frame.labelDepth,
  };
}

/** The canvas width a title needs: its own width and a margin on each side. */
export function titleWidth(title: string): number {
  return textWidth(title, TITLE_FONT_SIZE) * 1.1 + 32;
}

export function titleText(title: string, centreX: number): string {
  return text(centreX, 24, title, {
    'font-size': TITLE_FONT_SIZE,
    'font-weight': 'bold',
    'text-anchor': 'middle',
    fill: '#111111',
  });
}

/** Horizontal grid lines and labelled ticks on the left edge; `y` maps a value to its pixel row. */
export function yAxis(area: PlotArea, ticks: Ticks, y: (value: number) => number, label: string): string {
  const parts: string[] = [];
  for (const value of ticks.values) {
    const row = y(value);
    parts.push(
      element('line', { x1: area.left, y1: row, x2: area.left + area.width, y2: row, stroke: '#e5e5e5' }),
    );
    parts.push(element('line', { x1: area.left - 5, y1: row, x2: area.left, y2: row, stroke: '#333333' }));
    parts.push(
      text(area.left - 8, row + 4, formatTick(value, ticks.decimals), {
        'font-size': 11,
        'text-anchor': 'end',
        fill: '#333333',
      }),
    );
  }
  parts.push(
    element('line', {
      x1: area.left,
      y1: area.top,
      x2: area.left,
      y2: area.top + area.height,
      stroke: '#333333',
    }),
  );
  const labelX = 18;
  const labelY = area.top + area.height / 2;
  parts.push(
    text(labelX, labelY, label, {
      'font-size': 13,
      'text-anchor': 'middle',
      transform: `rotate(-90 ${labelX} ${labelY})`,
      fill: '#111111',
    }),
  );
  return element('g', { class: 'y-axis' }, parts);
}

/** The x axis line along the bottom of the plot and, when given, its label below the tick labels. */
export function xAxisLine(area: PlotArea, label: string | undefined, labelY: number): string {
  const bottom = area.top + area.height;
  return element('g', { class: 'x-axis-line' }, [
    element('line', { x1: area.left, y1: bottom, x2: area.left + area.width, y2: bottom, stroke: '#333333' }),
    label === undefined
      ? ''
      : text(area.left + area.width / 2, labelY, label, {
          'font-size': 13,
          'text-anchor': 'middle',
          fill: '#111111',
        }),
  ]);
}

const TICK_FONT_SIZE = 11;

/** True when some x tick label is wider than the space between ticks, so labels must be slanted. */
export function needsSlantedLabels(labels: readonly string[], spacing: number): boolean {
  return labels.some((label) => textWidth(label, TICK_FONT_SIZE) > spacing - 6);
}

/** Extra depth below the axis that slanted (30°) labels take, beyond a straight row. */
export function slantedLabelDepth(labels: readonly string[]): number {
  return Math.max(...labels.map((label) => textWidth(label, TICK_FONT_SIZE))) * 0.5;
}

/**
 * How far slanted labels, which run down-left from their ticks, would reach past the canvas' left
 * edge; the caller widens its left margin by this much.
 */
export function slantedLabelOverhang(labels: readonly string[], positions: readonly number[]): number {
  const reach = labels.map(
    (label, i) => textWidth(label, TICK_FONT_SIZE) * Math.cos(Math.PI / 6) - positions[i],
  );
  return Math.max(0, Math.max(...reach) + 4);
}

/** An x tick label under `bottom`, centred, or slanted and right-aligned on its tick. */
export function xTickLabel(x: number, bottom: number, label: string, slanted: boolean): string {
  return slanted
    ? text(x, bottom + 14, label, {
        'font-size': TICK_FONT_SIZE,
        'text-anchor': 'end',
        transform: `rotate(-30 ${coordinate(x)} ${coordinate(bottom + 14)})`,
        fill: '#333333',
      })
    : text(x, bottom + 18, label, { 'font-size': TICK_FONT_SIZE, 'text-anchor': 'middle', fill: '#333333' });
}

/**
 * Line chart of a metric against a setting (embedding size, epochs, seeds…), one line per model,
 * with optional error bars. Output is an SVG string.
 */
import { HeedError } from '../util/errors.js';
import {
  linearScale,
  needsSlantedLabels,
  slantedLabelDepth,
  slantedLabelOverhang,
  titleText,
  canvasSize,
  plotWidthFor,
  xAxisLine,
  xTickLabel,
  yAxis,
  type PlotArea,
} from './axes.js';
import { DASH_PATTERN, legend, legendHeight, legendWidth, marker, type LegendEntry } from './legend.js';
import { formatTick, niceTicks } from './nice-ticks.js';
import { seriesColour, seriesMarker } from './palette.js';
import { coordinate, element, escapeXml, svgDocument } from './svg.js';
import { checkErrorBar, checkFiniteNumber, checkText, checkUniqueNames } from './validate.js';

export interface LinePoint {
  x: number | string;
  y: number;
  /** Error bar bounds (e.g. mean ± sd, or a confidence interval); both optional. */
  low?: number;
  high?: number;
}

export interface LineSeries {
  name: string;
  points: LinePoint[];
  dashed?: boolean;
}

/**
 * How x values are placed: 'linear' by value, 'log2' by log₂ value (powers of two evenly spaced,
 * e.g. factors 8, 16, 32, 64), 'category' evenly in order of first appearance. Default: 'category'
 * when any x is a string, 'linear' otherwise.
 */
export type XScale = 'linear' | 'log2' | 'category';

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  xScale?: XScale;
}

const MARGIN = { left: 72, right: 16, top: 44, bottom: 64 };
/** Inner padding so that points at the ends of the x range do not sit on the axis. */
const X_PADDING = 16;

interface XAxis {
  position: (x: number | string) => number;
  ticks: { at: number; label: string }[];
}

export function lineChart(spec: LineChartSpec): string {
  const scale = checkSpec(spec);
  const legendEntries: LegendEntry[] = spec.series.map((series, i) => ({
    name: series.name,
    colour: seriesColour(i),
    marker: seriesMarker(i),
    dashed: series.dashed,
  }));
  const legendSpace = legendWidth(legendEntries) + 20;
  const plotWidth = plotWidthFor(spec.title, legendSpace, MARGIN);
  const points = spec.series.flatMap((series) => series.points);
  const xs = points.map((p) => p.x);
  const unshifted = buildXAxis(scale, xs, MARGIN.left, plotWidth);
  const tickLabels = unshifted.ticks.map((tick) => tick.label);
  const spacing = unshifted.ticks.length > 1 ? unshifted.ticks[1].at - unshifted.ticks[0].at : plotWidth;
  const slanted = needsSlantedLabels(tickLabels, spacing);
  const overhang = slanted
    ? slantedLabelOverhang(
        tickLabels,
        unshifted.ticks.map((tick) => tick.at),
      )
    : 0;
  const left = MARGIN.left + overhang;
  const xAxis = overhang === 0 ? unshifted : buildXAxis(scale, xs, left, plotWidth);
  const labelDepth = slanted ? slantedLabelDepth(tickLabels) : 0;
  const { width, height } = canvasSize(
    spec.title,
    { left, plotWidth, legendSpace, legendHeight: legendHeight(legendEntries), labelDepth },
    MARGIN,
  );
  const area: PlotArea = {
    left,
    top: MARGIN.top,
    width: plotWidth,
    height: height - MARGIN.top - MARGIN.bottom - labelDepth,
  };
  const yTicks = niceTicks(
    Math.min(...points.map((p) => p.low ?? p.y)),
    Math.max(...points.map((p) => p.high ?? p.y)),
    6,
  );
  const y = linearScale(
    yTicks.values[0],
    yTicks.values[yTicks.values.length - 1],
    area.top + area.height,
    area.top,
  );
  const bottom = area.top + area.height;
  const xTickMarks = xAxis.ticks.map(
    (tick) =>
      element('line', { x1: tick.at, y1: bottom, x2: tick.at, y2: bottom + 5, stroke: '#333333' }) +
      xTickLabel(tick.at, bottom, tick.label, slanted),
  );
  const lines = spec.series.map((series, i) => drawSeries(series, legendEntries[i], xAxis.position, y));
  return svgDocument(width, height, spec.title, [
    titleText(spec.title, width / 2),
    yAxis(area, yTicks, y, spec.yLabel),
    xAxisLine(area, spec.xLabel, bottom + 42 + labelDepth),
    element('g', { class: 'x-ticks' }, xTickMarks),
    ...lines,
    legend(legendEntries, area.left + area.width + 20, area.top),
  ]);
}

function drawSeries(
  series: LineSeries,
  style: LegendEntry,
  x: (value: number | string) => number,
  y: (value: number) => number,
): string {
  const path = series.points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${coordinate(x(p.x))} ${coordinate(y(p.y))}`)
    .join(' ');
  const errorBars = series.points
    .filter((p) => p.low !== undefined || p.high !== undefined)
    .map((p) => {
      const at = x(p.x);
      const top = y(p.high ?? p.y);
      const foot = y(p.low ?? p.y);
      const stroke = { stroke: style.colour, 'stroke-width': 1.2 };
      return [
        element('line', { x1: at, y1: top, x2: at, y2: foot, ...stroke }),
        element('line', { x1: at - 4, y1: top, x2: at + 4, y2: top, ...stroke }),
        element('line', { x1: at - 4, y1: foot, x2: at + 4, y2: foot, ...stroke }),
      ].join('');
    });
  const markers = series.points.map((p) => marker(style.marker, x(p.x), y(p.y), style.colour));
  return element('g', { class: 'series' }, [
    element('title', {}, escapeXml(series.name)),
    element('path', {
      d: path,
      fill: 'none',
      stroke: style.colour,
      'stroke-width': 2,
      'stroke-dasharray': series.dashed ? DASH_PATTERN : undefined,
    }),
    ...errorBars,
    ...markers,
  ]);
}

function buildXAxis(scale: XScale, xs: readonly (number | string)[], left: number, width: number): XAxis {
  const start = left + X_PADDING;
  const end = left + width - X_PADDING;
  if (scale === 'category') {
    const categories = [...new Set(xs.map(String))];
    const band = (end - start) / categories.length;
    const at = (value: number | string): number => start + band * (categories.indexOf(String(value)) + 0.5);
    return { position: at, ticks: categories.map((label) => ({ at: at(label), label })) };
  }
  const values = xs as readonly number[];
  if (scale === 'log2') {
    const low = Math.floor(Math.log2(Math.min(...values)));
    const high = Math.max(low + 1, Math.ceil(Math.log2(Math.max(...values))));
    // At most about ten labels: every power of two, or every second, third… one.
    const every = Math.ceil((high - low + 1) / 10);
    const toPixel = linearScale(low, high, start, end);
    const ticks = [];
    for (let power = low; power <= high; power += every)
      ticks.push({ at: toPixel(power), label: formatPowerOfTwo(power) });
    return { position: (value) => toPixel(Math.log2(value as number)), ticks };
  }
  const ticks = niceTicks(Math.min(...values), Math.max(...values), 6);
  const toPixel = linearScale(ticks.values[0], ticks.values[ticks.values.length - 1], start, end);
  return {
    position: (value) => toPixel(value as number),
    ticks: ticks.values.map((value) => ({ at: toPixel(value), label: formatTick(value, ticks.decimals) })),
  };
}

function formatPowerOfTwo(power: number): string {
  return power >= 0 ? String(2 ** power) : `1/${2 ** -power}`;
}

/** Validates the spec and settles the x scale. */
function checkSpec(spec: LineChartSpec): XScale {
  checkText(spec.title, 'lineChart: title');
  checkText(spec.xLabel, 'lineChart: xLabel');
  checkText(spec.yLabel, 'lineChart: yLabel');
  if (!Array.isArray(spec.series) || spec.series.length === 0)
    throw new HeedError('lineChart: series is empty');
  checkUniqueNames(
    spec.series.map((series) => series.name),
    'lineChart: series',
  );
  const anyString = spec.series.some((series) => series.points.some((p) => typeof p.x === 'string'));
  const scale = spec.xScale ?? (anyString ? 'category' : 'linear');
  if (!['linear', 'log2', 'category'].includes(scale)) {
    throw new HeedError(`lineChart: xScale must be 'linear', 'log2' or 'category', got '${String(scale)}'`);
  }
  spec.series.forEach((series, s) => {
    if (!Array.isArray(series.points) || series.points.length === 0) {
      throw new HeedError(`lineChart: series[${s}] ("${series.name}") has no points`);
    }
    series.points.forEach((p, i) => {
      const where = `lineChart: series[${s}] ("${series.name}").points[${i}]`;
      checkFiniteNumber(p.y, `${where}.y`);
      checkErrorBar(p.y, p.low, p.high, where);
      if (scale === 'category') {
        if (typeof p.x !== 'string') checkFiniteNumber(p.x, `${where}.x`);
      } else if (typeof p.x === 'string') {
        throw new HeedError(`${where}.x is the string "${p.x}", but xScale '${scale}' needs numbers`);
      } else {
        checkFiniteNumber(p.x, `${where}.x`);
        if (scale === 'log2' && p.x <= 0)
          throw new HeedError(`${where}.x must be > 0 for xScale 'log2', got ${p.x}`);
      }
    });
  });
  return scale;
}

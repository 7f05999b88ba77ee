/**
 * Grouped bar chart: one group per data set (or setting), one bar per model, optional error bars.
 *
 * The y axis is zoomed to the data when zero is far from it: RMSEs of 0.89 and 0.91 would be
 * indistinguishable bars on an axis from 0. A zoomed axis is said so twice: a break mark on the
 * axis and a note under the title, because bar lengths are then not proportional to the values.
 * `yFromZero: true` forces the axis to include 0.
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
import { legend, legendHeight, legendWidth, type LegendEntry } from './legend.js';
import { niceTicks } from './nice-ticks.js';
import { seriesColour, seriesMarker } from './palette.js';
import { element, escapeXml, svgDocument, text } from './svg.js';
import { checkErrorBar, checkFiniteNumber, checkText, checkUniqueNames } from './validate.js';

export interface Bar {
  name: string;
  value: number;
  low?: number;
  high?: number;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface BarChartSpec {
  title: string;
  yLabel: string;
  groups: BarGroup[];
  yFromZero?: boolean;
}

const MARGIN = { left: 72, right: 16, top: 56, bottom: 40 };
/** Fraction of the data's span added below the lowest value, so the shortest bar still shows. */
const ZOOM_PADDING = 0.25;
export const ZOOMED_AXIS_NOTE = 'y axis does not start at 0';

export function barChart(spec: BarChartSpec): string {
  checkSpec(spec);
  const names = [...new Set(spec.groups.flatMap((group) => group.bars.map((bar) => bar.name)))];
  const entries: LegendEntry[] = names.map((name, i) => ({
    name,
    colour: seriesColour(i),
    marker: seriesMarker(i),
    swatch: true,
  }));
  const legendSpace = legendWidth(entries) + 20;
  const plotWidth = plotWidthFor(spec.title, legendSpace, MARGIN);
  const groupWidth = plotWidth / spec.groups.length;
  const groupLabels = spec.groups.map((group) => group.label);
  const slanted = needsSlantedLabels(groupLabels, groupWidth);
  const overhang = slanted
    ? slantedLabelOverhang(
        groupLabels,
        groupLabels.map((_, g) => MARGIN.left + (g + 0.5) * groupWidth),
      )
    : 0;
  const left = MARGIN.left + overhang;
  const labelDepth = slanted ? slantedLabelDepth(groupLabels) : 0;
  const { width, height } = canvasSize(
    spec.title,
    { left, plotWidth, legendSpace, legendHeight: legendHeight(entries), labelDepth },
    MARGIN,
  );
  const area: PlotArea = {
    left,
    top: MARGIN.top,
    width: plotWidth,
    height: height - MARGIN.top - MARGIN.bottom - labelDepth,
  };
  const bars = spec.groups.flatMap((group) => group.bars);
  const { ticks, zoomed } = yDomain(
    Math.min(...bars.map((bar) => bar.low ?? bar.value)),
    Math.max(...bars.map((bar) => bar.high ?? bar.value)),
    spec.yFromZero === true,
  );
  const domainMin = ticks.values[0];
  const domainMax = ticks.values[ticks.values.length - 1];
  const bottom = area.top + area.height;
  const y = linearScale(domainMin, domainMax, bottom, area.top);
  // Bars grow from 0 when 0 is on the axis, otherwise from the axis end nearest to 0.
  const baseline = y(Math.min(Math.max(0, domainMin), domainMax));

  const parts: string[] = [];
  spec.groups.forEach((group, g) => {
    const groupLeft = area.left + g * groupWidth;
    const barWidth = (groupWidth * 0.8) / group.bars.length;
    group.bars.forEach((bar, b) => {
      const colour = entries[names.indexOf(bar.name)].colour;
      const left = groupLeft + groupWidth * 0.1 + b * barWidth;
      const top = Math.min(y(bar.value), baseline);
      const rect = element(
        'rect',
        { x: left + 1, y: top, width: barWidth - 2, height: Math.abs(y(bar.value) - baseline), fill: colour },
        element('title', {}, escapeXml(`${group.label}, ${bar.name}: ${bar.value}`)),
      );
      parts.push(rect + errorBar(bar, left + barWidth / 2, y));
    });
    parts.push(xTickLabel(groupLeft + groupWidth / 2, bottom, group.label, slanted));
  });
  const decorations = zoomed ? [axisBreak(area.left, bottom - 10), zoomNote(area)] : [];
  return svgDocument(width, height, spec.title, [
    titleText(spec.title, width / 2),
    yAxis(area, ticks, y, spec.yLabel),
    xAxisLine(area, undefined, 0),
    element('g', { class: 'bars' }, parts),
    ...decorations,
    legend(entries, area.left + area.width + 20, area.top),
  ]);
}

/**
 * Ticks for [min, max]. Zero is included when asked, when the data straddle it, or when padding
 * below (above, for negative data) the data would reach it anyway; otherwise the axis is zoomed.
 */
function yDomain(min: number, max: number, fromZero: boolean) {
  const span = max - min || Math.abs(max) || 1;
  let low = min - ZOOM_PADDING * span;
  let high = max + 0.05 * span;
  if (min >= 0 && (fromZero || low <= 0)) low = 0;
  if (max <= 0 && (fromZero || high >= 0)) high = 0;
  const ticks = niceTicks(low, high, 6);
  const zoomed = ticks.values[0] > 0 || ticks.values[ticks.values.length - 1] < 0;
  return { ticks, zoomed };
}

function errorBar(bar: Bar, x: number, y: (value: number) => number): string {
  if (bar.low === undefined && bar.high === undefined) return '';
  const top = y(bar.high ?? bar.value);
  const foot = y(bar.low ?? bar.value);
  const stroke = { stroke: '#222222', 'stroke-width': 1.2 };
  return [
    element('line', { x1: x, y1: top, x2: x, y2: foot, ...stroke }),
    element('line', { x1: x - 4, y1: top, x2: x + 4, y2: top, ...stroke }),
    element('line', { x1: x - 4, y1: foot, x2: x + 4, y2: foot, ...stroke }),
  ].join('');
}

/** Two slanted strokes across the y axis: the conventional sign that a stretch of the axis is left out. */
function axisBreak(x: number, y: number): string {
  return element('g', { class: 'axis-break' }, [
    element('rect', { x: x - 7, y: y - 4, width: 14, height: 8, fill: '#ffffff' }),
    element('line', { x1: x - 7, y1: y, x2: x + 7, y2: y - 6, stroke: '#333333', 'stroke-width': 1.5 }),
    element('line', { x1: x - 7, y1: y + 6, x2: x + 7, y2: y, stroke: '#333333', 'stroke-width': 1.5 }),
  ]);
}

function zoomNote(area: PlotArea): string {
  return text(area.left + area.width / 2, 42, `Note: ${ZOOMED_AXIS_NOTE}`, {
    'font-size': 11,
    'font-style': 'italic',
    'text-anchor': 'middle',
    fill: '#555555',
  });
}

function checkSpec(spec: BarChartSpec): void {
  checkText(spec.title, 'barChart: title');
  checkText(spec.yLabel, 'barChart: yLabel');
  if (!Array.isArray(spec.groups) || spec.groups.length === 0)
    throw new HeedError('barChart: groups is empty');
  spec.groups.forEach((group, g) => {
    checkText(group.label, `barChart: groups[${g}].label`);
    if (!Array.isArray(group.bars) || group.bars.length === 0) {
      throw new HeedError(`barChart: groups[${g}] ("${group.label}") has no bars`);
    }
    checkUniqueNames(
      group.bars.map((bar) => bar.name),
      `barChart: groups[${g}].bars`,
    );
    group.bars.forEach((bar, b) => {
      const where = `barChart: groups[${g}].bars[${b}]`;
      checkFiniteNumber(bar.value, `${where}.value`);
      checkErrorBar(bar.value, bar.low, bar.high, where);
    });
  });
}

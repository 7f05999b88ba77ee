/**
 * Critical difference diagram after Demšar (2006, §3.2.4, Figure 1): average ranks on an axis with
 * the best rank (1) on the right, each treatment hanging from its rank to a label on the nearer
 * side, a bar as long as the critical difference, and thick lines joining the treatments that the
 * Nemenyi test cannot tell apart (maximal groups whose ranks differ by less than CD).
 */
import { HeedError } from '../util/errors.js';
import { nemenyiGroups } from '../stats/nemenyi.js';
import { linearScale, titleText } from './axes.js';
import { element, svgDocument, text, textWidth } from './svg.js';
import { checkFiniteNumber, checkText, checkUniqueNames } from './validate.js';

export interface CriticalDifferenceSpec {
  title: string;
  ranks: { name: string; rank: number }[];
  cd: number;
  /** Shown in the caption when given. */
  alpha?: number;
  blocks?: number;
}

const WIDTH = 720;
const MIN_AXIS_WIDTH = 300;
const FONT_SIZE = 12;
const AXIS_Y = 92;
const GROUP_ROW = 8;
const LABEL_ROW = 22;

export function criticalDifferenceDiagram(spec: CriticalDifferenceSpec): string {
  checkSpec(spec);
  const k = spec.ranks.length;
  const sorted = spec.ranks.map((entry, i) => ({ ...entry, i })).sort((p, q) => p.rank - q.rank || p.i - q.i);
  const labels = sorted.map((entry) => `${entry.name} (${entry.rank.toFixed(2)})`);
  const labelSpace = Math.max(...labels.map((label) => textWidth(label, FONT_SIZE))) + 28;
  const axisLeft = Math.max(40, labelSpace);
  // Long names widen the canvas instead of shrinking the rank axis below MIN_AXIS_WIDTH.
  const width = Math.max(WIDTH, 2 * axisLeft + MIN_AXIS_WIDTH);
  const axisRight = width - axisLeft;
  const x = linearScale(k, 1, axisLeft, axisRight);
  const unit = (axisRight - axisLeft) / (k - 1);

  const groups = nemenyiGroups(
    spec.ranks.map((entry) => entry.rank),
    spec.cd,
  );
  const firstLabelY = AXIS_Y + 16 + GROUP_ROW * groups.length + 12;
  // The better half hangs to the right, best at the top; the rest to the left, worst at the top,
  // so that no line crosses another.
  const rightCount = Math.ceil(k / 2);
  const hangers = sorted.map((entry, order) => {
    const right = order < rightCount;
    const row = right ? order : k - 1 - order;
    const rowY = firstLabelY + row * LABEL_ROW;
    const at = x(entry.rank);
    const end = right ? axisRight + 10 : axisLeft - 10;
    return element('g', { class: 'treatment' }, [
      element('path', {
        d: `M${round(at)} ${AXIS_Y} L${round(at)} ${round(rowY)} L${round(end)} ${round(rowY)}`,
        fill: 'none',
        stroke: '#333333',
      }),
      text(right ? end + 4 : end - 4, rowY + 4, labels[order], {
        'font-size': FONT_SIZE,
        'text-anchor': right ? 'start' : 'end',
        fill: '#111111',
      }),
    ]);
  });
  const rows = Math.max(rightCount, k - rightCount);
  const captionY = firstLabelY + rows * LABEL_ROW + 8;
  const caption = captionText(spec);
  const height = captionY + (caption === '' ? 0 : 20);

  return svgDocument(width, height, spec.title, [
    titleText(spec.title, width / 2),
    criticalDifferenceBar(spec.cd, unit, axisLeft, axisRight),
    rankAxis(k, x),
    element(
      'g',
      { class: 'groups' },
      groups.map((members, g) => {
        const ranks = members.map((i) => spec.ranks[i].rank);
        const rowY = AXIS_Y + 16 + GROUP_ROW * g;
        return element('line', {
          x1: x(Math.max(...ranks)) - 4,
          y1: rowY,
          x2: x(Math.min(...ranks)) + 4,
          y2: rowY,
          stroke: '#000000',
          'stroke-width': 4,
          'stroke-linecap': 'round',
        });
      }),
    ),
    ...hangers,
    caption === ''
      ? ''
      : text(width / 2, captionY, caption, { 'font-size': 11, 'text-anchor': 'middle', fill: '#555555' }),
  ]);
}

/** The rank axis: integer ranks labelled, half ranks as minor ticks, rank 1 at the right end. */
function rankAxis(k: number, x: (rank: number) => number): string {
  const parts = [
    element('line', { x1: x(k), y1: AXIS_Y, x2: x(1), y2: AXIS_Y, stroke: '#111111', 'stroke-width': 1.5 }),
  ];
  for (let rank = 1; rank <= k; rank += 0.5) {
    const major = Number.isInteger(rank);
    parts.push(
      element('line', {
        x1: x(rank),
        y1: AXIS_Y,
        x2: x(rank),
        y2: AXIS_Y - (major ? 8 : 4),
        stroke: '#111111',
      }),
    );
    if (major)
      parts.push(
        text(x(rank), AXIS_Y - 12, String(rank), {
          'font-size': 11,
          'text-anchor': 'middle',
          fill: '#111111',
        }),
      );
  }
  return element('g', { class: 'rank-axis' }, parts);
}

/** A bar of length CD (in rank units) above the axis' worst end; clipped, and said so, if longer than the axis. */
function criticalDifferenceBar(cd: number, unit: number, axisLeft: number, axisRight: number): string {
  const length = Math.min(cd * unit, axisRight - axisLeft);
  const clipped = cd * unit > axisRight - axisLeft;
  const barY = 50;
  return element('g', { class: 'critical-difference' }, [
    element('line', {
      x1: axisLeft,
      y1: barY,
      x2: axisLeft + length,
      y2: barY,
      stroke: '#111111',
      'stroke-width': 2,
    }),
    element('line', {
      x1: axisLeft,
      y1: barY - 5,
      x2: axisLeft,
      y2: barY + 5,
      stroke: '#111111',
      'stroke-width': 2,
    }),
    clipped
      ? ''
      : element('line', {
          x1: axisLeft + length,
          y1: barY - 5,
          x2: axisLeft + length,
          y2: barY + 5,
          stroke: '#111111',
          'stroke-width': 2,
        }),
    text(
      axisLeft + length / 2,
      barY - 8,
      `CD = ${cd.toFixed(2)}${clipped ? ' (longer than the axis)' : ''}`,
      {
        'font-size': 12,
        'text-anchor': 'middle',
        fill: '#111111',
      },
    ),
  ]);
}

function captionText(spec: CriticalDifferenceSpec): string {
  const facts = [
    spec.alpha === undefined ? undefined : `α = ${spec.alpha}`,
    spec.blocks === undefined ? undefined : `N = ${spec.blocks} blocks`,
  ].filter((fact): fact is string => fact !== undefined);
  const base = 'Average ranks (1 = best); thick lines join treatments not significantly different (Nemenyi)';
  return facts.length === 0 ? base : `${base}, ${facts.join(', ')}`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function checkSpec(spec: CriticalDifferenceSpec): void {
  checkText(spec.title, 'criticalDifferenceDiagram: title');
  if (!Array.isArray(spec.ranks) || spec.ranks.length < 2) {
    throw new HeedError(`criticalDifferenceDiagram: needs at least 2 ranks, got ${spec.ranks?.length ?? 0}`);
  }
  checkUniqueNames(
    spec.ranks.map((entry) => entry.name),
    'criticalDifferenceDiagram: ranks',
  );
  const k = spec.ranks.length;
  spec.ranks.forEach((entry, i) => {
    const rank = checkFiniteNumber(entry.rank, `criticalDifferenceDiagram: ranks[${i}].rank`);
    if (rank < 1 || rank > k) {
      throw new HeedError(
        `criticalDifferenceDiagram: ranks[${i}].rank (${rank}) is outside 1..${k}, the ranks of ${k} treatments`,
      );
    }
  });
  if (checkFiniteNumber(spec.cd, 'criticalDifferenceDiagram: cd') <= 0) {
    throw new HeedError(`criticalDifferenceDiagram: cd must be > 0, got ${spec.cd}`);
  }
  if (spec.alpha !== undefined) checkFiniteNumber(spec.alpha, 'criticalDifferenceDiagram: alpha');
  if (spec.blocks !== undefined) checkFiniteNumber(spec.blocks, 'criticalDifferenceDiagram: blocks');
}

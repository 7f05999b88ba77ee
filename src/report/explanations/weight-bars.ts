/**
 * A bar panel for one group of weights: a label and a horizontal bar per weight, its value at the
 * bar's end. Attention weights are shares ("42.1%"), bars scaled to the largest; contributions
 * (FM's signed parts of a prediction) grow left (negative, orange) or right (positive, blue) of a
 * zero line and print their signed value.
 */
import { element, text, textWidth } from '../svg.js';
import { checkFiniteNumber, checkText } from '../validate.js';
import { heading, HEADING_HEIGHT, LABEL_SIZE, percent, tooltip, truncate, type Panel } from './panel.js';

export interface WeightBar {
  readonly label: string;
  readonly value: number;
}

export interface WeightBarsSpec {
  readonly heading: string;
  readonly kind: 'attention' | 'contribution';
  readonly bars: readonly WeightBar[];
  /** A line under the bars saying what the values are. */
  readonly valueAxis: string;
  /** The label of a bar drawn in its own colour (the demo's planted feature). */
  readonly highlight?: string;
}

const BAR_AREA = 280;
const ROW = 20;
const LABEL_CHARS = 48;
const POSITIVE = '#0072B2';
const NEGATIVE = '#D55E00';
const HIGHLIGHTED = '#009E73';

export function weightBarsPanel(spec: WeightBarsSpec): Panel {
  checkText(spec.heading, 'weight bars heading');
  spec.bars.forEach((b, k) => checkFiniteNumber(b.value, `${spec.heading}: bar ${k} (${b.label})`));
  const labels = spec.bars.map((b) => truncate(b.label, LABEL_CHARS));
  const labelWidth = Math.max(40, ...labels.map((l) => textWidth(l, LABEL_SIZE)));
  const largest = Math.max(1e-12, ...spec.bars.map((b) => Math.abs(b.value)));
  const signed = spec.kind === 'contribution';
  const valueText = (v: number): string => (signed ? `${v >= 0 ? '+' : ''}${v.toFixed(4)}` : percent(v));
  const rowsHeight = Math.max(1, spec.bars.length) * ROW;
  const barsLeft = labelWidth + 10;
  const width = Math.max(
    barsLeft + BAR_AREA + 60,
    textWidth(spec.heading, 13),
    textWidth(spec.valueAxis, LABEL_SIZE),
  );
  return {
    width,
    height: HEADING_HEIGHT + rowsHeight + 24,
    render(left, top) {
      const parts = [heading(left, top, spec.heading)];
      const x0 = left + barsLeft;
      const zero = signed ? x0 + BAR_AREA / 2 : x0;
      const scale = (signed ? BAR_AREA / 2 : BAR_AREA) / largest;
      const firstRow = top + HEADING_HEIGHT;
      if (spec.bars.length === 0) {
        parts.push(text(x0, firstRow + 14, '(no weights)', { 'font-size': LABEL_SIZE, fill: '#555555' }));
      }
      spec.bars.forEach((bar, k) => {
        const y = firstRow + k * ROW;
        const length = Math.abs(bar.value) * scale;
        const x = bar.value < 0 ? zero - length : zero;
        parts.push(
          text(left + labelWidth, y + 14, labels[k], {
            'font-size': LABEL_SIZE,
            'text-anchor': 'end',
            fill: '#111111',
          }),
          element(
            'rect',
            {
              x,
              y: y + 3,
              width: length,
              height: ROW - 6,
              fill: bar.label === spec.highlight ? HIGHLIGHTED : bar.value < 0 ? NEGATIVE : POSITIVE,
              class: bar.label === spec.highlight ? 'bar highlighted' : 'bar',
              'data-value': String(bar.value),
            },
            tooltip(`${labels[k]}: ${valueText(bar.value)}`),
          ),
          text(bar.value < 0 ? x - 4 : x + length + 4, y + 14, valueText(bar.value), {
            'font-size': LABEL_SIZE,
            'text-anchor': bar.value < 0 ? 'end' : 'start',
            fill: '#333333',
          }),
        );
      });
      if (signed) {
        parts.push(
          element('line', { x1: zero, y1: firstRow, x2: zero, y2: firstRow + rowsHeight, stroke: '#333333' }),
        );
      }
      parts.push(
        text(x0, firstRow + rowsHeight + 16, spec.valueAxis, {
          'font-size': LABEL_SIZE,
          'font-style': 'italic',
          fill: '#555555',
        }),
      );
      return [element('g', { class: 'weight-bars' }, parts)];
    },
  };
}

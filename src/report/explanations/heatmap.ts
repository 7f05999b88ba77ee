/**
 * A heatmap panel: one cell per (row, column), the deeper the blue the larger the value, each cell
 * also printing its value so that the colour never has to be read exactly. Cells without a value
 * (a genre the user's movies never had) are left grey and empty. SAIN's Fig. 3 (query feature ×
 * key feature, per head) and AANMF's Fig. 7 (user attribute × movie genre) are drawn with it.
 */
import { HeedError } from '../../util/errors.js';
import { coordinate, element, text, textWidth } from '../svg.js';
import { checkFiniteNumber, checkText } from '../validate.js';
import { heading, HEADING_HEIGHT, LABEL_SIZE, tooltip, truncate, type Panel } from './panel.js';

export interface HeatmapSpec {
  readonly heading: string;
  /** What the rows are (written above the row labels). */
  readonly rowAxis: string;
  /** What the columns are (written under the column labels). */
  readonly columnAxis: string;
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  /** `values[r][c]`; null where there is no value. */
  readonly values: ReadonlyArray<ReadonlyArray<number | null>>;
  /** How a value is printed in its cell (default: two decimals). */
  readonly format?: (value: number) => string;
}

const CELL_WIDTH = 46;
const CELL_HEIGHT = 24;
const LABEL_CHARS = 32;
/** The deepest colour (Okabe-Ito blue, the palette's first series). */
const DEEP = [0x00, 0x72, 0xb2] as const;

export function heatmapPanel(spec: HeatmapSpec): Panel {
  checkHeatmap(spec);
  const rows = spec.rows.map((r) => truncate(r, LABEL_CHARS));
  const columns = spec.columns.map((c) => truncate(c, LABEL_CHARS));
  const format = spec.format ?? ((v: number) => v.toFixed(2));
  const present = spec.values.flat().filter((v): v is number => v !== null);
  const largest = Math.max(1e-12, ...present.map(Math.abs));
  const rowLabelWidth = Math.max(
    textWidth(spec.rowAxis, LABEL_SIZE),
    ...rows.map((r) => textWidth(r, LABEL_SIZE)),
  );
  // Column labels run up and to the right at 45°, above the grid.
  const columnDepth = Math.max(...columns.map((c) => textWidth(c, LABEL_SIZE))) * Math.SQRT1_2 + 10;
  const gridLeft = rowLabelWidth + 10;
  const gridWidth = columns.length * CELL_WIDTH;
  const gridHeight = rows.length * CELL_HEIGHT;
  const width = Math.max(
    gridLeft + gridWidth + columnDepth,
    textWidth(spec.heading, 13),
    gridLeft + textWidth(spec.columnAxis, LABEL_SIZE),
  );
  const height = HEADING_HEIGHT + columnDepth + gridHeight + 24;

  return {
    width,
    height,
    render(left, top) {
      const gridTop = top + HEADING_HEIGHT + columnDepth;
      const x0 = left + gridLeft;
      const parts = [heading(left, top, spec.heading)];
      parts.push(
        text(left + rowLabelWidth, gridTop - 6, spec.rowAxis, {
          'font-size': LABEL_SIZE,
          'font-style': 'italic',
          'text-anchor': 'end',
          fill: '#555555',
        }),
      );
      columns.forEach((label, c) => {
        const x = x0 + (c + 0.5) * CELL_WIDTH;
        const y = gridTop - 6;
        parts.push(
          text(x, y, label, {
            'font-size': LABEL_SIZE,
            transform: `rotate(-45 ${coordinate(x)} ${coordinate(y)})`,
            fill: '#333333',
          }),
        );
      });
      rows.forEach((label, r) => {
        const y = gridTop + r * CELL_HEIGHT;
        parts.push(
          text(left + rowLabelWidth, y + CELL_HEIGHT / 2 + 4, label, {
            'font-size': LABEL_SIZE,
            'text-anchor': 'end',
            fill: '#333333',
          }),
        );
        spec.values[r].forEach((value, c) => {
          const x = x0 + c * CELL_WIDTH;
          const share = value === null ? 0 : Math.abs(value) / largest;
          parts.push(
            element(
              'rect',
              {
                x,
                y,
                width: CELL_WIDTH,
                height: CELL_HEIGHT,
                fill: value === null ? '#eeeeee' : shade(share),
                stroke: '#ffffff',
                class: 'cell',
                'data-row': r,
                'data-column': c,
                'data-value': value === null ? undefined : String(value),
              },
              tooltip(`${rows[r]} × ${columns[c]}: ${value === null ? 'no value' : format(value)}`),
            ),
          );
          if (value !== null) {
            parts.push(
              text(x + CELL_WIDTH / 2, y + CELL_HEIGHT / 2 + 4, format(value), {
                'font-size': 10,
                'text-anchor': 'middle',
                fill: share > 0.55 ? '#ffffff' : '#111111',
              }),
            );
          }
        });
      });
      parts.push(
        text(x0, gridTop + gridHeight + 16, spec.columnAxis, {
          'font-size': LABEL_SIZE,
          'font-style': 'italic',
          fill: '#555555',
        }),
      );
      return [element('g', { class: 'heatmap' }, parts)];
    },
  };
}

/** White at 0, the deep blue at 1. */
function shade(share: number): string {
  const mix = (deep: number): number => Math.round(255 + (deep - 255) * Math.min(1, Math.max(0, share)));
  return `#${DEEP.map((d) => mix(d).toString(16).padStart(2, '0')).join('')}`;
}

function checkHeatmap(spec: HeatmapSpec): void {
  checkText(spec.heading, 'heatmap.heading');
  if (spec.rows.length === 0 || spec.columns.length === 0)
    throw new HeedError(`heatmap "${spec.heading}": needs at least one row and one column`);
  if (spec.values.length !== spec.rows.length)
    throw new HeedError(
      `heatmap "${spec.heading}": ${spec.values.length} value rows for ${spec.rows.length} rows`,
    );
  spec.values.forEach((row, r) => {
    if (row.length !== spec.columns.length) {
      throw new HeedError(
        `heatmap "${spec.heading}": row ${r} has ${row.length} values for ${spec.columns.length} columns`,
      );
    }
    row.forEach((v, c) => {
      if (v !== null) checkFiniteNumber(v, `heatmap "${spec.heading}" values[${r}][${c}]`);
    });
  });
}

/**
 * The SVG figures of an experiment: each figure series as a line chart (mean ± sd over seeds ×
 * folds at each value of the varied setting, as the papers plot them), and each Friedman test as
 * a critical-difference diagram (Demšar 2006, as AANMF Fig. 6). Written beside results.md.
 */
import * as path from 'node:path';
import { criticalDifferenceDiagram } from '../report/critical-difference-diagram.js';
import { lineChart, type LinePoint } from '../report/line-chart.js';
import { writeFileAtomic } from '../util/io.js';
import type { Experiment } from './format.js';
import type { ExperimentSummary } from './summary.js';

export interface WrittenFigure {
  readonly title: string;
  /** File name, relative to the output directory. */
  readonly file: string;
}

export function writeFigures(
  outDir: string,
  experiment: Experiment,
  summary: ExperimentSummary,
): WrittenFigure[] {
  const written: WrittenFigure[] = [];
  for (const f of summary.figures) {
    const spec = experiment.figures.find((g) => g.id === f.id);
    const series = f.series
      .map((s) => ({
        name: s.label,
        points: s.points.flatMap((p): LinePoint[] =>
          p.mean === null
            ? []
            : [
                {
                  x: typeof p.x === 'number' ? p.x : String(p.x),
                  y: p.mean,
                  ...(p.sd !== null && p.sd > 0 ? { low: p.mean - p.sd, high: p.mean + p.sd } : {}),
                },
              ],
        ),
      }))
      .filter((s) => s.points.length > 0);
    if (series.length === 0) continue;
    const file = `${f.id}.svg`;
    writeFileAtomic(
      path.join(outDir, file),
      lineChart({
        title: f.title,
        xLabel: spec?.xLabel ?? spec?.vary ?? 'setting',
        yLabel: `test ${f.metric.toUpperCase()} (mean ± sd)`,
        series,
      }),
    );
    written.push({ title: f.title, file });
  }
  for (const fr of summary.friedman) {
    const file = `critical-difference-${fr.metric.replace(/[^a-z0-9]+/g, '-')}.svg`;
    const title = `${experiment.title}: ${fr.metric.toUpperCase()}, Friedman p = ${fr.pValue.toPrecision(2)}`;
    writeFileAtomic(
      path.join(outDir, file),
      criticalDifferenceDiagram({
        title,
        ranks: fr.labels.map((name, i) => ({ name, rank: fr.averageRanks[i] })),
        cd: fr.criticalDifference,
        alpha: 0.05,
        blocks: fr.blocks,
      }),
    );
    written.push({ title: `Critical difference diagram, ${fr.metric.toUpperCase()}`, file });
  }
  return written;
}

/**
 * The reports of an experiment: `results.json` (every run record and the summary) and
 * `results.md` (the table with the paper's numbers beside Heed's mean ± sd and the difference,
 * the figures' data, the sweep's points, and what a quick run cut). Both are rebuilt from the
 * stored runs alone.
 */
import * as path from 'node:path';
import { formatMarkdownTable } from '../cli/table.js';
import { writeFileAtomic } from '../util/io.js';
import { writeFigures, type WrittenFigure } from './figures.js';
import type { Experiment } from './format.js';
import { pointText } from './progress.js';
import type { RunRecord } from './store.js';
import { summarize, type ExperimentSummary, type MetricSummary } from './summary.js';

export interface ReportInput {
  readonly experiment: Experiment;
  readonly records: readonly RunRecord[];
  readonly quick: boolean;
  /** What `--quick` cut (`Plan.quickNotes`). */
  readonly quickNotes: readonly string[];
  /** Runs the plan has that are not in `records` (an interrupted or partial run). */
  readonly missing: number;
}

export interface WrittenReport {
  readonly json: string;
  readonly markdown: string;
  readonly summary: ExperimentSummary;
  readonly text: string;
  /** SVG files written beside results.md. */
  readonly figures: readonly WrittenFigure[];
}

/** Writes `results.json` and `results.md` under `outDir` and returns the Markdown. */
export function writeReports(outDir: string, input: ReportInput): WrittenReport {
  const summary = summarize(input.experiment, input.records);
  const figures = writeFigures(outDir, input.experiment, summary);
  const text =
    markdownReport(input, summary) +
    (figures.length > 0
      ? `\nFigures:\n\n${figures.map((f) => `- [${f.title}](${f.file})`).join('\n')}\n`
      : '');
  const json = path.join(outDir, 'results.json');
  const markdown = path.join(outDir, 'results.md');
  writeFileAtomic(
    json,
    JSON.stringify(
      {
        experiment: input.experiment,
        quick: input.quick,
        quickNotes: input.quickNotes,
        missing: input.missing,
        summary,
        runs: input.records,
      },
      null,
      2,
    ) + '\n',
  );
  writeFileAtomic(markdown, text);
  return { json, markdown, summary, text, figures };
}

/** The Markdown report (also what `heed reproduce` prints). */
export function markdownReport(input: ReportInput, summary: ExperimentSummary): string {
  const e = input.experiment;
  const out: string[] = [`## ${e.title}${input.quick ? ' (quick run)' : ''}`, ''];
  if (e.source !== undefined) out.push(`Paper: ${e.source}.`, '');
  out.push(
    `Data set \`${e.dataset}\`, split \`${e.split}\`, ${input.records.length} runs` +
      `${input.missing > 0 ? ` (${input.missing} not run yet: the numbers below are partial)` : ''}. ` +
      'Heed: mean ± sd over seeds × folds' +
      (hasPaperNumbers(e) ? '; Δ = Heed − paper.' : '.'),
    '',
  );
  const imported = input.records.filter((r) => r.provenance !== undefined);
  if (imported.length > 0) {
    const sources = [...new Set(imported.map((r) => r.provenance?.source ?? ''))].sort();
    out.push(
      `${imported.length} of these runs were measured before the experiment runner and imported with ` +
        `their numbers unchanged (each run record's \`provenance\` gives the source, date, command and machine): ` +
        `${sourceList(sources)}.`,
      '',
    );
  }
  if (summary.rows.length > 0) out.push(rowTable(e, summary), '');
  // A row with no stored run is named rather than left out, so a partial table cannot pass for a
  // whole one.
  const unrun = e.models.filter((m) => !summary.rows.some((r) => r.label === m.label)).map((m) => m.label);
  if (unrun.length > 0) out.push(`Rows with no run yet: ${unrun.join(', ')}.`, '');
  const notes = summary.rows.filter((r) => r.note !== undefined).map((r) => `- ${r.label}: ${r.note}`);
  const best = summary.rows.find((r) => r.point !== undefined);
  if (best?.point !== undefined) notes.push(`- ${best.label}: ${pointText(best.point)}`);
  if (notes.length > 0) out.push(...notes, '');
  if (input.quick && input.quickNotes.length > 0)
    out.push('What the quick run cut:', '', ...input.quickNotes.map((n) => `- ${n}`), '');
  if (summary.paired.length > 0) {
    out.push(
      `Paired tests against ${e.reference ?? 'the reference'} over the seeds × folds both ran (p-values):`,
      '',
    );
    out.push(
      formatMarkdownTable(
        ['Model', 'metric', 'pairs', 'mean difference', 't-test p', 'Wilcoxon p'],
        summary.paired.map((p) => [
          p.label,
          p.metric.toUpperCase(),
          String(p.n),
          signed(p.meanDifference),
          pValue(p.tTestP),
          pValue(p.wilcoxonP),
        ]),
      ),
      '',
    );
  }
  for (const f of summary.friedman) {
    out.push(
      `Friedman test on ${f.metric.toUpperCase()} over ${f.blocks} blocks (seed × fold): p = ${pValue(f.pValue)}; ` +
        `Nemenyi critical difference (α = 0.05) ${f.criticalDifference.toFixed(3)}. Average ranks (1 = best): ` +
        f.labels.map((label, i) => `${label} ${f.averageRanks[i].toFixed(2)}`).join(', ') +
        '.',
      '',
    );
  }
  for (const f of summary.figures) {
    const spec = e.figures.find((g) => g.id === f.id);
    out.push(`### ${f.title}${spec?.source !== undefined ? ` (${spec.source})` : ''}`, '');
    const xs = [...new Set(f.series.flatMap((s) => s.points.map((p) => String(p.x))))];
    const rows = f.series.map((s) => [
      s.label,
      ...xs.map((x) => {
        const p = s.points.find((q) => String(q.x) === x);
        return p === undefined ? '-' : meanSdText(p.mean, p.sd);
      }),
    ]);
    out.push(`${f.metric.toUpperCase()} (test) as ${spec?.vary ?? 'the setting'} varies:`, '');
    out.push(formatMarkdownTable([spec?.xLabel ?? spec?.vary ?? 'x', ...xs], rows), '');
  }
  if (summary.sweep !== undefined && e.sweep !== undefined) {
    out.push(`### Sweep: ${e.sweep.label} (${e.sweep.kind}, validation ${e.sweep.metric.toUpperCase()})`, '');
    out.push(
      formatMarkdownTable(
        ['point', `validation ${e.sweep.metric.toUpperCase()}`, 'runs'],
        summary.sweep.map((p) => [
          pointText(p.point),
          p.mean === null ? '-' : p.mean.toFixed(4),
          String(p.runs),
        ]),
      ),
      '',
    );
  }
  if (e.notes !== undefined) out.push(...e.notes.map((n) => `- ${n}`), '');
  return out.join('\n').replace(/\n*$/, '\n');
}

/** Whether some row has the paper's number beside Heed's: only then do the paper and Δ columns exist. */
function hasPaperNumbers(e: Experiment): boolean {
  return e.models.some((m) => m.paper !== undefined);
}

function rowTable(e: Experiment, summary: ExperimentSummary): string {
  const hasPaper = hasPaperNumbers(e);
  const headers = ['Model', 'Heed model'];
  for (const name of e.metrics) {
    const label = name.toUpperCase();
    headers.push(`${label} Heed`);
    if (hasPaper) headers.push(`${label} paper`, `${label} Δ`);
  }
  if (e.catalogueNdcg !== undefined) headers.push(`NDCG@${e.catalogueNdcg} (catalogue)`);
  headers.push('runs');
  const rows = summary.rows.map((r) => {
    const cells = [r.label, `\`${r.model}\``];
    for (const name of e.metrics) {
      const m: MetricSummary | undefined = r.metrics[name];
      cells.push(m === undefined ? '-' : meanSdText(m.mean, m.sd));
      if (hasPaper)
        cells.push(
          m?.paper === undefined ? '-' : m.paper.toFixed(4),
          m?.difference === undefined ? '-' : signed(m.difference),
        );
    }
    if (e.catalogueNdcg !== undefined)
      cells.push(r.catalogueNdcg === undefined ? '-' : meanSdText(r.catalogueNdcg.mean, r.catalogueNdcg.sd));
    cells.push(String(r.runs));
    return cells;
  });
  return formatMarkdownTable(headers, rows);
}

/** Source files, one directory's files shown as `dir/ (n files)` when there are more than two. */
function sourceList(files: readonly string[]): string {
  const byDir = new Map<string, string[]>();
  for (const f of files) byDir.set(path.dirname(f), [...(byDir.get(path.dirname(f)) ?? []), f]);
  return [...byDir.entries()]
    .flatMap(([dir, own]) =>
      own.length > 2 ? [`\`${dir}/\` (${own.length} files)`] : own.map((f) => `\`${f}\``),
    )
    .join(', ');
}

function meanSdText(mean: number | null, sd: number | null): string {
  if (mean === null) return '-';
  return sd === null || sd === 0 ? mean.toFixed(4) : `${mean.toFixed(4)} ± ${sd.toFixed(4)}`;
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;
}

function pValue(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}

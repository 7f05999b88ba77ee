/**
 * An experiment whose data set Heed does not ship (its file has `userData`) and whose files are not
 * in the data directory: `heed reproduce` prints the paper's rows of it as "data not available
 * here", with what the user must provide and the command that fits the rows once the files are
 * there, instead of failing the whole reproduction or leaving the rows out silently.
 */
import { formatMarkdownTable } from '../cli/table.js';
import { missingDatasetFiles } from '../data/registry.js';
import type { Experiment } from './format.js';
import { readExperimentFile } from './load.js';
import { paperExperimentFiles } from './papers.js';

/** What `heed reproduce` says about one such experiment (also its `--json` entry). */
export interface UnavailableExperiment {
  readonly name: string;
  readonly title: string;
  readonly dataset: string;
  /** Where Heed looked for the files (`missingDatasetFiles`). */
  readonly lookedIn: string;
  /** What the user must provide (the experiment file's `userData`). */
  readonly userData: string;
  /** The command that fits the rows once the files are there. */
  readonly command: string;
  readonly rows: readonly {
    readonly label: string;
    readonly model: string;
    readonly paper: Readonly<Record<string, number>>;
  }[];
}

export function unavailableExperiment(
  experiment: Experiment,
  lookedIn: string,
  command: string,
): UnavailableExperiment {
  return {
    name: experiment.name,
    title: experiment.title,
    dataset: experiment.dataset,
    lookedIn,
    userData: experiment.userData ?? '',
    command,
    rows: experiment.models.map((m) => ({ label: m.label, model: m.model, paper: m.paper ?? {} })),
  };
}

/** The Markdown section: the paper's numbers, "data not available here" in Heed's column. */
export function unavailableMarkdown(u: UnavailableExperiment, experiment: Experiment): string {
  const metrics = experiment.metrics.filter((name) => u.rows.some((r) => r.paper[name] !== undefined));
  const table = formatMarkdownTable(
    ['Model', 'Heed model', ...metrics.map((name) => `${name.toUpperCase()} paper`), 'Heed'],
    u.rows.map((r) => [
      r.label,
      `\`${r.model}\``,
      ...metrics.map((name) => (r.paper[name] !== undefined ? r.paper[name].toFixed(4) : '-')),
      'data not available here',
    ]),
  );
  return [
    `## ${u.title}`,
    '',
    ...(experiment.source !== undefined ? [`Paper: ${experiment.source}.`, ''] : []),
    `Data set \`${u.dataset}\`: **data not available here** (looked for ${u.lookedIn}). ${u.userData}`,
    '',
    table.trimEnd(),
    '',
    'Once the files are there, this fits the rows above (and `heed reproduce` then fits them too):',
    '',
    '```sh',
    u.command,
    '```',
    '',
  ].join('\n');
}

/**
 * A paper's experiment files to run, and those set aside because their data set is one Heed does
 * not ship (`userData` in the file) and its files are not there. A shipped data set that is
 * missing stays in `files`, so that loading it fails with the loader's error.
 */
export function partitionByData(
  paper: string,
  dataDir: string | undefined,
  command: (file: string, name: string) => string,
): { files: string[]; unavailable: { experiment: Experiment; report: UnavailableExperiment }[] } {
  const files: string[] = [];
  const unavailable: { experiment: Experiment; report: UnavailableExperiment }[] = [];
  for (const file of paperExperimentFiles(paper)) {
    const experiment = readExperimentFile(file);
    const lookedIn =
      experiment.userData !== undefined
        ? missingDatasetFiles(experiment.dataset, dataDir !== undefined ? { dataDir } : {})
        : undefined;
    if (lookedIn === undefined) files.push(file);
    else
      unavailable.push({
        experiment,
        report: unavailableExperiment(experiment, lookedIn, command(file, experiment.name)),
      });
  }
  return { files, unavailable };
}

/**
 * `heed reproduce <paper>`: runs the paper's experiment files shipped with Heed
 * (`experiments/<paper>/*.json`) and prints each table with the paper's numbers beside Heed's.
 * Results go to `heed-results/<paper>[-quick]/<experiment>/` unless `--out` says otherwise;
 * finished runs there are reused, so an interrupted reproduction resumes.
 */
import * as path from 'node:path';
import { readExperimentFile } from '../experiment/load.js';
import { partitionByData, unavailableMarkdown } from '../experiment/unavailable.js';
import { friedmanAcrossExperiments, type NamedSummary } from '../experiment/significance.js';
import type { ExperimentSummary } from '../experiment/summary.js';
import { criticalDifferenceDiagram } from '../report/critical-difference-diagram.js';
import { writeFileAtomic } from '../util/io.js';
import { formatMarkdownTable } from './table.js';
import { PAPERS } from '../experiment/papers.js';
import { InterruptedError, UsageError } from '../util/errors.js';
import { printJson, type Command } from './command.js';
import { formatDuration } from '../experiment/progress.js';
import {
  EXPERIMENT_FLAGS,
  jobsFlag,
  pendingSeconds,
  resumeCommand,
  runExperimentFile,
} from './experiment.js';

export const reproduceCommand: Command = {
  spec: {
    name: 'reproduce',
    summary:
      `Reproduce a paper's tables and figures (${PAPERS.join(', ')}): the paper's number, Heed's mean ± sd over seeds ` +
      'and the difference on every row. --quick runs one seed and cuts the slowest settings.',
    positionals: [{ name: 'PAPER', description: PAPERS.join(', ') }],
    flags: {
      ...EXPERIMENT_FLAGS,
      out: {
        kind: 'string',
        value: 'DIR',
        description: 'Where each experiment of the paper writes its runs and reports (one directory each)',
        defaultText: 'heed-results/<paper>[-quick]',
      },
    },
    examples: [
      'heed reproduce sain --data-dir ../shared/data --quick',
      'heed reproduce aanmf --data-dir ../shared/data --jobs 2',
    ],
  },
  async run(args, io) {
    const paper = args.positionals[0];
    if (paper === undefined) throw new UsageError(`heed reproduce needs a PAPER: ${PAPERS.join(', ')}`);
    const quick = args.switch('quick');
    const outRoot = args.string('out') ?? path.join('heed-results', `${paper}${quick ? '-quick' : ''}`);
    const dataDir = args.string('data-dir');
    const jobs = jobsFlag(args);
    const { files, unavailable } = partitionByData(paper, dataDir, (file, name) =>
      resumeCommand(['experiment', 'run', file], { outDir: path.join(outRoot, name), dataDir, quick, jobs }),
    );
    io.stderr.write(
      `heed reproduce ${paper}: ${files.length} experiment file(s)` +
        (unavailable.length > 0 ? ` (and ${unavailable.length} whose data is not here)` : '') +
        `; results in ${path.resolve(outRoot)}\n` +
        (quick
          ? 'quick run: one seed and cut settings (listed under each table); the numbers are not the full reproduction\n'
          : ''),
    );
    // The whole reproduction's expected time, before any fitting (per-file lines follow).
    let expected = 0;
    for (const file of files) {
      const name = readExperimentFile(file).name;
      expected += await pendingSeconds(file, {
        outDir: path.join(outRoot, name),
        ...(dataDir !== undefined ? { dataDir } : {}),
        quick,
      });
    }
    io.stderr.write(
      `expected time: about ${formatDuration(expected / jobs)} on a 2-core machine like the one BENCHMARKS.md was measured on` +
        `${jobs > 1 ? ` (${jobs} jobs at once)` : ' (--jobs 2 fits two runs at once)'}\n`,
    );
    // Rows that cannot be fitted here come first: the user learns it before hours of fitting.
    for (const { experiment, report } of unavailable) {
      io.stderr.write(`${experiment.name}: data not available here (${experiment.dataset})\n`);
      if (!args.switch('json')) io.stdout.write(`${unavailableMarkdown(report, experiment)}\n`);
    }
    const summaries: Record<string, ExperimentSummary> = {};
    const named: NamedSummary[] = [];
    for (const file of files) {
      const name = readExperimentFile(file).name;
      const outcome = await runExperimentFile(
        file,
        {
          outDir: path.join(outRoot, name),
          ...(dataDir !== undefined ? { dataDir } : {}),
          quick,
          reportOnly: false,
          quiet: args.switch('quiet'),
          jobs,
        },
        io,
      );
      // An interrupted experiment's table is partial: it stays in its results.md, off stdout, and
      // the comparison across experiments is not made.
      if (outcome.interrupted)
        throw new InterruptedError(
          `interrupted in ${name}: to resume, run ${resumeCommand(['reproduce', paper], { outDir: outRoot, dataDir, quick, jobs })}`,
        );
      summaries[name] = outcome.summary;
      named.push({ name, metrics: readExperimentFile(file).metrics, rows: outcome.summary.rows });
      if (!args.switch('json')) io.stdout.write(`${outcome.markdown}\n`);
    }
    const across = named.length > 1 ? friedmanAcrossExperiments(named) : undefined;
    if (across !== undefined) {
      const text = acrossExperimentsText(paper, across);
      writeFileAtomic(
        path.join(outRoot, 'critical-difference.svg'),
        criticalDifferenceDiagram({
          title: `${paper}: models ranked over ${across.blocks} data set x metric blocks`,
          ranks: across.labels.map((name, i) => ({ name, rank: across.averageRanks[i] })),
          cd: across.criticalDifference,
          alpha: 0.05,
          blocks: across.blocks,
        }),
      );
      writeFileAtomic(path.join(outRoot, 'friedman.md'), text);
      if (!args.switch('json')) io.stdout.write(`${text}\n`);
    }
    if (args.switch('json'))
      printJson(io, {
        ...summaries,
        ...(across !== undefined ? { acrossExperiments: across } : {}),
        ...(unavailable.length > 0 ? { dataNotAvailable: unavailable.map((u) => u.report) } : {}),
      });
  },
};

function acrossExperimentsText(
  paper: string,
  f: NonNullable<ReturnType<typeof friedmanAcrossExperiments>>,
): string {
  return [
    `## ${paper}: Friedman test across the experiments`,
    '',
    `Blocks: ${f.blockNames.join(', ')} (each model's mean over seeds × folds). Friedman p = ${f.pValue.toPrecision(3)}; ` +
      `Nemenyi critical difference (α = 0.05) ${f.criticalDifference.toFixed(3)}.`,
    '',
    formatMarkdownTable(
      ['Model', 'average rank (1 = best)'],
      f.labels.map((label, i) => [label, f.averageRanks[i].toFixed(3)]),
    ),
    '',
    'Figure: [critical-difference.svg](critical-difference.svg)',
    '',
  ].join('\n');
}

/**
 * `heed experiment run FILE` and `heed experiment report FILE`: run an experiment file (fitting
 * only the runs not already stored under the output directory) or rebuild its reports from the
 * stored runs without fitting. docs/EXPERIMENTS.md describes the file and the output.
 */
import * as path from 'node:path';
import { readExperimentFile } from '../experiment/load.js';
import { planExperiment } from '../experiment/plan.js';
import { writeReports } from '../experiment/report.js';
import { runExperiment, storedReport } from '../experiment/runner.js';
import { RunStore } from '../experiment/store.js';
import type { ExperimentSummary } from '../experiment/summary.js';
import { InterruptedError, UsageError } from '../util/errors.js';
import { printJson, type CliIo, type Command } from './command.js';
import { openDataset } from './common.js';
import type { FlagSpec, ParsedArgs } from './flags.js';

export const EXPERIMENT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  out: {
    kind: 'string',
    value: 'DIR',
    description: 'Where runs/, results.json and results.md go',
    defaultText: 'heed-results/<experiment name>[-quick]',
  },
  'data-dir': {
    kind: 'string',
    value: 'DIR',
    description: 'Where the data set files are (see heed datasets)',
  },
  quick: { kind: 'switch', description: "Apply the file's quick changes (fewer seeds, cut settings)" },
  json: { kind: 'switch', description: 'Print the summary as one JSON object instead of Markdown' },
  quiet: { kind: 'switch', description: 'No progress lines on stderr' },
};

/** What one experiment file's run (or report) produced. */
export interface ExperimentFileOutcome {
  readonly markdown: string;
  readonly resultsFile: string;
  readonly summary: ExperimentSummary;
  readonly interrupted: boolean;
}

/**
 * Runs (or, with `reportOnly`, only reports) one experiment file and writes its reports under
 * `outDir`; progress and the expected time go to stderr.
 */
export async function runExperimentFile(
  file: string,
  options: { outDir: string; dataDir?: string; quick: boolean; reportOnly: boolean; quiet: boolean },
  io: CliIo,
): Promise<ExperimentFileOutcome> {
  const experiment = readExperimentFile(file);
  const dataset = await openDataset(experiment.dataset, options.dataDir, io.stderr);
  if (options.reportOnly) {
    const written = writeReports(
      options.outDir,
      storedReport({ experiment, dataset, quick: options.quick, file }, new RunStore(options.outDir)),
    );
    return {
      markdown: written.text,
      resultsFile: written.markdown,
      summary: written.summary,
      interrupted: false,
    };
  }
  const outcome = await runExperiment({
    experiment,
    file,
    dataset,
    outDir: options.outDir,
    quick: options.quick,
    ...(options.quiet ? {} : { progress: io.stderr }),
    ...(io.signal ? { signal: io.signal } : {}),
  });
  const planned = new Set(outcome.plan.runs.map((r) => r.key));
  const written = writeReports(options.outDir, {
    experiment,
    records: outcome.records,
    quick: options.quick,
    quickNotes: outcome.plan.quickNotes,
    missing: [...planned].filter((k) => !outcome.records.some((r) => r.key === k)).length,
  });
  io.stderr.write(
    `${experiment.name}: ${outcome.fitted} runs fitted, ${outcome.reused} reused from ${options.outDir}; ` +
      `report in ${written.markdown}\n`,
  );
  if (outcome.interrupted)
    io.stderr.write(
      `${experiment.name}: interrupted: ${outcome.records.length} finished runs are kept in ` +
        `${path.join(options.outDir, 'runs')}; the run in progress was not stored\n`,
    );
  return {
    markdown: written.text,
    resultsFile: written.markdown,
    summary: written.summary,
    interrupted: outcome.interrupted,
  };
}

/** Seconds the runs of an experiment file not yet stored under `outDir` are expected to take. */
export async function pendingSeconds(
  file: string,
  options: { outDir: string; dataDir?: string; quick: boolean },
): Promise<number> {
  const experiment = readExperimentFile(file);
  const dataset = await openDataset(experiment.dataset, options.dataDir, { write: () => {} });
  const plan = planExperiment({ experiment, dataset, quick: options.quick, file });
  const store = new RunStore(options.outDir);
  return plan.runs.filter((r) => !store.has(r.key)).reduce((s, r) => s + r.expectedSeconds, 0);
}

/**
 * The command that picks up an interrupted run where it stopped: the same output directory, data
 * directory and --quick, with absolute paths so it works from any directory.
 */
export function resumeCommand(
  words: readonly string[],
  options: { outDir: string; dataDir: string | undefined; quick: boolean },
): string {
  const all = [
    'heed',
    ...words,
    '--out',
    path.resolve(options.outDir),
    ...(options.dataDir !== undefined ? ['--data-dir', path.resolve(options.dataDir)] : []),
    ...(options.quick ? ['--quick'] : []),
  ];
  return all.map(shellWord).join(' ');
}

/** A word as a POSIX shell reads it back: quoted when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function requireFile(args: ParsedArgs, command: string): string {
  const file = args.positionals[0];
  if (file === undefined)
    throw new UsageError(`heed ${command} needs an experiment FILE (see docs/EXPERIMENTS.md)`);
  return file;
}

function defaultOut(file: string, quick: boolean): string {
  const experiment = readExperimentFile(file);
  return path.join('heed-results', `${experiment.name}${quick ? '-quick' : ''}`);
}

async function runOrReport(args: ParsedArgs, io: CliIo, reportOnly: boolean): Promise<void> {
  const file = requireFile(args, reportOnly ? 'experiment report' : 'experiment run');
  const quick = args.switch('quick');
  const outDir = args.string('out') ?? defaultOut(file, quick);
  const dataDir = args.string('data-dir');
  const outcome = await runExperimentFile(
    file,
    { outDir, ...(dataDir !== undefined ? { dataDir } : {}), quick, reportOnly, quiet: args.switch('quiet') },
    io,
  );
  // Like heed evaluate: stdout carries only a finished result; the partial report is in outDir.
  if (outcome.interrupted)
    throw new InterruptedError(
      `interrupted: to resume, run ${resumeCommand(['experiment', 'run', path.resolve(file)], { outDir, dataDir, quick })}`,
    );
  if (args.switch('json')) printJson(io, outcome.summary);
  else io.stdout.write(outcome.markdown);
}

export const experimentRunCommand: Command = {
  spec: {
    name: 'experiment run',
    summary:
      'Run an experiment file: every model x seed x fold, sweeps on validation, figure series. ' +
      'Finished runs are stored and reused, so an interrupted run resumes where it stopped.',
    positionals: [{ name: 'FILE', description: 'An experiment JSON file (docs/EXPERIMENTS.md)' }],
    flags: EXPERIMENT_FLAGS,
    examples: [
      'heed experiment run experiments/sain/table2.json --data-dir ../shared/data',
      'heed experiment run my-experiment.json --out results/mine --quick',
    ],
  },
  run: (args, io) => runOrReport(args, io, false),
};

export const experimentReportCommand: Command = {
  spec: {
    name: 'experiment report',
    summary: "Rebuild an experiment's results.json and results.md from its stored runs, without fitting.",
    positionals: [{ name: 'FILE', description: 'An experiment JSON file (docs/EXPERIMENTS.md)' }],
    flags: EXPERIMENT_FLAGS,
    examples: ['heed experiment report experiments/sain/table2.json --data-dir ../shared/data'],
  },
  run: (args, io) => runOrReport(args, io, true),
};

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
import { startHelperJobs } from './experiment-jobs.js';
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
  jobs: {
    kind: 'integer',
    value: 'N',
    description:
      'Fit N runs at once in N processes (one core each; finished runs are shared through the output directory)',
    defaultText: '1',
  },
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
  options: {
    outDir: string;
    dataDir?: string;
    quick: boolean;
    reportOnly: boolean;
    quiet: boolean;
    jobs?: number;
    /** Fit only these models' runs (labels); the report covers every stored run. */
    only?: readonly string[];
  },
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
  const jobs = options.jobs ?? 1;
  const helpers =
    jobs > 1
      ? startHelperJobs(
          jobs - 1,
          {
            file,
            outDir: options.outDir,
            ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
            quick: options.quick,
            ...(options.only !== undefined ? { only: options.only } : {}),
          },
          io,
        )
      : undefined;
  let outcome: Awaited<ReturnType<typeof runExperiment>>;
  try {
    outcome = await runExperiment({
      experiment,
      file,
      dataset,
      outDir: options.outDir,
      quick: options.quick,
      jobs,
      ...(options.only !== undefined ? { only: options.only } : {}),
      ...(options.quiet ? {} : { progress: io.stderr }),
      ...(io.signal ? { signal: io.signal } : {}),
    });
  } catch (error) {
    helpers?.stop();
    await helpers?.wait();
    throw error;
  }
  await helpers?.wait();
  const planned = new Set(outcome.plan.runs.map((r) => r.key));
  const written = writeReports(options.outDir, {
    experiment,
    records: outcome.records,
    quick: options.quick,
    quickNotes: outcome.plan.quickNotes,
    missing: [...planned].filter((k) => !outcome.records.some((r) => r.key === k)).length,
  });
  if (!options.quiet)
    io.stderr.write(
      `${experiment.name}: ${outcome.fitted} runs fitted` +
        (outcome.fittedElsewhere > 0 ? `, ${outcome.fittedElsewhere} by the other jobs` : '') +
        `, ${outcome.reused} reused from ${options.outDir}; ` +
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

/** `--only LABEL[,LABEL...]` of `heed experiment run`, as `{ only }` when given. */
function onlyFlag(args: ParsedArgs): { only?: readonly string[] } {
  const text = args.string('only');
  if (text === undefined) return {};
  const labels = text.split(',').map((l) => l.trim());
  if (labels.some((l) => l === '')) throw new UsageError(`flag --only: an empty label in "${text}"`);
  return { only: labels };
}

/** `--jobs`: 1 unless given; a positive number of processes. */
export function jobsFlag(args: ParsedArgs): number {
  const jobs = args.integer('jobs') ?? 1;
  if (jobs < 1 || jobs > 64) throw new UsageError(`flag --jobs must be between 1 and 64, got ${jobs}`);
  return jobs;
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
  options: {
    outDir: string;
    dataDir: string | undefined;
    quick: boolean;
    jobs?: number;
    only?: readonly string[];
  },
): string {
  const all = [
    'heed',
    ...words,
    '--out',
    path.resolve(options.outDir),
    ...(options.dataDir !== undefined ? ['--data-dir', path.resolve(options.dataDir)] : []),
    ...(options.quick ? ['--quick'] : []),
    ...(options.jobs !== undefined && options.jobs > 1 ? ['--jobs', String(options.jobs)] : []),
    ...(options.only !== undefined ? ['--only', options.only.join(',')] : []),
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
    {
      outDir,
      ...(dataDir !== undefined ? { dataDir } : {}),
      quick,
      reportOnly,
      quiet: args.switch('quiet'),
      jobs: jobsFlag(args),
      ...(reportOnly ? {} : onlyFlag(args)),
    },
    io,
  );
  // Like heed evaluate: stdout carries only a finished result; the partial report is in outDir.
  if (outcome.interrupted)
    throw new InterruptedError(
      `interrupted: to resume, run ${resumeCommand(['experiment', 'run', path.resolve(file)], {
        outDir,
        dataDir,
        quick,
        jobs: jobsFlag(args),
        ...(reportOnly ? {} : onlyFlag(args)),
      })}`,
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
    flags: {
      ...EXPERIMENT_FLAGS,
      only: {
        kind: 'string',
        value: 'LABEL[,LABEL...]',
        description:
          "Fit only these models' runs (table rows, figure series, the sweep, by label); the report covers every stored run",
      },
    },
    examples: [
      'heed experiment run experiments/sain/table2.json --data-dir ../shared/data',
      'heed experiment run experiments/afm-gau/table2.json --data-dir ../shared/data --only CDL',
      'heed experiment run my-experiment.json --out results/mine --quick',
      'heed experiment run experiments/aanmf/table4-ml100k.json --data-dir ../shared/data --jobs 2',
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

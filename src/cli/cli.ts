/**
 * The `heed` command line: finds the subcommand, parses its flags strictly, runs it, and turns
 * errors into `heed: <message>` on stderr with exit code 2 for usage errors (bad flags, unknown
 * model), 1 for data and runtime errors and 130 when Ctrl-C stopped the command. Stack traces only with HEED_DEBUG=1.
 */
import { readFileSync } from 'node:fs';
import { HeedError, InterruptedError, UsageError } from '../util/errors.js';
import type { CliIo, Command } from './command.js';
import { dataFetchCommand } from './data-fetch.js';
import { datasetsCommand } from './datasets.js';
import { demoCommand } from './demo.js';
import { evaluateCommand } from './evaluate.js';
import { experimentReportCommand, experimentRunCommand } from './experiment.js';
import { explainCommand } from './explain.js';
import { helpText, parseArgs } from './flags.js';
import { modelsCommand } from './models.js';
import { predictCommand } from './predict.js';
import { reproduceCommand } from './reproduce.js';
import { serveCommand } from './serve.js';
import { trainCommand } from './train.js';

/** Every subcommand, in the order `heed --help` lists them. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  evaluateCommand,
  experimentRunCommand,
  experimentReportCommand,
  reproduceCommand,
  trainCommand,
  predictCommand,
  explainCommand,
  serveCommand,
  modelsCommand,
  datasetsCommand,
  dataFetchCommand,
];

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C (128 + SIGINT's number 2, by shell convention). */
export const EXIT_INTERRUPTED = 130;

/** Runs `heed <argv...>` and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const first = argv[0];
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      io.stdout.write(overview());
      return first === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (first === '--version' || first === '-v') {
      io.stdout.write(`${version()}\n`);
      return EXIT_OK;
    }
    const { command, rest } = findCommand(argv);
    const args = parseArgs(rest, command.spec);
    if (args.help) {
      io.stdout.write(helpText(command.spec));
      return EXIT_OK;
    }
    await command.run(args, io);
    return EXIT_OK;
  } catch (error) {
    return report(error, io);
  }
}

function findCommand(argv: readonly string[]): { command: Command; rest: readonly string[] } {
  // Two-word commands (`data fetch`) first, then one-word ones.
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.spec.name === name);
    if (command !== undefined) return { command, rest: argv.slice(words) };
  }
  const group = COMMANDS.filter((c) => c.spec.name.startsWith(`${argv[0]} `));
  if (group.length > 0) {
    const names = group.map((c) => `heed ${c.spec.name}`).join(', ');
    const given = argv[1] === undefined ? '' : ` "${argv[1]}"`;
    throw new UsageError(`unknown subcommand${given} for heed ${argv[0]}: use ${names}`);
  }
  throw new UsageError(
    `unknown command "${argv[0]}": choose one of ${COMMANDS.map((c) => c.spec.name).join(', ')} (see heed --help)`,
  );
}

function report(error: unknown, io: CliIo): number {
  const debug = io.env.HEED_DEBUG === '1';
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof HeedError) {
    io.stderr.write(`heed: ${message}\n`);
    if (debug && error.stack) io.stderr.write(`${error.stack}\n`);
    if (error instanceof InterruptedError) return EXIT_INTERRUPTED;
    return error instanceof UsageError ? EXIT_USAGE : EXIT_ERROR;
  }
  // Not one of ours: a bug or an unexpected system error. Say so, briefly.
  io.stderr.write(`heed: unexpected error: ${message}\n`);
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write('heed: (run again with HEED_DEBUG=1 to see the stack trace)\n');
  return EXIT_ERROR;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  const lines = [
    `heed ${version()}: attention-based, explainable rating prediction`,
    '',
    'Usage: heed <command> [flags]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${firstSentence(c.spec.summary)}`),
    '',
    'Run heed <command> --help for its flags. Errors exit with 2 (usage) or 1 (data, runtime), Ctrl-C with 130;',
    'HEED_DEBUG=1 adds stack traces.',
  ];
  return lines.join('\n') + '\n';
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end < 0 ? text : text.slice(0, end);
}

function version(): string {
  try {
    // dist/src/cli/cli.js → package.json at the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

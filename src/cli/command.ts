/**
 * What every `heed` subcommand is: its flags (for parsing and `--help`) and what it does. Output
 * goes through `CliIo`, so results go to stdout and everything else (progress, notes) to stderr.
 */
import type { CommandSpec, ParsedArgs } from './flags.js';

export interface OutputStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on the first Ctrl-C: training stops after the current epoch and the command goes on. */
  readonly signal?: AbortSignal;
}

export interface Command {
  readonly spec: CommandSpec;
  run(args: ParsedArgs, io: CliIo): Promise<void>;
}

/** Prints exactly one JSON document on stdout (what `--json` promises). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

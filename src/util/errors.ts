/**
 * Errors that a user can act on. Every message names where the problem is: a file and line, a
 * field, a flag or a config key, and what was expected there.
 */
export class HeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeedError';
  }
}

/** A problem in an input file; the message starts with `file:line` so editors can jump to it. */
export class DataError extends HeedError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(file: string, line: number | undefined, field: string | undefined, problem: string) {
    const where = line === undefined ? file : `${file}:${line}`;
    super(field === undefined ? `${where}: ${problem}` : `${where}: field "${field}": ${problem}`);
    this.name = 'DataError';
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

/** A bad command-line flag or config value; names the flag or key. */
export class UsageError extends HeedError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The command was stopped by Ctrl-C (SIGINT). The CLI exits with 130, the shell's code for "killed
 * by SIGINT", so scripts can tell an interrupted run from a finished one.
 */
export class InterruptedError extends HeedError {
  constructor(message: string) {
    super(message);
    this.name = 'InterruptedError';
  }
}

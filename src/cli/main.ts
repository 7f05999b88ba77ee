#!/usr/bin/env node
/**
 * The `heed` executable (package.json "bin"). All logic is in `cli.ts`; this file only connects it
 * to the process.
 */
import { runCli } from './cli.js';

// `heed ... | head` closes stdout early: stop quietly instead of crashing with EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// stdout carries only results (`--json` promises exactly one JSON document there). Commands write
// results through `io.stdout`; anything a library prints with console.log goes to stderr instead.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

// First Ctrl-C: the command winds down (training stops after the current epoch; train and evaluate
// then exit with 130 and write nothing unless told to; a server stops accepting connections).
// Second Ctrl-C: quit at once (130 = killed by SIGINT, by shell convention).
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  process.stderr.write('\nheed: interrupted, finishing up (Ctrl-C again to quit now)\n');
  interrupt.abort();
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
});
// The SIGINT listener must not keep a finished command alive.
process.removeAllListeners('SIGINT');

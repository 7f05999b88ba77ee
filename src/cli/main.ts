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

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});

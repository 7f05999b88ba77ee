/**
 * Running `heed` from tests: as a child process (what a user sees: exit code, stdout, stderr), or
 * in this process through `runCli` (faster; an AbortSignal stands in for Ctrl-C).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/cli.js';
import type { CliIo } from '../src/cli/command.js';

/** The built executable: dist/test-helpers/cli.js → dist/src/cli/main.js. */
export const HEED_MAIN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'cli',
  'main.js',
);

export interface HeedResult {
  /** The exit code; null when the process was killed (e.g. by the timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface HeedOptions {
  /** Extra environment variables. HEED_DEBUG is unset otherwise: tests check what users see by default. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Milliseconds before the child is killed (default 120 s). */
  readonly timeout?: number;
}

/** Runs the heed executable to its end. */
export function runHeed(args: readonly string[], options: HeedOptions = {}): HeedResult {
  const env = { ...process.env };
  delete env.HEED_DEBUG;
  const r = spawnSync(process.execPath, [HEED_MAIN, ...args], {
    encoding: 'utf8',
    env: { ...env, ...options.env },
    timeout: options.timeout ?? 120_000,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs heed's command line in this process; `signal` stands in for Ctrl-C. */
export async function runHeedHere(
  args: readonly string[],
  signal?: AbortSignal,
): Promise<HeedResult & { readonly code: number }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    ...(signal ? { signal } : {}),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

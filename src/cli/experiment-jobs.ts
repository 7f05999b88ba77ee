/**
 * `--jobs N` of `heed experiment run` and `heed reproduce`: N − 1 more `heed experiment run`
 * processes on the same experiment file and output directory, so that N runs fit at once (the
 * models train on one core each). The processes share the work through run claims
 * (`src/experiment/claims.ts`); this process is job 1 and writes the report. The others run quiet;
 * what they write on stderr (warnings, errors) is passed on prefixed with their job number.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './command.js';

/** dist/src/cli/experiment-jobs.js → dist/src/cli/main.js */
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

export interface HelperJobs {
  /** Waits for every helper to exit; says on stderr which ended badly (their runs are taken over). */
  wait(): Promise<void>;
  /** Stops the helpers (Ctrl-C, or this process failed); each stores nothing unfinished. */
  stop(): void;
}

export function startHelperJobs(
  count: number,
  options: { file: string; outDir: string; dataDir?: string; quick: boolean; only?: readonly string[] },
  io: CliIo,
): HelperJobs {
  const args = [
    MAIN,
    'experiment',
    'run',
    options.file,
    '--out',
    options.outDir,
    ...(options.dataDir !== undefined ? ['--data-dir', options.dataDir] : []),
    ...(options.quick ? ['--quick'] : []),
    ...(options.only !== undefined ? ['--only', options.only.join(',')] : []),
    '--jobs',
    '1',
    '--quiet',
  ];
  const children: { job: number; child: ChildProcess; exited: Promise<number | null> }[] = [];
  for (let job = 2; job <= count + 1; job++) {
    // Their own process group, so that a terminal's Ctrl-C reaches them once, through stop().
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    child.stderr?.setEncoding('utf8');
    let partial = '';
    child.stderr?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) io.stderr.write(`job ${job}: ${line}\n`);
    });
    const exited = new Promise<number | null>((resolve) => {
      child.on('error', (error) => {
        io.stderr.write(`job ${job}: could not start: ${error.message}\n`);
        resolve(null);
      });
      child.on('close', (code) => {
        if (partial !== '') io.stderr.write(`job ${job}: ${partial}\n`);
        resolve(code);
      });
    });
    children.push({ job, child, exited });
  }
  const onSignal = (): void => stop();
  io.signal?.addEventListener('abort', onSignal, { once: true });
  function stop(): void {
    for (const { child } of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  }
  return {
    stop,
    async wait() {
      for (const { job, exited } of children) {
        const code = await exited;
        // 130: stopped by Ctrl-C like this process; anything else is worth a word.
        if (code !== 0 && code !== 130)
          io.stderr.write(
            `job ${job} ended with exit code ${String(code)}; its unfinished runs were left to the others\n`,
          );
      }
      io.signal?.removeEventListener('abort', onSignal);
    },
  };
}

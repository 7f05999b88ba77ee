/**
 * A server in its own process for the HTTP benches: started from a command line, found by the
 * `http://127.0.0.1:PORT/` it prints, stopped with SIGTERM (SIGKILL if it does not exit in 10 s).
 * Its stderr is read and thrown away, so a request log written there costs what it would cost
 * with a reader on the other end of a pipe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

export interface ServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Bytes the server wrote to stderr (its request log, when it goes there). */
  readonly stderrBytes: () => number;
  /** CPU seconds (user + system) the server process has used so far (Linux; not its children). */
  readonly cpuSeconds: () => number;
  readonly stop: () => Promise<void>;
}

export async function startServerProcess(args: readonly string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderrBytes = 0;
  let stderrTail = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderrBytes += chunk.length;
    stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 120_000;
  while (!/http:\/\/127\.0\.0\.1:\d+\//.test(stdout)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start (${args.join(' ')}): ${stderrTail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const port = Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout)?.[1]);
  return {
    port,
    child,
    stderrBytes: () => stderrBytes,
    cpuSeconds: () => processCpuSeconds(child.pid ?? -1),
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** utime + stime from /proc/PID/stat, in seconds (clock ticks of 1/100 s, Linux's USER_HZ). */
function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

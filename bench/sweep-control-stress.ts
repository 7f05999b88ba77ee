/**
 * Stress of the FM sweep pool's control words alone (`Control` in fm-sweep-pool.ts): the fit's
 * thread issues N commands to one worker, whose parts do nothing, and waits for each as a sweep
 * does. The worker counts commands it ran twice or skipped. A lost or late wake-up shows as a
 * repeat, a skip, or a hang (run it under `timeout`).
 *
 *   timeout 60 node dist/bench/sweep-control-stress.js [COMMANDS, default 100000]
 *
 * Prints one JSON line: commands, repeats, skips, seconds and the load average.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Control } from '../src/models/classic/fm-sweep-pool.js';
import { loadAverages } from './machine-load.js';

interface WorkerCount {
  readonly commands: number;
  readonly repeats: number;
  readonly skips: number;
}

async function issueCommands(n: number): Promise<void> {
  const control = new Control();
  const worker = new Worker(new URL(import.meta.url), { workerData: control.buffer });
  await new Promise((resolve) => worker.once('message', resolve));
  const started = performance.now();
  for (let run = 1; run <= n; run++) {
    control.issue({ run, factor: 0, byRows: false, normals: 0, alpha: 0 }, 1);
    await control.awaitWorkers(() => undefined);
  }
  control.issue(undefined, 1);
  const counted = await new Promise<WorkerCount>((resolve) => worker.once('message', resolve));
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ ...counted, seconds, loadAverage: loadAverages() }));
}

/** The worker's side: the same loop as fm-sweep-worker.ts, with a count instead of a part. */
function countCommands(control: Control): WorkerCount {
  let seen = 0;
  let last = 0;
  let repeats = 0;
  let skips = 0;
  for (;;) {
    seen = control.awaitCommand(seen);
    const command = control.command();
    if (command === undefined) return { commands: last, repeats, skips };
    if (command.run === last) repeats++;
    else if (command.run !== last + 1) skips++;
    last = command.run;
    control.done();
  }
}

if (isMainThread) {
  await issueCommands(Number(process.argv[2] ?? '100000'));
} else {
  const control = new Control(workerData as SharedArrayBuffer);
  parentPort?.postMessage('ready');
  parentPort?.postMessage(countCommands(control));
}

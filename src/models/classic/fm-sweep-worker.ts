/**
 * A worker thread of a multi-threaded FM MCMC or ALS fit (`fm-sweep-pool.ts`). Its one message
 * carries its data; it instantiates the kernels over the fit's shared memory, replies, and from
 * then on waits on the control words: each new command is one run's sweep, of which it does its
 * own part (`fm-sweep-part.ts`) and then counts itself done. No message passes per sweep.
 */
import { parentPort } from 'node:worker_threads';
import { fmKernels, sweepPart } from './fm-sweep-part.js';
import { Control, type SweepWorkerData } from './fm-sweep-pool.js';

parentPort?.once('message', (data: SweepWorkerData) => {
  const kernels = fmKernels(data.module, data.memory);
  const control = new Control(data.control);
  parentPort?.postMessage('ready');
  let seen = 0;
  for (;;) {
    seen = control.awaitCommand(seen);
    const command = control.command();
    if (command === undefined) return;
    if (command.exitCode !== undefined && data.thread === 1) process.exit(command.exitCode);
    try {
      sweepPart(kernels, data.at, data.runs[command.run][data.thread], data.scratch, command);
    } catch {
      control.fail();
    }
    control.done();
  }
});

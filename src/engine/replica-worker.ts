/**
 * The worker thread of data-parallel training (`data-parallel.ts`): it starts the same tensor
 * backend as the main thread, builds the model's task from the replica module, checks that its
 * parameters match the shared layout and posts "ready". From then on it only sleeps on the shared
 * sequence number and runs each round the main thread starts (`shared-step.ts`): compute its
 * part's gradient (after copying the shared weights into its replica) or update its share of
 * the parameters. A failure is written to the shared memory, and the round still counts as done so
 * that the main thread wakes and reports it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../util/rng.js';
import { waitForChange } from '../util/wait-for-change.js';
import { initEngine } from './backend.js';
import type { ReplicaTask, ReplicaWorkerData, WorkerMessage } from './data-parallel.js';
import { Command, Control, SharedStep } from './shared-step.js';

const port = parentPort;
if (port === null) throw new Error('replica-worker.js runs only as a worker thread');
const data = workerData as ReplicaWorkerData;

const send = (m: WorkerMessage): void => port.postMessage(m);
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

let ready: { task: ReplicaTask; shared: SharedStep; sequence: number } | undefined;
try {
  await initEngine({ backend: data.backend });
  const mod = (await import(data.module)) as {
    createReplicaTask?: (input: unknown) => ReplicaTask | Promise<ReplicaTask>;
  };
  if (typeof mod.createReplicaTask !== 'function')
    throw new Error(`${data.module} exports no createReplicaTask function`);
  const task = await mod.createReplicaTask(data.input);
  const shared = new SharedStep(data.layout);
  shared.checkLayout(task.params);
  // Read before "ready": the main thread may start the first round as soon as it has that.
  ready = { task, shared, sequence: Atomics.load(shared.control, Control.SEQUENCE) };
  send({ kind: 'ready' });
} catch (e) {
  send({ kind: 'error', message: messageOf(e) });
}

if (ready !== undefined) {
  const { task, shared } = ready;
  let seen = ready.sequence;
  const dense = task.params.denseParams().filter((p) => p.trainable);
  const rng = new Rng(data.seed);
  const control = shared.control;
  for (;;) {
    seen = waitForChange(control, Control.SEQUENCE, seen);
    const command = Atomics.load(control, Control.COMMAND);
    if (command === Command.STOP) break;
    try {
      if (command === Command.COMPUTE) {
        shared.adopt(task.params);
        shared.computePart(data.thread, task, rng, dense);
      } else {
        shared.updateShare(data.thread);
      }
    } catch (e) {
      shared.fail(messageOf(e));
    }
    Atomics.add(control, Control.DONE, 1);
    Atomics.notify(control, Control.DONE);
  }
}

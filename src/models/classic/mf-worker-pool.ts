/**
 * The worker threads of one parallel MF fit (`mf-worker.ts`): started with their data, sent one
 * message per epoch, terminated when the fit ends, however it ends.
 */
import { Worker } from 'node:worker_threads';
import { waitSlice, workerExited, workerFailed } from '../../util/worker-death.js';
import type { Sleep } from './mf-block-schedule.js';
import type { BiasedWorkerData, SvdppWorkerData, WorkerEpoch } from './mf-worker.js';

const WORKER = 'an MF worker thread';

let live = 0;
/** Set by `exitNextEpochForTest`: the exit code for the first worker in the next epoch. */
let nextEpochExitCode: number | undefined;

/**
 * Test hook: in the next epoch of any pool, its first worker ends its thread with
 * `process.exit(code)` mid-epoch (`WorkerEpoch.exitCode`).
 */
export function exitNextEpochForTest(code: number): void {
  nextEpochExitCode = code;
}

/** MF worker threads started and not yet exited (tests check that a failed fit leaves none). */
export function liveMfWorkers(): number {
  return live;
}

export class MfWorkerPool {
  private readonly workers: Worker[];
  /**
   * Why a worker stopped (an error, or an exit: it died), to reject the next epoch and to end the
   * fit's thread's waits in the block schedule.
   */
  private failure: Error | undefined;
  private started: Promise<void> | undefined;

  /** Starts `threads` workers; they wait for their data (`start`). */
  constructor(threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(new URL('./mf-worker.js', import.meta.url));
      live++;
      worker.on('error', (error) => (this.failure ??= workerFailed(WORKER, error)));
      worker.once('exit', (code) => {
        live--;
        this.failure ??= workerExited(WORKER, code);
      });
      return worker;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Hands worker w its data, `data(w)`, before the first epoch. */
  start(data: (worker: number) => BiasedWorkerData | SvdppWorkerData): void {
    this.started = Promise.all(this.workers.map((worker, w) => reply(worker, data(w)))).then(() => undefined);
    // Seen by the first epoch; a fit with no epoch (or closed early) must not leave it unhandled.
    this.started.catch(() => undefined);
  }

  /**
   * Resolves once every worker has set itself up (BiasedMF: drawn its share of the initial
   * factors); before that, one worker's first epoch could update rows another is still drawing.
   */
  get ready(): Promise<void> {
    if (this.started === undefined) throw new Error('MfWorkerPool: ready before start');
    return this.started;
  }

  /** Sends the epoch to every worker; resolves to the sum of their squared errors. */
  async epoch(message: WorkerEpoch): Promise<number> {
    if (this.failure !== undefined) throw this.failure;
    const exitCode = nextEpochExitCode;
    nextEpochExitCode = undefined;
    const parts = await Promise.all(
      this.workers.map((worker, w) =>
        reply(worker, w === 0 && exitCode !== undefined ? { ...message, exitCode } : message),
      ),
    );
    return parts.reduce((sum, sse) => sum + sse, 0);
  }

  /**
   * How the fit's own thread sleeps in the block schedule: in slices, between which this pool's
   * 'exit' and 'error' handlers can run (`util/worker-death.ts`); throws once a worker has stopped,
   * since a worker that died holding a block or the schedule's lock would never wake it.
   */
  readonly fitThreadSleep: Sleep = (state, index, value) =>
    waitSlice(state, index, value)?.then(() => {
      if (this.failure !== undefined) throw this.failure;
    });

  /** Terminates every worker (also one blocked waiting for a block). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** Posts `message` to `worker` and waits for its one reply; a crash or exit rejects. */
function reply(worker: Worker, message: WorkerEpoch | BiasedWorkerData | SvdppWorkerData): Promise<number> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (sse: number): void => {
      done();
      resolve(sse);
    };
    const onError = (error: Error): void => {
      done();
      reject(workerFailed(WORKER, error));
    };
    const onExit = (code: number): void => {
      done();
      reject(workerExited(WORKER, code));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(message);
  });
}

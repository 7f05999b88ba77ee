/**
 * Data-parallel training steps on several cores: the main thread and `threads − 1` worker threads
 * (`node:worker_threads`, `replica-worker.ts`) each hold a replica of the model. As in PyTorch's
 * DistributedDataParallel, the batch size is per thread: a step takes `threads` batches of the
 * shuffled order, one per thread, and applies the mean of their gradients (`train` deals them out;
 * here they arrive as one array cut into equal contiguous parts). Every step is two rounds over
 * shared memory (`shared-step.ts`): each thread computes the gradient of its batch into its own
 * slot, then each thread runs Adam on its share of the parameters with the slots summed. The main
 * thread starts a round by bumping a sequence number that the workers sleep on
 * (`Atomics.wait`/`Atomics.notify`), takes its own batch or share, and waits for the workers' done
 * count; no message is sent per step and no weights are broadcast.
 *
 * A worker cannot receive the model's loss function (a closure), so a task that can be trained
 * this way names a module that builds the same task from plain data (`TaskReplica`); the model
 * code runs in the worker exactly as in the main thread, and the parameter layout is checked.
 *
 * What holds: one step's update is the update of the gradient of all its examples, computed as the
 * sum of the parts' gradients scaled by nₚ/n (exact in real arithmetic for losses that are means
 * over examples; float32 sums in another order, so not bit-identical to one thread with batches of
 * threads × batchSize). Layers with batch statistics see a thread's own batch. Dropout masks come
 * from one seeded Rng per thread (the main thread's is the training Rng), and every sum runs in
 * thread order, so a run with the same seed and thread count is reproducible bit for bit. The
 * moments of Adam live in the shared memory, not in the training loop's `Adam` (which only counts
 * the steps and holds the learning rate). While the threads fill every core, V8's concurrent
 * marking is paused (`gc-threads.ts`).
 */
import { Worker } from 'node:worker_threads';
import { HeedError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import type { BackendName } from './backend.js';
import { pauseConcurrentMarking } from './gc-threads.js';
import type { Adam } from './optimizer.js';
import type { DenseParam } from './params.js';
import { Command, Control, SharedStep, type SharedStepLayout } from './shared-step.js';
import type { TrainTask } from './train-loop.js';

/**
 * How to build a task again in a worker thread: `module` (a file URL) exports
 * `createReplicaTask(input)` returning (or resolving to) `{ params, loss }` declared and computed
 * exactly as the model's own task; `input` is plain data (structured-cloneable).
 */
export interface TaskReplica {
  readonly module: string;
  readonly input: unknown;
}

/** What a replica module's `createReplicaTask` returns. */
export type ReplicaTask = Pick<TrainTask, 'params' | 'loss'>;

/** Everything a worker starts from (its `workerData`). */
export interface ReplicaWorkerData {
  readonly module: string;
  readonly input: unknown;
  readonly backend: BackendName;
  readonly layout: SharedStepLayout;
  /** The worker's thread number (1, 2, …): its part of each batch and share of the update. */
  readonly thread: number;
  /** Seed of the worker's own Rng (its dropout masks). */
  readonly seed: number;
}

/** What a worker posts once, when it has started (then it only talks through shared memory). */
export type WorkerMessage = { readonly kind: 'ready' } | { readonly kind: 'error'; readonly message: string };

/** The seed of worker w's Rng, derived from the training seed (w = 1, 2, …). */
export function replicaSeed(seed: number, worker: number): number {
  return (seed + Math.imul(0x9e3779b9, worker)) >>> 0;
}

// Atomics.waitAsync is in Node 16+, but in TypeScript's ES2024 library only.
type WaitAsync = (
  a: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export class DataParallel {
  private constructor(
    private readonly task: TrainTask,
    private readonly shared: SharedStep,
    private readonly workers: readonly Worker[],
    private readonly resumeMarking: () => void,
  ) {}

  /** Starts `threads − 1` workers (each builds its replica and loads the engine, ~1-2 s). */
  static async start(
    task: TrainTask,
    replica: TaskReplica,
    threads: number,
    seed: number,
    backend: BackendName,
    maxBatch: number,
    optimizer: Adam,
  ): Promise<DataParallel> {
    const shared = SharedStep.create(task.params, threads, maxBatch, optimizer);
    const workers: Worker[] = [];
    const started: Array<Promise<void>> = [];
    // A worker that dies ends the round the main thread may be waiting for, with its reason.
    const died = (why: string): void => {
      if (shared.failure() === undefined) shared.fail(why);
      Atomics.add(shared.control, Control.DONE, threads);
      Atomics.notify(shared.control, Control.DONE);
    };
    for (let w = 1; w < threads; w++) {
      const data: ReplicaWorkerData = {
        module: replica.module,
        input: replica.input,
        backend,
        layout: shared.layout,
        thread: w,
        seed: replicaSeed(seed, w),
      };
      const worker = new Worker(new URL('./replica-worker.js', import.meta.url), { workerData: data });
      workers.push(worker);
      started.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', (m: WorkerMessage) =>
            m.kind === 'ready' ? resolve() : reject(new HeedError(`data-parallel worker: ${m.message}`)),
          );
          worker.on('error', (e: Error) => {
            reject(new HeedError(`data-parallel worker failed: ${e.message}`));
            died(`failed: ${e.message}`);
          });
          worker.on('exit', (code) => {
            reject(new HeedError(`data-parallel worker exited (code ${code})`));
            died(`exited (code ${code})`);
          });
        }),
      );
    }
    try {
      await Promise.all(started);
    } catch (e) {
      await Promise.all(workers.map((w) => stop(w)));
      throw e;
    }
    return new DataParallel(task, shared, workers, pauseConcurrentMarking(threads));
  }

  /**
   * One optimisation step on `batch` (the threads' batches one after the other), cut into one
   * contiguous part per thread (the main thread's first); returns the mean loss over all its
   * examples. Weights change only when the loss is finite.
   */
  async step(batch: Int32Array, rng: Rng, optimizer: Adam, dense: readonly DenseParam[]): Promise<number> {
    const shared = this.shared;
    shared.setBatch(batch);
    this.start(Command.COMPUTE);
    shared.computePart(0, this.task, rng, dense);
    await this.join();
    const loss = shared.loss();
    if (!Number.isFinite(loss)) return loss;
    const { c1, c2 } = optimizer.advance();
    shared.setUpdate(optimizer.learningRate, c1, c2);
    this.start(Command.UPDATE);
    shared.updateShare(0);
    await this.join();
    shared.adopt(this.task.params);
    return loss;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.start(Command.STOP);
    await Promise.all(this.workers.map((w) => stop(w)));
    this.resumeMarking();
  }

  /** Starts a round: the workers wake on the new sequence number and read the command. */
  private start(command: number): void {
    const c = this.shared.control;
    Atomics.store(c, Control.COMMAND, command);
    Atomics.store(c, Control.DONE, 0);
    Atomics.add(c, Control.SEQUENCE, 1);
    Atomics.notify(c, Control.SEQUENCE);
  }

  /**
   * Waits until every worker has finished the round. Asynchronously, so that the event of a
   * worker's death can run and end the wait (see `start`) instead of a hang.
   */
  private async join(): Promise<void> {
    const c = this.shared.control;
    for (;;) {
      const done = Atomics.load(c, Control.DONE);
      if (done >= this.workers.length) break;
      const wait = waitAsync(c, Control.DONE, done);
      if (wait.async) await wait.value;
    }
    const failure = this.shared.failure();
    if (failure !== undefined) throw new HeedError(`data-parallel worker: ${failure}`);
  }
}

/** Ends a worker thread, whether it is waiting for a command or not. */
async function stop(worker: Worker): Promise<void> {
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  await worker.terminate();
}

/**
 * Data-parallel training steps on several cores: the main thread and `threads − 1` worker threads
 * (`node:worker_threads`) each hold a replica of the model and compute the gradients of one part
 * of every batch; the main thread averages them, weighted by the parts' sizes
 * (`gradient-average.ts`), runs the one Adam step, and publishes the new weights through shared
 * memory (`shared-weights.ts`), which the workers adopt before their next part.
 *
 * A worker cannot receive the model's loss function (a closure), so a task that can be trained
 * this way names a module that builds the same task from plain data (`TaskReplica`); the model
 * code runs in the worker exactly as in the main thread, and the parameter layout is checked.
 *
 * What holds: one step's update is the update of the whole batch's gradient, computed as the
 * size-weighted average of the parts' gradients (exact in real arithmetic for losses that are
 * means over examples; float32 sums in another order, so not bit-identical to one thread). Layers
 * with batch statistics see a part's statistics. Dropout masks come from one seeded Rng per
 * thread, so a run with the same seed and thread count is reproducible, but it draws other masks
 * than one thread. Only the main thread validates and owns the optimizer's moments.
 */
import { Worker } from 'node:worker_threads';
import { HeedError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import type { BackendName } from './backend.js';
import { averageGradients, type GradientPart } from './gradient-average.js';
import type { Adam } from './optimizer.js';
import type { DenseParam, TableParam } from './params.js';
import { publishWeights, sharedWeightsFor, type SharedWeightsLayout } from './shared-weights.js';
import { applyGradients, stepGradients, type StepGradients } from './step-gradients.js';
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
  readonly layout: SharedWeightsLayout;
  /** Seed of the worker's own Rng (its dropout masks). */
  readonly seed: number;
}

/** A request to a worker: the positions of its part of the batch. */
export interface StepRequest {
  readonly batch: Int32Array;
}

/** What a worker answers: its part's gradients by parameter name (dense in trainable order). */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'error'; readonly message: string }
  | {
      readonly kind: 'gradients';
      readonly loss: number;
      readonly dense: ReadonlyArray<Float32Array | null>;
      readonly rows: ReadonlyArray<{
        readonly table: string;
        readonly ids: Int32Array;
        readonly grads: Float32Array;
      }>;
      readonly buffers: ReadonlyArray<{ readonly name: string; readonly value: Float32Array }>;
    };

/** The seed of worker w's Rng, derived from the training seed (w = 1, 2, …). */
export function replicaSeed(seed: number, worker: number): number {
  return (seed + Math.imul(0x9e3779b9, worker)) >>> 0;
}

export class DataParallel {
  private constructor(
    private readonly task: TrainTask,
    private readonly layout: SharedWeightsLayout,
    private readonly workers: readonly ReplicaThread[],
  ) {}

  /** Starts `threads − 1` workers (each builds its replica and loads the engine, ~1-2 s). */
  static async start(
    task: TrainTask,
    replica: TaskReplica,
    threads: number,
    seed: number,
    backend: BackendName,
  ): Promise<DataParallel> {
    const layout = sharedWeightsFor(task.params);
    publishWeights(task.params, layout);
    const workers: ReplicaThread[] = [];
    for (let w = 1; w < threads; w++) {
      const data: ReplicaWorkerData = {
        module: replica.module,
        input: replica.input,
        backend,
        layout,
        seed: replicaSeed(seed, w),
      };
      workers.push(
        new ReplicaThread(new Worker(new URL('./replica-worker.js', import.meta.url), { workerData: data })),
      );
    }
    try {
      await Promise.all(workers.map((w) => w.ready()));
    } catch (e) {
      await Promise.all(workers.map((w) => w.close()));
      throw e;
    }
    return new DataParallel(task, layout, workers);
  }

  /**
   * One optimisation step on `batch`, cut into one contiguous part per thread (the main thread's
   * first); returns the batch's mean loss. Weights change only when the loss is finite.
   */
  async step(batch: Int32Array, rng: Rng, optimizer: Adam, dense: readonly DenseParam[]): Promise<number> {
    const threads = this.workers.length + 1;
    const bounds = (p: number): number => Math.floor((p * batch.length) / threads);
    const answers = this.workers.map((w, i) => {
      const part = batch.slice(bounds(i + 1), bounds(i + 2));
      // Read before the request transfers (detaches) the part's buffer.
      const size = part.length;
      return size === 0 ? undefined : w.step(part).then((m) => ({ size, m }));
    });
    const own = batch.subarray(0, bounds(1));
    const parts: GradientPart[] = [];
    if (own.length > 0)
      parts.push({ size: own.length, gradients: stepGradients(this.task, own, rng, dense) });
    for (const answer of answers) {
      if (answer === undefined) continue;
      const { size, m } = await answer;
      parts.push({ size, gradients: this.fromWorker(m, dense) });
    }
    const g = averageGradients(parts);
    if (!Number.isFinite(g.loss)) return g.loss;
    applyGradients(g, optimizer);
    publishWeights(this.task.params, this.layout);
    return g.loss;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }

  private fromWorker(
    m: Extract<WorkerMessage, { kind: 'gradients' }>,
    dense: readonly DenseParam[],
  ): StepGradients {
    if (!Number.isFinite(m.loss)) return { loss: m.loss, dense: [], rows: [], buffers: [] };
    const params = this.task.params;
    const out: StepGradients = { loss: m.loss, dense: [], rows: [], buffers: [] };
    m.dense.forEach((g, i) => {
      if (g !== null) out.dense.push([dense[i], g]);
    });
    for (const r of m.rows)
      out.rows.push({ table: params.get(r.table) as TableParam, ids: r.ids, grads: r.grads });
    for (const b of m.buffers) out.buffers.push({ param: params.get(b.name) as DenseParam, value: b.value });
    return out;
  }
}

/** One worker thread and the answer it owes. */
class ReplicaThread {
  private pending: { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(private readonly worker: Worker) {
    worker.on('message', (m: WorkerMessage) => {
      const p = this.pending;
      this.pending = undefined;
      if (m.kind === 'error') this.fail(new HeedError(`data-parallel worker: ${m.message}`), p);
      else p?.resolve(m);
    });
    worker.on('error', (e: Error) =>
      this.fail(new HeedError(`data-parallel worker failed: ${e.message}`), this.pending),
    );
    worker.on('exit', (code) => {
      if (this.pending !== undefined)
        this.fail(new HeedError(`data-parallel worker exited (code ${code})`), this.pending);
    });
  }

  async ready(): Promise<void> {
    const m = await this.next();
    if (m.kind !== 'ready') throw new HeedError(`data-parallel worker: expected "ready", got "${m.kind}"`);
  }

  async step(batch: Int32Array): Promise<Extract<WorkerMessage, { kind: 'gradients' }>> {
    const answer = this.next();
    const request: StepRequest = { batch };
    this.worker.postMessage(request, [batch.buffer as ArrayBuffer]);
    const m = await answer;
    if (m.kind !== 'gradients')
      throw new HeedError(`data-parallel worker: expected gradients, got "${m.kind}"`);
    return m;
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private next(): Promise<WorkerMessage> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  private fail(e: Error, pending: ReplicaThread['pending']): void {
    this.failure = e;
    this.pending = undefined;
    pending?.reject(e);
  }
}

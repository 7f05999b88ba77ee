/**
 * The worker threads of a multi-threaded FM MCMC or ALS fit, and the control words through which
 * the fit's own thread hands them each one-hot run's sweep: a command is written into shared
 * memory, a generation counter bumped and waiters woken (Atomics), and the fit's thread, after
 * doing part 0 itself, waits until every worker has counted itself done. That is the barrier after
 * each run; messages would cost far more per sweep than the tens of microseconds this does.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WasmMemory } from '../../util/wasm.js';
import { waitForChange } from '../../util/wait-for-change.js';
import { waitSlice, workerExited, workerFailed } from '../../util/worker-death.js';
import type { RunPart, Scratch, SweepArrays, SweepCommand } from './fm-sweep-part.js';

/**
 * Design non-zeros per thread below which a fit uses fewer threads: a run's barrier costs tens of
 * microseconds, and there are (1 + factors) × runs of them per sweep, so on small data a second
 * thread costs more than it saves (see BENCHMARKS.md, "FM on both cores").
 */
export const MIN_NONZEROS_PER_THREAD = 100_000;

/** Threads of a fit over `nonZeros` design non-zeros: `setting` (0: every core), capped as above. */
export function fmFitThreads(setting: number, nonZeros: number): number {
  const wanted = setting === 0 ? availableParallelism() : setting;
  return Math.max(1, Math.min(wanted, Math.floor(nonZeros / MIN_NONZEROS_PER_THREAD)));
}

/** What a worker is started with. */
export interface SweepWorkerData {
  readonly module: object;
  readonly memory: WasmMemory;
  readonly control: SharedArrayBuffer;
  readonly at: SweepArrays;
  /** runs[r][t]: thread t's part of one-hot run r. */
  readonly runs: readonly (readonly RunPart[])[];
  readonly thread: number;
  readonly scratch: Scratch;
}

/** Int32 slots of the control words, then the command's α as a double at byte ALPHA_BYTE. */
const GENERATION = 0;
const PENDING = 1;
const FAILED = 2;
const RUN = 3;
const FACTOR = 4;
const BY_ROWS = 5;
const NORMALS = 6;
const EXIT_CODE = 7;
const ALPHA_BYTE = 32;
const CONTROL_BYTES = 40;
/** RUN value that tells the workers to return. */
const EXIT = -1;

/** A command as the workers read it: the run it is for, and what to do with it. */
export interface RunCommand extends SweepCommand {
  readonly run: number;
  /**
   * Test hook (`exitNextSweepForTest`): worker 1 ends its thread with `process.exit(exitCode)`
   * instead of doing its part, without throwing, as a worker killed by its memory limit would.
   */
  readonly exitCode?: number;
}

/** The control words over a shared buffer (the same class on both sides). */
export class Control {
  private readonly ints: Int32Array;
  private readonly alpha: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(CONTROL_BYTES)) {
    this.ints = new Int32Array(buffer, 0, ALPHA_BYTE / 4);
    this.alpha = new Float64Array(buffer, ALPHA_BYTE, 1);
  }

  /** Fit's thread: publishes `command` (undefined: exit) for `workers` workers and wakes them. */
  issue(command: RunCommand | undefined, workers: number): void {
    const ints = this.ints;
    ints[RUN] = command?.run ?? EXIT;
    ints[FACTOR] = command?.factor ?? 0;
    ints[BY_ROWS] = command?.byRows ? 1 : 0;
    ints[NORMALS] = command?.normals ?? 0;
    ints[EXIT_CODE] = command?.exitCode ?? 0;
    this.alpha[0] = command?.alpha ?? 0;
    Atomics.store(ints, PENDING, workers);
    // The atomic add orders the plain writes above before any worker's read of them.
    Atomics.add(ints, GENERATION, 1);
    Atomics.notify(ints, GENERATION);
  }

  /**
   * Fit's thread: waits until every worker has done the command; false when one's part threw. The
   * wait is in slices (`util/worker-death.ts`), between which the pool's 'exit' handler can run:
   * throws `stopped()` once it says a worker died, since that worker would never count itself done.
   */
  async awaitWorkers(stopped: () => Error | undefined): Promise<boolean> {
    const ints = this.ints;
    for (;;) {
      const pending = Atomics.load(ints, PENDING);
      if (pending === 0) break;
      const death = stopped();
      if (death !== undefined) throw death;
      // A promise only when the slice ran out: no turn of the event loop on the usual path.
      const slice = waitSlice(ints, PENDING, pending);
      if (slice !== undefined) await slice;
    }
    return Atomics.load(ints, FAILED) === 0;
  }

  /** Worker: waits for a generation after `seen` and returns it. */
  awaitCommand(seen: number): number {
    return waitForChange(this.ints, GENERATION, seen);
  }

  /** Worker: the current command, undefined to exit. */
  command(): RunCommand | undefined {
    const ints = this.ints;
    if (ints[RUN] === EXIT) return undefined;
    return {
      run: ints[RUN],
      factor: ints[FACTOR],
      byRows: ints[BY_ROWS] === 1,
      normals: ints[NORMALS],
      alpha: this.alpha[0],
      exitCode: ints[EXIT_CODE] === 0 ? undefined : ints[EXIT_CODE],
    };
  }

  /** Worker: its part threw. */
  fail(): void {
    Atomics.store(this.ints, FAILED, 1);
  }

  /** Worker: its part is done; the last one wakes the fit's thread. */
  done(): void {
    if (Atomics.sub(this.ints, PENDING, 1) === 1) Atomics.notify(this.ints, PENDING);
  }
}

const WORKER = 'an FM worker thread';
let live = 0;
/** Set by `exitNextSweepForTest`: the exit code for worker 1 in the next run's sweep. */
let nextSweepExitCode: number | undefined;

/** Test hook: in the next run swept by any pool, worker 1 exits with `code` (`RunCommand.exitCode`). */
export function exitNextSweepForTest(code: number): void {
  nextSweepExitCode = code;
}

/** FM worker threads started and not yet exited (tests check that a fit leaves none). */
export function liveFmWorkers(): number {
  return live;
}

/** `data.length` workers, worker w started with `data[w]` (its `thread` is w + 1). */
export class SweepPool {
  readonly control = new Control();
  private readonly workers: Worker[];
  private readonly started: Promise<void>;
  private ready = false;
  /** Why a worker stopped (it died, or its code threw outside a part): no sweep can finish. */
  private death: Error | undefined;

  constructor(data: readonly Omit<SweepWorkerData, 'control'>[]) {
    this.workers = data.map((part) => {
      const worker = new Worker(new URL('./fm-sweep-worker.js', import.meta.url));
      live++;
      worker.on('error', (error) => (this.death ??= workerFailed(WORKER, error)));
      worker.once('exit', (code) => {
        live--;
        this.death ??= workerExited(WORKER, code);
      });
      worker.postMessage({ ...part, control: this.control.buffer });
      return worker;
    });
    this.started = Promise.all(this.workers.map(readyReply)).then(() => {
      this.ready = true;
    });
    // Seen by `start`; a fit closed before it must not leave it unhandled.
    this.started.catch(() => undefined);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Resolves once every worker waits for commands; rejects when one failed to start. */
  start(): Promise<void> {
    return this.started;
  }

  /**
   * Runs `command` on every worker while `own` runs part 0 on this thread; resolves after both, or
   * rejects once a worker has died.
   */
  async run(command: RunCommand, own: () => void): Promise<void> {
    if (!this.ready) throw new Error('fm: a sweep ran before its worker threads had started');
    const exitCode = nextSweepExitCode;
    nextSweepExitCode = undefined;
    this.control.issue(exitCode === undefined ? command : { ...command, exitCode }, this.workers.length);
    // The workers must be done before anything else touches the memory, also when `own` throws.
    let ownError: { error: unknown } | undefined;
    try {
      own();
    } catch (error) {
      ownError = { error };
    }
    const workersOk = await this.control.awaitWorkers(() => this.death);
    if (ownError) throw ownError.error;
    if (!workersOk) throw new Error('fm: a sweep failed in a worker thread');
  }

  /** Tells the workers to return, and terminates them (also one that never started). */
  async close(): Promise<void> {
    if (this.ready) this.control.issue(undefined, this.workers.length);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** Resolves on the worker's 'ready'; an error or exit before it rejects. */
function readyReply(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', (error) => reject(workerFailed(WORKER, error)));
    worker.once('exit', (code) => reject(workerExited(WORKER, code)));
  });
}

/**
 * How a thread that owns worker threads waits for them through shared memory without hanging when
 * one dies. A worker that dies without throwing (`process.exit()` in it, `worker.terminate()`,
 * its memory limit: ERR_WORKER_OUT_OF_MEMORY) sends no message and changes no shared word; the
 * only news of it is the Worker's 'exit' event, and that is delivered by the owning thread's event
 * loop, which a synchronous `Atomics.wait` blocks. A thread that waits without end for a word the
 * dead worker would have changed therefore waits forever.
 *
 * So the owning thread waits in slices: a synchronous `Atomics.wait` of at most `WAIT_SLICE_MS`
 * (as cheap as an unbounded one when the word changes in time, which is nearly always), then, when
 * it ran out, one turn of its event loop, where the pool's 'exit' handler can run and record the
 * death; the caller checks for it and waits again.
 */
import { setImmediate } from 'node:timers/promises';
import { HeedError } from './errors.js';

/**
 * Longest synchronous wait between turns of the event loop. A wait this long is rare (the other
 * threads are nearly always done sooner) and a turn of the loop costs microseconds; a dead worker is
 * noticed about this long after it died.
 */
export const WAIT_SLICE_MS = 50;

/**
 * Waits until `array[index]` is no longer `value` or it is notified (returns undefined: no promise
 * on this, the usual path), or `WAIT_SLICE_MS` have passed: then returns a promise that resolves
 * after a turn of the event loop. Callers loop: check the word, check whether a worker died, wait
 * again.
 */
export function waitSlice(array: Int32Array, index: number, value: number): Promise<void> | undefined {
  if (Atomics.wait(array, index, value, WAIT_SLICE_MS) !== 'timed-out') return undefined;
  return setImmediate();
}

/** The error of a fit whose worker thread (`what`: "an MF worker thread", …) exited with `code`. */
export function workerExited(what: string, code: number): HeedError {
  return new HeedError(`${what} died (exit code ${code})`);
}

/**
 * The error of a fit whose worker thread emitted `error`: a worker killed by its memory limit
 * becomes a HeedError; errors thrown by the worker's own code come through as they are.
 */
export function workerFailed(what: string, error: Error): Error {
  const code = (error as Error & { code?: unknown }).code;
  return code === 'ERR_WORKER_OUT_OF_MEMORY'
    ? new HeedError(`${what} died: ${error.message} (${code})`)
    : error;
}

/**
 * V8's concurrent marking, paused while data-parallel training fills every core.
 *
 * A SAIN step copies tensors out of the wasm heap (`dataSync` in its custom gradients), about a
 * megabyte of ArrayBuffers per step, so external-memory pressure starts a major GC every ~0.1 s.
 * Its marking runs on V8's background threads. With one training thread they take the idle core;
 * with one training thread per core they take cores from the training threads, which then wait
 * for each other at every step's barrier. Measured on the project's 2-core machine (BENCHMARKS.md,
 * "SAIN on both cores"): two threads burned ~6 CPU s in V8's background threads per 51,200
 * samples, against ~0.9 with one thread; without concurrent marking ~0.2-0.5, and the same epochs
 * took 2.7-2.9 s instead of 7.0. Marking then runs in increments on the training threads
 * themselves (V8's incremental marking), which costs them far less than the contention did.
 *
 * The flag is process-wide and read when a marking cycle starts, so it is set for the data-parallel
 * fit only and set back when the last such fit ends; a process started with its own choice of
 * GC flags is left alone.
 */
import { availableParallelism } from 'node:os';
import * as v8 from 'node:v8';

let holders = 0;

/** True when the process was started with flags about V8's GC threads: then they are the user's. */
function gcFlagsGiven(): boolean {
  const given = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
  return /concurrent-marking|single-threaded-gc|single-threaded\b/.test(given);
}

/**
 * Pauses concurrent marking when `threads` training threads leave no core idle; returns the
 * function that resumes it (once every fit that paused it has ended).
 */
export function pauseConcurrentMarking(
  threads: number,
  cores = availableParallelism(),
  setFlags: (flags: string) => void = v8.setFlagsFromString,
): () => void {
  if (threads < cores || gcFlagsGiven()) return () => {};
  if (holders++ === 0) setFlags('--no-concurrent-marking');
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    if (--holders === 0) setFlags('--concurrent-marking');
  };
}

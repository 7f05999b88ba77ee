/**
 * A worker thread's wait for a shared word to move on from a value it has already seen (a
 * generation or sequence number that the owning thread bumps and then notifies).
 *
 * One `Atomics.wait` is not enough: the owner bumps the word and notifies in two steps, so a worker
 * that saw the new value between them, did its work and went back to wait for the next value can
 * be woken by that late notify while the word still holds the value it waits on. Taking that as a
 * new command made the FM sweep workers run a command twice and count themselves done twice: the
 * fit's thread then stopped waiting for them (their writes raced its reads) and finally waited
 * forever on a done count below zero (seen about once in 600,000 commands under load).
 */
export function waitForChange(array: Int32Array, index: number, seen: number): number {
  for (;;) {
    const value = Atomics.load(array, index);
    if (value !== seen) return value;
    Atomics.wait(array, index, seen);
  }
}

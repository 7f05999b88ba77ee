/**
 * `pauseConcurrentMarking` (src/engine/gc-threads.ts): V8's concurrent marking is turned off only
 * while data-parallel fits leave no core idle, and back on when the last of them ends.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pauseConcurrentMarking } from '../src/engine/gc-threads.js';

test('fewer training threads than cores leave V8 alone', () => {
  const set: string[] = [];
  pauseConcurrentMarking(2, 4, (f) => set.push(f))();
  assert.deepEqual(set, []);
});

test('one thread per core pauses concurrent marking until the last overlapping fit resumes it, once', () => {
  const set: string[] = [];
  const record = (f: string): void => {
    set.push(f);
  };
  const first = pauseConcurrentMarking(2, 2, record);
  const second = pauseConcurrentMarking(3, 2, record);
  assert.deepEqual(set, ['--no-concurrent-marking']);
  first();
  first();
  assert.deepEqual(set, ['--no-concurrent-marking'], 'the second fit still runs');
  second();
  assert.deepEqual(set, ['--no-concurrent-marking', '--concurrent-marking']);
});

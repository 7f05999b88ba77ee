import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

const moduleUrl = new URL('../src/util/wait-for-change.js', import.meta.url).href;

test(
  'waitForChange: a late notify for a value the worker has already seen does not end its wait',
  { timeout: 30_000 },
  async () => {
    const word = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(word, 0, 1);
    // The worker has seen value 1 and waits for the next one.
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
     import(workerData.moduleUrl).then(({ waitForChange }) =>
       parentPort.postMessage(waitForChange(workerData.word, 0, 1)));`,
      { eval: true, workerData: { word, moduleUrl } },
    );
    const returned = new Promise((resolve) => worker.once('message', resolve));
    // The owner's notify for value 1, arriving late: it wakes the waiting worker (notify counts it)...
    while (Atomics.notify(word, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // ...which must wait on until the value really changes.
    await new Promise((resolve) => setTimeout(resolve, 50));
    Atomics.store(word, 0, 2);
    Atomics.notify(word, 0);
    assert.equal(await returned, 2);
    await worker.terminate();
  },
);

/**
 * The worker thread of data-parallel training (`data-parallel.ts`): it starts the same tensor
 * backend as the main thread, builds the model's task from the replica module, checks that its
 * parameters match the shared layout, then for every part of a batch it is sent adopts the
 * published weights, computes that part's gradients and sends them back (their arrays
 * transferred, not copied). It never changes a shared weight.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../util/rng.js';
import { initEngine } from './backend.js';
import type { ReplicaTask, ReplicaWorkerData, StepRequest, WorkerMessage } from './data-parallel.js';
import { adoptWeights, checkLayout } from './shared-weights.js';
import { stepGradients } from './step-gradients.js';

const port = parentPort;
if (port === null) throw new Error('replica-worker.js runs only as a worker thread');
const data = workerData as ReplicaWorkerData;

const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

try {
  await initEngine({ backend: data.backend });
  const mod = (await import(data.module)) as {
    createReplicaTask?: (input: unknown) => ReplicaTask | Promise<ReplicaTask>;
  };
  if (typeof mod.createReplicaTask !== 'function')
    throw new Error(`${data.module} exports no createReplicaTask function`);
  const task = await mod.createReplicaTask(data.input);
  checkLayout(task.params, data.layout);
  const dense = task.params.denseParams().filter((p) => p.trainable);
  const rng = new Rng(data.seed);
  port.on('message', (request: StepRequest) => {
    try {
      adoptWeights(task.params, data.layout);
      const g = stepGradients(task, request.batch, rng, dense);
      const index = new Map(dense.map((p, i) => [p, i]));
      const denseOut: Array<Float32Array | null> = dense.map(() => null);
      for (const [p, grad] of g.dense) denseOut[index.get(p) as number] = grad;
      const transfer: ArrayBuffer[] = [];
      const own = (a: Float32Array | Int32Array): void => {
        // Only whole buffers can be transferred; a view of a bigger one is copied by the clone.
        const buffer = a.buffer;
        if (
          buffer instanceof ArrayBuffer &&
          a.byteOffset === 0 &&
          a.byteLength === buffer.byteLength &&
          !transfer.includes(buffer)
        )
          transfer.push(buffer);
      };
      for (const d of denseOut) if (d !== null) own(d);
      const rows = g.rows.map((r) => ({ table: r.table.name, ids: r.ids, grads: r.grads }));
      for (const r of rows) {
        own(r.ids);
        own(r.grads);
      }
      const buffers = g.buffers.map((b) => ({ name: b.param.name, value: b.value }));
      send({ kind: 'gradients', loss: g.loss, dense: denseOut, rows, buffers }, transfer);
    } catch (e) {
      send({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  });
  send({ kind: 'ready' });
} catch (e) {
  send({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
}

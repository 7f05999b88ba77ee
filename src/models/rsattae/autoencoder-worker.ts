/**
 * The worker thread that trains one RSAttAE autoencoder beside the fit's thread
 * (`both-autoencoders.ts`): it starts the same tensor backend, trains the job exactly as
 * `trainAutoencoder` does on the fit's thread, and posts the trained weights, or the reason it
 * failed. The message `ABORT` stops the training at its next turn (the fit was aborted).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initEngine } from '../../engine/backend.js';
import { ABORT, type AutoencoderWorkerData, type AutoencoderWorkerMessage } from './both-autoencoders.js';
import { trainAutoencoder, weightsOf } from './train-autoencoder.js';

const port = parentPort;
if (port === null) throw new Error('autoencoder-worker.js runs only as a worker thread');
const data = workerData as AutoencoderWorkerData;

const abort = new AbortController();
port.on('message', (m: unknown) => {
  if (m === ABORT) abort.abort();
});

let message: AutoencoderWorkerMessage;
let transfer: ArrayBuffer[] = [];
try {
  await initEngine({ backend: data.backend });
  const started = performance.now();
  const ae = await trainAutoencoder({ ...data.job, signal: abort.signal });
  const trained = weightsOf(ae);
  ae.dispose();
  message = { kind: 'done', seconds: (performance.now() - started) / 1000, ...trained };
  transfer = [...trained.weights.values()].map((w) => w.buffer as ArrayBuffer);
} catch (e) {
  message = { kind: 'error', message: e instanceof Error ? e.message : String(e) };
}
port.postMessage(message, transfer);

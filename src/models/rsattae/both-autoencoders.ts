/**
 * Training RSAttAE's two autoencoders, one after the other or at the same time on two threads.
 *
 * The user and the item autoencoder share nothing while they train: each reads its own rating
 * matrix (R or Rᵀ) and features, and has its own parameters, seeded generator and sparse kernels.
 * So with `threads: 2` the user autoencoder trains in a worker thread (`autoencoder-worker.ts`)
 * while the fit's own thread trains the item one, and the worker sends its weights back when it
 * is done. The worker runs the same code on the same tensor backend with the same seed as the
 * fit's thread would, so the weights, and every number after them, are bit for bit those of
 * `threads: 1` (tested). The user side goes to the worker because on MovieLens it is the shorter
 * one (fewer rows and attention groups), so the worker's start (the tensor engine, ~1 s) hides
 * behind the longer item side.
 *
 * Progress events are those of the item autoencoder on the fit's thread; a failed worker stops
 * the item training at its next turn and ends the fit with a HeedError naming the user
 * autoencoder.
 */
import { Worker } from 'node:worker_threads';
import { engineInfo, type BackendName } from '../../engine/backend.js';
import { HeedError } from '../../util/errors.js';
import {
  trainAutoencoder,
  trainedFromWeights,
  type AutoencoderTraining,
  type TrainedAutoencoder,
  type TrainedWeights,
} from './train-autoencoder.js';

/** What a worker thread needs to train an autoencoder: the job without its callbacks. */
export type AutoencoderJobData = Pick<
  AutoencoderTraining,
  'rows' | 'validation' | 'features' | 'settings' | 'clip' | 'name' | 'allowCpu'
>;

/** The `workerData` of `autoencoder-worker.ts`. */
export interface AutoencoderWorkerData {
  readonly backend: BackendName;
  readonly job: AutoencoderJobData;
}

/** What the worker posts once: its trained weights, or why it failed. */
export type AutoencoderWorkerMessage =
  | ({ readonly kind: 'done'; readonly seconds: number } & TrainedWeights)
  | { readonly kind: 'error'; readonly message: string };

/** The message that asks the worker to stop training (the fit was aborted). */
export const ABORT = 'abort';

export interface BothAutoencoders {
  readonly user: TrainedAutoencoder;
  readonly item: TrainedAutoencoder;
  /** Seconds each autoencoder trained, measured on its own thread. */
  readonly seconds: { readonly user: number; readonly item: number };
}

/** Worker threads started and not yet terminated (tests check that none outlives a fit). */
const running = new Set<Worker>();

export function liveAutoencoderWorkers(): number {
  return running.size;
}

/** Trains the user and the item autoencoder on `threads` (1 or 2) threads; see the file comment. */
export async function trainBothAutoencoders(
  user: AutoencoderTraining,
  item: AutoencoderTraining,
  threads: number,
): Promise<BothAutoencoders> {
  if (threads !== 1 && threads !== 2)
    throw new HeedError(`rsattae: the autoencoders train on 1 or 2 threads, not ${threads}`);
  return threads === 1 ? oneAfterTheOther(user, item) : sideBySide(user, item);
}

async function oneAfterTheOther(
  user: AutoencoderTraining,
  item: AutoencoderTraining,
): Promise<BothAutoencoders> {
  let t = performance.now();
  const userAe = await trainAutoencoder(user);
  const userSeconds = secondsSince(t);
  t = performance.now();
  try {
    const itemAe = await trainAutoencoder(item);
    return { user: userAe, item: itemAe, seconds: { user: userSeconds, item: secondsSince(t) } };
  } catch (e) {
    userAe.dispose();
    throw e;
  }
}

async function sideBySide(user: AutoencoderTraining, item: AutoencoderTraining): Promise<BothAutoencoders> {
  const data: AutoencoderWorkerData = {
    backend: engineInfo().backend,
    job: {
      rows: user.rows,
      features: user.features,
      settings: user.settings,
      name: user.name,
      ...(user.validation !== undefined ? { validation: user.validation } : {}),
      ...(user.clip !== undefined ? { clip: user.clip } : {}),
      ...(user.allowCpu !== undefined ? { allowCpu: user.allowCpu } : {}),
    },
  };
  const worker = new Worker(new URL('./autoencoder-worker.js', import.meta.url), { workerData: data });
  running.add(worker);
  const failed = (why: string): HeedError =>
    new HeedError(`rsattae: the ${user.name} autoencoder's worker thread ${why}`);
  const userDone = new Promise<AutoencoderWorkerMessage & { kind: 'done' }>((resolve, reject) => {
    worker.once('message', (m: AutoencoderWorkerMessage) =>
      m.kind === 'done' ? resolve(m) : reject(failed(`failed: ${m.message}`)),
    );
    worker.once('error', (e: Error) => reject(failed(`failed: ${e.message}`)));
    worker.once('exit', (code) => reject(failed(`exited (code ${code}) before it finished`)));
  });
  // A failed worker stops the item training at its next turn instead of letting it run its course.
  const stopItem = new AbortController();
  userDone.catch(() => stopItem.abort());
  const abortWorker = (): void => worker.postMessage(ABORT);
  // The worker's port keeps the message until the worker listens, so an early abort is not lost.
  if (user.signal?.aborted === true) abortWorker();
  else user.signal?.addEventListener('abort', abortWorker, { once: true });
  try {
    const t = performance.now();
    const itemAe = await trainAutoencoder({
      ...item,
      signal: item.signal === undefined ? stopItem.signal : AbortSignal.any([item.signal, stopItem.signal]),
    });
    const itemSeconds = secondsSince(t);
    try {
      const done = await userDone;
      return {
        user: trainedFromWeights(user, done),
        item: itemAe,
        seconds: { user: done.seconds, item: itemSeconds },
      };
    } catch (e) {
      itemAe.dispose();
      throw e;
    }
  } finally {
    user.signal?.removeEventListener('abort', abortWorker);
    worker.removeAllListeners();
    await worker.terminate();
    running.delete(worker);
  }
}

function secondsSince(t: number): number {
  return (performance.now() - t) / 1000;
}

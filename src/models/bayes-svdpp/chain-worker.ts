/**
 * One Gibbs chain of Bayesian SVD++ in a worker thread (`chains.ts` starts it): runs the sampler on
 * the data it is handed, posts every sweep's progress and, at the end, the chain's kept draws.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  fitRelationalMcmc,
  type RelationalData,
  type RelationalMcmcSettings,
  type ValidationPairs,
} from './relational-gibbs.js';
import { SampleCollector, type SvdppSamples } from './samples.js';

/** What the worker is started with. */
export interface ChainRequest {
  readonly data: RelationalData;
  readonly settings: RelationalMcmcSettings;
  readonly validation?: ValidationPairs;
}

/** What the worker posts: one `sweep` per sweep, then `done`. */
export type ChainReport =
  | {
      readonly type: 'sweep';
      readonly sweep: number;
      readonly seconds: number;
      readonly trainLoss: number;
      /** Running sum of the draws' validation predictions after burn-in (see relational-gibbs.ts). */
      readonly validationSum?: Float64Array;
      readonly averaged: number;
    }
  | { readonly type: 'done'; readonly sweeps: number; readonly samples: SvdppSamples };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('chain-worker.js must run in a worker thread');
  const { data, settings, validation } = workerData as ChainRequest;
  const controller = new AbortController();
  port.on('message', (message: { type: string }) => {
    if (message.type === 'abort') controller.abort();
  });
  let lastSum: { sweep: number; sum: Float64Array; averaged: number } | undefined;
  const collector = new SampleCollector(data.layout.users, data.layout.items, settings.factors);
  const sweeps = await fitRelationalMcmc(data, settings, (p) => collector.add(p), {
    validation,
    signal: controller.signal,
    onValidationSum: (sweep, sum, averaged) => {
      lastSum = { sweep, sum, averaged };
    },
    onProgress: (event) => {
      const current = lastSum?.sweep === event.epoch ? lastSum : undefined;
      const report: ChainReport = {
        type: 'sweep',
        sweep: event.epoch,
        seconds: event.seconds,
        trainLoss: event.trainLoss ?? Number.NaN,
        validationSum: current ? Float64Array.from(current.sum) : undefined,
        averaged: current?.averaged ?? 0,
      };
      port.postMessage(report);
    },
  });
  const samples = collector.pack();
  const done: ChainReport = { type: 'done', sweeps, samples };
  port.postMessage(done);
}

await main();

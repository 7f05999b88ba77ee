/**
 * Independent Gibbs chains of Bayesian SVD++, one per worker thread, their kept draws pooled.
 *
 * Averaging the predictions of draws from several independent chains is as valid an estimate of
 * the posterior predictive mean as averaging more draws of one chain (Gelman & Rubin 1992 run
 * chains in parallel for exactly this reason), and chains share nothing while they run, so they use
 * every core with no synchronisation. One chain runs on the calling thread, so `chains` = 1 is the
 * single-chain sampler unchanged; with more, chain 0 still uses `seed` and draws what one chain
 * would, and chain c > 0 uses the c-th number of `new Rng(seed)` (`chainSeed`).
 *
 * A prediction averages ŷ_s(u, i) over draws, and the average of q(u)·q(i) over draws is not the
 * product of averaged factors, so the pooled model keeps every chain's draws (`joinSamples`).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Rng } from '../../util/rng.js';
import { HeedError } from '../../util/errors.js';
import type { ProgressEvent } from '../model.js';
import {
  fitRelationalMcmc,
  type RelationalData,
  type RelationalHooks,
  rmseOfMean,
  type RelationalMcmcSettings,
} from './relational-gibbs.js';
import { joinSamples, SampleCollector, type SvdppSamples } from './samples.js';
import type { ChainReport, ChainRequest } from './chain-worker.js';

/** Most chains `chains` = 0 picks: beyond four, more chains only add memory for the kept draws. */
export const MOST_AUTO_CHAINS = 4;

/** The `chains` setting as a count: 0 means one chain per core, at most MOST_AUTO_CHAINS. */
export function resolveChains(setting: number): number {
  return setting > 0 ? setting : Math.min(MOST_AUTO_CHAINS, availableParallelism());
}

/** Seed of chain `chain`: the setting itself for chain 0, else the chain-th number of Rng(seed). */
export function chainSeed(seed: number, chain: number): number {
  if (chain === 0) return seed;
  const rng = new Rng(seed);
  let out = 0;
  for (let c = 0; c < chain; c++) out = rng.nextUint32();
  return out;
}

export interface ChainsResult {
  readonly samples: SvdppSamples;
  /** Sweeps every chain ran (fewer than `iterations` when aborted). */
  readonly sweeps: number;
}

/** Runs `chains` chains and pools their kept draws, chain 0's first. */
export async function runChains(
  data: RelationalData,
  settings: RelationalMcmcSettings,
  chains: number,
  hooks: RelationalHooks = {},
): Promise<ChainsResult> {
  if (chains === 1) {
    const collector = new SampleCollector(data.layout.users, data.layout.items, settings.factors);
    const sweeps = await fitRelationalMcmc(data, settings, (p) => collector.add(p), hooks);
    return { samples: collector.pack(), sweeps };
  }
  const progress = new PooledProgress(chains, settings.iterations, data.scale, hooks);
  const workers: Worker[] = [];
  const onAbort = (): void => {
    for (const w of workers) w.postMessage({ type: 'abort' });
  };
  hooks.signal?.addEventListener('abort', onAbort);
  try {
    const results = await Promise.all(
      Array.from({ length: chains }, (_, chain) => {
        const request: ChainRequest = {
          data,
          settings: { ...settings, seed: chainSeed(settings.seed, chain) },
          validation: hooks.validation,
        };
        const worker = new Worker(new URL('./chain-worker.js', import.meta.url), { workerData: request });
        workers.push(worker);
        if (hooks.signal?.aborted) worker.postMessage({ type: 'abort' });
        return runWorker(worker, chain, progress);
      }),
    );
    return {
      samples: joinSamples(results.map((r) => r.samples)),
      sweeps: Math.min(...results.map((r) => r.sweeps)),
    };
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function runWorker(worker: Worker, chain: number, progress: PooledProgress): Promise<ChainsResult> {
  return new Promise((resolve, reject) => {
    worker.on('message', (report: ChainReport) => {
      if (report.type === 'sweep') progress.add(chain, report);
      else resolve({ samples: report.samples, sweeps: report.sweeps });
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      reject(
        new HeedError(
          `bayes-svdpp: MCMC chain ${chain} stopped (worker exit code ${code}) before it finished`,
        ),
      );
    });
  });
}

/**
 * Progress of pooled chains: a sweep is reported once every chain has run it, with the chains'
 * mean training RMSE and the validation RMSE of the running mean over all chains' draws so far.
 */
class PooledProgress {
  private readonly pending = new Map<number, Array<Extract<ChainReport, { type: 'sweep' }>>>();

  constructor(
    private readonly chains: number,
    private readonly iterations: number,
    private readonly scale: { readonly min: number; readonly max: number },
    private readonly hooks: RelationalHooks,
  ) {}

  add(chain: number, report: Extract<ChainReport, { type: 'sweep' }>): void {
    const reports = this.pending.get(report.sweep) ?? [];
    reports[chain] = report;
    this.pending.set(report.sweep, reports);
    if (reports.filter((r) => r !== undefined).length < this.chains) return;
    this.pending.delete(report.sweep);
    const event: ProgressEvent = {
      epoch: report.sweep,
      epochs: this.iterations,
      seconds: Math.max(...reports.map((r) => r.seconds)),
      trainLoss: reports.reduce((s, r) => s + r.trainLoss, 0) / this.chains,
    };
    const validation = this.hooks.validation;
    if (validation && reports.every((r) => r.validationSum !== undefined)) {
      const averaged = reports.reduce((s, r) => s + r.averaged, 0);
      const sum = new Float64Array(validation.target.length);
      for (const r of reports) for (let k = 0; k < sum.length; k++) sum[k] += r.validationSum![k];
      this.hooks.onProgress?.({
        ...event,
        validationRmse: rmseOfMean(sum, averaged, validation, this.scale),
      });
    } else {
      this.hooks.onProgress?.(event);
    }
  }
}

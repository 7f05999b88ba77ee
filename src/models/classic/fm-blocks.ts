/**
 * `fm`'s MCMC on per-user and per-item blocks instead of per-rating design rows, for data sets
 * whose design does not fit the row kernels' WebAssembly memory (`fm-coordinate-kernels.ts`).
 *
 * The row layout stores every training rating's non-zeros three times (by rows, by rows with
 * columns ascending, by columns: 36 bytes each) besides 32 + 8k bytes of caches per rating: on
 * the ML-25M-shaped synthetic set with all features (7.4 non-zeros per rating) that is 7.6 GiB,
 * past the 4 GiB a WebAssembly instance can address. But a rating's row is only its
 * user's block next to its item's block (`fm-design.ts`), so Rendle (2013, "Scaling Factorization
 * Machines to Relational Data", Sec. 4-5) sums everything a coordinate update needs per entity:
 * the relational Gibbs sampler of `bayes-svdpp` (`relational-gibbs.ts`), with no implicit blocks,
 * is exactly libFM's MCMC for this model. Per rating it keeps the user and item index, the target
 * and the residual (24 bytes); the blocks and per-entity sums are O(users + items).
 *
 * Its columns are numbered user side first (`buildSvdppLayout`), so a seed gives another (equally
 * valid) chain than the row layout's numbering; on the same numbering both give the same chain up
 * to rounding (`test/fm-blocks.test.ts`).
 */
import type { Dataset } from '../../data/dataset.js';
import { WASM_MAX_BYTES } from '../../util/wasm.js';
import { buildSvdppLayout, type SvdppLayout } from '../bayes-svdpp/layout.js';
import { fitRelationalMcmc } from '../bayes-svdpp/relational-gibbs.js';
import type { ProgressEvent } from '../model.js';
import type { FmParams, FmSamples } from './fm-core.js';
import type { FmLayout, MultiWeight } from './fm-design.js';
import { keptSweeps, type McmcSettings } from './fm-mcmc.js';
import type { FmMcmcLayout } from './fm-settings.js';

/** Ratings as index pairs and targets. */
export interface FmRatings {
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly rating: ArrayLike<number>;
}

/**
 * A lower bound on the row kernels' memory: per rating the e/q pair (16 bytes), the target (8),
 * q_f of every factor (8k) and two row offsets (8); per non-zero a column or row index (4) and a
 * value (8) in each of three copies. Fixed-size arrays (per column) are left out.
 */
export function rowLayoutBytes(
  layout: Pick<FmLayout, 'users' | 'items'>,
  ratings: FmRatings,
  factors: number,
): number {
  const U = layout.users.offsets;
  const I = layout.items.offsets;
  let nonZeros = 0;
  for (let r = 0; r < ratings.user.length; r++) {
    nonZeros += U[ratings.user[r] + 1] - U[ratings.user[r]] + I[ratings.item[r] + 1] - I[ratings.item[r]];
  }
  return ratings.user.length * (32 + 8 * factors) + 36 * nonZeros;
}

/** Whether `auto` (or the setting itself) picks the block sampler for this design. */
export function useBlocks(
  setting: FmMcmcLayout,
  layout: Pick<FmLayout, 'users' | 'items'>,
  ratings: FmRatings,
  factors: number,
): boolean {
  if (setting !== 'auto') return setting === 'blocks';
  return rowLayoutBytes(layout, ratings, factors) > WASM_MAX_BYTES;
}

export interface FmBlocksFit {
  /** The user-side-first numbering the samples are in. */
  readonly layout: SvdppLayout;
  readonly samples: FmSamples;
  readonly iterations: number;
}

/**
 * Kept draws packed straight into single precision, as `packSamples` stores them, so that the
 * sampler never holds double-precision copies of every draw (100 draws of ML-25M's 221,600
 * columns with k = 8 would be 1.6 GB).
 */
class SamplePacker {
  private count = 0;
  private readonly w0: Float64Array;
  private readonly w: Float32Array;
  private readonly v: Float32Array;

  constructor(
    private readonly capacity: number,
    private readonly columns: number,
    private readonly factors: number,
  ) {
    this.w0 = new Float64Array(capacity);
    this.w = new Float32Array(capacity * columns);
    this.v = new Float32Array(capacity * columns * factors);
  }

  add(params: FmParams): void {
    if (this.count === this.capacity) throw new Error('fm: more kept draws than planned');
    const s = this.count++;
    this.w0[s] = params.w0;
    this.w.set(params.w, s * this.columns);
    this.v.set(params.v, s * this.columns * this.factors);
  }

  packed(): FmSamples {
    const { count, columns, factors } = this;
    return {
      count,
      columns,
      factors,
      w0: this.w0.slice(0, count),
      w: count === this.capacity ? this.w : this.w.slice(0, count * columns),
      v: count === this.capacity ? this.v : this.v.slice(0, count * columns * factors),
    };
  }
}

/** How many draws `fitRelationalMcmc` keeps when it runs every sweep (at least the last point). */
function plannedDraws(settings: McmcSettings): number {
  const { thin, first } = keptSweeps(settings.iterations, settings.burnIn, settings.samples);
  let count = 0;
  for (let sweep = first; sweep <= settings.iterations; sweep++)
    if ((settings.iterations - sweep) % thin === 0) count++;
  return Math.max(1, count);
}

/** Fits `fm`'s MCMC on blocks (see the file comment). */
export async function fitFmBlocks(
  dataset: Dataset,
  ratings: FmRatings,
  design: { readonly features: string; readonly multiWeight: MultiWeight },
  settings: McmcSettings,
  hooks: {
    readonly validation?: FmRatings;
    readonly onProgress?: (event: ProgressEvent) => void;
    readonly signal?: AbortSignal;
  } = {},
): Promise<FmBlocksFit> {
  const layout = buildSvdppLayout(dataset, ratings, {
    ...design,
    implicit: 'none',
    implicitWeight: 'mean',
  });
  const packer = new SamplePacker(plannedDraws(settings), layout.columnCount, settings.factors);
  const target = (r: FmRatings): Float64Array =>
    r.rating instanceof Float64Array ? r.rating : Float64Array.from(r.rating);
  const { validation } = hooks;
  const iterations = await fitRelationalMcmc(
    { layout, user: ratings.user, item: ratings.item, target: target(ratings), scale: dataset.scale },
    settings,
    (params) => packer.add(params),
    {
      ...(validation === undefined
        ? {}
        : { validation: { user: validation.user, item: validation.item, target: target(validation) } }),
      ...(hooks.onProgress === undefined ? {} : { onProgress: hooks.onProgress }),
      ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    },
  );
  return { layout, samples: packer.packed(), iterations };
}

/**
 * What a fitted Bayesian SVD++ keeps: for each kept Gibbs draw, each user's and each item's part of
 * the FM equation, so that a prediction costs O(k) per draw however long the implicit blocks are.
 *
 * A row is a user block plus an item block on disjoint columns, so Rendle (2010) Eq. 1 with Eq. 5
 * splits (Rendle 2013, "Scaling Factorization Machines to Relational Data", Sec. 4) into
 *   ŷ(u, i) = w0 + a(u) + a(i) + Σ_f q_f(u) q_f(i),
 *   a(e) = Σ_{j∈e} w_j x_j + ½ Σ_f (q_f(e)² − Σ_{j∈e} v_{j,f}² x_j²),   q_f(e) = Σ_{j∈e} v_{j,f} x_j.
 * Storing (a, q) per entity instead of (w, V) per column also stores no more numbers: every entity
 * has about as many columns (its id and its own implicit column on the other side) as it has q's.
 */
import type { EntityBlock } from '../classic/fm-design.js';
import type { FmParams } from '../classic/fm-core.js';

/** a(e) and q_f(e) of every entity of one side; q factor-major, q[f * count + e]. */
export interface EntityTerms {
  readonly a: Float64Array;
  readonly q: Float64Array;
}

export function entityTerms(block: EntityBlock, params: FmParams): EntityTerms {
  const count = block.offsets.length - 1;
  const { columns, factors, w, v } = params;
  const a = new Float64Array(count);
  const q = new Float64Array(factors * count);
  for (let e = 0; e < count; e++) {
    const start = block.offsets[e];
    const end = block.offsets[e + 1];
    let lin = 0;
    for (let p = start; p < end; p++) lin += w[block.columns[p]] * block.values[p];
    for (let f = 0; f < factors; f++) {
      const base = f * columns;
      let sum = 0;
      let sumSq = 0;
      for (let p = start; p < end; p++) {
        const t = v[base + block.columns[p]] * block.values[p];
        sum += t;
        sumSq += t * t;
      }
      q[f * count + e] = sum;
      lin += 0.5 * (sum * sum - sumSq);
    }
    a[e] = lin;
  }
  return { a, q };
}

/** Kept draws: w0 per draw; a and q (entity-major, q[(s * count + e) * factors + f]) per side. */
export interface SvdppSamples {
  readonly count: number;
  readonly factors: number;
  readonly w0: Float64Array;
  readonly userA: Float32Array;
  readonly userQ: Float32Array;
  readonly itemA: Float32Array;
  readonly itemQ: Float32Array;
}

/** Collects draws as the sampler hands them over. */
export class SampleCollector {
  private readonly w0: number[] = [];
  private readonly parts: Array<{
    userA: Float32Array;
    userQ: Float32Array;
    itemA: Float32Array;
    itemQ: Float32Array;
  }> = [];

  constructor(
    private readonly users: EntityBlock,
    private readonly items: EntityBlock,
    private readonly factors: number,
  ) {}

  add(params: FmParams): void {
    const u = entityTerms(this.users, params);
    const i = entityTerms(this.items, params);
    this.w0.push(params.w0);
    this.parts.push({
      userA: Float32Array.from(u.a),
      userQ: entityMajor(u.q, this.factors),
      itemA: Float32Array.from(i.a),
      itemQ: entityMajor(i.q, this.factors),
    });
  }

  pack(): SvdppSamples {
    const join = (key: 'userA' | 'userQ' | 'itemA' | 'itemQ'): Float32Array => {
      const size = this.parts.reduce((n, p) => n + p[key].length, 0);
      const out = new Float32Array(size);
      let at = 0;
      for (const p of this.parts) {
        out.set(p[key], at);
        at += p[key].length;
      }
      return out;
    };
    return {
      count: this.w0.length,
      factors: this.factors,
      w0: Float64Array.from(this.w0),
      userA: join('userA'),
      userQ: join('userQ'),
      itemA: join('itemA'),
      itemQ: join('itemQ'),
    };
  }
}

function entityMajor(q: Float64Array, factors: number): Float32Array {
  const count = factors > 0 ? q.length / factors : 0;
  const out = new Float32Array(q.length);
  for (let f = 0; f < factors; f++) for (let e = 0; e < count; e++) out[e * factors + f] = q[f * count + e];
  return out;
}

/**
 * The posterior predictive mean (1/S) Σ_s ŷ_s(u, i) of the pairs, each draw's prediction clipped to
 * the scale first when `clip` is given (as libFM's MCMC does, Rendle 2012 Sec. 4.3).
 */
export function predictMean(
  samples: SvdppSamples,
  users: Int32Array,
  items: Int32Array,
  clip: { readonly min: number; readonly max: number } | undefined,
): Float64Array {
  const { count, factors } = samples;
  const userCount = count > 0 ? samples.userA.length / count : 0;
  const itemCount = count > 0 ? samples.itemA.length / count : 0;
  const out = new Float64Array(users.length);
  for (let k = 0; k < users.length; k++) {
    let total = 0;
    for (let s = 0; s < count; s++) {
      const u = s * userCount + users[k];
      const i = s * itemCount + items[k];
      let y = samples.w0[s] + samples.userA[u] + samples.itemA[i];
      const qu = u * factors;
      const qi = i * factors;
      for (let f = 0; f < factors; f++) y += samples.userQ[qu + f] * samples.itemQ[qi + f];
      if (clip) y = y < clip.min ? clip.min : y > clip.max ? clip.max : y;
      total += y;
    }
    out[k] = count > 0 ? total / count : 0;
  }
  return out;
}

/** The draws of several chains as one set of draws, in the order given (all with the same k). */
export function joinSamples(parts: readonly SvdppSamples[]): SvdppSamples {
  const factors = parts[0]?.factors ?? 0;
  if (parts.some((p) => p.factors !== factors)) throw new Error('joinSamples: chains with different factors');
  const join = (key: 'w0' | 'userA' | 'userQ' | 'itemA' | 'itemQ'): Float32Array | Float64Array => {
    const size = parts.reduce((n, p) => n + p[key].length, 0);
    const out = key === 'w0' ? new Float64Array(size) : new Float32Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p[key], at);
      at += p[key].length;
    }
    return out;
  };
  return {
    count: parts.reduce((n, p) => n + p.count, 0),
    factors,
    w0: join('w0') as Float64Array,
    userA: join('userA') as Float32Array,
    userQ: join('userQ') as Float32Array,
    itemA: join('itemA') as Float32Array,
    itemQ: join('itemQ') as Float32Array,
  };
}

/**
 * Cumulative distribution functions (and their inverses) of the standard normal, Student t and
 * chi-square distributions, from the regularized incomplete gamma and beta functions:
 *
 *   Φ(z)            = ½ (1 + sign(z) P(½, z²/2))                      (erf(u) = P(½, u²))
 *   F_t(t; ν)       = 1 − ½ I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0, by symmetry below 0
 *   F_χ²(x; k)      = P(k/2, x/2)
 *   F_F(x; d₁, d₂)  = I_{d₁x/(d₁x+d₂)}(d₁/2, d₂/2)
 */
import { HeedError } from '../util/errors.js';
import { regularizedBeta, regularizedGammaP, regularizedGammaQ } from './special-functions.js';

/** Φ(z), the standard normal CDF. The lower tail is computed directly, so Φ(−8) keeps its digits. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) throw new HeedError('normalCdf: z is NaN');
  const half = 0.5 * regularizedGammaQ(0.5, (z * z) / 2);
  return z < 0 ? half : 1 - half;
}

/** The Student t CDF with ν = df > 0 degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  checkDegreesOfFreedom(df, 'studentTCdf');
  if (Number.isNaN(t)) throw new HeedError('studentTCdf: t is NaN');
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t < 0 ? tail : 1 - tail;
}

/** Two-sided tail P(|T| ≥ |t|) of the Student t distribution, without the cancellation of 2(1 − F(|t|)). */
export function studentTTwoSidedP(t: number, df: number): number {
  checkDegreesOfFreedom(df, 'studentTTwoSidedP');
  if (Number.isNaN(t)) throw new HeedError('studentTTwoSidedP: t is NaN');
  if (!Number.isFinite(t)) return 0;
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/** The chi-square CDF with k = df > 0 degrees of freedom. */
export function chiSquareCdf(x: number, df: number): number {
  checkDegreesOfFreedom(df, 'chiSquareCdf');
  if (Number.isNaN(x)) throw new HeedError('chiSquareCdf: x is NaN');
  return x <= 0 ? 0 : regularizedGammaP(df / 2, x / 2);
}

/** The chi-square upper tail P(X ≥ x) = Q(k/2, x/2), computed directly so small p-values keep their digits. */
export function chiSquareUpperTail(x: number, df: number): number {
  checkDegreesOfFreedom(df, 'chiSquareUpperTail');
  if (Number.isNaN(x)) throw new HeedError('chiSquareUpperTail: x is NaN');
  return x <= 0 ? 1 : regularizedGammaQ(df / 2, x / 2);
}

/** The F distribution's upper tail P(X ≥ x) with d1 and d2 degrees of freedom, as 1 − F = I_{d₂/(d₂+d₁x)}(d₂/2, d₁/2). */
export function fUpperTail(x: number, d1: number, d2: number): number {
  checkDegreesOfFreedom(d1, 'fUpperTail');
  checkDegreesOfFreedom(d2, 'fUpperTail');
  if (Number.isNaN(x)) throw new HeedError('fUpperTail: x is NaN');
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return regularizedBeta(d2 / (d2 + d1 * x), d2 / 2, d1 / 2);
}

/** The p-quantile of Student t with df degrees of freedom, e.g. studentTQuantile(0.975, 4) = 2.776 for a 95% interval. */
export function studentTQuantile(p: number, df: number): number {
  checkDegreesOfFreedom(df, 'studentTQuantile');
  return invertCdf((t) => studentTCdf(t, df), p, 0, 'studentTQuantile');
}

/** The p-quantile of chi-square with df degrees of freedom. */
export function chiSquareQuantile(p: number, df: number): number {
  checkDegreesOfFreedom(df, 'chiSquareQuantile');
  return invertCdf((x) => chiSquareCdf(x, df), p, df, 'chiSquareQuantile');
}

function checkDegreesOfFreedom(df: number, caller: string): void {
  if (!(df > 0) || !Number.isFinite(df))
    throw new HeedError(`${caller}: degrees of freedom must be finite and > 0, got ${df}`);
}

/**
 * Solves cdf(x) = p by bisection: slower than Newton but cannot diverge, and 200 halvings of any
 * finite bracket reach the spacing of doubles.
 */
function invertCdf(cdf: (x: number) => number, p: number, start: number, caller: string): number {
  if (!(p > 0 && p < 1))
    throw new HeedError(`${caller}: probability must be strictly between 0 and 1, got ${p}`);
  let low = start - 1;
  let high = start + 1;
  while (cdf(low) > p) low -= 2 * (high - low);
  while (cdf(high) < p) high += 2 * (high - low);
  for (let i = 0; i < 200 && high - low > 1e-15 * Math.max(1, Math.abs(low)); i++) {
    const middle = (low + high) / 2;
    if (cdf(middle) < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

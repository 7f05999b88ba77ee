import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalCdf } from '../src/stats/distributions.js';
import { pairedTTest } from '../src/stats/paired-t-test.js';
import { meanAndSd } from '../src/stats/summary.js';
import { wilcoxonSignedRank } from '../src/stats/wilcoxon.js';

const close = (actual: number, expected: number, eps: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= eps, `${what} ${actual} is not ${expected} ± ${eps}`);

test('meanAndSd: sample standard deviation by hand, 0 for one value', () => {
  // Mean 40 / 8 = 5; squared deviations 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32; s² = 32 / 7.
  const summary = meanAndSd([2, 4, 4, 4, 5, 5, 7, 9]);
  close(summary.mean, 5, 1e-15);
  close(summary.sd, Math.sqrt(32 / 7), 1e-15);
  assert.equal(summary.n, 8);
  assert.deepEqual(meanAndSd([0.87]), { mean: 0.87, sd: 0, n: 1 });
  assert.throws(() => meanAndSd([]), /meanAndSd: no values/);
  assert.throws(() => meanAndSd([1, NaN]), /meanAndSd: values\[1\] must be a finite number, got NaN/);
});

test('paired t-test: a hand-worked example with 5 seeds', () => {
  // RMSEs of two models over 5 seeds. d = a − b = 0.01, 0.02, 0.01, 0.03, 0.02; d̄ = 0.018.
  // Deviations −0.008, 0.002, −0.008, 0.012, 0.002: Σ² = 280e−6, s² = 70e−6, SE = √(70e−6 / 5) = √14e−3.
  // t = 0.018 / √14e−3 = 4.8107, df = 4.
  // For ν = 4 the two-sided p has a closed form: p = I_x(2, ½) with x = 4 / (4 + t²), which
  // integrates to 1 − (3/2) r + r³/2 with r = t / √(4 + t²).
  const a = [0.91, 0.93, 0.92, 0.95, 0.94];
  const b = [0.9, 0.91, 0.91, 0.92, 0.92];
  const result = pairedTTest(a, b);
  const t = 0.018 / Math.sqrt(14e-6);
  const r = t / Math.sqrt(4 + t * t);
  close(result.t, t, 1e-9, 't');
  assert.equal(result.df, 4);
  assert.equal(result.n, 5);
  close(result.meanDifference, 0.018, 1e-12, 'mean difference');
  close(result.pValue, 1 - 1.5 * r + 0.5 * r ** 3, 1e-10, 'p');
  // Between the table's two-sided 1% (t = 4.604) and 0.5% (t = 5.598) points for 4 df.
  assert.ok(result.pValue < 0.01 && result.pValue > 0.005);
  // Swapping the samples flips the sign of t and keeps p.
  const swapped = pairedTTest(b, a);
  close(swapped.t, -t, 1e-9);
  close(swapped.pValue, result.pValue, 1e-15);
});

test('paired t-test: zero variance of the differences has a defined answer', () => {
  assert.deepEqual(pairedTTest([1, 2, 3], [1, 2, 3]), { t: 0, df: 2, pValue: 1, meanDifference: 0, n: 3 });
  assert.deepEqual(pairedTTest([1.5, 2.5, 3.5], [1, 2, 3]), {
    t: Infinity,
    df: 2,
    pValue: 0,
    meanDifference: 0.5,
    n: 3,
  });
  assert.equal(pairedTTest([1, 2, 3], [1.5, 2.5, 3.5]).t, -Infinity);
});

test('paired t-test: bad input names the problem', () => {
  assert.throws(
    () => pairedTTest([1], [2]),
    /pairedTTest: needs at least 2 pairs to estimate a variance, got 1/,
  );
  assert.throws(
    () => pairedTTest([1, 2], [1]),
    /pairedTTest: paired samples differ in length \(a has 2, b has 1\)/,
  );
  assert.throws(
    () => pairedTTest([1, 2], [1, Infinity]),
    /pairedTTest: b\[1\] must be a finite number, got Infinity/,
  );
});

test('Wilcoxon: Demšar (2006) Table 2, C4.5+m against C4.5, by hand with zeros dropped', () => {
  // AUC in thousandths (integers, so that equal differences are equal doubles).
  const c45m = [768, 591, 971, 661, 888, 931, 668, 583, 838, 1000, 962, 666, 981, 978];
  const c45 = [763, 599, 954, 628, 882, 936, 661, 583, 775, 1000, 940, 619, 972, 957];
  // d = +5, −8, +17, +33, +6, −5, +7, 0, +63, 0, +22, +47, +9, +21. The two zeros (lung cancer,
  // mushroom) are dropped: n = 12. Sorted |d|: 5, 5, 6, 7, 8, 9, 17, 21, 22, 33, 47, 63 get ranks
  // 1.5, 1.5, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12. W− = 1.5 (iris) + 5 (breast cancer) = 6.5,
  // W+ = 78 − 6.5 = 71.5. (Demšar splits the zeros' ranks instead and gets R+ = 93, R− = 12.)
  // Exact null: doubled ranks 3, 3, 6, 8, 10, …, 24; sign patterns with doubled W+ ≤ 13:
  // {} ; {3}, {3'}, {6}, {8}, {10}, {12} ; {3,3'}, {3,6}×2, {3,8}×2, {3,10}×2 ; {3,3',6} → 15 of 2¹².
  // Two-sided p = 2 · 15 / 4096.
  const result = wilcoxonSignedRank(c45m, c45);
  assert.deepEqual(result, {
    wPlus: 71.5,
    wMinus: 6.5,
    statistic: 6.5,
    n: 12,
    pValue: 30 / 4096,
    exact: true,
  });
});

test('Wilcoxon: with 5 pairs the smallest two-sided p is 2 / 2⁵ = 0.0625', () => {
  const result = wilcoxonSignedRank([0.91, 0.92, 0.93, 0.94, 0.95], [0.9, 0.9, 0.9, 0.9, 0.9]);
  assert.equal(result.wMinus, 0);
  assert.equal(result.wPlus, 15);
  assert.equal(result.pValue, 0.0625);
});

test('Wilcoxon: exact p equals brute-force enumeration of all 2^n sign patterns, ties included', () => {
  const a = [3, -1, 4, -1, 5, 9, -2, 6, 5, 3, -5];
  const b = a.map(() => 0);
  const result = wilcoxonSignedRank(a, b);
  // Independent of the module: |d| = 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5 ranked with average ranks by counting.
  const absolute = a.map(Math.abs);
  const rank = absolute.map(
    (v) => absolute.filter((w) => w < v).length + (absolute.filter((w) => w === v).length + 1) / 2,
  );
  const observed = rank.reduce((sum, r, i) => sum + (a[i] > 0 ? r : 0), 0);
  let atMost = 0;
  let atLeast = 0;
  for (let signs = 0; signs < 2 ** a.length; signs++) {
    const wPlus = rank.reduce((sum, r, i) => sum + ((signs >> i) & 1 ? r : 0), 0);
    if (wPlus <= observed + 1e-9) atMost++;
    if (wPlus >= observed - 1e-9) atLeast++;
  }
  const bruteForce = Math.min(1, (2 * Math.min(atMost, atLeast)) / 2 ** a.length);
  assert.equal(result.wPlus, observed);
  assert.equal(result.n, 11);
  assert.ok(result.exact);
  close(result.pValue, bruteForce, 1e-15);
});

test('Wilcoxon: normal approximation above 25 pairs, with tie and continuity corrections, by hand', () => {
  // 40 pairs, d_i = ±(⌊i/2⌋ + 1), negative when i is a multiple of 3: |d| = 1, 1, 2, 2, …, 20, 20.
  // Every value v occurs twice, at ranks 2v − 1 and 2v, so both get 2v − ½.
  // Negative at |d| = 1, 2, 4, 5, 7, 8, 10, 11, 13, 14, 16, 17, 19, 20 (sum 147): W− = 2·147 − 14·½ = 287;
  // W+ = 40·41/2 − 287 = 533.
  // μ = 40·41/4 = 410; σ² = 40·41·81/24 − 20 groups · (2³ − 2)/48 = 5535 − 2.5 = 5532.5;
  // z = (|533 − 410| − ½) / √5532.5 = 1.6469; p = 2Φ(−z) ≈ 0.0996 (scipy.stats.wilcoxon with
  // method='approx', correction=True gives 0.09957225013676).
  const d = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (Math.floor(i / 2) + 1));
  const result = wilcoxonSignedRank(d, new Array<number>(40).fill(0));
  assert.equal(result.wMinus, 287);
  assert.equal(result.wPlus, 533);
  assert.equal(result.statistic, 287);
  assert.equal(result.n, 40);
  assert.equal(result.exact, false);
  close(result.pValue, 2 * normalCdf(-122.5 / Math.sqrt(5532.5)), 1e-14);
  close(result.pValue, 0.09957225013676, 1e-12);
});

test('Wilcoxon: 26 pairs switch to the approximation; 25 stay exact', () => {
  const ranksUpTo = (n: number): number[] => Array.from({ length: n }, (_, i) => (i < 6 ? -(i + 1) : i + 1));
  assert.equal(wilcoxonSignedRank(ranksUpTo(25), new Array<number>(25).fill(0)).exact, true);
  assert.equal(wilcoxonSignedRank(ranksUpTo(26), new Array<number>(26).fill(0)).exact, false);
});

test('Wilcoxon: zero differences are dropped; no non-zero difference gives p = 1', () => {
  const result = wilcoxonSignedRank([1, 2, 3, 5], [1, 2, 4, 3]);
  // d = 0, 0, −1, +2: n = 2, ranks 1 (−) and 2 (+); P(W+ ≤ 1) = 2/4, two-sided p = 1.
  assert.deepEqual(result, { wPlus: 2, wMinus: 1, statistic: 1, n: 2, pValue: 1, exact: true });
  assert.deepEqual(wilcoxonSignedRank([1, 2], [1, 2]), {
    wPlus: 0,
    wMinus: 0,
    statistic: 0,
    n: 0,
    pValue: 1,
    exact: true,
  });
  assert.throws(() => wilcoxonSignedRank([1], [1, 2]), /wilcoxonSignedRank: paired samples differ in length/);
  assert.throws(
    () => wilcoxonSignedRank([NaN], [1]),
    /wilcoxonSignedRank: a\[0\] must be a finite number, got NaN/,
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chiSquareCdf,
  chiSquareQuantile,
  chiSquareUpperTail,
  fUpperTail,
  normalCdf,
  studentTCdf,
  studentTQuantile,
  studentTTwoSidedP,
} from '../src/stats/distributions.js';
import { logGamma, regularizedBeta, regularizedGammaP } from '../src/stats/special-functions.js';

const close = (actual: number, expected: number, eps: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= eps, `${what} ${actual} is not ${expected} ± ${eps}`);

test('log Γ at integers and halves: Γ(n) = (n − 1)!, Γ(½) = √π', () => {
  close(logGamma(1), 0, 1e-14);
  close(logGamma(5), Math.log(24), 1e-13);
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-13);
  close(logGamma(101), 363.73937555556347, 1e-10); // ln(100!)
  assert.throws(() => logGamma(0), /logGamma: argument must be > 0, got 0/);
});

test('incomplete gamma and beta against closed forms', () => {
  // P(1, x) = 1 − e^{−x}; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b.
  for (const x of [0.01, 0.5, 2, 7, 30])
    close(regularizedGammaP(1, x), 1 - Math.exp(-x), 1e-14, `P(1, ${x})`);
  for (const x of [0.05, 0.3, 0.7, 0.95]) {
    close(regularizedBeta(x, 3.5, 1), x ** 3.5, 1e-14, `I_${x}(3.5, 1)`);
    close(regularizedBeta(x, 1, 2.5), 1 - (1 - x) ** 2.5, 1e-14, `I_${x}(1, 2.5)`);
  }
  assert.throws(() => regularizedBeta(1.5, 1, 1), /x must be in \[0, 1\], got 1.5/);
});

test('normal CDF: Φ(0) = ½, table values, a far tail with its digits', () => {
  close(normalCdf(0), 0.5, 1e-15);
  close(normalCdf(1.96), 0.9750021048517795, 1e-14);
  close(normalCdf(-1.644853626951472), 0.05, 1e-13);
  close(normalCdf(1) - normalCdf(-1), 0.6826894921370859, 1e-14);
  // Φ(−8) = 6.22096e−16, far below 1 − Φ(8) computed in doubles.
  close(normalCdf(-8) / 6.220960574271785e-16, 1, 1e-10);
});

test('Student t CDF: closed forms for ν = 1, 2 and quantiles from printed tables', () => {
  for (const t of [-3, -0.5, 0, 0.7, 2, 12]) {
    close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-14, `Cauchy at ${t}`);
    close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-14, `ν = 2 at ${t}`);
  }
  // Two-tailed critical values, as printed (3 decimals) in any table of the t distribution.
  const table: [p: number, df: number, t: number][] = [
    [0.975, 10, 2.228],
    [0.975, 4, 2.776],
    [0.975, 1, 12.706],
    [0.95, 20, 1.725],
    [0.995, 30, 2.75],
    [0.975, 120, 1.98],
  ];
  for (const [p, df, t] of table) {
    close(studentTQuantile(p, df), t, 5e-4, `t(${p}, ${df})`);
    close(studentTCdf(studentTQuantile(p, df), df), p, 1e-12, `F(t(${p}, ${df}))`);
  }
  close(studentTTwoSidedP(2.228, 10), 2 * (1 - studentTCdf(2.228, 10)), 1e-14);
  assert.equal(studentTCdf(Infinity, 3), 1);
  assert.equal(studentTTwoSidedP(-Infinity, 3), 0);
  assert.throws(() => studentTCdf(1, 0), /studentTCdf: degrees of freedom must be finite and > 0, got 0/);
});

test('chi-square CDF: closed form for k = 2, quantiles from printed tables', () => {
  for (const x of [0.1, 1, 5.991, 20])
    close(chiSquareCdf(x, 2), 1 - Math.exp(-x / 2), 1e-14, `k = 2 at ${x}`);
  // χ²₁ is the square of a standard normal: F(z²; 1) = 2Φ(z) − 1.
  close(chiSquareCdf(1.96 ** 2, 1), 2 * normalCdf(1.96) - 1, 1e-13);
  const table: [p: number, df: number, x: number][] = [
    [0.95, 3, 7.815],
    [0.95, 1, 3.841],
    [0.99, 5, 15.086],
    [0.95, 10, 18.307],
    [0.05, 4, 0.711],
  ];
  for (const [p, df, x] of table) close(chiSquareQuantile(p, df), x, 5e-4, `χ²(${p}, ${df})`);
  close(chiSquareUpperTail(7.815, 3), 1 - chiSquareCdf(7.815, 3), 1e-14);
  assert.equal(chiSquareCdf(-1, 3), 0);
  assert.equal(chiSquareUpperTail(0, 3), 1);
  assert.throws(
    () => chiSquareQuantile(1, 3),
    /chiSquareQuantile: probability must be strictly between 0 and 1, got 1/,
  );
});

test('F upper tail: closed forms for d1 = 1, 2 and critical values from printed tables', () => {
  // F(1, ν) is the square of t_ν; F(2, ν) has upper tail (1 + 2x/ν)^(−ν/2).
  for (const x of [0.3, 1, 4.96, 20]) {
    close(fUpperTail(x, 1, 10), studentTTwoSidedP(Math.sqrt(x), 10), 1e-14, `F(1, 10) at ${x}`);
    close(fUpperTail(x, 2, 6), (1 + (2 * x) / 6) ** -3, 1e-14, `F(2, 6) at ${x}`);
  }
  // 5% and 1% points, printed with 2 decimals: the tail there is 0.05 (0.01) to within the rounding.
  const table: [alpha: number, d1: number, d2: number, x: number][] = [
    [0.05, 3, 39, 2.85], // quoted by Demšar (2006) for the Table 6 example
    [0.05, 2, 6, 5.14],
    [0.01, 4, 20, 4.43],
    [0.05, 1, 10, 4.96],
  ];
  for (const [alpha, d1, d2, x] of table)
    close(fUpperTail(x, d1, d2), alpha, 5e-4, `F(${d1}, ${d2}) at ${x}`);
  assert.equal(fUpperTail(0, 3, 4), 1);
  assert.equal(fUpperTail(Infinity, 3, 4), 0);
  assert.throws(() => fUpperTail(1, 3, -1), /fUpperTail: degrees of freedom must be finite and > 0, got -1/);
});

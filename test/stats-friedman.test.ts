import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalCdf } from '../src/stats/distributions.js';
import { friedman } from '../src/stats/friedman.js';
import { nemenyiCriticalDifference, nemenyiGroups } from '../src/stats/nemenyi.js';

const close = (actual: number, expected: number, eps: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= eps, `${what} ${actual} is not ${expected} ± ${eps}`);

test('Friedman: a hand-worked example with a tie (RMSE, lower is better)', () => {
  const rmse = [
    [0.9, 0.92, 0.95], // ranks 1, 2, 3
    [0.88, 0.91, 0.91], // ranks 1, 2.5, 2.5
    [0.93, 0.92, 0.97], // ranks 2, 1, 3
    [0.85, 0.87, 0.9], // ranks 1, 2, 3
  ];
  // Rank sums 5, 7.5, 11.5 → R = 1.25, 1.875, 2.875; Σ R² = 13.34375; k(k+1)²/4 = 12.
  // χ²_F = 12·4 / (3·4) · (13.34375 − 12) = 5.375, df = 2, p = e^{−5.375/2} (χ² with 2 df).
  // F_F = 3 · 5.375 / (4·2 − 5.375) = 6.142857…, with 2 and 2·3 = 6 df: p = (1 + 2 F_F / 6)^(−3).
  const result = friedman(rmse);
  assert.deepEqual(result.averageRanks, [1.25, 1.875, 2.875]);
  close(result.chiSquare, 5.375, 1e-12);
  assert.equal(result.df, 2);
  close(result.pValue, Math.exp(-5.375 / 2), 1e-14);
  close(result.imanDavenportF, 16.125 / 2.625, 1e-12);
  close(result.imanDavenportPValue, (1 + (2 * 16.125) / 2.625 / 6) ** -3, 1e-14);
  assert.equal(result.blocks, 4);
  assert.equal(result.treatments, 3);
  // The same scores negated, with higher better, rank identically.
  assert.deepEqual(
    friedman(
      rmse.map((row) => row.map((x) => -x)),
      false,
    ),
    result,
  );
});

// Demšar (2006), Table 6: AUC (higher is better) of C4.5, C4.5+m, C4.5+cf, C4.5+m+cf on 14 data sets.
const TABLE_6 = [
  [0.763, 0.768, 0.771, 0.798], // adult (sample)
  [0.599, 0.591, 0.59, 0.569], // breast cancer
  [0.954, 0.971, 0.968, 0.967], // breast cancer wisconsin
  [0.628, 0.661, 0.654, 0.657], // cmc
  [0.882, 0.888, 0.886, 0.898], // ionosphere
  [0.936, 0.931, 0.916, 0.931], // iris
  [0.661, 0.668, 0.609, 0.685], // liver disorders
  [0.583, 0.583, 0.563, 0.625], // lung cancer
  [0.775, 0.838, 0.866, 0.875], // lymphography
  [1.0, 1.0, 1.0, 1.0], // mushroom
  [0.94, 0.962, 0.965, 0.962], // primary tumor
  [0.619, 0.666, 0.614, 0.669], // rheum
  [0.972, 0.981, 0.975, 0.975], // voting
  [0.957, 0.978, 0.946, 0.97], // wine
];
const VOTING = 12;

test('Friedman on Demšar (2006) Table 6 reproduces χ²_F = 9.28 and F_F = 3.69', () => {
  // The paper ranks voting's tie (0.975, 0.975) as 2 and 3 rather than 2.5, 2.5. Breaking that tie
  // the same way gives the paper's rank sums 44, 28, 40.5, 27.5 → 3.143, 2.000, 2.893, 1.964, and
  // χ²_F = 12·14/(4·5) · (Σ R² − 4·5²/4) = 8.4 · (5116.5/196 − 25) = 9.2786, F_F = 13 · χ² / (42 − χ²).
  const asPrinted = TABLE_6.map((row, i) => (i === VOTING ? [0.972, 0.981, 0.9751, 0.975] : row));
  const result = friedman(asPrinted, false);
  assert.deepEqual(
    result.averageRanks.map((r) => r * 14),
    [44, 28, 40.5, 27.5],
  );
  const chiSquare = 8.4 * (5116.5 / 196 - 25);
  close(result.chiSquare, chiSquare, 1e-12);
  close(result.chiSquare, 9.28, 0.005, 'paper χ²_F');
  close(result.imanDavenportF, (13 * chiSquare) / (42 - chiSquare), 1e-12);
  close(result.imanDavenportF, 3.69, 0.005, 'paper F_F');
  // Demšar: F(3, 39) at α = 0.05 is 2.85 < 3.69, "so we reject the null-hypothesis".
  assert.ok(result.imanDavenportPValue < 0.05);
  close(result.imanDavenportPValue, 0.019823006192249, 1e-10); // scipy.stats.f.sf(F_F, 3, 39)
  // The χ² upper tail with 3 df in closed form: Q(x; 3) = 2Φ(−√x) + √(2x/π) e^{−x/2}.
  close(
    result.pValue,
    2 * normalCdf(-Math.sqrt(chiSquare)) + Math.sqrt((2 * chiSquare) / Math.PI) * Math.exp(-chiSquare / 2),
    1e-13,
  );
  assert.equal(result.df, 3);
  assert.equal(result.blocks, 14);

  // With the tie averaged, as the paper's text prescribes, C4.5+cf gains and C4.5+m+cf loses half a rank on voting.
  assert.deepEqual(
    friedman(TABLE_6, false).averageRanks.map((r) => r * 14),
    [44, 28, 41, 27],
  );
});

test('Nemenyi on Demšar (2006) Table 6: CD = 1.25 (α = 0.05) and 1.12 (α = 0.10), and the two groups', () => {
  close(nemenyiCriticalDifference(4, 14), 2.569 * Math.sqrt(20 / 84), 1e-12);
  close(nemenyiCriticalDifference(4, 14), 1.25, 0.005, 'paper CD at 0.05');
  close(nemenyiCriticalDifference(4, 14, 0.1), 1.12, 0.005, 'paper CD at 0.10');
  const ranks = [44 / 14, 28 / 14, 40.5 / 14, 27.5 / 14]; // C4.5, +m, +cf, +m+cf
  // α = 0.05: best − worst = 3.143 − 1.964 = 1.179 < 1.25, so one group holds all four.
  assert.deepEqual(nemenyiGroups(ranks, nemenyiCriticalDifference(4, 14)), [[3, 1, 2, 0]]);
  // α = 0.10: C4.5 differs from +m (1.143 ≥ 1.12) and +m+cf; +cf sits in both groups (Demšar's reading:
  // the data cannot place it).
  assert.deepEqual(nemenyiGroups(ranks, nemenyiCriticalDifference(4, 14, 0.1)), [
    [3, 1, 2],
    [2, 0],
  ]);
  assert.deepEqual(nemenyiGroups([1, 2, 3], 0.5), []);
});

test('Nemenyi q_α table equals the Studentized range quantile (∞ df) / √2', () => {
  // P(range of k standard normals ≤ w) = k ∫ φ(z) [Φ(z + w) − Φ(z)]^{k−1} dz, by Simpson's rule;
  // solve P = 1 − α for w with the secant method and compare w/√2 with the table. The table has 3
  // decimals but is not always rounded to nearest: for k = 3, α = 0.05 the integral gives 2.3437
  // (q = 3.3145 in Tukey's tables), printed as 2.343; hence a tolerance of 1e-3.
  const phi = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  const rangeCdf = (w: number, k: number): number => {
    const steps = 800;
    const h = 16 / steps;
    let sum = 0;
    for (let i = 0; i <= steps; i++) {
      const z = -8 + i * h;
      const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
      sum += weight * phi(z) * (normalCdf(z + w) - normalCdf(z)) ** (k - 1);
    }
    return (k * sum * h) / 3;
  };
  for (const alpha of [0.05, 0.1] as const) {
    for (let k = 2; k <= 10; k++) {
      const tableQ = nemenyiCriticalDifference(k, 6, alpha) / Math.sqrt((k * (k + 1)) / 36);
      let w0 = tableQ * Math.SQRT2 - 0.01;
      let w1 = tableQ * Math.SQRT2 + 0.01;
      let f0 = rangeCdf(w0, k) - (1 - alpha);
      for (let i = 0; i < 6; i++) {
        const f1 = rangeCdf(w1, k) - (1 - alpha);
        if (f1 === f0) break;
        [w0, w1, f0] = [w1, w1 - (f1 * (w1 - w0)) / (f1 - f0), f1];
      }
      close(w1 / Math.SQRT2, tableQ, 1e-3, `q(${alpha}, k = ${k})`);
    }
  }
});

test('Friedman and Nemenyi: degenerate and bad input', () => {
  // Every block agrees: χ²_F = N(k − 1) = 6, and F_F is infinite.
  const agree = friedman([
    [1, 2, 3],
    [1, 2, 3],
    [4, 5, 6],
  ]);
  close(agree.chiSquare, 6, 1e-12);
  assert.equal(agree.imanDavenportF, Infinity);
  assert.equal(agree.imanDavenportPValue, 0);
  // All tied: nothing to tell apart.
  const tied = friedman([
    [1, 1],
    [2, 2],
  ]);
  assert.equal(tied.chiSquare, 0);
  assert.equal(tied.pValue, 1);
  assert.throws(() => friedman([[1, 2]]), /friedman: needs at least 2 blocks \(rows\), got 1/);
  assert.throws(() => friedman([[1], [2]]), /friedman: needs at least 2 treatments \(columns\), got 1/);
  assert.throws(() => friedman([[1, 2], [3]]), /friedman: row 1 has 1 scores, row 0 has 2/);
  assert.throws(
    () =>
      friedman([
        [1, 2],
        [3, NaN],
      ]),
    /friedman: scores\[1\]\[1\] must be a finite number, got NaN/,
  );
  assert.throws(() => nemenyiCriticalDifference(11, 5), /covers 2 to 10 treatments, got 11/);
  assert.throws(() => nemenyiCriticalDifference(1, 5), /covers 2 to 10 treatments, got 1/);
  assert.throws(() => nemenyiCriticalDifference(3, 0), /blocks must be a positive integer, got 0/);
  assert.throws(() => nemenyiCriticalDifference(3, 5, 0.01 as 0.05), /alpha must be 0.05 or 0.1, got 0.01/);
  assert.throws(() => nemenyiGroups([1, 2], 0), /nemenyiGroups: cd must be finite and > 0, got 0/);
});

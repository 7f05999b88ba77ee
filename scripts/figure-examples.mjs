// Writes one example of each SVG figure to docs/figures/examples/, from the compiled library.
//   npx tsc -p tsconfig.json && node scripts/figure-examples.mjs
// The line and bar charts use made-up numbers (their titles say so); the critical difference
// diagram is Demšar (2006), Table 6, run through friedman() and nemenyiCriticalDifference().
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { barChart } from '../dist/src/report/bar-chart.js';
import { criticalDifferenceDiagram } from '../dist/src/report/critical-difference-diagram.js';
import { lineChart } from '../dist/src/report/line-chart.js';
import { friedman } from '../dist/src/stats/friedman.js';
import { nemenyiCriticalDifference } from '../dist/src/stats/nemenyi.js';

const OUT = join('docs', 'figures', 'examples');

const factors = [8, 16, 32, 64];
const band = (mean, sd) => ({ y: mean, low: mean - sd, high: mean + sd });
const line = lineChart({
  title: 'RMSE against embedding size (example data)',
  xLabel: 'Embedding size k',
  yLabel: 'RMSE (mean ± sd over 5 seeds)',
  xScale: 'log2',
  series: [
    {
      name: 'SAIN',
      points: [0.902, 0.895, 0.893, 0.897].map((m, i) => ({ x: factors[i], ...band(m, 0.003) })),
    },
    {
      name: 'AFM-GAU',
      points: [0.915, 0.906, 0.904, 0.905].map((m, i) => ({ x: factors[i], ...band(m, 0.004) })),
    },
    {
      name: 'BiasedMF',
      dashed: true,
      points: [0.921, 0.918, 0.919, 0.924].map((m, i) => ({ x: factors[i], ...band(m, 0.002) })),
    },
  ],
});

const bar = barChart({
  title: 'Test RMSE by data set (example data)',
  yLabel: 'RMSE (mean ± sd)',
  groups: [
    {
      label: 'ml-100k',
      bars: [
        { name: 'SAIN', value: 0.893, low: 0.89, high: 0.896 },
        { name: 'AFM-GAU', value: 0.904, low: 0.9, high: 0.908 },
        { name: 'BiasedMF', value: 0.918, low: 0.916, high: 0.92 },
      ],
    },
    {
      label: 'ml-1m',
      bars: [
        { name: 'SAIN', value: 0.851, low: 0.849, high: 0.853 },
        { name: 'AFM-GAU', value: 0.858, low: 0.855, high: 0.861 },
        { name: 'BiasedMF', value: 0.862, low: 0.861, high: 0.863 },
      ],
    },
    {
      label: 'Amazon instruments',
      bars: [
        { name: 'SAIN', value: 0.951, low: 0.94, high: 0.962 },
        { name: 'AFM-GAU', value: 0.946, low: 0.935, high: 0.957 },
        { name: 'BiasedMF', value: 0.969, low: 0.962, high: 0.976 },
      ],
    },
  ],
});

// Demšar (2006), Table 6: AUC of four C4.5 variants on 14 data sets (higher is better).
const names = ['C4.5', 'C4.5+m', 'C4.5+cf', 'C4.5+m+cf'];
const auc = [
  [0.763, 0.768, 0.771, 0.798],
  [0.599, 0.591, 0.59, 0.569],
  [0.954, 0.971, 0.968, 0.967],
  [0.628, 0.661, 0.654, 0.657],
  [0.882, 0.888, 0.886, 0.898],
  [0.936, 0.931, 0.916, 0.931],
  [0.661, 0.668, 0.609, 0.685],
  [0.583, 0.583, 0.563, 0.625],
  [0.775, 0.838, 0.866, 0.875],
  [1.0, 1.0, 1.0, 1.0],
  [0.94, 0.962, 0.965, 0.962],
  [0.619, 0.666, 0.614, 0.669],
  [0.972, 0.981, 0.975, 0.975],
  [0.957, 0.978, 0.946, 0.97],
];
const test = friedman(auc, false);
const alpha = 0.1;
const cd = criticalDifferenceDiagram({
  title: 'Demšar (2006) Table 6: C4.5 variants, AUC',
  ranks: names.map((name, i) => ({ name, rank: test.averageRanks[i] })),
  cd: nemenyiCriticalDifference(names.length, test.blocks, alpha),
  alpha,
  blocks: test.blocks,
});

mkdirSync(OUT, { recursive: true });
for (const [file, svg] of [
  ['line-chart.svg', line],
  ['bar-chart.svg', bar],
  ['critical-difference.svg', cd],
]) {
  writeFileSync(join(OUT, file), svg);
  process.stdout.write(`wrote ${join(OUT, file)}\n`);
}

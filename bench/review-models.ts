/**
 * The review-model table of issue 9: every model on Amazon Musical Instruments 5-core, seeded
 * 8:1:1 splits (the same split for every model of a seed), through `heed evaluate --json`, one run
 * per (model, seed), each saved as it finishes so an interrupted table resumes where it stopped.
 *
 *   node dist/bench/review-models.js [--models a,b] [--seeds 1,2,3,4,5] [--protocol clean|paper]
 *     [--data-dir ../shared/data] [--out bench/results/review-models] [--set KEY=VALUE]
 *
 * Then prints the table (MSE mean ± sd, RMSE, MAE, NDCG@10, fit seconds, samples/s) and the paired
 * per-seed differences of SAFMR against TransNet, DeepCoNN and SVD++ (and of each review model
 * against SVD++), as Markdown for BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    models: {
      type: 'string',
      default: 'globalmean,baseline,biasedmf,svdpp,fm,deepconn,transnet,narre,tafa,safmr',
    },
    seeds: { type: 'string', default: '1,2,3,4,5' },
    protocol: { type: 'string', default: 'clean' },
    'data-dir': { type: 'string', default: '../shared/data' },
    out: { type: 'string', default: 'bench/results/review-models' },
    set: { type: 'string', multiple: true, default: [] },
    'table-only': { type: 'boolean', default: false },
    'catalogue-ndcg': { type: 'string' },
  },
});
const models = values.models.split(',').filter((m) => m !== '');
const seeds = values.seeds.split(',').map(Number);
const file = path.join(
  values['data-dir'],
  'amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz',
);
const catalogueK = values['catalogue-ndcg'];
// Runs with the catalogue NDCG are kept apart: they are the same fits, scored once more.
const outDir = path.join(
  values.out,
  catalogueK === undefined ? values.protocol : `${values.protocol}-ndcg${catalogueK}`,
);
fs.mkdirSync(outDir, { recursive: true });
const CLI = path.join(path.dirname(new URL(import.meta.url).pathname), '../src/cli/main.js');

interface Result {
  model: string;
  seed: number;
  mse: number;
  rmse: number;
  mae: number;
  ndcg10: number | null;
  fitSeconds: number;
  samplesPerSecond: number;
  nTest: number;
  bestEpoch?: number;
  catalogueNdcg?: { k: number; ndcg: number; users: number };
}

for (const seed of seeds) {
  for (const model of models) {
    const target = path.join(outDir, `${model}-seed${seed}.json`);
    if (values['table-only'] || fs.existsSync(target)) continue;
    const args = [
      CLI,
      'evaluate',
      '--model',
      model,
      '--dataset',
      `amazon:${file}`,
      '--split',
      'ratio:0.8,0.1,0.1',
    ];
    args.push('--seed', String(seed), '--json');
    if (values.protocol !== 'clean') args.push('--review-protocol', values.protocol);
    if (catalogueK !== undefined) args.push('--catalogue-ndcg', catalogueK);
    for (const s of values.set) args.push('--set', s);
    process.stderr.write(`${model} seed ${seed} (${values.protocol}) …\n`);
    const json = execFileSync(process.execPath, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 26,
    });
    fs.writeFileSync(target, json);
  }
}

const load = (model: string, seed: number): Result | undefined => {
  const f = path.join(outDir, `${model}-seed${seed}.json`);
  return fs.existsSync(f) ? { ...(JSON.parse(fs.readFileSync(f, 'utf8')) as Result), seed } : undefined;
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]): number => {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : '–');

const catalogueHead = catalogueK === undefined ? '' : ` NDCG@${catalogueK} (catalogue) |`;
const lines = [
  `| model | seeds | MSE mean ± sd | RMSE | MAE | NDCG@10 |${catalogueHead} fit s | samples/s |`,
  `| --- | --- | --- | --- | --- | --- |${catalogueK === undefined ? '' : ' --- |'} --- | --- |`,
];
for (const model of models) {
  const rs = seeds.map((s) => load(model, s)).filter((r): r is Result => r !== undefined);
  if (rs.length === 0) continue;
  lines.push(
    `| ${model} | ${rs.map((r) => r.seed).join(',')} | ${f(mean(rs.map((r) => r.mse)))} ± ${f(sd(rs.map((r) => r.mse)))} | ` +
      `${f(mean(rs.map((r) => r.rmse)))} | ${f(mean(rs.map((r) => r.mae)))} | ${f(mean(rs.map((r) => r.ndcg10 ?? NaN)), 4)} | ` +
      (catalogueK === undefined ? '' : `${f(mean(rs.map((r) => r.catalogueNdcg?.ndcg ?? NaN)), 4)} | `) +
      `${f(mean(rs.map((r) => r.fitSeconds)), 1)} | ${f(mean(rs.map((r) => r.samplesPerSecond)), 0)} |`,
  );
}
lines.push(
  '',
  '| paired (per-seed MSE difference a − b) | seeds | mean | sd | a better in |',
  '| --- | --- | --- | --- | --- |',
);
const pairs: Array<[string, string]> = [
  ['safmr', 'transnet'],
  ['safmr', 'tafa'],
  ['safmr', 'deepconn'],
  ['safmr', 'svdpp'],
  ['deepconn', 'svdpp'],
  ['narre', 'svdpp'],
  ['transnet', 'svdpp'],
  ['tafa', 'svdpp'],
  ['narre', 'baseline'],
];
for (const [a, b] of pairs) {
  const d: number[] = [];
  for (const s of seeds) {
    const ra = load(a, s);
    const rb = load(b, s);
    if (ra && rb) d.push(ra.mse - rb.mse);
  }
  if (d.length === 0) continue;
  lines.push(
    `| ${a} − ${b} | ${d.length} | ${f(mean(d), 4)} | ${f(sd(d), 4)} | ${d.filter((x) => x < 0).length} of ${d.length} |`,
  );
}
console.log(lines.join('\n'));

/**
 * The neural-baseline benchmark: NCF, NFM and xDeepFM on SAIN's MovieLens-100K split
 * (`sain-ml100k`, SAIN's exact 80/10/10 train/validation/test files), against the numbers of SAIN's
 * Table 2 (RMSE 0.9040, 0.9134, 0.9104). Each model trains on the training part, stops early on
 * the validation part, and is scored on the test part, exactly as
 * `heed evaluate --model ID --dataset sain-ml100k --data-dir DIR --json` does.
 *
 * Every run records the full config, RMSE, MAE, fit seconds, training samples per second, epochs,
 * the validation RMSE of each epoch, the tensor backend, the machine and its load average before
 * and after (the machine is shared; throughput means little without it), and whether the RMSE is
 * within 0.01 of the paper's. Results merge by (model, overrides) into
 * bench/results/neural-baselines.json; `--markdown FILE` also rewrites the section between
 * `<!-- heed:neural-baselines:begin -->` and `<!-- heed:neural-baselines:end -->` of FILE.
 * Usage: `node dist/bench/neural-baselines.js --help`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { helpText, parseArgs, type CommandSpec } from '../src/cli/flags.js';
import { formatMarkdownTable } from '../src/cli/table.js';
import { loadDataset } from '../src/data/registry.js';
import { engineInfo, initEngine } from '../src/engine/backend.js';
import { evaluate } from '../src/eval/protocol.js';
import { MODELS } from '../src/models/index.js';
import type { ModelConfig } from '../src/models/model.js';
import { HeedError, UsageError } from '../src/util/errors.js';
import { writeFileAtomic } from '../src/util/io.js';
import { machineSummary, round2 } from './machine-load.js';
import { checkOverrideKeys, outFlag, overridesText, SET_FLAG } from './shared-flags.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATASET = 'sain-ml100k';
const SPLIT = 'sain';

/** SAIN Table 2, MovieLens column (RMSE, MAE). */
const PAPER: Record<string, { readonly rmse: number; readonly mae: number }> = {
  ncf: { rmse: 0.904, mae: 0.715 },
  nfm: { rmse: 0.9134, mae: 0.7189 },
  xdeepfm: { rmse: 0.9104, mae: 0.7155 },
};
/** "Within 0.01 of the paper's number or better" (issue 3). */
const TOLERANCE = 0.01;

const COMMAND: CommandSpec = {
  name: 'bench:neural-baselines',
  summary:
    "Benchmark NCF, NFM and xDeepFM on SAIN's MovieLens-100K split against SAIN's Table 2; " +
    'write bench/results/neural-baselines.json.',
  flags: {
    models: {
      kind: 'string',
      value: 'LIST',
      description: 'Comma list of model ids',
      defaultText: 'ncf,nfm,xdeepfm',
    },
    seed: {
      kind: 'string',
      value: 'N',
      description: 'Seed of the models (the split is fixed)',
      defaultText: '1',
    },
    'data-dir': { kind: 'string', value: 'DIR', description: 'Directory holding sain/ (see heed datasets)' },
    set: SET_FLAG,
    out: outFlag('bench/results/neural-baselines.json'),
    markdown: {
      kind: 'string',
      value: 'FILE',
      description: 'Also rewrite the neural-baselines section of FILE',
    },
  },
  examples: [
    'node dist/bench/neural-baselines.js --data-dir /work/shared/data',
    'node dist/bench/neural-baselines.js --models nfm --data-dir /work/shared/data --set epochs=5',
  ],
};

interface Run {
  readonly model: string;
  /** The `--set` overrides as typed; '' for the shipped settings. */
  readonly overrides: string;
  readonly dataset: string;
  readonly split: string;
  readonly seed: number;
  readonly config: ModelConfig;
  readonly rmse: number;
  readonly mae: number;
  readonly paperRmse: number;
  readonly paperMae: number;
  /** rmse ≤ paperRmse + 0.01 */
  readonly withinTolerance: boolean;
  readonly fitSeconds: number;
  readonly predictSeconds: number;
  readonly samplesPerSecond: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly validationRmse: number[];
  readonly nTrain: number;
  readonly nValidation: number;
  readonly nTest: number;
  readonly backend: string;
  readonly simd: boolean;
  readonly threads: number;
  readonly loadAverageBefore: number[];
  readonly loadAverageAfter: number[];
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  readonly command: string;
  /** The equivalent CLI command. */
  readonly cli: string;
}

interface ResultsFile {
  readonly benchmark: 'neural-baselines';
  readonly runs: Run[];
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, COMMAND);
  if (args.help) {
    process.stdout.write(helpText(COMMAND));
    return;
  }
  const models = (args.string('models') ?? 'ncf,nfm,xdeepfm')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const id of models) {
    if (!MODELS.some((m) => m.id === id)) throw new UsageError(`--models: "${id}" is not a registered model`);
    if (!Object.hasOwn(PAPER, id)) {
      throw new UsageError(
        `--models: "${id}" has no number in SAIN's Table 2 (choose from ${Object.keys(PAPER).join(', ')})`,
      );
    }
  }
  const seedText = args.string('seed') ?? '1';
  if (!/^-?\d+$/.test(seedText)) throw new UsageError(`--seed: "${seedText}" is not an integer`);
  const seed = Number(seedText);
  const overrides = args.keyValues('set');
  checkOverrideKeys(
    overrides,
    MODELS.filter((m) => models.includes(m.id)),
  );
  const overrideText = overridesText(overrides);
  const dataDir = args.string('data-dir');
  const outFile = path.resolve(ROOT, args.string('out') ?? 'bench/results/neural-baselines.json');
  const markdown = args.string('markdown');
  const engine = await initEngine();
  const dataset = loadDataset(DATASET, dataDir === undefined ? {} : { dataDir });
  const split = dataset.predefinedSplits[SPLIT];
  if (split === undefined) throw new HeedError(`${DATASET} has no "${SPLIT}" split`);
  const previous = readResults(outFile);
  const runs: Run[] = [];

  for (const modelId of models) {
    const spec = MODELS.find((m) => m.id === modelId);
    if (spec === undefined) continue;
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(overrides)) if (k in spec.defaults) config[k] = v;
    const validationRmse: number[] = [];
    const loadBefore = os.loadavg();
    process.stderr.write(
      `${modelId}: training on ${DATASET} (${engine.backend}), load average ${fmtLoad(loadBefore)}\n`,
    );
    const r = await evaluate({
      modelId,
      config,
      dataset,
      split,
      splitLabel: SPLIT,
      seed,
      onProgress: (e) => {
        if (e.epoch?.validationRmse === undefined) return;
        validationRmse.push(e.epoch.validationRmse);
        process.stderr.write(
          `${modelId}: epoch ${e.epoch.epoch}  validation RMSE ${e.epoch.validationRmse.toFixed(4)}  ${e.epoch.seconds.toFixed(1)} s\n`,
        );
      },
    });
    const loadAfter = os.loadavg();
    const paper = PAPER[modelId];
    const best = validationRmse.indexOf(Math.min(...validationRmse)) + 1;
    const sets = Object.entries(config).map(([k, v]) => ` --set ${k}=${v}`);
    const run: Run = {
      model: modelId,
      overrides: overridesText(config),
      dataset: DATASET,
      split: SPLIT,
      seed,
      config: r.config,
      rmse: r.rmse,
      mae: r.mae,
      paperRmse: paper.rmse,
      paperMae: paper.mae,
      withinTolerance: r.rmse <= paper.rmse + TOLERANCE,
      fitSeconds: r.fitSeconds,
      predictSeconds: r.predictSeconds,
      samplesPerSecond: r.samplesPerSecond,
      epochs: r.epochs,
      bestEpoch: best,
      validationRmse,
      nTrain: r.nTrain,
      nValidation: r.nValidation,
      nTest: r.nTest,
      backend: engineInfo().backend,
      simd: engineInfo().simd,
      threads: engineInfo().threads,
      loadAverageBefore: loadBefore.map(round2),
      loadAverageAfter: loadAfter.map(round2),
      date: new Date().toISOString(),
      machine: machineSummary(),
      node: process.version,
      command: `node dist/bench/neural-baselines.js ${argv.join(' ')}`.trim(),
      cli:
        `node dist/src/cli/main.js evaluate --model ${modelId} --dataset ${DATASET}` +
        `${dataDir === undefined ? '' : ` --data-dir ${dataDir}`} --seed ${seed}${sets.join('')} --json`,
    };
    runs.push(run);
    process.stderr.write(
      `${modelId}: test RMSE ${r.rmse.toFixed(4)} MAE ${r.mae.toFixed(4)} (paper ${paper.rmse.toFixed(4)} / ${paper.mae.toFixed(4)}; ` +
        `${run.withinTolerance ? 'within' : 'NOT within'} ${TOLERANCE}), fit ${r.fitSeconds.toFixed(1)} s, ` +
        `${Math.round(r.samplesPerSecond)} samples/s, ${r.epochs} epochs (best ${best}), load ${fmtLoad(loadAfter)}\n`,
    );
    // Save after every model, so a stopped benchmark keeps what it measured.
    const kept = previous.runs.filter(
      (p) => !runs.some((n) => n.model === p.model && n.overrides === p.overrides),
    );
    const results: ResultsFile = { benchmark: 'neural-baselines', runs: [...kept, ...runs] };
    writeFileAtomic(outFile, JSON.stringify(results, null, 1) + '\n');
    if (markdown !== undefined)
      updateMarkdown(path.resolve(ROOT, markdown), results, path.relative(ROOT, outFile));
  }
  if (overrideText !== '') process.stderr.write(`(settings overridden: ${overrideText})\n`);
  process.stdout.write(table(runs) + '\n');
}

function table(runs: readonly Run[]): string {
  return formatMarkdownTable(
    [
      'model',
      'settings',
      'RMSE',
      'paper',
      'MAE',
      'paper MAE',
      'fit s',
      'samples/s',
      'epochs (best)',
      'backend',
      'load avg',
    ],
    runs.map((r) => [
      r.model,
      r.overrides === '' ? 'shipped' : r.overrides,
      r.rmse.toFixed(4),
      r.paperRmse.toFixed(4),
      r.mae.toFixed(4),
      r.paperMae.toFixed(4),
      r.fitSeconds.toFixed(1),
      Math.round(r.samplesPerSecond).toLocaleString('en-US'),
      `${r.epochs} (${r.bestEpoch})`,
      r.backend,
      `${r.loadAverageBefore[0].toFixed(1)}→${r.loadAverageAfter[0].toFixed(1)}`,
    ]),
    4,
    { right: ['RMSE', 'paper', 'MAE', 'paper MAE', 'fit s', 'samples/s'] },
  ).trimEnd();
}

function readResults(file: string): ResultsFile {
  if (!fs.existsSync(file)) return { benchmark: 'neural-baselines', runs: [] };
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ResultsFile>;
    if (json.benchmark !== 'neural-baselines' || !Array.isArray(json.runs))
      throw new Error('not a neural-baselines results file');
    return { benchmark: 'neural-baselines', runs: json.runs };
  } catch (error) {
    throw new HeedError(
      `${file}: cannot merge with the results there (${error instanceof Error ? error.message : String(error)}); move it away or pass --out`,
    );
  }
}

/** Rewrites the marked section of `file` (creating the file or the section if missing). */
function updateMarkdown(file: string, results: ResultsFile, resultsPath: string): void {
  const begin = '<!-- heed:neural-baselines:begin -->';
  const end = '<!-- heed:neural-baselines:end -->';
  const section = [
    begin,
    '',
    "### Neural baselines on SAIN's MovieLens-100K split (SAIN Table 2)",
    '',
    'Generated by `bench/neural-baselines.ts`; do not edit by hand. One run per row (test RMSE/MAE on ' +
      'SAIN\'s 10,000 test ratings, early stopping on its validation file). "samples/s" is training ' +
      'ratings processed per second of fitting; "load avg" is the 1-minute load average before→after ' +
      `on a shared machine. Full results: \`${resultsPath}\`.`,
    '',
    table(results.runs),
    '',
    end,
  ].join('\n');
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  text =
    a >= 0 && b > a
      ? text.slice(0, a) + section + text.slice(b + end.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileAtomic(file, text);
}

function fmtLoad(l: readonly number[]): string {
  return l.map((x) => x.toFixed(2)).join(' ');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

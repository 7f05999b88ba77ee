/**
 * The runs measured by the old bench mains, read from their JSON in bench/results/ into one shape:
 * model, the settings given (`--set`), seed, 0-based fold, the config the model ran with (when
 * the bench recorded it), the metric values and where the run came from. Values are copied, never
 * recomputed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { predefinedFoldNames } from '../src/data/split.js';
import type { ModelConfig } from '../src/models/model.js';
import type { Provenance, RunDetail } from '../src/experiment/store.js';
import type { CatalogueNdcg } from '../src/eval/catalogue-ndcg.js';
import type { ColdStartCounts } from '../src/models/predictor.js';

export interface MeasuredRun {
  readonly model: string;
  readonly dataset: string;
  /** The split spec as the bench wrote it (`u1`, `sain`, `ratio:0.8,0.1,0.1`, `kfold:5,0.05`). */
  readonly split: string;
  readonly seed: number;
  readonly fold: number;
  /** `--set` overrides as `key=value` joined by spaces or commas; empty for shipped defaults. */
  readonly overrides: string;
  /** The resolved config with the names of the day; undefined when the bench did not record it. */
  readonly config?: ModelConfig;
  readonly metrics: Readonly<Record<string, number>>;
  readonly fitSeconds: number;
  readonly predictSeconds: number;
  readonly epochs: number;
  readonly bestEpoch?: number;
  readonly nTrain: number;
  readonly nTest: number;
  /** The review protocol it ran under (`clean` for every model before the paper protocol existed). */
  readonly reviewProtocol: 'clean' | 'paper';
  /** The validation RMSE of the kept epoch, when the model early-stopped. */
  readonly bestValidationRmse?: number;
  /** What `heed evaluate --json` printed beyond the metrics, when the bench kept it (review runs). */
  readonly detail?: RunDetail;
  readonly provenance: Provenance;
}

type Json = Record<string, unknown>;

/** GroupLens' five ml-100k folds, the protocol classic.json calls `u1..u5`. */
const U1_TO_U5 = { prefix: 'u', first: 1, last: 5 } as const;

function readJson(file: string): Json {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
}

function num(run: Json, key: string, file: string): number {
  const value = run[key];
  if (typeof value !== 'number')
    throw new Error(`${file}: run of ${String(run.model)}: "${key}" is not a number`);
  return value;
}

/** The metrics a run recorded, under the runner's metric names. */
function metricsOf(run: Json): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [from, to] of [
    ['rmse', 'rmse'],
    ['mae', 'mae'],
    ['mse', 'mse'],
    ['ndcg10', 'ndcg@10'],
  ] as const)
    if (typeof run[from] === 'number') out[to] = run[from] as number;
  return out;
}

function common(
  run: Json,
  file: string,
): Omit<MeasuredRun, 'split' | 'fold' | 'provenance' | 'overrides' | 'reviewProtocol'> {
  return {
    model: String(run.model),
    dataset: String(run.dataset),
    seed: num(run, 'seed', file),
    ...(run.config !== undefined && Object.keys(run.config as Json).length > 0
      ? { config: run.config as ModelConfig }
      : {}),
    metrics: metricsOf(run),
    fitSeconds: typeof run.fitSeconds === 'number' ? run.fitSeconds : 0,
    predictSeconds: typeof run.predictSeconds === 'number' ? run.predictSeconds : 0,
    epochs: typeof run.epochs === 'number' ? run.epochs : 0,
    ...(typeof run.bestEpoch === 'number' ? { bestEpoch: run.bestEpoch } : {}),
    ...(typeof run.bestValidationRmse === 'number' ? { bestValidationRmse: run.bestValidationRmse } : {}),
    nTrain: num(run, 'nTrain', file),
    nTest: num(run, 'nTest', file),
  };
}

/** classic.json, aanmf.json, afm-gau.json: runs tagged with a session holding the command. */
function sessionRuns(file: string): MeasuredRun[] {
  const json = readJson(file);
  const sessions = new Map((json.sessions as Json[]).map((s) => [String(s.id), s]));
  return (json.runs as Json[]).flatMap((run) => {
    const session = sessions.get(String(run.session)) ?? {};
    const protocol = String(run.protocol);
    const measured = {
      ...common(run, file),
      reviewProtocol: 'clean' as const,
      overrides: typeof run.overrides === 'string' ? run.overrides : '',
      provenance: {
        source: file,
        date: String(run.date ?? session.date ?? run.session),
        command: String(session.command),
        machine: `${String(session.cpu)}, ${String(session.cores)} cores, Node ${String(session.node)}`,
      },
    };
    if (protocol === 'u1..u5') {
      // classic.json names each fold's file in `split` (u1 … u5): the run is both the one split
      // uK and fold K of the u1..u5 protocol.
      const name = String(run.split);
      const fold = predefinedFoldNames(U1_TO_U5).indexOf(name);
      if (fold < 0)
        throw new Error(`${file}: run of ${measured.model}: split "${name}" is not one of u1..u5`);
      return [
        { ...measured, split: name, fold: 0 },
        { ...measured, split: protocol, fold },
      ];
    }
    // The other protocols number their folds from 1.
    return [{ ...measured, split: protocol, fold: typeof run.fold === 'number' ? run.fold - 1 : 0 }];
  });
}

/** neural-baselines.json: no sessions; each run names its machine's engine. */
function neuralBaselineRuns(file: string): MeasuredRun[] {
  return (readJson(file).runs as Json[]).map((run) => ({
    ...common(run, file),
    reviewProtocol: 'clean' as const,
    split: String(run.split),
    fold: 0,
    overrides: String(run.overrides ?? ''),
    provenance: {
      source: file,
      date: 'not recorded (BENCHMARKS.md, issue 3)',
      command: `node dist/bench/neural-baselines.js --data-dir ../shared/data --models ${String(run.model)}`,
      machine: `${String(run.backend)} backend, ${String(run.threads)} thread(s)`,
    },
  }));
}

/** rsattae.json: seconds, epochs and config in its own shape; the settings had their old names. */
function rsattaeRuns(file: string): MeasuredRun[] {
  const json = readJson(file);
  return (json.runs as Json[]).map((run) => {
    const seconds = run.seconds as Json;
    return {
      ...common(run, file),
      fitSeconds: Number(seconds.fit),
      predictSeconds: Number(seconds.predict),
      reviewProtocol: 'clean' as const,
      split: String(run.split),
      fold: 0,
      overrides: String(run.overrides ?? ''),
      provenance: {
        source: file,
        date: String(run.started),
        command: String(json.command),
        machine: String(run.machine),
      },
    };
  });
}

/** How one directory of `heed evaluate --json` files under review-models/ was measured. */
interface ReviewRunsDirectory {
  readonly dir: string;
  readonly reviewProtocol: 'clean' | 'paper';
  /** The command that wrote a file, from its parsed JSON. */
  readonly command: (run: Json) => string;
}

const REVIEW_MODELS_COMMAND = 'node dist/bench/review-models.js --data-dir ../shared/data';

/** The review-models/ directories and the commands (since folded into experiment files) that wrote them. */
const REVIEW_RUN_DIRECTORIES: readonly ReviewRunsDirectory[] = [
  {
    dir: 'clean',
    reviewProtocol: 'clean',
    command: (run) =>
      `${REVIEW_MODELS_COMMAND} --protocol clean --seeds ${String(run.seed)} --models ${String(run.model)}`,
  },
  {
    dir: 'paper',
    reviewProtocol: 'paper',
    command: (run) =>
      `${REVIEW_MODELS_COMMAND} --protocol paper --seeds ${String(run.seed)} --models ${String(run.model)}`,
  },
  {
    dir: 'clean-ndcg50',
    reviewProtocol: 'clean',
    command: (run) =>
      `${REVIEW_MODELS_COMMAND} --seeds ${String(run.seed)} --catalogue-ndcg 50 --models ${String(run.model)}`,
  },
  {
    dir: 'tuning',
    reviewProtocol: 'clean',
    command: (run) =>
      `bash bench/review-tuning.sh (heed evaluate --model ${String(run.model)} --split ratio:0.8,0.1,0.1 --seed ${String(run.seed)} --json with the settings of its file name)`,
  },
];

/** The fields of `heed evaluate --json` that a run record keeps as its `detail`. */
function reviewDetail(run: Json, file: string): RunDetail {
  return {
    split: String(run.split),
    rmse: num(run, 'rmse', file),
    mae: num(run, 'mae', file),
    mse: num(run, 'mse', file),
    ndcg10: typeof run.ndcg10 === 'number' ? run.ndcg10 : null,
    samplesPerSecond: num(run, 'samplesPerSecond', file),
    ...(typeof run.bestValidationRmse === 'number' ? { bestValidationRmse: run.bestValidationRmse } : {}),
    nValidation: num(run, 'nValidation', file),
    coldStart: run.coldStart as unknown as ColdStartCounts,
    ...(run.catalogueNdcg !== undefined
      ? { catalogueNdcg: run.catalogueNdcg as unknown as CatalogueNdcg }
      : {}),
  };
}

/** review-models/DIR/MODEL-seedN[-settings].json: one `heed evaluate --json` run per file. */
function reviewRuns(resultsDir: string, directory: ReviewRunsDirectory): MeasuredRun[] {
  const dir = path.join(resultsDir, 'review-models', directory.dir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      const run = readJson(file);
      const stat = fs.statSync(file);
      return {
        ...common(run, file),
        // The bench wrote the data set with its directory; the runner's id is relative to --data-dir.
        dataset: String(run.dataset).replace(/^amazon:.*?\/data\//, 'amazon:'),
        split: String(run.split),
        fold: 0,
        // Every file records the config it ran with, which is what matches it to a planned run.
        overrides: '',
        reviewProtocol: directory.reviewProtocol,
        detail: reviewDetail(run, file),
        provenance: {
          source: file,
          date: `file modified ${stat.mtime.toISOString()}`,
          command: directory.command(run),
          machine: 'not recorded (BENCHMARKS.md: the 2-core AMD EPYC box)',
        },
      };
    });
}

/**
 * Single `heed evaluate --json` outputs kept in bench/results/ by hand, with the command that
 * wrote each (BENCHMARKS.md, issue 13).
 */
const EVALUATE_OUTPUTS: readonly { readonly file: string; readonly command: string }[] = [
  {
    file: 'bayes-svdpp-ml1m-9010-session7.json',
    command:
      'node dist/src/cli/main.js evaluate --model bayes-svdpp --dataset ml-1m --data-dir ../shared/data --split ratio:0.9,0,0.1 --seed 1 --json',
  },
  {
    file: 'blend-ml1m-9010-session7.json',
    command:
      'node dist/src/cli/main.js evaluate --model blend --dataset ml-1m --data-dir ../shared/data --split ratio:0.9,0,0.1 --seed 1 --json',
  },
];

function evaluateOutputRuns(resultsDir: string): MeasuredRun[] {
  return EVALUATE_OUTPUTS.filter((o) => fs.existsSync(path.join(resultsDir, o.file))).map((o) => {
    const file = path.join(resultsDir, o.file);
    const run = readJson(file);
    return {
      ...common(run, file),
      // `heed evaluate --json` of today keys its metrics by name (`ndcg@10`), like the runner.
      metrics: run.metrics as Record<string, number>,
      split: String(run.split),
      fold: 0,
      overrides: '',
      reviewProtocol: 'clean' as const,
      provenance: {
        source: file,
        date: `file modified ${fs.statSync(file).mtime.toISOString()}`,
        command: o.command,
        machine: 'not recorded (BENCHMARKS.md: the 2-core AMD EPYC box)',
      },
    };
  });
}

/** Every measured run under `resultsDir` (bench/results). */
export function readMeasuredRuns(resultsDir: string): MeasuredRun[] {
  const at = (name: string): string => path.join(resultsDir, name);
  return [
    ...sessionRuns(at('classic.json')),
    ...sessionRuns(at('aanmf.json')),
    ...sessionRuns(at('afm-gau.json')),
    ...neuralBaselineRuns(at('neural-baselines.json')),
    ...rsattaeRuns(at('rsattae.json')),
    ...REVIEW_RUN_DIRECTORIES.flatMap((d) => reviewRuns(resultsDir, d)),
    ...evaluateOutputRuns(resultsDir),
  ];
}

/**
 * `heed demo`: the README's first command. On a seeded synthetic data set with planted tastes (no
 * download) it evaluates the classic models and the attention model AFM-GAU, prints one table,
 * explains one AFM-GAU prediction for a user whose taste was planted (does the attention put the
 * planted feature first? for that user and over all users), and writes a self-contained HTML
 * report. Takes well under a minute on two cores.
 */
import * as path from 'node:path';
import type { Dataset, Split } from '../data/dataset.js';
import { generateSyntheticWithTruth } from '../data/loaders/synthetic.js';
import { formatSplitSpec, makeSplits, parseSplitSpec } from '../data/split.js';
import { explainPlantedTaste, type DemoExplanation } from '../demo/demo-explanation.js';
import { demoReportHtml } from '../demo/demo-report.js';
import { explanationText, summaryText } from '../demo/explanation-text.js';
import { DEFAULT_REPORT_FILE, reportTarget, writeReport } from '../demo/report-file.js';
import { evaluate, type EvaluationResult } from '../eval/protocol.js';
import { AfmGau } from '../models/afm-gau/afm-gau.js';
import { getModelSpec, MODELS } from '../models/index.js';
import type { ModelSpec, RatingModel } from '../models/model.js';
import { HeedError, InterruptedError } from '../util/errors.js';
import { printJson, type CliIo, type Command } from './command.js';
import { humanRate } from './common.js';
import { progressPrinter } from './progress.js';
import { formatTable } from './table.js';

/** The models the demo runs, in this order, when they are registered; the last is the attention model. */
export const DEMO_MODELS = ['globalmean', 'baseline', 'biasedmf', 'fm', 'afm-gau'] as const;

export const DEMO_ATTENTION_MODEL = 'afm-gau';

/**
 * AFM-GAU's settings in the demo, chosen on validation RMSE of the demo's data and split (seed 1):
 * 0.6074 against 0.6070 for the best tried (factors 32, learningRate 0.001) and 0.6105 for the
 * defaults (64, 0.001), in 3.3 s of CPU against 5.0 and 6.9. In every setting tried the planted
 * feature was the top attention weight for all 300 users.
 */
export const DEMO_ATTENTION_SETTINGS: Readonly<Record<string, string>> = {
  factors: '32',
  learningRate: '0.003',
};

/**
 * The users' `taste` field ("director fan" / "genre fan") is left out, so that no model is told
 * which group a user is in: fm would otherwise read it as a feature.
 */
const DEMO_DATA = { exposeTaste: false } as const;

const SPLIT = 'ratio:0.8,0.1,0.1';

/** What `heed demo --json` prints. */
export interface DemoJson {
  readonly results: EvaluationResult[];
  readonly explanation: DemoExplanation;
  readonly report: string;
}

export const demoCommand: Command = {
  spec: {
    name: 'demo',
    summary:
      'Compare the classic models and an attention model on built-in synthetic data with planted tastes, ' +
      'explain one prediction, and write an HTML report. Evaluates global mean, baseline, biased MF, FM and ' +
      'AFM-GAU on a seeded synthetic data set, prints one table, shows whether AFM-GAU’s attention found the ' +
      'planted feature (for one user and over all users), and writes the report; needs no download.',
    flags: {
      seed: {
        kind: 'integer',
        value: 'N',
        description: 'Seed of the data, split and models',
        defaultText: '1',
      },
      out: {
        kind: 'string',
        value: 'FILE',
        description:
          'Where to write the HTML report; an existing file is replaced only if it is an earlier heed demo report',
        defaultText: DEFAULT_REPORT_FILE,
      },
      json: {
        kind: 'switch',
        description: 'Print one JSON object on stdout: results, explanation and the report’s path',
      },
      quiet: { kind: 'switch', description: 'No progress lines on stderr' },
    },
    examples: ['heed demo', 'heed demo --seed 2 --out /tmp/demo.html --json'],
  },
  async run(args, io) {
    const seed = args.integer('seed') ?? 1;
    // Checked first: a report that could not be written should not cost a training run.
    const reportFile = reportTarget(args.string('out'), process.cwd());
    const { dataset, truth } = generateSyntheticWithTruth({ seed, ...DEMO_DATA });
    const splitSpec = parseSplitSpec(SPLIT);
    const split = makeSplits(dataset, splitSpec, seed)[0];
    const ids = DEMO_MODELS.filter((id) => MODELS.some((m) => m.id === id));
    const quiet = args.switch('quiet');
    if (!quiet) {
      io.stderr.write(
        `heed demo: ${ids.length} models on "${dataset.id}" (${dataset.users.ids.length} users, ` +
          `${dataset.items.ids.length} items, ${dataset.ratings.rating.length} ratings), split ${SPLIT}, seed ${seed}\n`,
      );
    }
    const results: EvaluationResult[] = [];
    let attentionModel: AfmGau | undefined;
    for (const modelId of ids) {
      const attention = modelId === DEMO_ATTENTION_MODEL;
      const kept = keepingModel(getModelSpec(modelId));
      const result = await evaluateWithProgress(io, quiet, {
        modelId,
        spec: kept.spec,
        dataset,
        split: [split],
        splitLabel: formatSplitSpec(splitSpec),
        seed,
        ...(attention ? { config: DEMO_ATTENTION_SETTINGS } : {}),
      });
      if (io.signal?.aborted === true) {
        throw new InterruptedError(
          `interrupted while training ${modelId}: no table printed, no report written`,
        );
      }
      results.push(result);
      if (attention) {
        const trained = kept.model();
        if (!(trained instanceof AfmGau))
          throw new HeedError(`heed demo: ${modelId} is not the AFM-GAU model`);
        attentionModel = trained;
      }
    }
    if (attentionModel === undefined)
      throw new HeedError(`heed demo: model ${DEMO_ATTENTION_MODEL} is not registered`);
    const explanation = explainPlantedTaste(attentionModel, dataset, truth, split);
    writeReport(
      reportFile,
      demoReportHtml({
        datasetId: dataset.id,
        users: dataset.users.ids.length,
        items: dataset.items.ids.length,
        ratings: dataset.ratings.rating.length,
        split: formatSplitSpec(splitSpec),
        seed,
        truth,
        results,
        explanation,
        attentionSettings: Object.entries(DEMO_ATTENTION_SETTINGS).map(([k, v]) => `${k}=${v}`),
      }),
    );
    if (args.switch('json')) {
      const json: DemoJson = { results, explanation, report: reportFile };
      printJson(io, json);
      return;
    }
    io.stdout.write(formatDemo(results, dataset, split, explanation, reportFile));
  },
};

/** The text `heed demo` prints: the table, the explanation, the summary and where the report is. */
function formatDemo(
  results: readonly EvaluationResult[],
  dataset: Dataset,
  split: Split,
  explanation: DemoExplanation,
  reportFile: string,
): string {
  const rows = results.map((r) => [
    r.model,
    r.rmse,
    r.mae,
    r.ndcg10,
    r.fitSeconds,
    humanRate(r.samplesPerSecond),
  ]);
  const shown = path.relative(process.cwd(), reportFile);
  return [
    formatTable(['model', 'RMSE', 'MAE', 'NDCG@10', 'fit s', 'samples/s'], rows, {
      columnDigits: { 'fit s': 2 },
    }),
    `${dataset.id}: ${split.train.length} training and ${split.test.length} test ratings. ` +
      'Lower RMSE and MAE are better; globalmean is the floor every model must beat.',
    '',
    explanationText(explanation),
    '',
    summaryText(explanation.summary),
    '',
    `Report: ${shown.startsWith('..') || shown === '' ? reportFile : shown} (the table, the explanation as a picture, what to run next)`,
    `Next: npx heed evaluate --model ${DEMO_ATTENTION_MODEL} --dataset ml-100k --split u1 (after npx heed data fetch ml-100k)`,
    '',
  ].join('\n');
}

async function evaluateWithProgress(
  io: CliIo,
  quiet: boolean,
  options: Parameters<typeof evaluate>[0],
): Promise<EvaluationResult> {
  const progress = progressPrinter(options.modelId, io.stderr, quiet);
  try {
    return await evaluate({
      ...options,
      onProgress: progress.onProgress,
      ...(io.signal ? { signal: io.signal } : {}),
    });
  } finally {
    progress.finish();
  }
}

/**
 * `spec` with a `create` that remembers the model it made, so that the demo can explain with the
 * very model `evaluate` trained and scored.
 */
function keepingModel(spec: ModelSpec): { spec: ModelSpec; model: () => RatingModel | undefined } {
  let made: RatingModel | undefined;
  return {
    spec: {
      ...spec,
      create: (config) => {
        made = spec.create(config);
        return made;
      },
    },
    model: () => made,
  };
}

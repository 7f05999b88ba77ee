/**
 * `heed demo`: the README's first command. Evaluates the classic models that are registered
 * (global mean, baseline, biased MF, FM) on the synthetic data set, which needs no download, and
 * prints one table. Takes well under a minute on two cores.
 */
import { generateSynthetic } from '../data/loaders/synthetic.js';
import { evaluate, type EvaluationResult } from '../eval/protocol.js';
import { MODELS } from '../models/index.js';
import { printJson, type Command } from './command.js';
import { humanRate } from './common.js';
import { progressPrinter } from './progress.js';
import { formatTable } from './table.js';

/** The models the demo runs, in this order, when they are registered. */
export const DEMO_MODELS = ['globalmean', 'baseline', 'biasedmf', 'fm'] as const;

export const demoCommand: Command = {
  spec: {
    name: 'demo',
    summary:
      'Compare the classic models on built-in synthetic data. ' +
      'Evaluates global mean, baseline, biased MF and FM (those registered) on a seeded synthetic data set ' +
      'and prints one table; needs no download.',
    flags: {
      seed: {
        kind: 'integer',
        value: 'N',
        description: 'Seed of the data, split and models',
        defaultText: '1',
      },
      json: { kind: 'switch', description: 'Print one JSON array of results on stdout' },
      quiet: { kind: 'switch', description: 'No progress lines on stderr' },
    },
  },
  async run(args, io) {
    const seed = args.integer('seed') ?? 1;
    const dataset = generateSynthetic({ seed });
    const ids = DEMO_MODELS.filter((id) => MODELS.some((m) => m.id === id));
    const split = 'ratio:0.8,0.1,0.1';
    const quiet = args.switch('quiet');
    if (!quiet) {
      io.stderr.write(
        `heed demo: ${ids.length} models on "${dataset.id}" (${dataset.users.ids.length} users, ` +
          `${dataset.items.ids.length} items, ${dataset.ratings.rating.length} ratings), split ${split}, seed ${seed}\n`,
      );
    }
    const results: EvaluationResult[] = [];
    for (const modelId of ids) {
      const progress = progressPrinter(modelId, io.stderr, quiet);
      try {
        results.push(await evaluate({ modelId, dataset, split, seed, onProgress: progress.onProgress }));
      } finally {
        progress.finish();
      }
    }
    if (args.switch('json')) {
      printJson(io, results);
      return;
    }
    const rows = results.map((r) => [
      r.model,
      r.rmse,
      r.mae,
      r.ndcg10,
      r.fitSeconds,
      humanRate(r.samplesPerSecond),
    ]);
    io.stdout.write(
      formatTable(['model', 'RMSE', 'MAE', 'NDCG@10', 'fit s', 'samples/s'], rows, {
        columnDigits: { 'fit s': 2 },
      }) +
        `\n${dataset.id}: ${results[0]?.nTrain ?? 0} training and ${results[0]?.nTest ?? 0} test ratings. ` +
        'Lower RMSE and MAE are better; globalmean is the floor every model must beat.\n' +
        'Next: heed evaluate --model biasedmf --dataset ml-100k --data-dir DIR (heed data fetch ml-100k).\n',
    );
  },
};

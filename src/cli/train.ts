/**
 * `heed train`: fit a model and save it to `--out` (see `src/models/artifact.ts`). The model
 * trains on the split's training part and watches its validation part (early stopping); when the
 * split has a test part, its scores are reported too. `--split all` trains on every rating.
 * A model that early-stops gets validation carved from its training part when the split has none
 * (`--validation-fraction`). The directory appears whole or not at all; Ctrl-C writes none (exit
 * 130) unless `--keep-interrupted` asks for the model stopped early.
 */
import type { Split } from '../data/dataset.js';
import { ratingStatistics } from '../data/rating-statistics.js';
import { carveValidation } from '../eval/carve-validation.js';
import { modelConfig, runFold, type FoldResult } from '../eval/protocol.js';
import { saveArtifact } from '../models/artifact.js';
import { getModelSpec } from '../models/index.js';
import { trainingStats } from '../models/predictor.js';
import { InterruptedError, UsageError } from '../util/errors.js';
import { printJson, type Command } from './command.js';
import { formatConfig, humanRate, RUN_FLAGS, setUpRun, splitLabel, validationFractionOf } from './common.js';
import { progressPrinter } from './progress.js';

export const trainCommand: Command = {
  spec: {
    name: 'train',
    summary:
      'Fit a model and save it to a directory for heed predict. ' +
      'It trains on the training part of the split (watching the validation part) and reports test scores ' +
      'when the split has a test part; --split all trains on every rating.',
    flags: {
      ...RUN_FLAGS,
      out: { kind: 'string', value: 'DIR', required: true, description: 'Directory to save the model to' },
      split: {
        ...RUN_FLAGS.split,
        description: 'u1, ratio:0.8,0.1,0.1, files:TRAIN,TEST or all (every rating, no test)',
      },
      'keep-interrupted': {
        kind: 'switch',
        description:
          'On Ctrl-C, save the model stopped early (still exit 130); without it nothing is written',
      },
    },
    examples: [
      'heed train --model biasedmf --dataset ml-100k --split u1 --out models/mf-u1',
      'heed train --model globalmean --dataset synthetic --split all --out /tmp/gm',
    ],
  },
  async run(args, io) {
    const modelId = args.requireString('model');
    const out = args.requireString('out');
    const spec = getModelSpec(modelId);
    const validationFraction = validationFractionOf(args);
    const all = args.string('split') === 'all';
    if (all && args.has('min-ratings'))
      throw new UsageError('--min-ratings cannot be combined with --split all');
    // `--split all` is not a split spec: the data set is set up as if no --split were given.
    const setup = await setUpRun(args, io, { ignoreSplit: all });
    if (setup.splits.length !== 1) {
      throw new UsageError(
        `heed train needs one split, but --split ${splitLabel(setup.spec)} makes ${setup.splits.length}`,
      );
    }
    const { dataset, seed } = setup;
    const config = modelConfig(spec, setup.overrides, seed);
    const carved = carveValidation(
      dataset,
      all ? everything(dataset.ratings.rating.length) : setup.splits[0],
      config,
      validationFraction,
      seed,
    );
    const split: Split = carved.split;
    if (carved.note !== undefined) io.stderr.write(`note: ${carved.note}\n`);
    const model = spec.create(config);
    const progress = progressPrinter(modelId, io.stderr, args.switch('quiet'));
    let scores: FoldResult | undefined;
    let fitSeconds: number;
    let epochs: number;
    try {
      if (split.test.length > 0) {
        scores = await runFold(
          model,
          dataset,
          split,
          (phase, epoch) => progress.onProgress({ fold: 1, folds: 1, phase, ...(epoch ? { epoch } : {}) }),
          io.signal,
        );
        fitSeconds = scores.fitSeconds;
        epochs = scores.epochs;
      } else {
        const start = performance.now();
        const report = await model.fit(
          { dataset, indices: split.train },
          {
            ...(split.validation.length > 0 ? { validation: { dataset, indices: split.validation } } : {}),
            onProgress: (epoch) => progress.onProgress({ fold: 1, folds: 1, phase: 'fit', epoch }),
            ...(io.signal ? { signal: io.signal } : {}),
          },
        );
        fitSeconds = (performance.now() - start) / 1000;
        epochs = report.epochs;
      }
    } finally {
      progress.finish();
    }
    const label = all ? 'all' : splitLabel(setup.spec);
    const interrupted = io.signal?.aborted === true;
    if (interrupted && !args.switch('keep-interrupted')) {
      throw new InterruptedError(
        `interrupted: nothing was saved to ${out} (--keep-interrupted saves the model stopped early)`,
      );
    }
    saveArtifact(out, {
      model,
      dataset,
      stats: trainingStats({ dataset, indices: split.train }),
      statistics: { dataset: ratingStatistics(dataset), training: ratingStatistics(dataset, split.train) },
      provenance: {
        split: label,
        seed,
        nTrain: split.train.length,
        // So the training ratings can be rebuilt (`src/serve/rated-items.ts`).
        ...(carved.note !== undefined ? { carvedValidationFraction: validationFraction } : {}),
        epochs,
        fitSeconds,
        interrupted,
      },
    });
    const summary = {
      model: modelId,
      dataset: dataset.id,
      split: label,
      seed,
      out,
      config,
      fitSeconds,
      epochs,
      ...(interrupted ? { interrupted } : {}),
      nTrain: split.train.length,
      nValidation: split.validation.length,
      nTest: split.test.length,
      ...(scores ? { rmse: scores.rmse, mae: scores.mae, mse: scores.mse, ndcg10: scores.ndcg10 } : {}),
    };
    if (args.switch('json')) {
      printJson(io, summary);
    } else {
      const lines = [
        `saved ${modelId} (trained on ${dataset.id}, split ${label}, seed ${seed}) to ${out}`,
        `config: ${formatConfig(config)}`,
        `fit: ${fitSeconds.toFixed(2)} s, ${epochs} epoch${epochs === 1 ? '' : 's'} on ${split.train.length} ratings` +
          (scores ? ` (${humanRate(scores.samplesPerSecond)} samples/s)` : '') +
          (interrupted ? ', stopped early by Ctrl-C' : ''),
      ];
      if (scores) {
        lines.push(
          `test (${scores.nTest} ratings): RMSE ${scores.rmse.toFixed(4)}  MAE ${scores.mae.toFixed(4)}`,
        );
      }
      io.stdout.write(lines.join('\n') + '\n');
    }
    if (interrupted) throw new InterruptedError(`interrupted: saved the model stopped early to ${out}`);
  },
};

function everything(n: number): Split {
  return {
    name: 'all',
    train: Int32Array.from({ length: n }, (_, k) => k),
    validation: new Int32Array(0),
    test: new Int32Array(0),
  };
}

/**
 * `heed predict`: one rating from a saved model, by raw user and item ids (as in the data files).
 * An id the model never trained on is answered, not refused: the reply says which side was cold
 * (`coldStart: "user"`, `"item"` or `"both"`) and that the fallback answered it.
 */
import { openArtifact, predictRaw } from '../models/artifact.js';
import type { PairPrediction } from '../models/predictor.js';
import { MODEL_DIR_FLAG, PAIR_FLAGS } from './common.js';
import { printJson, type Command } from './command.js';

const COLD_TEXT = {
  user: 'the user has no training ratings; answered with the item mean shrunk toward the global mean',
  item: 'the item has no training ratings; answered with the user mean shrunk toward the global mean',
  both: 'neither the user nor the item has training ratings; answered with the global mean',
} as const;

/** Who answered a pair, in words: the model, or which cold side sent it to the fallback. */
export function howAnswered(p: Pick<PairPrediction, 'coldStart' | 'source'>, model: string): string {
  if (p.coldStart === 'none') return `by ${model}`;
  return p.source === 'fallback'
    ? `cold start: ${COLD_TEXT[p.coldStart]}`
    : `cold start (${p.coldStart}): answered by ${model}, which handles cold start`;
}

export const predictCommand: Command = {
  spec: {
    name: 'predict',
    summary: 'Predict one rating with a saved model. Takes raw user and item ids, as in the data files.',
    flags: {
      'model-dir': MODEL_DIR_FLAG,
      ...PAIR_FLAGS,
      json: { kind: 'switch', description: 'Print one JSON object on stdout' },
    },
    examples: ['heed predict --model-dir models/mf-u1 --user 196 --item 242'],
  },
  async run(args, io) {
    const artifact = await openArtifact(args.requireString('model-dir'));
    const p = predictRaw(artifact, args.requireString('user'), args.requireString('item'));
    const reply = { model: artifact.manifest.model, dataset: artifact.manifest.dataset, ...p };
    if (args.switch('json')) {
      printJson(io, reply);
      return;
    }
    io.stdout.write(
      `user ${p.user}, item ${p.item}: ${p.rating.toFixed(4)} (${howAnswered(p, reply.model)})\n`,
    );
  },
};

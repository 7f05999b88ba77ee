/**
 * `heed explain`: one prediction from a saved model and the attention behind it, by raw user and
 * item ids. Text output lists each attention group with its weights sorted, as bars and shares
 * (signed values for models whose explanation is additive contributions, such as fm); `--json`
 * prints the same as `GET /explain` of `heed serve`. The logic is `src/serve/explanations.ts`.
 */
import { openArtifact } from '../models/artifact.js';
import {
  explainRaw,
  type ExplainedReviews,
  type ExplainedGroup,
  type ExplainReply,
} from '../serve/explanations.js';
import { UsageError } from '../util/errors.js';
import { MODEL_DIR_FLAG, PAIR_FLAGS } from './common.js';
import { printJson, type Command } from './command.js';
import { howAnswered } from './predict.js';

/** Characters of the widest bar. */
const BAR_WIDTH = 24;

export const explainCommand: Command = {
  spec: {
    name: 'explain',
    summary:
      'Explain one prediction of a saved model: the rating and the attention weights behind it, per group. ' +
      'Takes raw user and item ids, as in the data files; works for the attention models (see heed models).',
    flags: {
      'model-dir': MODEL_DIR_FLAG,
      ...PAIR_FLAGS,
      top: {
        kind: 'integer',
        value: 'N',
        description: 'Show only the N largest weights of each group',
        defaultText: 'all',
      },
      json: { kind: 'switch', description: 'Print one JSON object on stdout' },
    },
    examples: [
      'heed explain --model-dir models/afm-gau --user 196 --item 242',
      'heed explain --model-dir models/sain --user 196 --item 242 --top 5 --json',
    ],
  },
  async run(args, io) {
    const top = args.integer('top');
    if (top !== undefined && top < 1) throw new UsageError(`--top must be at least 1, got ${top}`);
    const artifact = await openArtifact(args.requireString('model-dir'));
    const reply = explainRaw(artifact, args.requireString('user'), args.requireString('item'), top);
    if (args.switch('json')) {
      printJson(io, reply);
      return;
    }
    io.stdout.write(formatExplanation(reply));
  },
};

/** The text `heed explain` prints. */
export function formatExplanation(reply: ExplainReply): string {
  const how = howAnswered(reply, reply.model);
  const lines = [`user ${reply.user}, item ${reply.item}: ${reply.rating.toFixed(4)} (${how})`];
  if (reply.explanation !== null && Math.abs(reply.explanation.raw - reply.rating) > 5e-5) {
    lines.push(`the model's unclipped output: ${reply.explanation.raw.toFixed(4)}`);
  }
  if (reply.note !== undefined) lines.push(reply.note);
  for (const group of reply.explanation?.groups ?? []) lines.push('', ...formatGroup(group));
  for (const group of reply.explanation?.reviews ?? []) lines.push('', ...formatReviews(group));
  return lines.join('\n') + '\n';
}

/** Longest part of a review's text `heed explain` prints (`--json` gives it whole). */
const SNIPPET = 240;

function formatReviews(group: ExplainedReviews): string[] {
  const shown = group.reviews.length;
  const count = shown < group.total ? `top ${shown} of ${group.total}` : `${group.total}`;
  const lines = [`${group.name} (${count} review${group.total === 1 ? '' : 's'})`];
  if (shown === 0) lines.push('  (none)');
  for (const r of group.reviews) {
    const text = r.text.replace(/\s+/g, ' ').trim();
    const snippet = text.length > SNIPPET ? `${text.slice(0, SNIPPET - 1)}…` : text;
    const distance = r.distance !== undefined ? `, distance ${r.distance.toFixed(3)}` : '';
    lines.push(
      `  ${(100 * r.weight).toFixed(1).padStart(5)}%  user ${r.user} on item ${r.item}, rated ${r.rating}${distance}`,
    );
    lines.push(`         "${snippet}"`);
  }
  return lines;
}

function formatGroup(group: ExplainedGroup): string[] {
  const shown = group.weights.length;
  const count = shown < group.total ? `top ${shown} of ${group.total}` : `${group.total}`;
  const what = group.kind === 'attention' ? 'attention' : 'contributions to the prediction';
  const head = `${group.name} (${what}, ${count} weight${group.total === 1 ? '' : 's'})`;
  if (shown === 0) return [head, '  (none)'];
  const nameWidth = Math.min(40, Math.max(...group.weights.map((w) => w.feature.length)));
  const largest = Math.max(1e-12, ...group.weights.map((w) => Math.abs(w.weight)));
  // Attention bars are shares of the whole group (a full bar = 100%); contributions are scaled to
  // the largest one.
  const full = group.kind === 'attention' ? Math.max(group.sum, 1e-12) : largest;
  return [
    head,
    ...group.weights.map((w) => {
      const name = w.feature.length > nameWidth ? w.feature.slice(0, nameWidth - 1) + '…' : w.feature;
      const filled = Math.round(BAR_WIDTH * Math.min(1, Math.abs(w.weight) / full));
      const bar = (w.weight < 0 ? '▒' : '█').repeat(filled) + '·'.repeat(BAR_WIDTH - filled);
      const value =
        group.kind === 'attention'
          ? `${(100 * w.weight).toFixed(1).padStart(5)}%`
          : `${w.weight >= 0 ? '+' : ''}${w.weight.toFixed(4)}`;
      return `  ${name.padEnd(nameWidth)}  ${bar}  ${value}`;
    }),
  ];
}

/**
 * `heed explain`: one prediction from a saved model and the attention behind it, by raw user and
 * item ids. Text output lists each attention group with its weights sorted, as bars and shares
 * (signed values for models whose explanation is additive contributions, such as fm); `--json`
 * prints the same as `GET /explain` of `heed serve`. The logic is `src/serve/explanations.ts`.
 * `--out FILE.svg|FILE.html|FILE.png` draws the explanation as the model's paper does instead
 * (`src/report/explanations/render.ts`); without `--item` it draws the user-level picture of the
 * models that have one.
 */
import * as path from 'node:path';
import { openArtifact, type LoadedArtifact } from '../models/artifact.js';
import { svgToPng } from '../report/explanations/png.js';
import { renderExplanationHtml, renderExplanationSvg } from '../report/explanations/render.js';
import {
  explainRaw,
  type ExplainedReviews,
  type ExplainedGroup,
  type ExplainReply,
} from '../serve/explanations.js';
import { UsageError } from '../util/errors.js';
import { writeFileAtomic } from '../util/io.js';
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
      'Takes raw user and item ids, as in the data files; works for the attention models (see heed models). ' +
      "--out draws it as the model's paper does (SVG, HTML or PNG), with titles and feature labels.",
    flags: {
      'model-dir': MODEL_DIR_FLAG,
      user: PAIR_FLAGS.user,
      item: {
        ...PAIR_FLAGS.item,
        required: false,
        description:
          'Raw item id, as in the data files (required, except with --out for the user-level picture of afm-gau and aanmf)',
      },
      out: {
        kind: 'string',
        value: 'FILE',
        description:
          "Draw the explanation as the paper's figure: FILE.svg, FILE.png, or FILE.html (a self-contained page with the picture and the text)",
      },
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
      'heed explain --model-dir models/sain --user 196 --item 242 --out kolya.svg',
      'heed explain --model-dir models/afm-gau --user 196 --out user-196.html',
    ],
  },
  async run(args, io) {
    const top = args.integer('top');
    if (top !== undefined && top < 1) throw new UsageError(`--top must be at least 1, got ${top}`);
    const out = args.string('out');
    if (out !== undefined) {
      if (top !== undefined || args.switch('json'))
        throw new UsageError(
          '--top and --json shape the text output; with --out the picture is written instead',
        );
      const format = pictureFormat(out);
      const artifact = await openArtifact(args.requireString('model-dir'));
      writeFileAtomic(
        out,
        await drawPicture(artifact, format, args.requireString('user'), args.string('item')),
      );
      io.stdout.write(`wrote ${out}\n`);
      return;
    }
    const item = args.string('item');
    if (item === undefined)
      throw new UsageError(
        'explain needs --item ID (only a picture, --out FILE, can show a user without an item)',
      );
    const artifact = await openArtifact(args.requireString('model-dir'));
    const reply = explainRaw(artifact, args.requireString('user'), item, top);
    if (args.switch('json')) {
      printJson(io, reply);
      return;
    }
    io.stdout.write(formatExplanation(reply));
  },
};

type PictureFormat = 'svg' | 'html' | 'png';

/** The picture format `--out` asks for, by its extension. */
function pictureFormat(file: string): PictureFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.svg') return 'svg';
  if (extension === '.html' || extension === '.htm') return 'html';
  if (extension === '.png') return 'png';
  throw new UsageError(`--out must name a .svg, .html or .png file, got "${file}"`);
}

async function drawPicture(
  artifact: LoadedArtifact,
  format: PictureFormat,
  user: string,
  item?: string,
): Promise<string | Uint8Array> {
  if (format === 'html') return renderExplanationHtml(artifact, user, item);
  const svg = renderExplanationSvg(artifact, user, item);
  return format === 'svg' ? svg : svgToPng(svg);
}

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

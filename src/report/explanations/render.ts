/**
 * An explanation as a picture: `renderExplanationSvg(artifact, user, item)` draws why a saved model
 * predicted what it did for one (user, item) pair, with the figure of the model's paper; without an
 * item, the user-level picture of the models that have one (AFM-GAU, AANMF). The HTML variant is a
 * self-contained page: the SVG inline and the same explanation as text, no script, no download.
 *
 * Every name comes from the model's labels (`labels.json`): titles and feature labels where the data
 * set had them, ids where it had not. `heed explain --out`, the demo report, the explorer and the
 * service call these two functions.
 */
import type { LoadedArtifact } from '../../models/artifact.js';
import { canExplain, explainRaw, NoExplanationError, type ExplainReply } from '../../serve/explanations.js';
import { UsageError } from '../../util/errors.js';
import { escapeXml } from '../svg.js';
import { aanmfPairPanels, aanmfUserPanels } from './aanmf-figure.js';
import { afmGauPairPanels, afmGauUserPanels } from './afm-gau-figure.js';
import { attentionByGenre, userFeatureAttention } from './attention-over-items.js';
import { withItemName } from './feature-names.js';
import { genericPanels } from './generic-figure.js';
import { notePanel, percent, stackPanels, type Panel } from './panel.js';
import { reviewPanels } from './reviews-figure.js';
import { rsattaeAlphaOf, rsattaePanels } from './rsattae-figure.js';
import { sainPanels } from './sain-figure.js';

/** The papers' spelling of the model names, for titles. */
const DISPLAY_NAMES: Readonly<Record<string, string>> = {
  sain: 'SAIN',
  'afm-gau': 'AFM-GAU',
  aanmf: 'AANMF',
  'aanmf-p': 'AANMF-P',
  rsattae: 'RSAttAE',
  'rsattae-vanilla': 'RSAttAE (vanilla)',
  safmr: 'SAFMR',
  narre: 'NARRE',
  fm: 'FM',
  'attentional-fm': 'AFM',
};

/** Weights shown per attention group of a review model, whose picture is mostly its reviews. */
const REVIEW_MODEL_WEIGHTS = 10;

/** Models with a picture of a user's attention over every item (no --item). */
export const USER_LEVEL_MODELS: readonly string[] = ['afm-gau', 'aanmf', 'aanmf-p'];

/** One section of the explanation as text: a heading and its lines. */
export interface ExplanationSection {
  readonly heading: string;
  readonly lines: readonly string[];
}

/** A picture and the same explanation as text. */
export interface ExplanationPicture {
  readonly title: string;
  readonly subtitles: readonly string[];
  readonly svg: string;
  readonly sections: readonly ExplanationSection[];
}

/** The SVG picture of the explanation of (user, item), or of the user alone. */
export function renderExplanationSvg(artifact: LoadedArtifact, user: string, item?: string): string {
  return explanationPicture(artifact, user, item).svg;
}

/** A self-contained HTML page: the picture inline and the explanation as text. */
export function renderExplanationHtml(artifact: LoadedArtifact, user: string, item?: string): string {
  const picture = explanationPicture(artifact, user, item);
  const sections = picture.sections.map(
    (s) =>
      `<section><h2>${escapeXml(s.heading)}</h2><ul>${s.lines.map((l) => `<li>${escapeXml(l)}</li>`).join('')}</ul></section>`,
  );
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeXml(picture.title)}</title>`,
    '<style>body{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#111;max-width:70em}' +
      'svg{max-width:100%;height:auto}h1{font-size:1.3em}h2{font-size:1.05em;margin-bottom:.3em}' +
      'ul{margin-top:0}p{color:#333}</style>',
    '</head><body>',
    `<h1>${escapeXml(picture.title)}</h1>`,
    ...picture.subtitles.map((s) => `<p>${escapeXml(s)}</p>`),
    `<figure>${picture.svg}</figure>`,
    ...sections,
    '</body></html>',
    '',
  ].join('\n');
}

/** The picture, its title lines and its text, for (user, item) or for the user alone. */
export function explanationPicture(
  artifact: LoadedArtifact,
  user: string,
  item?: string,
): ExplanationPicture {
  if (!canExplain(artifact)) throw new NoExplanationError(artifact.manifest.model);
  return item === undefined ? userPicture(artifact, user) : pairPicture(artifact, user, item);
}

function pairPicture(artifact: LoadedArtifact, user: string, item: string): ExplanationPicture {
  const { labels, manifest } = artifact;
  const reply = explainRaw(artifact, user, item);
  const model = displayName(manifest.model);
  const itemName = labels.item(item);
  const title = `${model}: ${reply.rating.toFixed(2)} predicted for ${itemName}`;
  const features = labels.itemFeatures(item);
  const subtitles = [
    labels.user(user),
    `${labels.hasItemTitles ? `item ${item}, ` : ''}${itemName}${features.length > 0 ? `: ${features.join(', ')}` : ''}`,
    `data set ${manifest.dataset}, ratings ${manifest.scale.min}–${manifest.scale.max}; ${answeredBy(reply, model)}`,
  ];
  const explanation = reply.explanation;
  const panels: Panel[] =
    explanation === null
      ? [notePanel([reply.note ?? 'no explanation'])]
      : pairPanels(artifact, reply, item, itemName);
  if (explanation !== null && reply.note !== undefined) panels.push(notePanel([reply.note]));
  return {
    title,
    subtitles,
    svg: stackPanels(title, subtitles, panels),
    sections: pairSections(reply, item, itemName),
  };
}

function pairPanels(artifact: LoadedArtifact, reply: ExplainReply, item: string, itemName: string): Panel[] {
  const explanation = reply.explanation;
  if (explanation === null) return [];
  const groups = withItemName(explanation.groups, item, itemName);
  const id = artifact.manifest.model;
  const itemNamer = (raw: string): string => artifact.labels.item(raw);
  if (id === 'sain') return sainPanels(groups);
  if (id === 'afm-gau') return afmGauPairPanels(groups);
  if (id === 'aanmf' || id === 'aanmf-p') return aanmfPairPanels(groups, itemName);
  if (id === 'rsattae' || id === 'rsattae-vanilla')
    return rsattaePanels(groups, rsattaeAlphaOf(artifact.manifest.meta));
  const reviews = explanation.reviews ?? [];
  if (reviews.length === 0) return genericPanels(groups);
  // The reviews, with their text, are the explanation; the attention groups follow, cut short.
  return [...reviewPanels(reviews, itemNamer), ...genericPanels(groups, REVIEW_MODEL_WEIGHTS)];
}

function pairSections(reply: ExplainReply, item: string, itemName: string): ExplanationSection[] {
  const explanation = reply.explanation;
  if (explanation === null) return [{ heading: 'No explanation', lines: [reply.note ?? ''] }];
  return [
    ...withItemName(explanation.groups, item, itemName).map((g) => ({
      heading: g.name,
      lines: g.weights.map(
        (w) =>
          `${w.feature}: ${
            g.kind === 'attention' ? percent(w.weight) : `${w.weight >= 0 ? '+' : ''}${w.weight.toFixed(4)}`
          }`,
      ),
    })),
    ...(explanation.reviews ?? []).map((g) => ({
      heading: g.name,
      lines: g.reviews.map(
        (r) => `${percent(r.weight)}: user ${r.user} on item ${r.item}, rated ${r.rating}: ${r.text}`,
      ),
    })),
  ];
}

function userPicture(artifact: LoadedArtifact, user: string): ExplanationPicture {
  const { labels, manifest } = artifact;
  const id = manifest.model;
  if (!USER_LEVEL_MODELS.includes(id)) {
    throw new UsageError(
      `model "${id}" has no user-level picture (${USER_LEVEL_MODELS.join(', ')} have one); give an item (--item)`,
    );
  }
  const model = displayName(id);
  const userName = labels.user(user);
  const title = `${model}: the attention of ${userName.replace(/ \(.*$/, '')} over every movie`;
  if (id === 'afm-gau') {
    const summary = userFeatureAttention(artifact, user);
    const order = labels.fields('item').flatMap((f) => f.values.map((v) => `${f.name}=${v}`));
    const subtitles = [
      userName,
      `data set ${manifest.dataset}; mean over the ${summary.items} movies with training ratings`,
    ];
    return {
      title,
      subtitles,
      svg: stackPanels(title, subtitles, afmGauUserPanels(summary, `user ${user}`, order)),
      sections: [
        {
          heading: 'Attention by feature field',
          lines: summary.fields.map((f) => `${f.field}: ${percent(f.share)}`),
        },
        {
          heading: 'Mean attention on each feature value',
          lines: summary.values.map((v) => `${v.feature}: ${percent(v.mean)} (${v.items} movies)`),
        },
      ],
    };
  }
  const summary = attentionByGenre(artifact, user);
  const subtitles = [
    userName,
    `data set ${manifest.dataset}; mean over the ${summary.items} movies with training ratings`,
  ];
  return {
    title,
    subtitles,
    svg: stackPanels(title, subtitles, aanmfUserPanels(summary)),
    sections: summary.attributes.map((a, k) => ({
      heading: `Attention on ${a}, by genre`,
      lines: summary.genres.map((g, c) => {
        const v = summary.values[k][c];
        return `${g}: ${v === null ? 'no movie' : percent(v)}`;
      }),
    })),
  };
}

function displayName(id: string): string {
  return DISPLAY_NAMES[id] ?? id;
}

function answeredBy(reply: ExplainReply, model: string): string {
  if (reply.coldStart === 'none') return `answered by ${model}`;
  return reply.source === 'fallback'
    ? `cold start (${reply.coldStart}): answered by the fallback, not the model`
    : `cold start (${reply.coldStart}): answered by ${model}, which handles cold start`;
}

/**
 * The picture of one explanation (`GET /explain.svg`, shown by the explorer for each
 * recommendation): the prediction, then each attention group as horizontal bars, largest first,
 * then the reviews given as evidence. It draws exactly the `/explain` reply it is given, so the
 * picture and the JSON never disagree. `explanationPicture` is the one function to replace when a
 * richer renderer (the papers' own figures) is wanted; its input and output stay the same.
 *
 * Attention bars are shares of their group (a full bar is 100 %); contribution bars are scaled to
 * the group's largest magnitude and drawn in another colour when negative, as `heed explain` does.
 */
import { element, escapeXml, svgDocument, text, textWidth } from '../report/svg.js';
import type { LoadedArtifact } from '../models/artifact.js';
import type { ExplainReply, ExplainedGroup } from './explanations.js';

const WIDTH = 540;
const MARGIN = 16;
const LABEL_WIDTH = 200;
const VALUE_WIDTH = 64;
const ROW = 20;
const FONT = 12;
const POSITIVE = '#2a5db0';
const NEGATIVE = '#c0563b';
const TRACK = '#eef0f3';

/**
 * An SVG document showing `reply`, an `/explain` reply of `artifact`, whose saved labels name the
 * item and the user (see the file comment).
 */
export function explanationPicture(artifact: LoadedArtifact, reply: ExplainReply): string {
  const item = artifact.labels.item(reply.item);
  const title = `${reply.model}: ${item}`;
  const body: string[] = [];
  let y = MARGIN + 14;
  body.push(text(MARGIN, y, fit(title, WIDTH - 2 * MARGIN, 15), { 'font-size': 15, 'font-weight': 'bold' }));
  y += 20;
  body.push(
    text(MARGIN, y, fit(artifact.labels.user(reply.user), WIDTH - 2 * MARGIN), { 'font-size': FONT }),
  );
  y += 20;
  body.push(text(MARGIN, y, `predicted rating ${reply.rating.toFixed(3)}`, { 'font-size': 13 }));
  y += 8;
  const explanation = reply.explanation;
  if (explanation === null || explanation.groups.length === 0) {
    y += 6;
    for (const line of wrap(reply.note ?? 'nothing to explain', WIDTH - 2 * MARGIN)) {
      y += 16;
      body.push(text(MARGIN, y, line, { 'font-size': FONT }));
    }
  } else {
    for (const group of explanation.groups) y = drawGroup(body, group, y);
  }
  for (const reviews of explanation?.reviews ?? []) {
    y += 26;
    const shown =
      reviews.reviews.length < reviews.total ? ` (top ${reviews.reviews.length} of ${reviews.total})` : '';
    body.push(text(MARGIN, y, reviews.name + shown, { 'font-size': 13, 'font-weight': 'bold' }));
    for (const review of reviews.reviews) {
      y += ROW;
      const line = `${review.weight.toFixed(3)}  user ${review.user} on ${artifact.labels.item(review.item)} (${review.rating}): ${review.text}`;
      body.push(text(MARGIN, y, fit(line, WIDTH - 2 * MARGIN), { 'font-size': FONT }));
    }
  }
  return svgDocument(WIDTH, y + MARGIN, title, body);
}

/** One group's heading and bars, below `y`; returns the new bottom. */
function drawGroup(body: string[], group: ExplainedGroup, top: number): number {
  let y = top + 26;
  const shown = group.weights.length < group.total ? ` (top ${group.weights.length} of ${group.total})` : '';
  body.push(text(MARGIN, y, group.name + shown, { 'font-size': 13, 'font-weight': 'bold' }));
  const attention = group.kind === 'attention';
  const largest = Math.max(1e-12, ...group.weights.map((w) => Math.abs(w.weight)));
  const scale = attention ? Math.max(group.sum, 1e-12) : largest;
  const trackX = MARGIN + LABEL_WIDTH;
  const trackWidth = WIDTH - MARGIN - VALUE_WIDTH - trackX;
  for (const w of group.weights) {
    y += ROW;
    body.push(text(MARGIN, y, fit(w.feature, LABEL_WIDTH - 8), { 'font-size': FONT }));
    body.push(element('rect', { x: trackX, y: y - 11, width: trackWidth, height: 13, fill: TRACK }));
    const length = trackWidth * Math.min(1, Math.abs(w.weight) / scale);
    const fill = w.weight < 0 ? NEGATIVE : POSITIVE;
    body.push(
      element(
        'rect',
        { x: trackX, y: y - 11, width: length, height: 13, fill },
        element('title', {}, escapeXml(`${w.feature}: ${w.weight}`)),
      ),
    );
    const value = attention ? `${(100 * w.weight).toFixed(1)}%` : w.weight.toFixed(3);
    body.push(text(WIDTH - MARGIN, y, value, { 'font-size': FONT, 'text-anchor': 'end' }));
  }
  return y;
}

/** `note` as lines of whole words that fit `width` pixels (a word longer than a line gets its own). */
function wrap(note: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of note.split(/\s+/)) {
    const longer = line === '' ? word : `${line} ${word}`;
    if (line !== '' && textWidth(longer, FONT) > width) {
      lines.push(line);
      line = word;
    } else {
      line = longer;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** `label` cut with an ellipsis to fit `width` pixels at `fontSize`. */
function fit(label: string, width: number, fontSize = FONT): string {
  if (textWidth(label, fontSize) <= width) return label;
  const keep = Math.max(1, Math.floor(width / (fontSize * 0.66)) - 1);
  return label.slice(0, keep) + '…';
}

/**
 * A panel of reviews given as evidence (SAFMR's most similar reviews, NARRE's most useful ones):
 * for each, a bar for its weight, who wrote it on which item with what rating, and the start of
 * its text, wrapped.
 */
import { element, text } from '../svg.js';
import { checkFiniteNumber, checkText } from '../validate.js';
import { heading, HEADING_HEIGHT, LABEL_SIZE, percent, tooltip, wrapWords, type Panel } from './panel.js';

export interface ReviewEntry {
  /** "user A2IBPI20UZIR0U on Kolya (1996), rated 5". */
  readonly caption: string;
  readonly text: string;
  /** The review's share of its group. */
  readonly weight: number;
}

export interface ReviewListSpec {
  readonly heading: string;
  readonly reviews: readonly ReviewEntry[];
}

const BAR = 70;
const TEXT_CHARS = 96;
const TEXT_LINES = 3;
const LINE = 15;

export function reviewListPanel(spec: ReviewListSpec): Panel {
  checkText(spec.heading, 'review list heading');
  spec.reviews.forEach((r, k) => checkFiniteNumber(r.weight, `${spec.heading}: review ${k} weight`));
  const snippets = spec.reviews.map((r) =>
    wrapWords(r.text === '' ? '(no text)' : r.text, TEXT_CHARS, TEXT_LINES),
  );
  const heights = snippets.map((lines) => LINE * (1 + lines.length) + 8);
  const largest = Math.max(1e-12, ...spec.reviews.map((r) => r.weight));
  return {
    width: BAR + 60 + TEXT_CHARS * LABEL_SIZE * 0.6,
    height:
      HEADING_HEIGHT +
      Math.max(
        LINE,
        heights.reduce((a, b) => a + b, 0),
      ),
    render(left, top) {
      const parts = [heading(left, top, spec.heading)];
      let y = top + HEADING_HEIGHT;
      if (spec.reviews.length === 0)
        parts.push(text(left, y + 12, '(no reviews)', { 'font-size': LABEL_SIZE, fill: '#555555' }));
      spec.reviews.forEach((review, k) => {
        const length = (review.weight / largest) * BAR;
        const textLeft = left + BAR + 56;
        parts.push(
          element(
            'rect',
            {
              x: left,
              y: y + 2,
              width: length,
              height: 11,
              fill: '#0072B2',
              class: 'bar',
              'data-value': String(review.weight),
            },
            tooltip(`${review.caption}: ${percent(review.weight)}`),
          ),
          text(left + BAR + 4, y + 12, percent(review.weight), { 'font-size': LABEL_SIZE, fill: '#333333' }),
          text(textLeft, y + 12, review.caption, {
            'font-size': LABEL_SIZE,
            'font-weight': 'bold',
            fill: '#111111',
          }),
          ...snippets[k].map((line, l) =>
            text(textLeft, y + 12 + (l + 1) * LINE, line, {
              'font-size': LABEL_SIZE,
              fill: '#333333',
              class: 'review-text',
            }),
          ),
        );
        y += heights[k];
      });
      return [element('g', { class: 'review-list' }, parts)];
    },
  };
}

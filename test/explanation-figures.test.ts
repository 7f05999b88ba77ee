/**
 * The explanation pictures (src/report/explanations/) on small hand-made explanations: each value
 * lands in its cell or bar, labels and titles are written, and bad input is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aanmfPairPanels, aanmfUserPanels } from '../src/report/explanations/aanmf-figure.js';
import { afmGauPairPanels, afmGauUserPanels } from '../src/report/explanations/afm-gau-figure.js';
import { fieldOf } from '../src/report/explanations/attention-over-items.js';
import { nameItemFeature, withItemName } from '../src/report/explanations/feature-names.js';
import { genericPanels } from '../src/report/explanations/generic-figure.js';
import { heatmapPanel } from '../src/report/explanations/heatmap.js';
import { stackPanels, wrapWords, type Panel } from '../src/report/explanations/panel.js';
import { reviewPanels } from '../src/report/explanations/reviews-figure.js';
import { rsattaeAlphaOf, rsattaePanels } from '../src/report/explanations/rsattae-figure.js';
import { sainPanels } from '../src/report/explanations/sain-figure.js';
import { weightBarsPanel } from '../src/report/explanations/weight-bars.js';
import { explainGroup, type ExplainedGroup } from '../src/serve/explanations.js';
import { HeedError } from '../src/util/errors.js';
import { readSvg } from '../test-helpers/svg-text.js';
import type { XmlElement } from '../test-helpers/xml.js';

function group(name: string, weights: ReadonlyArray<readonly [string, number]>): ExplainedGroup {
  return explainGroup(
    name,
    weights.map(([feature, weight]) => ({ feature, weight })),
  );
}

function draw(panels: Panel[]): ReturnType<typeof readSvg> {
  return readSvg(stackPanels('A title', ['a subtitle'], panels));
}

/** Heatmap cells by "row,column" → their value (undefined for an empty cell). */
function cells(elements: readonly XmlElement[]): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const e of elements) {
    if (e.attributes.class !== 'cell') continue;
    const value = e.attributes['data-value'];
    out.set(
      `${e.attributes['data-row']},${e.attributes['data-column']}`,
      value === undefined ? undefined : Number(value),
    );
  }
  return out;
}

function bars(elements: readonly XmlElement[]): Array<{ value: number; x: number; width: number }> {
  return elements
    .filter((e) => e.name === 'rect' && e.attributes.class === 'bar')
    .map((e) => ({
      value: Number(e.attributes['data-value']),
      x: Number(e.attributes.x),
      width: Number(e.attributes.width),
    }));
}

test('a heatmap puts each value in its cell, prints it, and leaves missing cells empty', () => {
  const { elements, texts, titles } = draw([
    heatmapPanel({
      heading: 'Heat',
      rowAxis: 'rows',
      columnAxis: 'columns',
      rows: ['r0', 'r1'],
      columns: ['c0', 'c1', '<c2>'],
      values: [
        [0.1, 0.2, null],
        [0.7, 0, 0.05],
      ],
    }),
  ]);
  const c = cells(elements);
  assert.equal(c.size, 6);
  assert.equal(c.get('0,1'), 0.2);
  assert.equal(c.get('1,0'), 0.7);
  assert.equal(c.get('0,2'), undefined);
  assert.ok(c.has('0,2'));
  for (const label of ['Heat', 'r0', 'r1', 'c0', '<c2>', '0.70', '0.05', 'rows', 'columns'])
    assert.ok(texts.includes(label), label);
  assert.ok(titles.includes('r0 × <c2>: no value'));
  // The largest value has the deepest colour; an empty cell is grey.
  const fill = (key: string): string | undefined =>
    elements.find(
      (e) =>
        e.attributes.class === 'cell' && `${e.attributes['data-row']},${e.attributes['data-column']}` === key,
    )?.attributes.fill;
  assert.equal(fill('1,0'), '#0072b2');
  assert.equal(fill('1,1'), '#ffffff');
  assert.equal(fill('0,2'), '#eeeeee');
});

test('a heatmap refuses rows of the wrong length and non-finite values, naming them', () => {
  const base = { heading: 'H', rowAxis: 'r', columnAxis: 'c', rows: ['a'], columns: ['x', 'y'] };
  assert.throws(() => heatmapPanel({ ...base, values: [[1]] }), /row 0 has 1 values for 2 columns/);
  assert.throws(
    () => heatmapPanel({ ...base, values: [[1, NaN]] }),
    /values\[0\]\[1\] must be a finite number/,
  );
  assert.throws(() => heatmapPanel({ ...base, rows: [], values: [] }), HeedError);
});

test('attention bars are proportional to the weights; contributions grow either side of zero', () => {
  const attention = draw([
    weightBarsPanel({
      heading: 'Attention',
      kind: 'attention',
      bars: [
        { label: 'genre=Comedy', value: 0.6 },
        { label: 'year=1990+', value: 0.3 },
        { label: 'item: Kolya (1996)', value: 0.1 },
      ],
      valueAxis: 'weights',
    }),
  ]);
  const b = bars(attention.elements);
  assert.deepEqual(
    b.map((x) => x.value),
    [0.6, 0.3, 0.1],
  );
  assert.ok(Math.abs(b[0].width / b[1].width - 2) < 0.01);
  assert.ok(Math.abs(b[0].width / b[2].width - 6) < 0.01);
  for (const label of ['genre=Comedy', 'item: Kolya (1996)', '60.0%', '10.0%'])
    assert.ok(attention.texts.includes(label), label);

  const signed = draw([
    weightBarsPanel({
      heading: 'FM',
      kind: 'contribution',
      bars: [
        { label: 'bias', value: 0.5 },
        { label: 'genre=Horror', value: -0.25 },
      ],
      valueAxis: 'contributions',
    }),
  ]);
  const [positive, negative] = bars(signed.elements);
  assert.equal(negative.x + negative.width, positive.x, 'the negative bar ends at the zero line');
  assert.ok(Math.abs(positive.width / negative.width - 2) < 0.01);
  assert.ok(signed.texts.includes('+0.5000') && signed.texts.includes('-0.2500'));
});

test('SAIN: one heatmap per head, query feature × attended feature, then the integration α', () => {
  const features = ['gender=M', 'genre=Comedy', 'actor=12'];
  const weightsOf = (h: number, q: number): Array<[string, number]> =>
    features.map((f, k) => [f, k === (q + h) % 3 ? 0.5 : 0.25]);
  const groups = [
    ...[1, 2].flatMap((h) => features.map((q, k) => group(`head ${h}: ${q}`, weightsOf(h, k)))),
    group('user integration', [
      ['feedback', 0.3],
      ['content', 0.7],
    ]),
    group('item integration', [
      ['feedback', 0.9],
      ['content', 0.1],
    ]),
  ];
  const panels = sainPanels(groups);
  assert.equal(panels.length, 3);
  const { elements, texts } = draw(panels);
  const all = elements.filter((e) => e.attributes.class === 'cell');
  assert.equal(all.length, 18);
  // The first heatmap is head 1: row q has 0.5 in column (q + 1) mod 3, whatever order explainGroup sorted it into.
  const head1 = cells(all.slice(0, 9));
  for (let q = 0; q < 3; q++)
    for (let k = 0; k < 3; k++)
      assert.equal(head1.get(`${q},${k}`), k === (q + 1) % 3 ? 0.5 : 0.25, `head 1 ${q},${k}`);
  const head2 = cells(all.slice(9));
  assert.equal(head2.get('0,2'), 0.5);
  assert.ok(texts.some((t) => t.startsWith('Head 1: attention')));
  assert.ok(texts.some((t) => t.startsWith('Head 2: attention')));
  for (const f of features) assert.ok(texts.includes(f), f);
  // Integration: feedback before content on each side.
  assert.deepEqual(
    bars(elements).map((b) => b.value),
    [0.3, 0.7, 0.9, 0.1],
  );
  assert.ok(texts.includes('user: feedback') && texts.includes('item: content'));
});

test('SAIN with several layers keeps the layers apart', () => {
  const panels = sainPanels([
    group('layer 1, head 1: a=1', [['a=1', 1]]),
    group('layer 2, head 1: a=1', [['a=1', 1]]),
  ]);
  const { texts } = draw(panels);
  assert.ok(texts.some((t) => t.startsWith('Layer 1, head 1:')));
  assert.ok(texts.some((t) => t.startsWith('Layer 2, head 1:')));
});

test("the item's own feature is named by its title, alone or in a pair, and only that item's", () => {
  assert.equal(nameItemFeature('item id', '242', 'Kolya (1996)'), 'item: Kolya (1996)');
  assert.equal(nameItemFeature('item=242', '242', 'Kolya (1996)'), 'item: Kolya (1996)');
  assert.equal(
    nameItemFeature('user=196 × item=242', '242', 'Kolya (1996)'),
    'user=196 × item: Kolya (1996)',
  );
  assert.equal(nameItemFeature('item=2420', '242', 'Kolya (1996)'), 'item=2420');
  assert.equal(nameItemFeature('genre=Comedy', '242', 'Kolya (1996)'), 'genre=Comedy');
  const groups = withItemName(
    [
      group('item features', [
        ['item id', 0.2],
        ['genre=Comedy', 0.5],
        ['year=1990+', 0.3],
      ]),
    ],
    '242',
    'Kolya (1996)',
  );
  const { elements, texts } = draw(afmGauPairPanels(groups));
  assert.ok(texts.includes('item: Kolya (1996)'));
  assert.ok(!texts.includes('item id'));
  assert.deepEqual(
    bars(elements).map((b) => b.value),
    [0.5, 0.3, 0.2],
  );
});

test("AFM-GAU's user picture: shares by field, then each field's values as a row of cells in vocabulary order", () => {
  const summary = {
    items: 10,
    fields: [
      { field: 'item id', share: 0.2 },
      { field: 'genre', share: 0.5 },
      { field: 'year', share: 0.3 },
    ],
    values: [
      { feature: 'genre=Drama', mean: 0.4, items: 3 },
      { feature: 'genre=Action', mean: 0.1, items: 5 },
      { feature: 'year=1990+', mean: 0.3, items: 10 },
    ],
  };
  const panels = afmGauUserPanels(summary, 'user 196', ['genre=Action', 'genre=Drama', 'year=1990+']);
  assert.equal(panels.length, 3);
  const { elements, texts } = draw(panels);
  assert.deepEqual(
    bars(elements).map((b) => b.value),
    [0.5, 0.3, 0.2],
  );
  assert.ok(texts.includes('the movie itself (item id)'));
  const all = elements.filter((e) => e.attributes.class === 'cell');
  // Fields and values in the given (vocabulary) order: genre (Action, Drama), then year.
  assert.deepEqual(
    all.map((e) => Number(e.attributes['data-value'])),
    [0.1, 0.4, 0.3],
  );
  for (const label of ['Action', 'Drama', '1990+', 'user 196', '40', '10'])
    assert.ok(texts.includes(label), label);
});

test('AANMF: the pair picture shows λ per user attribute; the user picture is attribute × genre (Fig. 7)', () => {
  const pair = draw(
    aanmfPairPanels(
      [
        group('user attributes', [
          ['gender=M', 0.5],
          ['age=45-49', 0.3],
          ['occupation=writer', 0.2],
        ]),
      ],
      'Kolya (1996)',
    ),
  );
  assert.ok(pair.texts.some((t) => t.includes('Kolya (1996)')));
  assert.ok(pair.texts.includes('occupation=writer'));
  const user = draw(
    aanmfUserPanels({
      items: 4,
      attributes: ['gender=M', 'age=45-49'],
      genres: ['Action', 'Western'],
      values: [
        [0.6, null],
        [0.4, null],
      ],
    }),
  );
  const c = cells(user.elements);
  assert.equal(c.get('0,0'), 0.6);
  assert.equal(c.get('1,0'), 0.4);
  assert.equal(c.get('1,1'), undefined);
  for (const label of ['gender=M', 'age=45-49', 'Action', 'Western', '60'])
    assert.ok(user.texts.includes(label), label);
});

test('RSAttAE: α of each autoencoder, then the attention over groups, cut to the largest', () => {
  assert.deepEqual(rsattaeAlphaOf({ fit: { alpha: { user: 0.6, item: null } } }), { user: 0.6, item: null });
  assert.equal(rsattaeAlphaOf({ fit: null }), undefined);
  const many = Array.from({ length: 15 }, (_, k): [string, number] => [`age=${k} (3 users)`, (15 - k) / 120]);
  const { elements, texts } = draw(
    rsattaePanels([group('users attended to (user autoencoder, Eq. 2)', many)], { user: 0.6, item: 0.55 }),
  );
  const values = bars(elements).map((b) => b.value);
  assert.deepEqual(values.slice(0, 2), [0.6, 0.55]);
  assert.equal(values.length, 2 + 12);
  assert.ok(texts.includes('α of the user autoencoder'));
  assert.ok(texts.some((t) => t.includes('top 12 of 15')));
});

test('reviews: weight, author, the item by its title, and the text wrapped', () => {
  const long = 'word '.repeat(200).trim();
  const { elements, texts } = draw(
    reviewPanels(
      [
        {
          name: 'most useful reviews of the item',
          total: 2,
          reviews: [
            { user: 'A1', item: '242', rating: 5, weight: 0.75, text: 'A quiet & moving film.' },
            { user: 'B2', item: '242', rating: 2, weight: 0.25, text: long },
          ],
        },
      ],
      (raw) => (raw === '242' ? 'Kolya (1996)' : `item ${raw}`),
    ),
  );
  assert.deepEqual(
    bars(elements).map((b) => b.value),
    [0.75, 0.25],
  );
  assert.ok(texts.includes('user A1 on Kolya (1996), rated 5'));
  assert.ok(texts.includes('A quiet & moving film.'));
  const lines = elements.filter((e) => e.attributes.class === 'review-text').length;
  assert.equal(lines, 1 + 3, 'the long review is cut to three lines');
  assert.ok(texts.some((t) => t.endsWith('…')));
});

test('other models: one bar panel per group', () => {
  const { texts } = draw(
    genericPanels([
      group('pair interactions', [
        ['a × b', 0.7],
        ['a × c', 0.3],
      ]),
    ]),
  );
  assert.ok(texts.includes('Pair interactions'));
  assert.ok(texts.includes('a × b') && texts.includes('70.0%'));
});

test('the figure has the title and subtitles as text and as its <title>', () => {
  const { texts, titles } = draw([]);
  assert.ok(texts.includes('A title') && texts.includes('a subtitle'));
  assert.equal(titles[0], 'A title — a subtitle');
});

test('wrapWords keeps words whole and marks a cut', () => {
  assert.deepEqual(wrapWords('one two three four', 9, 3), ['one two', 'three', 'four']);
  assert.deepEqual(wrapWords('one two three four', 9, 1), ['one two…']);
  assert.equal(fieldOf('genre=Comedy'), 'genre');
  assert.equal(fieldOf('item id'), 'item id');
});

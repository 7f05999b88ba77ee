import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barChart, ZOOMED_AXIS_NOTE, type BarChartSpec } from '../src/report/bar-chart.js';
import {
  criticalDifferenceDiagram,
  type CriticalDifferenceSpec,
} from '../src/report/critical-difference-diagram.js';
import { lineChart, type LineChartSpec } from '../src/report/line-chart.js';
import { niceTicks } from '../src/report/nice-ticks.js';
import { escapeXml } from '../src/report/svg.js';
import { geometryNumbers, parseXml, type XmlElement } from '../test-helpers/xml.js';

/** Well formed, scalable, every coordinate finite; returns the elements for further checks. */
function checkSvg(svg: string): XmlElement[] {
  const elements = parseXml(svg);
  assert.equal(elements[0].name, 'svg');
  assert.match(elements[0].attributes.viewBox, /^0 0 \d+(\.\d+)? \d+(\.\d+)?$/);
  for (const { where, value } of geometryNumbers(elements))
    assert.ok(Number.isFinite(value), `${value} in ${where}`);
  return elements;
}

const textsOf = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

const lineSpec = (): LineChartSpec => ({
  title: 'RMSE vs k <ml-100k & ml-1m>',
  xLabel: 'k',
  yLabel: 'RMSE',
  xScale: 'log2',
  series: [
    {
      name: 'SAIN',
      points: [
        { x: 8, y: 0.9, low: 0.89, high: 0.91 },
        { x: 16, y: 0.89 },
        { x: 64, y: 0.88, low: 0.875, high: 0.885 },
      ],
    },
    {
      name: 'Mike\'s "MF"',
      dashed: true,
      points: [
        { x: 8, y: 0.95 },
        { x: 64, y: 0.93 },
      ],
    },
  ],
});

test('nice ticks: 1/2/2.5/5 steps that enclose the data, without float noise', () => {
  assert.deepEqual(niceTicks(0.8931, 0.9244, 6).values, [0.89, 0.9, 0.91, 0.92, 0.93]);
  assert.deepEqual(niceTicks(0, 10, 5).values, [0, 2.5, 5, 7.5, 10]);
  assert.deepEqual(niceTicks(0.1, 0.7, 4).values, [0, 0.2, 0.4, 0.6, 0.8]);
  assert.deepEqual(niceTicks(-3, 3, 5).values, [-4, -2, 0, 2, 4]);
  assert.deepEqual(niceTicks(5, 5, 5).values, [4.5, 4.75, 5, 5.25, 5.5]);
});

test('escapeXml escapes the five XML special characters', () => {
  assert.equal(escapeXml(`<a & "b" 'c'>`), '&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;');
});

test('line chart: well formed, titled, every series named, deterministic', () => {
  const svg = lineChart(lineSpec());
  const elements = checkSvg(svg);
  const texts = textsOf(svg);
  assert.ok(texts.includes(escapeXml('RMSE vs k <ml-100k & ml-1m>')));
  assert.ok(texts.includes('SAIN'));
  assert.ok(texts.includes(escapeXml('Mike\'s "MF"')));
  // log2 scale: 8, 16, 32, 64 labelled and evenly spaced.
  for (const label of ['8', '16', '32', '64']) assert.ok(texts.includes(label), `x tick ${label}`);
  const tickX = elements
    .filter(
      (e) =>
        e.name === 'text' && e.attributes['text-anchor'] === 'middle' && e.attributes['font-size'] === '11',
    )
    .map((e) => Number(e.attributes.x));
  const gaps = tickX.slice(1).map((x, i) => x - tickX[i]);
  assert.ok(gaps.length === 3 && gaps.every((gap) => Math.abs(gap - gaps[0]) < 0.02), `gaps ${gaps}`);
  assert.ok(svg.includes('stroke-dasharray="6 4"'), 'the dashed series is dashed');
  assert.equal(lineChart(lineSpec()), svg);
});

test('line chart: strings give a category axis in order of first appearance', () => {
  const svg = lineChart({
    title: 'By data set',
    xLabel: 'data set',
    yLabel: 'MAE',
    series: [
      {
        name: 'A',
        points: [
          { x: 'ml-1m', y: 0.7 },
          { x: 'ml-100k', y: 0.72 },
        ],
      },
      {
        name: 'B',
        points: [
          { x: 'ml-100k', y: 0.75 },
          { x: 'amazon', y: 0.8 },
        ],
      },
    ],
  });
  checkSvg(svg);
  const texts = textsOf(svg);
  assert.ok(
    texts.indexOf('ml-1m') < texts.indexOf('ml-100k') && texts.indexOf('ml-100k') < texts.indexOf('amazon'),
  );
});

test('long category labels are slanted and stay on the canvas; long legends widen it', () => {
  const labels = ['MovieLens 100k (u1 split)', 'MovieLens 1M', 'Amazon Musical Instruments', 'Yelp'];
  const longName = 'a model with a very long name that needs a wide legend box';
  const svg = lineChart({
    title: 'Long labels',
    xLabel: 'data set',
    yLabel: 'RMSE',
    series: [{ name: longName, points: labels.map((x, i) => ({ x, y: 0.9 + i / 100 })) }],
  });
  const elements = checkSvg(svg);
  const [, , width] = elements[0].attributes.viewBox.split(' ').map(Number);
  const slanted = elements.filter(
    (e) => e.name === 'text' && (e.attributes.transform ?? '').startsWith('rotate(-30'),
  );
  assert.equal(slanted.length, labels.length);
  // A slanted label runs down-left from its tick: its left end is 0.6 em per character × cos 30° away.
  for (const [i, label] of labels.entries()) {
    assert.ok(Number(slanted[i].attributes.x) - label.length * 11 * 0.6 * Math.cos(Math.PI / 6) >= 0, label);
  }
  const texts = elements.filter((e) => e.name === 'text');
  const legendText = texts[textsOf(svg).indexOf(longName)];
  assert.ok(Number(legendText.attributes.x) + longName.length * 12 * 0.6 <= width, 'the legend fits');
  assert.ok(width > 720, 'the canvas grew for the legend');
});

test('line chart: bad input is refused with the field named', () => {
  const withPoint = (point: object): LineChartSpec => ({
    ...lineSpec(),
    series: [{ name: 'A', points: [point as never] }],
  });
  assert.throws(() => lineChart({ ...lineSpec(), series: [] }), /lineChart: series is empty/);
  assert.throws(
    () => lineChart({ ...lineSpec(), series: [{ name: 'A', points: [] }] }),
    /series\[0\] \("A"\) has no points/,
  );
  assert.throws(
    () => lineChart(withPoint({ x: 8, y: NaN })),
    /series\[0\] \("A"\)\.points\[0\]\.y must be a finite number, got NaN/,
  );
  assert.throws(
    () => lineChart(withPoint({ x: 8, y: 1, low: 1.2 })),
    /points\[0\]\.low \(1\.2\) is above the value \(1\)/,
  );
  assert.throws(
    () => lineChart(withPoint({ x: 0, y: 1 })),
    /points\[0\]\.x must be > 0 for xScale 'log2', got 0/,
  );
  assert.throws(
    () => lineChart(withPoint({ x: 'big', y: 1 })),
    /points\[0\]\.x is the string "big", but xScale 'log2' needs numbers/,
  );
  assert.throws(
    () => lineChart({ ...lineSpec(), series: [lineSpec().series[0], lineSpec().series[0]] }),
    /series\[1\]\.name "SAIN" is used twice/,
  );
  assert.throws(() => lineChart({ ...lineSpec(), title: '' }), /lineChart: title must be a non-empty string/);
});

const barSpec = (): BarChartSpec => ({
  title: 'RMSE by data set',
  yLabel: 'RMSE',
  groups: [
    {
      label: 'ml-100k',
      bars: [
        { name: 'SAIN', value: 0.893, low: 0.89, high: 0.896 },
        { name: 'MF', value: 0.918 },
      ],
    },
    {
      label: 'ml-1m',
      bars: [
        { name: 'SAIN', value: 0.851 },
        { name: 'MF', value: 0.862, low: 0.86, high: 0.864 },
      ],
    },
  ],
});

test('bar chart: a zoomed y axis says so; from zero it does not', () => {
  const svg = barChart(barSpec());
  checkSvg(svg);
  const texts = textsOf(svg);
  for (const label of ['RMSE by data set', 'ml-100k', 'ml-1m', 'SAIN', 'MF'])
    assert.ok(texts.includes(label), label);
  assert.ok(texts.includes(`Note: ${ZOOMED_AXIS_NOTE}`));
  assert.ok(svg.includes('class="axis-break"'));
  assert.equal(barChart(barSpec()), svg);

  const fromZero = barChart({ ...barSpec(), yFromZero: true });
  checkSvg(fromZero);
  assert.ok(!fromZero.includes(ZOOMED_AXIS_NOTE));
  assert.ok(!fromZero.includes('class="axis-break"'));
  assert.ok(textsOf(fromZero).includes('0.0'), 'the axis starts at 0');
  // Values far from 0 relative to their spread start at 0 without being asked.
  const counts = barChart({
    title: 'Ratings',
    yLabel: 'count',
    groups: [
      {
        label: 'all',
        bars: [
          { name: 'a', value: 3 },
          { name: 'b', value: 10 },
        ],
      },
    ],
  });
  assert.ok(!counts.includes(ZOOMED_AXIS_NOTE));
});

test('bar chart: bad input is refused with the field named', () => {
  assert.throws(() => barChart({ ...barSpec(), groups: [] }), /barChart: groups is empty/);
  assert.throws(
    () => barChart({ ...barSpec(), groups: [{ label: 'x', bars: [] }] }),
    /groups\[0\] \("x"\) has no bars/,
  );
  assert.throws(
    () => barChart({ ...barSpec(), groups: [{ label: 'x', bars: [{ name: 'a', value: Infinity }] }] }),
    /barChart: groups\[0\]\.bars\[0\]\.value must be a finite number, got Infinity/,
  );
  assert.throws(
    () => barChart({ ...barSpec(), groups: [{ label: 'x', bars: [{ name: 'a', value: 1, high: 0.5 }] }] }),
    /bars\[0\]\.high \(0\.5\) is below the value \(1\)/,
  );
});

const cdSpec = (): CriticalDifferenceSpec => ({
  title: 'Nemenyi, α = 0.10',
  // Demšar (2006) Table 6 average ranks; CD at α = 0.10 with N = 14 is 1.12.
  ranks: [
    { name: 'C4.5', rank: 3.143 },
    { name: 'C4.5+m', rank: 2.0 },
    { name: 'C4.5+cf', rank: 2.893 },
    { name: 'C4.5+m+cf', rank: 1.964 },
  ],
  cd: 1.12,
  alpha: 0.1,
  blocks: 14,
});

test('critical difference diagram: labels, CD bar, one thick line per group, rank 1 on the right', () => {
  const svg = criticalDifferenceDiagram(cdSpec());
  const elements = checkSvg(svg);
  const texts = textsOf(svg);
  for (const label of ['C4.5 (3.14)', 'C4.5+m (2.00)', 'C4.5+cf (2.89)', 'C4.5+m+cf (1.96)', 'CD = 1.12']) {
    assert.ok(texts.includes(label), label);
  }
  assert.ok(texts.some((t) => t.includes('α = 0.1, N = 14 blocks')));
  // Groups {C4.5+m+cf, C4.5+m, C4.5+cf} and {C4.5+cf, C4.5}: two thick lines.
  assert.equal(elements.filter((e) => e.name === 'line' && e.attributes['stroke-width'] === '4').length, 2);
  const tickX = (label: string): number =>
    Number(elements.filter((e) => e.name === 'text')[texts.indexOf(label)].attributes.x);
  assert.ok(tickX('1') > tickX('4'), 'best rank on the right');
  assert.equal(criticalDifferenceDiagram(cdSpec()), svg);
});

test('critical difference diagram: bad input is refused with the field named', () => {
  assert.throws(
    () => criticalDifferenceDiagram({ ...cdSpec(), ranks: [{ name: 'a', rank: 1 }] }),
    /needs at least 2 ranks, got 1/,
  );
  assert.throws(() => criticalDifferenceDiagram({ ...cdSpec(), cd: 0 }), /cd must be > 0, got 0/);
  assert.throws(
    () => criticalDifferenceDiagram({ ...cdSpec(), cd: NaN }),
    /cd must be a finite number, got NaN/,
  );
  assert.throws(
    () =>
      criticalDifferenceDiagram({
        ...cdSpec(),
        ranks: [
          { name: 'a', rank: 1 },
          { name: 'b', rank: 5 },
        ],
      }),
    /ranks\[1\]\.rank \(5\) is outside 1\.\.2/,
  );
  assert.throws(
    () =>
      criticalDifferenceDiagram({
        ...cdSpec(),
        ranks: [
          { name: 'a', rank: 1 },
          { name: 'a', rank: 2 },
        ],
      }),
    /ranks\[1\]\.name "a" is used twice/,
  );
});

test('the XML checker itself rejects what it should', () => {
  assert.throws(() => parseXml('<svg><g></svg>'), /<\/svg> closes <g>/);
  assert.throws(() => parseXml('<svg><text>a & b</text></svg>'), /bare &/);
  assert.throws(() => parseXml('<svg x=1/>'), /malformed tag/);
  assert.throws(() => parseXml('<svg/><svg/>'), /second root/);
  assert.ok(geometryNumbers(parseXml('<svg><line x1="NaN"/></svg>')).some((n) => Number.isNaN(n.value)));
});

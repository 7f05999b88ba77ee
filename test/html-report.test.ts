/**
 * The self-contained HTML report and the explanation picture: well-formed markup with every text
 * escaped, the generator mark that lets a later run replace the report, the SVG inline, and the
 * highlighted feature drawn as its own series.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { reportTarget, writeReport } from '../src/demo/report-file.js';
import type { Explanation } from '../src/models/model.js';
import { attentionPicture } from '../src/demo/attention-picture.js';
import { htmlReport, isHeedReport, type HtmlReport } from '../src/report/html-report.js';
import { parseXml } from '../test-helpers/xml.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-report-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const explanation: Explanation = {
  model: 'afm-gau',
  user: 0,
  item: 0,
  prediction: 4.2,
  groups: [
    {
      name: 'item features',
      weights: [
        { feature: 'item id', weight: 0.1 },
        { feature: 'director=D3', weight: 0.7 },
        { feature: 'genre=Sci-Fi & <Horror>', weight: 0.2 },
      ],
    },
  ],
};

const picture = (): string =>
  attentionPicture(explanation, {
    title: 'u1 & "Film 1"',
    heading: 'attention',
    highlight: 'director=D3',
  });

const report = (): HtmlReport => ({
  title: 'A <report> & "more"',
  sections: [
    { heading: 'Words', paragraphs: ["it's <b>not</b> bold & fine"] },
    {
      heading: 'Table',
      table: {
        caption: 'c',
        headers: ['model', 'RMSE'],
        rows: [
          ['a<b', '0.9'],
          ['c', '0.8'],
        ],
        emphasisedRow: 1,
      },
    },
    {
      heading: 'Picture',
      figure: { svg: picture(), caption: 'the picture' },
      preformatted: 'x  ██ 70%\n<y>',
    },
    { heading: 'Next', commands: [{ command: 'npx heed models --json', what: 'list & read' }] },
  ],
});

test('attentionPicture: one bar per feature, largest first, the highlighted one in its own colour', () => {
  const svg = picture();
  const elements = parseXml(svg);
  assert.equal(elements[0].name, 'svg');
  const bars = elements.filter((e) => e.name === 'rect' && (e.attributes.class ?? '').startsWith('bar'));
  // Drawing order: largest weight first; each bar carries its value.
  assert.deepEqual(
    bars.map((e) => Number(e.attributes['data-value'])),
    [0.7, 0.2, 0.1],
  );
  assert.deepEqual(
    bars.map((e) => e.attributes.class),
    ['bar highlighted', 'bar', 'bar'],
  );
  assert.equal(new Set(bars.map((e) => e.attributes.fill)).size, 2, 'two colours: planted and the others');
  assert.ok(svg.includes('genre=Sci-Fi &amp; &lt;Horror&gt;'), 'labels escaped');
  assert.throws(
    () => attentionPicture({ ...explanation, groups: [] }, { title: 't', heading: 'h' }),
    /the afm-gau explanation has no attention weights/,
  );
});

test('htmlReport: well-formed, every text escaped, the SVG inline, no script or external resource', () => {
  const html = htmlReport(report());
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  const elements = parseXml(html.slice('<!DOCTYPE html>\n'.length));
  const names = elements.map((e) => e.name);
  for (const name of [
    'head',
    'meta',
    'title',
    'style',
    'body',
    'h1',
    'h2',
    'p',
    'table',
    'caption',
    'figure',
    'svg',
    'pre',
    'dl',
  ])
    assert.ok(names.includes(name), `<${name}>`);
  assert.ok(html.includes('<title>A &lt;report&gt; &amp; &quot;more&quot;</title>'));
  assert.ok(html.includes('<p>it&apos;s &lt;b&gt;not&lt;/b&gt; bold &amp; fine</p>'));
  assert.ok(html.includes('<td>a&lt;b</td>'));
  assert.ok(html.includes('<tr class="emphasised"><td>c</td><td>0.8</td></tr>'));
  assert.ok(html.includes('<pre>x  ██ 70%\n&lt;y&gt;</pre>'));
  assert.ok(html.includes('<code>npx heed models --json</code>'));
  assert.ok(!html.includes('<script') && !/\s(src|href)=/.test(html));
  assert.ok(isHeedReport(html));
  assert.ok(!isHeedReport('<html><head><title>mine</title></head></html>'));
});

test('reportTarget and writeReport: only .html, only into an existing directory, only over an earlier report', () => {
  const file = reportTarget(undefined, tmp);
  assert.equal(file, path.join(tmp, 'heed-demo-report.html'));
  writeReport(file, htmlReport(report()));
  assert.ok(isHeedReport(fs.readFileSync(file, 'utf8')));
  writeReport(file, htmlReport({ ...report(), title: 'again' })); // an earlier report is replaced
  assert.ok(fs.readFileSync(file, 'utf8').includes('<title>again</title>'));
  assert.deepEqual(fs.readdirSync(tmp), ['heed-demo-report.html']);

  const other = path.join(tmp, 'notes.html');
  fs.writeFileSync(other, '<p>mine</p>');
  assert.throws(
    () => reportTarget('notes.html', tmp),
    /--out .*notes\.html: the file exists and is not a report/,
  );
  assert.throws(() => writeReport(other, htmlReport(report())), /is not a report written by heed demo/);
  assert.equal(fs.readFileSync(other, 'utf8'), '<p>mine</p>');
  assert.throws(() => reportTarget('r.txt', tmp), /--out r\.txt: the report is an HTML file/);
  assert.throws(() => reportTarget('no/such/r.html', tmp), /directory .*no\/such does not exist/);
  fs.mkdirSync(path.join(tmp, 'd.html'));
  assert.throws(() => reportTarget('d.html', tmp), /d\.html: is a directory/);
});

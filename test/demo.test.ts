/**
 * `heed demo` end to end, as `npm start` runs it: the table with the attention model, the
 * explanation of a planted taste (the attention must rank the planted feature first for most
 * users), `--json`, and the HTML report (written, well formed, the SVG inside, never overwriting a
 * file that is not an earlier report).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { DemoJson } from '../src/cli/demo.js';
import { DEFAULT_REPORT_FILE } from '../src/demo/report-file.js';
import { parseXml } from '../test-helpers/xml.js';
import { HEED_MAIN as MAIN, runHeed, type HeedResult } from '../test-helpers/cli.js';

// dist/test/demo.test.js → dist/src/cli/main.js
const heed = (args: readonly string[], cwd: string): HeedResult => runHeed(args, { cwd });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-demo-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The report as XML: its markup is well formed once the HTML doctype is set aside. */
function parseReport(html: string): ReturnType<typeof parseXml> {
  assert.ok(html.startsWith('<!DOCTYPE html>\n'), 'starts with the HTML5 doctype');
  return parseXml(html.slice('<!DOCTYPE html>\n'.length));
}

test('demo --json: five models, AFM-GAU beats the classic ones, its attention ranks the planted feature first for most users, and the report is written', () => {
  const out = path.join(tmp, 'json-run', 'report.html');
  fs.mkdirSync(path.dirname(out));
  const r = heed(['demo', '--json', '--quiet', '--out', out], tmp);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const json = JSON.parse(r.stdout) as DemoJson; // throws if anything else is on stdout
  assert.deepEqual(
    json.results.map((x) => x.model),
    ['globalmean', 'baseline', 'biasedmf', 'fm', 'afm-gau'],
  );
  const rmse = Object.fromEntries(json.results.map((x) => [x.model, x.rmse]));
  for (const classic of ['globalmean', 'baseline', 'biasedmf', 'fm'])
    assert.ok(rmse['afm-gau'] < rmse[classic], `afm-gau ${rmse['afm-gau']} vs ${classic} ${rmse[classic]}`);

  const e = json.explanation;
  assert.equal(e.model, 'afm-gau');
  assert.match(e.plantedFeature, e.taste === 'director' ? /^director=/ : /^genre=/);
  assert.ok(e.itemAttention.some((w) => w.feature === e.plantedFeature));
  const sum = e.itemAttention.reduce((s, w) => s + w.weight, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5, `item attention sums to ${sum}`);
  assert.equal(e.plantedAmongItemFeatures.count, e.itemAttention.length);
  assert.equal(e.plantedAmongAllFeatures.count, e.userAttention.length);
  // The claim the demo prints: the planted feature is the top weight for most users, and far
  // above the uniform weight. (On this seed it is every user; "most" leaves room for other seeds.)
  const s = e.summary;
  assert.equal(s.users.cases, 300);
  assert.equal(s.directorFans.cases + s.genreFans.cases, 300);
  assert.ok(
    s.users.top / s.users.cases >= 0.9,
    `planted feature first for ${s.users.top}/${s.users.cases} users`,
  );
  assert.ok(s.directorFans.top / s.directorFans.cases >= 0.8, JSON.stringify(s.directorFans));
  assert.ok(s.genreFans.top / s.genreFans.cases >= 0.8, JSON.stringify(s.genreFans));
  assert.ok(s.medianPlantedWeight > 3 * s.uniform, `median ${s.medianPlantedWeight} vs uniform ${s.uniform}`);
  assert.ok(s.predictions.cases > 100);
  assert.ok(s.predictions.top / s.predictions.cases >= 0.9, JSON.stringify(s.predictions));

  assert.equal(json.report, out);
  const html = fs.readFileSync(out, 'utf8');
  const elements = parseReport(html);
  const names = elements.map((x) => x.name);
  for (const name of ['html', 'head', 'title', 'style', 'body', 'table', 'figure', 'svg', 'rect'])
    assert.ok(names.includes(name), `<${name}> in the report`);
  // The explained prediction, and the user's attention over all features.
  assert.equal(elements.filter((x) => x.name === 'svg').length, 2);
  assert.ok(!/\s(src|href)=/.test(html), 'no external resource');
  assert.ok(!html.includes('<script'), 'no script');
  assert.ok(html.includes(`planted taste: ${e.plantedFeature}`), 'the picture names the planted feature');
  assert.equal(
    elements.filter((x) => x.name === 'rect' && x.attributes.class === 'bar highlighted').length,
    2,
    'the planted bar drawn in its own colour in both pictures',
  );
  assert.ok(html.includes(`npx heed explain --model-dir models/afm-demo --user ${e.user} --item ${e.item}`));
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ['report.html'], 'no temporary file left');
});

test('demo prints the table with afm-gau, the explanation and the summary, and refreshes its own report in the current directory', () => {
  const dir = path.join(tmp, 'text-run');
  fs.mkdirSync(dir);
  const report = path.join(dir, DEFAULT_REPORT_FILE);
  fs.writeFileSync(
    report,
    '<!DOCTYPE html>\n<html><head><meta name="generator" content="heed demo"/></head></html>',
  );
  const r = heed(['demo', '--quiet'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^model +RMSE +MAE +NDCG@10/);
  assert.match(r.stdout, /\nafm-gau +\d\.\d{4} /);
  assert.match(
    r.stdout,
    /The generator planted u\d+'s taste: a (director|genre) fan, whose ratings depend on /,
  );
  assert.match(r.stdout, /← planted/);
  assert.match(r.stdout, /\n(Yes|No): the planted feature \S+ (has|does not have) the top weight/);
  assert.match(
    r.stdout,
    /Over all 300 users \(each has a planted taste\), the planted feature is the top weight/,
  );
  assert.match(r.stdout, new RegExp(`\\nReport: ${DEFAULT_REPORT_FILE} `));
  parseReport(fs.readFileSync(report, 'utf8'));
  assert.ok(fs.readFileSync(report, 'utf8').includes('<table>'), 'the earlier report was replaced');
});

test('demo refuses, before training, to overwrite a file that is not its report, and names it', () => {
  const dir = path.join(tmp, 'refuse');
  fs.mkdirSync(dir);
  const mine = path.join(dir, DEFAULT_REPORT_FILE);
  fs.writeFileSync(mine, '<html><body>my own page</body></html>');
  const r = heed(['demo', '--quiet'], dir);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /--out .*heed-demo-report\.html: the file exists and is not a report written by heed demo/,
  );
  assert.equal(fs.readFileSync(mine, 'utf8'), '<html><body>my own page</body></html>');

  const wrongKind = heed(['demo', '--quiet', '--out', 'report.svg'], dir);
  assert.equal(wrongKind.code, 2);
  assert.match(wrongKind.stderr, /--out report\.svg: the report is an HTML file/);
  const noDir = heed(['demo', '--quiet', '--out', 'missing/report.html'], dir);
  assert.equal(noDir.code, 2);
  assert.match(noDir.stderr, /directory .*missing does not exist/);
});

test('Ctrl-C while the attention model trains: exit 130, nothing on stdout, no report written', async () => {
  const dir = path.join(tmp, 'interrupted');
  fs.mkdirSync(dir);
  const child = spawn(process.execPath, [MAIN, 'demo'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!sent && /afm-gau: epoch 1\//.test(stderr)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  assert.ok(sent, `no afm-gau epoch line; stderr: ${stderr}`);
  assert.equal(code, 130, stderr);
  assert.equal(stdout, '');
  assert.match(stderr, /interrupted while training afm-gau: no table printed, no report written/);
  assert.deepEqual(fs.readdirSync(dir), []);
});

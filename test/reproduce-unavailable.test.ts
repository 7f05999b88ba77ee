/**
 * The rows of data sets Heed does not ship (experiment files with `userData`): `heed reproduce`
 * prints them as "data not available here" with the paper's numbers and the command that fits
 * them, runs them once the files are there, and still fails on a missing data set Heed does ship.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/cli.js';
import type { CliIo } from '../src/cli/command.js';
import { loadDataset, missingDatasetFiles } from '../src/data/registry.js';
import { parseExperiment } from '../src/experiment/format.js';
import { experimentsDir } from '../src/experiment/papers.js';
import { partitionByData, unavailableMarkdown } from '../src/experiment/unavailable.js';

// dist/test/ → the workspace's shared/data, beside the repository.
const SHARED = fileURLToPath(new URL('../../../shared/data', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-reproduce-unavailable-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const command = (file: string, name: string): string => `run ${path.basename(file)} into ${name}`;

test('AFM-GAU: the Douban experiments are set aside when their files are absent, run when present', () => {
  const empty = path.join(tmp, 'empty');
  fs.mkdirSync(empty);
  const absent = partitionByData('afm-gau', empty, command);
  // ml-1m is shipped: missing, it stays to be loaded (and fail with the loader's error).
  assert.deepEqual(absent.files, [path.join(experimentsDir(), 'afm-gau', 'table2.json')]);
  assert.deepEqual(
    absent.unavailable.map((u) => [u.report.name, u.report.dataset, u.report.command]),
    [
      [
        'afm-gau-table2-douban-movie',
        'csv:douban-movie',
        'run table2-douban-movie.json into afm-gau-table2-douban-movie',
      ],
      [
        'afm-gau-table2-douban-music',
        'csv:douban-music',
        'run table2-douban-music.json into afm-gau-table2-douban-music',
      ],
    ],
  );
  assert.match(absent.unavailable[1].report.lookedIn, new RegExp(`${empty}/douban-music`));

  const music = path.join(tmp, 'with-music');
  fs.mkdirSync(path.join(music, 'douban-music'), { recursive: true });
  fs.writeFileSync(path.join(music, 'douban-music', 'ratings.csv'), 'user,item,rating:scale(1|5)\na,x,4\n');
  const present = partitionByData('afm-gau', music, command);
  assert.deepEqual(
    present.files.map((f) => path.basename(f)),
    ['table2-douban-music.json', 'table2.json'],
  );
  assert.deepEqual(
    present.unavailable.map((u) => u.report.name),
    ['afm-gau-table2-douban-movie'],
  );
  // The csv: directory is found under the data directory, as the experiment file names it.
  assert.equal(loadDataset('csv:douban-music', { dataDir: music }).ratings.rating.length, 1);
});

test('the section lists every paper row as "data not available here" with its numbers and the command', () => {
  const { unavailable } = partitionByData('sain', path.join(tmp, 'nothing-here'), command);
  assert.equal(unavailable.length, 1);
  const { experiment, report } = unavailable[0];
  const text = unavailableMarkdown(report, experiment);
  assert.match(text, /^## SAIN Table 2: rating prediction on Weibo-Douban \(8:1:1\)\n/);
  assert.match(text, /Data set `csv:weibo-douban`: \*\*data not available here\*\* \(looked for /);
  assert.match(text, /`users.csv` with `user,tags:multi`/);
  assert.match(text, /\| SAIN +\| `sain` +\| 0\.7639 +\| 0\.5957 +\| data not available here \|/);
  assert.equal(text.match(/\| data not available here \|/g)?.length, 7);
  assert.match(text, /```sh\nrun weibo-douban.json into sain-table2-weibo-douban\n```/);
});

test('missingDatasetFiles names where it looked, and nothing for data that is there or generated', () => {
  const dir = path.join(tmp, 'look');
  fs.mkdirSync(path.join(dir, 'no-ratings'), { recursive: true });
  assert.equal(missingDatasetFiles('synthetic', { dataDir: dir }), undefined);
  assert.equal(missingDatasetFiles('ml-1m', { dataDir: dir }), path.join(dir, 'ml-1m'));
  assert.equal(
    missingDatasetFiles('amazon:reviews_Beauty_5.json.gz', { dataDir: dir }),
    `${path.resolve('reviews_Beauty_5.json.gz')} and ${path.join(dir, 'reviews_Beauty_5.json.gz')}`,
  );
  // A directory without ratings.csv is not a csv: data set.
  assert.match(missingDatasetFiles('csv:no-ratings', { dataDir: dir }) ?? '', /no-ratings$/);
  fs.writeFileSync(path.join(dir, 'reviews_Beauty_5.json.gz'), '');
  assert.equal(missingDatasetFiles('amazon:reviews_Beauty_5.json.gz', { dataDir: dir }), undefined);
});

test('userData must be a non-empty string', () => {
  const base = {
    version: 1,
    name: 'x',
    title: 'X',
    dataset: 'csv:x',
    split: 'ratio:0.8,0.1,0.1',
    seeds: [1],
    metrics: ['rmse'],
    models: [{ label: 'M', model: 'globalmean', expectedSeconds: 1 }],
  };
  assert.equal(
    parseExperiment(JSON.stringify({ ...base, userData: 'ratings.csv' }), 'x.json').userData,
    'ratings.csv',
  );
  assert.throws(
    () => parseExperiment(JSON.stringify({ ...base, userData: 3 }), 'x.json'),
    /^UsageError: x\.json: \$\.userData: must be a non-empty string, got 3$/,
  );
});

test('heed reproduce safmr prints the six Amazon sets it lacks before fitting Musical Instruments', async (t) => {
  const mi = path.join(SHARED, 'amazon-musical-instruments-5core');
  if (!fs.existsSync(mi)) {
    t.skip(`real data not found at ${mi}`);
    return;
  }
  const data = path.join(tmp, 'only-mi');
  fs.mkdirSync(data);
  fs.symlinkSync(mi, path.join(data, 'amazon-musical-instruments-5core'));
  const out = path.join(tmp, 'safmr-out');
  let stdout = '';
  let stderr = '';
  // Ctrl-C before the first fit: what is printed before fitting is all there is.
  const stop = new AbortController();
  stop.abort();
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    signal: stop.signal,
  };
  const code = await runCli(['reproduce', 'safmr', '--quick', '--data-dir', data, '--out', out], io);
  assert.equal(code, 130, stderr);
  assert.match(stderr, /^heed reproduce safmr: 1 experiment file\(s\) \(and 6 whose data is not here\)/);
  assert.match(
    stderr,
    /\nsafmr-digital-music: data not available here \(amazon:reviews_Digital_Music_5\.json\.gz\)\n/,
  );
  assert.deepEqual(
    [...stdout.matchAll(/^## (.*)$/gm)].map((m) => m[1]),
    [
      'SAFMR Table 4: Amazon Beauty 5-core, 8:1:1',
      'SAFMR Table 4: Amazon Clothing, Shoes and Jewelry 5-core, 8:1:1',
      'SAFMR Table 4: Amazon Digital Music 5-core, 8:1:1',
      'SAFMR Table 4: Amazon Electronics 5-core, 8:1:1',
      'SAFMR Table 4: Amazon Home and Kitchen 5-core, 8:1:1',
      'SAFMR Table 4: Amazon Kindle Store 5-core, 8:1:1',
    ],
  );
  assert.match(stdout, /\| SAFMR +\| `safmr` +\| 1\.1540 +\| data not available here \|/);
  assert.ok(
    stdout.includes(
      `heed experiment run ${path.join(experimentsDir(), 'safmr', 'digital-music.json')} ` +
        `--out ${path.join(out, 'safmr-digital-music')} --data-dir ${data} --quick\n`,
    ),
    stdout,
  );
});

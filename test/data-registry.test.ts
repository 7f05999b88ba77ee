import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { getField } from '../src/data/features.js';
import { listDatasets, loadDataset, resolveDataDir } from '../src/data/registry.js';
import { DataError, UsageError } from '../src/util/errors.js';

function withDataDir(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-registry-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), content);
    }
    body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const FLAGS = Array.from({ length: 19 }, (_, g) => (g === 5 ? '1' : '0')).join('|');
const ML100K = {
  'ml-100k/u.data': '1\t1\t5\t100\n2\t1\t3\t200\n',
  'ml-100k/u.user': '1|24|M|technician|85711\n2|53|F|other|94043\n',
  'ml-100k/u.item': `1|Comedy (1995)|01-Jan-1995||http://x|${FLAGS}\n`,
};

test('loadDataset: ml-100k under the data directory, with MovieLens bin options passed through', () => {
  withDataDir(ML100K, (dir) => {
    const d = loadDataset('ml-100k', { dataDir: dir, ageBins: { edges: [0, 30, 100] } });
    assert.equal(d.id, 'ml-100k');
    assert.equal(d.ratings.rating.length, 2);
    assert.deepEqual(getField(d.userFeatures, 'age').vocabulary, ['<30', '30+']);
  });
});

test('loadDataset: a missing data set names the path and suggests heed data fetch and --data-dir', () => {
  withDataDir({}, (dir) => {
    assert.throws(
      () => loadDataset('ml-100k', { dataDir: dir }),
      (e: unknown) =>
        e instanceof DataError &&
        e.file === path.join(dir, 'ml-100k') &&
        e.message.includes('heed data fetch ml-100k') &&
        e.message.includes('--data-dir'),
    );
    assert.throws(() => loadDataset('ml-1m', { dataDir: dir }), /heed data fetch ml-1m/);
    assert.throws(
      () => loadDataset('sain-ml100k', { dataDir: dir }),
      /sain: SAIN's ml-100k-r data not found; put it there/,
    );
  });
});

test('resolveDataDir: explicit, else HEED_DATA_DIR', () => {
  assert.equal(resolveDataDir('/some/where'), '/some/where');
  const saved = process.env.HEED_DATA_DIR;
  try {
    process.env.HEED_DATA_DIR = '/from/env';
    assert.equal(resolveDataDir(), '/from/env');
    assert.equal(resolveDataDir(''), '/from/env');
  } finally {
    if (saved === undefined) delete process.env.HEED_DATA_DIR;
    else process.env.HEED_DATA_DIR = saved;
  }
});

test('loadDataset: amazon:FILE from the working directory or the data directory (a folder with one JSON file)', () => {
  const line = JSON.stringify({
    reviewerID: 'A',
    asin: 'B',
    overall: 4,
    reviewText: 'ok',
    unixReviewTime: 1,
  });
  withDataDir({ 'amazon-x/reviews_X_5.json': `${line}\n` }, (dir) => {
    const file = path.join(dir, 'amazon-x', 'reviews_X_5.json');
    assert.equal(loadDataset(`amazon:${file}`).reviews?.[0], 'ok');
    const viaDir = loadDataset('amazon:amazon-x', { dataDir: dir });
    assert.equal(viaDir.id, 'amazon:amazon-x');
    assert.equal(viaDir.ratings.rating[0], 4);
    assert.throws(
      () => loadDataset('amazon:nothing-here.json', { dataDir: dir }),
      /nothing-here\.json: file not found \(expected Amazon reviews/,
    );
    assert.throws(() => loadDataset('amazon:'), UsageError);
  });
});

test('loadDataset: csv:DIR and synthetic ids', () => {
  withDataDir({ 'mine/ratings.csv': 'user,item,rating\nu,a,3\nv,a,5\n' }, (dir) => {
    const d = loadDataset(`csv:${path.join(dir, 'mine')}`, { scale: { min: 1, max: 5 } });
    assert.equal(d.id, `csv:${path.join(dir, 'mine')}`);
    assert.deepEqual(d.scale, { min: 1, max: 5 });
    assert.throws(
      () => loadDataset(`csv:${path.join(dir, 'absent')}`),
      /absent: directory not found \(expected ratings\.csv in it/,
    );
  });
  const s = loadDataset('synthetic:seed=3,users=20,items=30,ratingsPerUser=5');
  assert.equal(s.id, 'synthetic:seed=3,users=20,items=30,ratingsPerUser=5');
  assert.equal(s.ratings.rating.length, 100);
  assert.equal(loadDataset('synthetic').id, 'synthetic');
});

test('loadDataset: a scale given for a data set that declares its own must be that one', () => {
  const id = 'synthetic:users=20,items=30,ratingsPerUser=5';
  assert.deepEqual(loadDataset(id, { scale: { min: 1, max: 5 } }).scale, { min: 1, max: 5 });
  assert.throws(
    () => loadDataset(id, { scale: { min: 1, max: 10 } }),
    (e: unknown) =>
      e instanceof UsageError &&
      /scale 1..10 \(--scale\) does not match data set "synthetic:.*", whose ratings are 1..5/.test(
        e.message,
      ),
  );
});

test('loadDataset: an unknown id lists the known ones; listDatasets describes each in one line', () => {
  assert.throws(
    () => loadDataset('ml-10m'),
    (e: unknown) =>
      e instanceof UsageError &&
      /unknown dataset "ml-10m"; known: ml-100k, ml-1m, sain-ml100k, amazon:FILE, csv:DIR, synthetic/.test(
        e.message,
      ),
  );
  const list = listDatasets();
  assert.deepEqual(
    list.map((d) => d.id),
    ['ml-100k', 'ml-1m', 'sain-ml100k', 'amazon:FILE', 'csv:DIR', 'synthetic'],
  );
  for (const d of list) {
    assert.ok(d.description.length > 0 && !d.description.includes('\n'));
    assert.ok(d.location.length > 0);
  }
});

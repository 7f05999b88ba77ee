import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadAmazon } from '../src/data/loaders/amazon.js';
import { DataError } from '../src/util/errors.js';

function review(user: string, item: string, overall: number, text: string, time: number): string {
  return JSON.stringify({
    reviewerID: user,
    asin: item,
    reviewerName: 'x',
    overall,
    reviewText: text,
    summary: 's',
    unixReviewTime: time,
  });
}

const LINES = [
  review('A1', 'B9', 5.0, 'Great strings, "bright" tone — très bien', 1393545600),
  review('A2', 'B9', 3.0, '', 1363392000),
  review('A1', 'B7', 1.0, 'Broke\nafter a week', 1095465600),
];

function withFile(name: string, content: string | Buffer, body: (file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-amazon-'));
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    body(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('amazon: JSON lines become ratings with aligned review texts (plain and .gz)', () => {
  for (const [name, content] of [
    ['reviews.json', LINES.join('\n') + '\n'],
    ['reviews.json.gz', gzipSync(LINES.join('\n'))],
  ] as const) {
    withFile(name, content, (file) => {
      const d = loadAmazon(file);
      assert.equal(d.id, `amazon:${file}`);
      assert.deepEqual(d.users.ids, ['A1', 'A2']);
      assert.deepEqual(d.items.ids, ['B9', 'B7']);
      assert.deepEqual([...d.ratings.user], [0, 1, 0]);
      assert.deepEqual([...d.ratings.item], [0, 0, 1]);
      assert.deepEqual([...d.ratings.rating], [5, 3, 1]);
      assert.deepEqual([...(d.ratings.time ?? [])], [1393545600, 1363392000, 1095465600]);
      assert.deepEqual(d.reviews, ['Great strings, "bright" tone — très bien', '', 'Broke\nafter a week']);
      assert.equal(d.userFeatures.fields.length, 0);
      assert.equal(d.itemFeatures.count, 2);
      assert.deepEqual(d.scale, { min: 1, max: 5 });
    });
  }
});

test('amazon: 2018 lines load, their extra keys (verified, style, vote, image) ignored', () => {
  const line2018 = JSON.stringify({
    overall: 4.0,
    vote: '1,234',
    verified: true,
    reviewTime: '02 28, 2014',
    reviewerID: 'A1',
    asin: 'B9',
    style: { 'Color:': ' Black' },
    reviewerName: 'x',
    reviewText: 'Works well',
    summary: 'ok',
    unixReviewTime: 1393545600,
    image: ['https://example.com/1.jpg'],
  });
  withFile('Musical_Instruments_5.json', `${line2018}\n${LINES[2]}\n`, (file) => {
    const d = loadAmazon(file);
    assert.deepEqual([...d.ratings.rating], [4, 1]);
    assert.deepEqual(d.users.ids, ['A1']);
    assert.deepEqual(d.items.ids, ['B9', 'B7']);
    assert.deepEqual(d.reviews, ['Works well', 'Broke\nafter a week']);
    assert.equal(d.warnings, undefined);
  });
});

test('amazon: lines without reviewText are ratings with empty text, announced by one warning', () => {
  const noText = (user: string, extra: object = {}): string =>
    JSON.stringify({ reviewerID: user, asin: 'B1', overall: 2, unixReviewTime: 5, ...extra });
  const content = [LINES[0], noText('A5'), LINES[1], noText('A6', { reviewText: null }), noText('A7')];
  withFile('r.json', content.join('\n') + '\n', (file) => {
    const d = loadAmazon(file);
    assert.equal(d.ratings.rating.length, 5);
    assert.deepEqual(d.reviews, ['Great strings, "bright" tone — très bien', '', '', '', '']);
    assert.deepEqual(d.warnings, [
      `amazon ${file}: 3 reviews have no reviewText (first at line 2); kept as ratings with empty text`,
    ]);
  });
  withFile('r.json', `${LINES[0]}\n${noText('A5')}\n`, (file) =>
    assert.deepEqual(loadAmazon(file).warnings, [
      `amazon ${file}: 1 review has no reviewText (first at line 2); kept as ratings with empty text`,
    ]),
  );
});

function expectDataError(
  fn: () => unknown,
  line: number | undefined,
  field: string | undefined,
  pattern: RegExp,
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.equal(e.line, line);
    assert.equal(e.field, field);
    assert.match(e.message, pattern);
    return true;
  });
}

test('amazon: bad JSON names file:line; a missing or mistyped field names it', () => {
  withFile('r.json', `${LINES[0]}\n{"reviewerID": "A3", "asin": \n`, (file) =>
    expectDataError(() => loadAmazon(file), 2, undefined, /r\.json:2: not valid JSON/),
  );
  withFile('r.json', `${LINES[0]}\n{'reviewerID': 'A3'}\n`, (file) =>
    expectDataError(() => loadAmazon(file), 2, undefined, /Python dict literal/),
  );
  withFile(
    'r.json',
    `${LINES[0]}\n${LINES[1]}\n{"reviewerID": "A3", "asin": "B1", "overall": 4, "reviewText": 5, "unixReviewTime": 1}\n`,
    (file) =>
      expectDataError(
        () => loadAmazon(file),
        3,
        'reviewText',
        /r\.json:3: field "reviewText": expected a string, got 5/,
      ),
  );
  withFile('r.json', `{"reviewerID": "A3", "overall": 4, "reviewText": "", "unixReviewTime": 1}\n`, (file) =>
    expectDataError(() => loadAmazon(file), 1, 'asin', /field "asin": missing/),
  );
  withFile('r.json', `{"reviewerID": "A3", "asin": "B1", "overall": 4, "reviewText": ""}\n`, (file) =>
    expectDataError(() => loadAmazon(file), 1, 'unixReviewTime', /field "unixReviewTime": missing/),
  );
  withFile(
    'r.json',
    `{"reviewerID": "A3", "asin": "B1", "overall": "4", "reviewText": "", "unixReviewTime": 1}\n`,
    (file) => expectDataError(() => loadAmazon(file), 1, 'overall', /expected a number, got "4"/),
  );
  withFile(
    'r.json',
    `{"reviewerID": "A3", "asin": "B1", "overall": 7, "reviewText": "", "unixReviewTime": 1}\n`,
    (file) => expectDataError(() => loadAmazon(file), 1, 'overall', /7 is outside the rating scale 1..5/),
  );
  withFile('r.json', `[1, 2]\n`, (file) =>
    expectDataError(() => loadAmazon(file), 1, undefined, /expected a JSON object/),
  );
  withFile('r.json', `${LINES[0]}\n${LINES[0]}\n`, (file) =>
    expectDataError(
      () => loadAmazon(file),
      2,
      undefined,
      /user "A1" rates item "B9" a second time \(first at line 1\)/,
    ),
  );
});

test('amazon: latin-1 bytes are refused with the line; a missing file says what was expected', () => {
  const latin1 = Buffer.concat([
    Buffer.from(`${LINES[0]}\n{"reviewText": "tr`),
    Buffer.from([0xe8]),
    Buffer.from('s"}\n'),
  ]);
  withFile('r.json', latin1, (file) =>
    expectDataError(() => loadAmazon(file), 2, undefined, /not valid UTF-8/),
  );
  assert.throws(
    () => loadAmazon('/nonexistent/reviews_Musical_Instruments_5.json.gz'),
    /reviews_Musical_Instruments_5\.json\.gz: file not found \(expected Amazon reviews as JSON Lines/,
  );
});

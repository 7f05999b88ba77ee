import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { PairIndex } from '../src/data/loaders/common.js';
import { readRatingRows } from '../src/data/loaders/csv.js';
import { parseDelimitedNumbers, readDelimitedNumbers } from '../src/data/loaders/delimited.js';
import { forEachFileChunk } from '../src/util/file-chunks.js';
import { Growable } from '../src/util/growable.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-streaming-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Every piece forEachFileChunk hands out, as text, with the lines before it. */
function pieces(file: string, chunkBytes: number, quoted: boolean): { text: string; linesBefore: number }[] {
  const out: { text: string; linesBefore: number }[] = [];
  forEachFileChunk(file, { chunkBytes, quoted }, (bytes, linesBefore) =>
    out.push({ text: Buffer.from(bytes).toString('utf8'), linesBefore }),
  );
  return out;
}

test('forEachFileChunk: pieces end at line ends, join to the whole file and count the lines before them', () => {
  const text = 'a,1\nbb,22\n\nccc,333\nlast line without newline';
  const file = write('plain.txt', text);
  for (const chunkBytes of [1, 2, 3, 5, 8, 64]) {
    const got = pieces(file, chunkBytes, false);
    assert.equal(got.map((p) => p.text).join(''), text, `chunkBytes ${chunkBytes}`);
    for (const p of got.slice(0, -1)) assert.ok(p.text.endsWith('\n'), `chunkBytes ${chunkBytes}`);
    let seen = '';
    for (const p of got) {
      assert.equal(p.linesBefore, seen.split('\n').length - 1, `chunkBytes ${chunkBytes}`);
      seen += p.text;
    }
  }
  // A .gz file gives the same pieces as its content.
  const gz = write('plain.txt.gz', gzipSync(Buffer.from(text)));
  assert.deepEqual(pieces(gz, 5, false), pieces(file, 5, false));
  assert.throws(() => pieces(path.join(tmp, 'missing.txt'), 8, false), /missing\.txt: file not found/);
});

test('forEachFileChunk quoted: never cuts inside a double-quoted field that holds newlines', () => {
  const text = 'user,item\n"a\nb",1\n"say ""hi""\n",2\nc,3\n';
  const file = write('quoted.csv', text);
  for (const chunkBytes of [1, 2, 4, 7, 100]) {
    const got = pieces(file, chunkBytes, true);
    assert.equal(got.map((p) => p.text).join(''), text);
    for (const p of got) assert.equal((p.text.match(/"/g) ?? []).length % 2, 0, JSON.stringify(p.text));
  }
});

test('readDelimitedNumbers: any piece size gives what parseDelimitedNumbers gives on the whole file', () => {
  const lines = Array.from(
    { length: 200 },
    (_, k) => `${k + 1}::${(k * 7) % 50}::${(k % 5) + 1}::${1e9 + k}`,
  );
  const text = lines.join('\n').replace(/\n(1)::/, '\n\n$1::') + '\n';
  const file = write('ratings.dat', text);
  const spec = { separator: '::', fields: ['UserID', 'MovieID', 'Rating', 'Timestamp'] };
  const whole = parseDelimitedNumbers(Buffer.from(text), { ...spec, file });
  for (const chunkBytes of [16, 100, 1000, 1 << 20]) {
    const streamed = readDelimitedNumbers(file, spec, { chunkBytes });
    assert.equal(streamed.rows, whole.rows);
    assert.deepEqual(streamed.lines, whole.lines);
    streamed.columns.forEach((c, f) => assert.deepEqual(c, whole.columns[f]));
  }
  // An error deep in the file names its true line, whichever piece it is in.
  const bad = write('bad.dat', text.replace('150::', 'x150::'));
  const badLine = text.split('\n').findIndex((l) => l.startsWith('150::')) + 1;
  assert.throws(
    () => readDelimitedNumbers(bad, spec, { chunkBytes: 64 }),
    new RegExp(`bad\\.dat:${badLine}: field "UserID": expected a number, got "x150"`),
  );
});

test('readRatingRows: a CSV file read in small pieces gives interned ids, typed arrays and true lines', () => {
  const text =
    'user,item,rating:scale(1|5),time\n' +
    'u1,i1,4,100\n' +
    '"u,2","item\nwith newline",5,101\n' +
    '\n' +
    'u1,"i""3",1.5,102\n' +
    'u3,i1,2,103\n';
  const file = write('ratings.csv', text);
  for (const chunkBytes of [1, 3, 10, 1 << 20]) {
    const rows = readRatingRows(file, { chunkBytes });
    assert.deepEqual(rows.users.ids, ['u1', 'u,2', 'u3']);
    assert.deepEqual(rows.items.ids, ['i1', 'item\nwith newline', 'i"3']);
    assert.deepEqual([...rows.user], [0, 1, 0, 2]);
    assert.deepEqual([...rows.item], [0, 1, 2, 0]);
    assert.deepEqual([...rows.rating], [4, 5, 1.5, 2]);
    assert.deepEqual([...(rows.time ?? [])], [100, 101, 102, 103]);
    assert.deepEqual([...rows.lines], [2, 3, 6, 7]);
    assert.deepEqual(rows.scale, { min: 1, max: 5 });
  }
  const bad = write('bad.csv', text.replace('u3,i1,2,103', 'u3,i1,two,103'));
  assert.throws(
    () => readRatingRows(bad, { chunkBytes: 4 }),
    /bad\.csv:7: field "rating": expected a number, got "two"/,
  );
  const unclosed = write('unclosed.csv', 'user,item,rating\nu1,"i1,4\nu2,i2,3\n');
  assert.throws(
    () => readRatingRows(unclosed, { chunkBytes: 4 }),
    /unclosed\.csv:2: quoted field is never closed/,
  );
  const invalidUtf8 = write(
    'latin1.csv',
    Buffer.concat([Buffer.from('user,item,rating\nu1,i1,4\nu'), Buffer.from([0xe9]), Buffer.from(',i2,3\n')]),
  );
  assert.throws(() => readRatingRows(invalidUtf8, { chunkBytes: 4 }), /latin1\.csv:3: not valid UTF-8/);
});

test('PairIndex: above the dense table limit, per-user sorted items answer the same (last duplicate wins)', () => {
  const users = 3000;
  const items = 2000; // 6 M cells: past the dense table
  const user = Int32Array.from([5, 5, 5, 2999, 0, 5]);
  const item = Int32Array.from([10, 3, 1999, 0, 7, 3]);
  const pairs = new PairIndex(user, item, users, items);
  assert.equal(pairs.get(5, 10), 0);
  assert.equal(pairs.get(5, 3), 5);
  assert.equal(pairs.get(5, 1999), 2);
  assert.equal(pairs.get(2999, 0), 3);
  assert.equal(pairs.get(0, 7), 4);
  for (const [u, i] of [
    [5, 4],
    [1, 10],
    [-1, 0],
    [0, -1],
    [3000, 0],
    [0, 2000],
  ])
    assert.equal(pairs.get(u, i), -1, `${u},${i}`);
});

test('Growable: appends and pushes keep order; the result has exactly the values', () => {
  const g = new Growable(Float64Array, 2);
  g.push(1);
  g.append(Float64Array.from([2, 3, 4]));
  g.reserve(100);
  g.push(5);
  assert.equal(g.length, 5);
  assert.deepEqual(g.toArray(), Float64Array.from([1, 2, 3, 4, 5]));
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DataError, HeedError } from '../src/util/errors.js';
import {
  firstInvalidUtf8,
  forEachLine,
  lines,
  readBytes,
  readText,
  writeDirAtomic,
  writeDirAtomicSync,
  writeFileAtomic,
} from '../src/util/io.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'heed-io-'));
}

test('readText: UTF-8 (BOM dropped), latin-1, and .gz transparently', () => {
  const dir = tempDir();
  try {
    fs.writeFileSync(
      path.join(dir, 'a.txt'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('héllo\n')]),
    );
    assert.equal(readText(path.join(dir, 'a.txt')), 'héllo\n');
    // "Misérables" in latin-1: é is the single byte 0xE9.
    fs.writeFileSync(path.join(dir, 'b.txt'), Buffer.from('Mis\xe9rables', 'latin1'));
    assert.equal(readText(path.join(dir, 'b.txt'), { encoding: 'latin1' }), 'Misérables');
    fs.writeFileSync(path.join(dir, 'c.txt.gz'), gzipSync(Buffer.from('x\ny\n')));
    assert.equal(readText(path.join(dir, 'c.txt.gz')), 'x\ny\n');
    assert.deepEqual([...readBytes(path.join(dir, 'c.txt.gz'))], [...Buffer.from('x\ny\n')]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('readText: invalid UTF-8 names file:line and column; utf-8-or-latin1 falls back to latin-1', () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('ok\nab'), Buffer.from([0xe9]), Buffer.from('c\n')]));
    assert.throws(
      () => readText(file),
      (e: unknown) =>
        e instanceof DataError &&
        e.line === 2 &&
        e.message.startsWith(`${file}:2:`) &&
        /0xE9 at column 3/.test(e.message),
    );
    assert.equal(readText(file, { encoding: 'utf-8-or-latin1' }), 'ok\nabéc\n');
    // Valid UTF-8 stays UTF-8 under utf-8-or-latin1.
    fs.writeFileSync(file, 'Misérables');
    assert.equal(readText(file, { encoding: 'utf-8-or-latin1' }), 'Misérables');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('readBytes: a missing file names the path and what was expected; a broken .gz is named', () => {
  const dir = tempDir();
  try {
    const missing = path.join(dir, 'u.data');
    assert.throws(
      () => readBytes(missing, { expect: 'MovieLens ratings' }),
      (e: unknown) =>
        e instanceof HeedError &&
        e.message.includes(missing) &&
        e.message.includes('not found') &&
        e.message.includes('MovieLens ratings'),
    );
    fs.writeFileSync(path.join(dir, 'x.gz'), 'not gzip');
    assert.throws(() => readBytes(path.join(dir, 'x.gz')), /x\.gz: not a valid gzip file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('firstInvalidUtf8: accepts valid sequences, rejects overlong, surrogate, truncated and stray bytes', () => {
  assert.equal(firstInvalidUtf8(Buffer.from('aé€😀')), -1);
  assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0xc0, 0x80])), 1); // overlong NUL
  assert.equal(firstInvalidUtf8(Uint8Array.from([0xe0, 0x80, 0x80])), 0); // overlong 3-byte
  assert.equal(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80])), 0); // UTF-16 surrogate
  assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0x62, 0xe2, 0x82])), 2); // truncated
  assert.equal(firstInvalidUtf8(Uint8Array.from([0x80])), 0); // stray continuation byte
  assert.equal(firstInvalidUtf8(Uint8Array.from([0xf4, 0x90, 0x80, 0x80])), 0); // above U+10FFFF
});

test('forEachLine and lines: 1-based numbers, CRLF stripped, no phantom last line', () => {
  const seen: [string, number][] = [];
  forEachLine('a\r\nb\n\nc', (line, n) => seen.push([line, n]));
  assert.deepEqual(seen, [
    ['a', 1],
    ['b', 2],
    ['', 3],
    ['c', 4],
  ]);
  assert.deepEqual(
    [...lines('x\ny\n')].map((l) => [l.line, l.lineNumber]),
    [
      ['x', 1],
      ['y', 2],
    ],
  );
  assert.deepEqual([...lines('')], []);
});

test('writeFileAtomic: writes, replaces, creates parents, leaves no temporary file', () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'sub', 'model.json');
    writeFileAtomic(file, '{"a":1}');
    writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...fs.readFileSync(file)], [1, 2, 3]);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'sub')), ['model.json']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('writeDirAtomic: replaces a directory whole; a failing fill leaves the old one and no debris', async () => {
  const dir = tempDir();
  try {
    const target = path.join(dir, 'artifact');
    await writeDirAtomic(target, (tmp) => {
      fs.writeFileSync(path.join(tmp, 'a.txt'), 'one');
    });
    assert.equal(fs.readFileSync(path.join(target, 'a.txt'), 'utf-8'), 'one');

    await assert.rejects(
      writeDirAtomic(target, async (tmp) => {
        fs.writeFileSync(path.join(tmp, 'a.txt'), 'half');
        await Promise.resolve();
        throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.equal(fs.readFileSync(path.join(target, 'a.txt'), 'utf-8'), 'one');
    assert.deepEqual(fs.readdirSync(dir), ['artifact']);

    writeDirAtomicSync(target, (tmp) => {
      fs.writeFileSync(path.join(tmp, 'b.txt'), 'two');
    });
    assert.deepEqual(fs.readdirSync(target), ['b.txt']);
    assert.deepEqual(fs.readdirSync(dir), ['artifact']);
    assert.throws(() =>
      writeDirAtomicSync(path.join(dir, 'new'), () => {
        throw new Error('nope');
      }),
    );
    assert.deepEqual(fs.readdirSync(dir), ['artifact']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import {
  checksumProblem,
  defaultDataDir,
  DOWNLOADS,
  fetchDataset,
  type Checksum,
  type FetchLike,
} from '../src/data/fetch.js';
import { loadMovieLens100k } from '../src/data/loaders/movielens-100k.js';
import { readZip } from '../src/data/zip.js';

// --- A tiny ZIP writer, independent of src/data/zip.ts, so the reader is tested against the format.

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A ZIP archive of `files` (name → content); deflated unless `store`. */
function makeZip(files: Record<string, string | Uint8Array>, store = false): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
    const packed = store || name.endsWith('/') ? data : deflateRawSync(data);
    const method = store || name.endsWith('/') ? 0 : 8;
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6); // names are UTF-8
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

test('readZip: lists stored and deflated entries and returns their bytes', () => {
  for (const store of [false, true]) {
    const zip = makeZip(
      { 'ml-100k/': '', 'ml-100k/u.data': '1\t2\t3\t4\n'.repeat(50), 'ml-100k/é.txt': 'x' },
      store,
    );
    const entries = readZip(zip, 'test.zip');
    assert.deepEqual(
      entries.map((e) => [e.name, e.isDirectory, e.size]),
      [
        ['ml-100k/', true, 0],
        ['ml-100k/u.data', false, 400],
        ['ml-100k/é.txt', false, 1],
      ],
    );
    assert.equal(Buffer.from(entries[1].read()).toString(), '1\t2\t3\t4\n'.repeat(50));
  }
});

test('readZip: truncated archives and corrupted entries are refused', () => {
  const zip = makeZip({ 'a.txt': 'hello hello hello' }, true);
  assert.throws(
    () => readZip(zip.subarray(0, zip.length - 10), 'cut.zip'),
    /cut\.zip: not a readable ZIP archive: no end-of-central-directory/,
  );
  const corrupt = Uint8Array.from(zip);
  corrupt[30 + 'a.txt'.length] ^= 0xff; // flip the first content byte
  assert.throws(() => readZip(corrupt, 'bad.zip')[0].read(), /"a\.txt" fails its CRC-32 check/);
});

function md5(text: string): Checksum {
  return { md5: createHash('md5').update(text).digest('hex') };
}

const TINY_FILES = {
  'u.data': '1\t1\t5\t100\n2\t1\t3\t200\n1\t2\t4\t300\n',
  'u.user': '1|24|M|technician|85711\n2|53|F|other|94043\n',
  'u.item':
    '1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n2|GoldenEye (1995)|01-Jan-1995||http://x|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0|0\n',
};
const TINY_CHECKSUMS: Record<string, Checksum> = Object.fromEntries(
  Object.entries(TINY_FILES).map(([name, text]) => [name, md5(text)]),
);

function tinyArchive(): Uint8Array {
  const files: Record<string, string> = { 'ml-100k/': '' };
  for (const [name, text] of Object.entries(TINY_FILES)) files[`ml-100k/${name}`] = text;
  files['ml-100k/README'] = 'readme';
  return makeZip(files);
}

/** A fetch that serves `body` for the ml-100k URL and records the calls. */
function serving(body: Uint8Array, calls: string[] = []): FetchLike {
  return async (url) => {
    calls.push(url);
    return new Response(body, { status: 200, statusText: 'OK' });
  };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'heed-fetch-'));
}

test('fetchDataset: downloads, unzips, verifies and installs; a second call reuses the verified copy', async () => {
  const dir = tempDir();
  try {
    const calls: string[] = [];
    const messages: string[] = [];
    const result = await fetchDataset('ml-100k', {
      dir,
      fetchImpl: serving(tinyArchive(), calls),
      checksums: TINY_CHECKSUMS,
      onProgress: (m) => messages.push(m),
    });
    assert.equal(result.path, path.join(dir, 'ml-100k'));
    assert.equal(result.downloaded, true);
    assert.deepEqual(calls, [DOWNLOADS['ml-100k'].url]);
    assert.deepEqual(fs.readdirSync(dir), ['ml-100k'], 'no temporary directory is left');
    assert.deepEqual(fs.readdirSync(result.path).sort(), ['README', 'u.data', 'u.item', 'u.user']);
    assert.ok(messages.some((m) => m.includes('downloading')));
    const d = loadMovieLens100k(result.path);
    assert.equal(d.ratings.rating.length, 3);

    const again = await fetchDataset('ml-100k', {
      dir,
      fetchImpl: serving(tinyArchive(), calls),
      checksums: TINY_CHECKSUMS,
    });
    assert.equal(again.downloaded, false);
    assert.equal(calls.length, 1, 'no download when a verified copy is there');

    // A damaged copy is reported, and --force replaces it.
    fs.appendFileSync(path.join(result.path, 'u.data'), '3\t1\t1\t1\n');
    await assert.rejects(
      fetchDataset('ml-100k', { dir, fetchImpl: serving(tinyArchive(), calls), checksums: TINY_CHECKSUMS }),
      /exists but does not match the ml-100k release \(u\.data has md5 .*\); fetch again with --force/,
    );
    await fetchDataset('ml-100k', {
      dir,
      fetchImpl: serving(tinyArchive(), calls),
      checksums: TINY_CHECKSUMS,
      force: true,
    });
    assert.equal(fs.readFileSync(path.join(result.path, 'u.data'), 'utf-8'), TINY_FILES['u.data']);
    assert.deepEqual(fs.readdirSync(dir), ['ml-100k']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fetchDataset: a checksum mismatch fails and leaves nothing behind', async () => {
  const dir = tempDir();
  try {
    const wrong = { ...TINY_CHECKSUMS, 'u.item': { md5: '0'.repeat(32) } };
    await assert.rejects(
      fetchDataset('ml-100k', { dir, fetchImpl: serving(tinyArchive()), checksums: wrong }),
      /ml-100k\/u\.item has md5 [0-9a-f]{32}, expected 0{32}; the download is corrupt/,
    );
    assert.deepEqual(fs.readdirSync(dir), []);
    await assert.rejects(
      fetchDataset('ml-100k', {
        dir,
        fetchImpl: serving(tinyArchive()),
        checksums: { ...TINY_CHECKSUMS, 'u.genre': md5('') },
      }),
      /the archive lacks ml-100k\/u\.genre/,
    );
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fetchDataset: offline or refused, the error says how to get the file by hand', async () => {
  const dir = tempDir();
  try {
    const offline: FetchLike = async () => {
      throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND files.grouplens.org') });
    };
    await assert.rejects(fetchDataset('ml-100k', { dir, fetchImpl: offline }), (e: unknown) => {
      const message = (e as Error).message;
      assert.match(
        message,
        /^could not reach files\.grouplens\.org: fetch failed \(getaddrinfo ENOTFOUND files\.grouplens\.org\)/,
      );
      assert.ok(
        message.includes(
          `download ml-100k.zip by hand from ${DOWNLOADS['ml-100k'].url} and unzip it into ${dir}`,
        ),
      );
      return true;
    });
    const notFound: FetchLike = async () => new Response('no', { status: 404, statusText: 'Not Found' });
    await assert.rejects(
      fetchDataset('ml-1m', { dir, fetchImpl: notFound }),
      /files\.grouplens\.org answered 404 Not Found .*ml-1m\.zip by hand/,
    );
    await assert.rejects(
      fetchDataset('ml-20m', { dir }),
      /cannot fetch "ml-20m": Heed downloads only ml-100k, ml-1m/,
    );
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fetchDataset: archive entries that point outside the target are refused', async () => {
  const dir = tempDir();
  try {
    const evil = makeZip({ 'ml-100k/u.data': 'x', 'ml-100k/../../escape.txt': 'gotcha' });
    await assert.rejects(
      fetchDataset('ml-100k', { dir, fetchImpl: serving(evil), checksums: { 'u.data': md5('x') } }),
      /refusing the archive entry "\.\.\/\.\.\/escape\.txt"/,
    );
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.equal(fs.existsSync(path.join(path.dirname(dir), 'escape.txt')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('defaultDataDir: HEED_DATA_DIR, else XDG_CACHE_HOME/heed, else ~/.cache/heed', () => {
  assert.equal(defaultDataDir({ HEED_DATA_DIR: '/data/heed', XDG_CACHE_HOME: '/x' }), '/data/heed');
  assert.equal(defaultDataDir({ XDG_CACHE_HOME: '/x' }), path.join('/x', 'heed'));
  assert.equal(defaultDataDir({}), path.join(os.homedir(), '.cache', 'heed'));
});

test('checksumProblem: md5 and git blob ids', () => {
  const data = Buffer.from('hello\n');
  assert.equal(checksumProblem(data, { md5: 'b1946ac92492d2347c6235b4d2611184' }), undefined);
  // `git hash-object` of "hello\n".
  assert.equal(checksumProblem(data, { gitBlobSha1: 'ce013625030ba8dba906f756967f9e9ca394464a' }), undefined);
  assert.match(
    checksumProblem(data, { md5: 'ff' }) ?? '',
    /has md5 b1946ac92492d2347c6235b4d2611184, expected ff/,
  );
});

// dist/test/ → the workspace's shared/data/ml-100k, beside the repository.
const SHARED_ML100K = fileURLToPath(new URL('../../../shared/data/ml-100k', import.meta.url));

test('fetchDataset: the built-in ml-100k checksums match the real release files', async (t) => {
  if (!fs.existsSync(path.join(SHARED_ML100K, 'u.data'))) {
    t.skip(`real MovieLens 100K not found at ${SHARED_ML100K}`);
    return;
  }
  const files: Record<string, Uint8Array> = {};
  for (const name of fs.readdirSync(SHARED_ML100K))
    files[`ml-100k/${name}`] = fs.readFileSync(path.join(SHARED_ML100K, name));
  const dir = tempDir();
  try {
    // Stored, not deflated: deflating 16 MB would take seconds and test nothing more.
    const result = await fetchDataset('ml-100k', { dir, fetchImpl: serving(makeZip(files, true)) });
    assert.equal(result.verified.length, Object.keys(DOWNLOADS['ml-100k'].checksums).length);
    assert.equal(loadMovieLens100k(result.path).ratings.rating.length, 100_000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

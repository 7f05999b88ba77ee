/**
 * A minimal ZIP reader (PKWARE APPNOTE 6.3, the subset the GroupLens archives use): it reads the
 * central directory, accepts stored (method 0) and deflated (method 8) entries, inflates them with
 * node:zlib and checks each CRC-32. No ZIP64, encryption or multi-disk archives, which these
 * archives do not use; they are refused with a clear message rather than misread.
 */
import { inflateRawSync } from 'node:zlib';
import { HeedError } from '../util/errors.js';

export interface ZipEntry {
  /** Path inside the archive, with `/` separators; directories end in `/`. */
  readonly name: string;
  readonly isDirectory: boolean;
  readonly size: number;
  /** The entry's bytes, inflated and CRC-checked. */
  read(): Uint8Array;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Lists the entries of a ZIP archive held in `bytes` (`source` names it in errors). */
export function readZip(bytes: Uint8Array, source: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (problem: string): never => {
    throw new HeedError(`${source}: not a readable ZIP archive: ${problem}`);
  };
  // The end-of-central-directory record is in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 0xffff); p--) {
    if (view.getUint32(p, true) === EOCD) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) fail('no end-of-central-directory record (truncated download?)');
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0)
    fail('multi-disk archives are not supported');
  const count = view.getUint16(eocd + 10, true);
  const dirSize = view.getUint32(eocd + 12, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) fail('ZIP64 archives are not supported');
  if (dirOffset + dirSize > eocd) fail('central directory lies outside the file');

  const entries: ZipEntry[] = [];
  let p = dirOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL)
      fail(`central directory entry ${k + 1} is damaged`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const compressedSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const localOffset = view.getUint32(p + 42, true);
    const name = new TextDecoder((flags & 0x800) !== 0 ? 'utf-8' : 'latin1').decode(
      bytes.subarray(p + 46, p + 46 + nameLength),
    );
    p += 46 + nameLength + extraLength + commentLength;
    if ((flags & 1) !== 0) fail(`"${name}" is encrypted`);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) {
      fail('ZIP64 archives are not supported');
    }
    if (method !== 0 && method !== 8)
      fail(`"${name}" uses compression method ${method} (only stored and deflate are supported)`);
    const isDirectory = name.endsWith('/');
    entries.push({
      name,
      isDirectory,
      size,
      read(): Uint8Array {
        if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOCAL) {
          fail(`local header of "${name}" is damaged`);
        }
        const start =
          localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
        if (start + compressedSize > bytes.length) fail(`"${name}" is truncated`);
        const raw = bytes.subarray(start, start + compressedSize);
        let data: Uint8Array;
        try {
          data = method === 0 ? raw : inflateRawSync(raw);
        } catch (error) {
          return fail(`"${name}" does not inflate (${(error as Error).message})`);
        }
        if (data.length !== size)
          fail(`"${name}" inflates to ${data.length} bytes, the directory says ${size}`);
        if (crc32(data) !== crc) fail(`"${name}" fails its CRC-32 check (corrupt download?)`);
        return data;
      },
    });
  }
  return entries;
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as ZIP and gzip use it) of `data`. */
export function crc32(data: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

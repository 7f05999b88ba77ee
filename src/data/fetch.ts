/**
 * The one place Heed downloads anything: `heed data fetch ml-100k | ml-1m` fetches a MovieLens
 * release from GroupLens into the data cache, unzips it, checks the files against known checksums
 * and only then moves the directory into place (a failed or interrupted fetch leaves nothing
 * behind). Everything else reads local files.
 *
 * The cache directory is `$HEED_DATA_DIR`, else `$XDG_CACHE_HOME/heed`, else `~/.cache/heed`;
 * `ml-100k` lands in `<cache>/ml-100k/`, where `loadDataset('ml-100k')` looks for it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HeedError, UsageError } from '../util/errors.js';
import { isFile, writeDirAtomic } from '../util/io.js';
import { readZip } from './zip.js';

/** An expected digest of a file: its md5, or its git blob id (sha1 of "blob <size>\0" + bytes). */
export type Checksum = { readonly md5: string } | { readonly gitBlobSha1: string };

export interface DownloadSpec {
  readonly name: string;
  readonly url: string;
  /** The folder inside the archive, and the one created under the cache directory. */
  readonly folder: string;
  /** Files that must be in the archive and are checked. */
  readonly checksums: Readonly<Record<string, Checksum>>;
}

/**
 * The known releases. The checksums are those of the GroupLens files as published (the md5s
 * are listed in `shared/data/MD5SUMS` of the Heed workspace; ratings.dat's git blob id is the one
 * found identical in three independent repositories). READMEs and the release scripts are not
 * checked: they carry no data.
 */
export const DOWNLOADS: Readonly<Record<'ml-100k' | 'ml-1m', DownloadSpec>> = {
  'ml-100k': {
    name: 'ml-100k',
    url: 'https://files.grouplens.org/datasets/movielens/ml-100k.zip',
    folder: 'ml-100k',
    checksums: {
      'u.data': { md5: '6e47046882bad158b0efbb84cd5cb987' },
      'u.genre': { md5: 'a7578bdb37758741ae9429d2c736af18' },
      'u.info': { md5: '6cae0afd8c0341aff31b631a192e57e6' },
      'u.item': { md5: 'c9e7f390115d79079537301d5204f3f7' },
      'u.occupation': { md5: '035abaa2165f35cebce4b91e03481e0a' },
      'u.user': { md5: '1b53539edc13caad0282c8500608a319' },
      'u1.base': { md5: '4325f44281c9f8c119a3694662d63fc2' },
      'u1.test': { md5: '62d5d837e7c8e36550cc956b09c2ecc8' },
      'u2.base': { md5: '79541afecccbd5365bb2c09b123a01c7' },
      'u2.test': { md5: '1951a71b7e1f4ed254508007fa2f6b70' },
      'u3.base': { md5: '55c67a63f516fa9e593d68c3be779970' },
      'u3.test': { md5: 'cb3e4d0a9152041772285232ca002d4f' },
      'u4.base': { md5: '66f64a75eeeffd20ff09533bcd31adcf' },
      'u4.test': { md5: '328acfca94e85d01b1d7e92c7d73df3b' },
      'u5.base': { md5: '0becb3392339231c08ba316944c79095' },
      'u5.test': { md5: 'bec898f7091dba3b7bdf793d1998d2d6' },
      'ua.base': { md5: '346eb46a756be3b382bdef4f7dcf3a01' },
      'ua.test': { md5: '52e5d0355092dc1596899855b220508f' },
      'ub.base': { md5: 'e4ce94f6e01e45f65b91a70bb9e8da2f' },
      'ub.test': { md5: '5292d1e388d156aa0c19c384cdf35aca' },
    },
  },
  'ml-1m': {
    name: 'ml-1m',
    url: 'https://files.grouplens.org/datasets/movielens/ml-1m.zip',
    folder: 'ml-1m',
    checksums: {
      'movies.dat': { md5: 'ef9fd9ff8d1b33faf73e2122c371e910' },
      'users.dat': { md5: '681c0711d0d4548cd3d4718a49c2dcd8' },
      'ratings.dat': { gitBlobSha1: '77a7c4b150f588c23bb9e1f068aa996c0b413695' },
    },
  },
};

/** The part of the WHATWG `fetch` Heed uses; inject one in tests or behind a proxy. */
export type FetchLike = (url: string) => Promise<{
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

export interface FetchOptions {
  /** The data cache directory (default: `defaultDataDir()`). */
  readonly dir?: string;
  /** The fetch implementation (default: the global `fetch`). */
  readonly fetchImpl?: FetchLike;
  /** Download and replace even when a verified copy is already there. */
  readonly force?: boolean;
  /** Replaces the known checksums (for other releases, mirrors and tests). */
  readonly checksums?: Readonly<Record<string, Checksum>>;
  /** Plain progress lines ("downloading …"). */
  readonly onProgress?: (message: string) => void;
}

export interface FetchResult {
  /** Where the data set now is (`<dir>/ml-100k`). */
  readonly path: string;
  /** False when a verified copy was already there and nothing was downloaded. */
  readonly downloaded: boolean;
  /** The files that were checked against their checksums. */
  readonly verified: string[];
}

/** The data cache: `$HEED_DATA_DIR`, else `$XDG_CACHE_HOME/heed`, else `~/.cache/heed`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HEED_DATA_DIR !== undefined && env.HEED_DATA_DIR !== '') return path.resolve(env.HEED_DATA_DIR);
  if (env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '')
    return path.join(env.XDG_CACHE_HOME, 'heed');
  return path.join(os.homedir(), '.cache', 'heed');
}

export function isFetchable(name: string): name is keyof typeof DOWNLOADS {
  return Object.prototype.hasOwnProperty.call(DOWNLOADS, name);
}

export async function fetchDataset(name: string, options: FetchOptions = {}): Promise<FetchResult> {
  if (!isFetchable(name)) {
    throw new UsageError(`cannot fetch "${name}": Heed downloads only ${Object.keys(DOWNLOADS).join(', ')}`);
  }
  const spec = DOWNLOADS[name];
  const checksums = options.checksums ?? spec.checksums;
  const dir = path.resolve(options.dir ?? defaultDataDir());
  const target = path.join(dir, spec.folder);
  const progress = options.onProgress ?? ((): void => undefined);
  const byHand =
    `download ${path.basename(spec.url)} by hand from ${spec.url} and unzip it into ${dir} ` +
    `(so that ${path.join(target, Object.keys(checksums)[0] ?? '')} exists)`;

  if (!options.force && fs.existsSync(target)) {
    const problems = verifyDirectory(target, checksums);
    if (problems.length === 0) {
      progress(`${name}: a verified copy is already in ${target}`);
      return { path: target, downloaded: false, verified: Object.keys(checksums) };
    }
    throw new HeedError(
      `${target} exists but does not match the ${name} release (${problems.join('; ')}); ` +
        `fetch again with --force to replace it`,
    );
  }

  const fetchImpl: FetchLike = options.fetchImpl ?? ((url) => fetch(url));
  const host = new URL(spec.url).host;
  progress(`${name}: downloading ${spec.url}`);
  let archive: Uint8Array;
  try {
    const response = await fetchImpl(spec.url);
    if (!response.ok) {
      throw new HeedError(
        `${host} answered ${response.status} ${response.statusText} for ${spec.url}; ${byHand}`,
      );
    }
    archive = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof HeedError) throw error;
    throw new HeedError(`could not reach ${host}: ${describeNetworkError(error)}; ${byHand}`);
  }
  progress(`${name}: ${archive.length} bytes downloaded; unzipping and checking`);

  const prefix = `${spec.folder}/`;
  const entries = readZip(archive, spec.url).filter((e) => e.name.startsWith(prefix) && !e.isDirectory);
  const present = new Set(entries.map((e) => e.name.slice(prefix.length)));
  const missing = Object.keys(checksums).filter((f) => !present.has(f));
  if (missing.length > 0) {
    throw new HeedError(`${spec.url}: the archive lacks ${missing.map((m) => prefix + m).join(', ')}`);
  }
  fs.mkdirSync(dir, { recursive: true });
  await writeDirAtomic(target, (tmp) => {
    for (const entry of entries) {
      const relative = entry.name.slice(prefix.length);
      const file = safeJoin(tmp, relative, spec.url);
      const data = entry.read();
      const expected = checksums[relative];
      if (expected !== undefined) {
        const problem = checksumProblem(data, expected);
        if (problem !== undefined) {
          throw new HeedError(
            `${spec.url}: ${prefix}${relative} ${problem}; the download is corrupt or not the ${name} release`,
          );
        }
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, data);
    }
  });
  progress(`${name}: ready in ${target}`);
  return { path: target, downloaded: true, verified: Object.keys(checksums) };
}

/** What is wrong with the files of `dir` against `checksums` (empty when all match). */
export function verifyDirectory(dir: string, checksums: Readonly<Record<string, Checksum>>): string[] {
  const problems: string[] = [];
  for (const [file, expected] of Object.entries(checksums)) {
    const full = path.join(dir, file);
    if (!isFile(full)) {
      problems.push(`${file} is missing`);
      continue;
    }
    const problem = checksumProblem(fs.readFileSync(full), expected);
    if (problem !== undefined) problems.push(`${file} ${problem}`);
  }
  return problems;
}

/** A description of the mismatch, or undefined when `data` has the expected checksum. */
export function checksumProblem(data: Uint8Array, expected: Checksum): string | undefined {
  if ('md5' in expected) {
    const md5 = createHash('md5').update(data).digest('hex');
    return md5 === expected.md5.toLowerCase() ? undefined : `has md5 ${md5}, expected ${expected.md5}`;
  }
  const sha = createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
  return sha === expected.gitBlobSha1.toLowerCase()
    ? undefined
    : `has git blob id ${sha}, expected ${expected.gitBlobSha1}`;
}

/** `dir/relative`, refusing names that would escape `dir` ("../x", "/etc/x"). */
function safeJoin(dir: string, relative: string, source: string): string {
  const full = path.resolve(dir, relative);
  if (relative.includes('\\') || path.isAbsolute(relative) || !full.startsWith(dir + path.sep)) {
    throw new HeedError(
      `${source}: refusing the archive entry "${relative}", which points outside the target directory`,
    );
  }
  return full;
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's fetch wraps the real reason (ENOTFOUND, ECONNREFUSED, …) in `cause`.
  const cause = (error as Error & { cause?: unknown }).cause;
  const detail = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
  return detail === '' || detail === error.message ? error.message : `${error.message} (${detail})`;
}

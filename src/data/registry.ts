/**
 * Data set ids → loaders. `loadDataset('ml-100k')` finds the files under the data directory
 * (`options.dataDir`, else `$HEED_DATA_DIR`, else the cache that `heed data fetch` fills) and
 * returns a `Dataset`; a missing directory is an error that says where Heed looked and how to get
 * the data there.
 *
 * | id | where | loader |
 * |---|---|---|
 * | `ml-100k` | `<dataDir>/ml-100k/` | `loaders/movielens-100k.ts` |
 * | `ml-1m` | `<dataDir>/ml-1m/` | `loaders/movielens-1m.ts` |
 * | `sain-ml100k` | `<dataDir>/sain/` | `loaders/sain.ts` |
 * | `amazon:FILE` | FILE (or `<dataDir>/FILE`) | `loaders/amazon.ts` |
 * | `csv:DIR` | DIR (or `<dataDir>/DIR`) | `loaders/csv.ts` |
 * | `synthetic[:k=v,…]` | generated | `loaders/synthetic.ts` |
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, UsageError } from '../util/errors.js';
import { isDirectory, isFile } from '../util/io.js';
import type { Dataset } from './dataset.js';
import type { BinSpec } from './features.js';
import { defaultDataDir, isFetchable } from './fetch.js';
import { loadAmazon } from './loaders/amazon.js';
import { loadCsvDirectory } from './loaders/csv.js';
import { loadMovieLens100k } from './loaders/movielens-100k.js';
import { loadMovieLens1m } from './loaders/movielens-1m.js';
import { loadSain } from './loaders/sain.js';
import { generateSynthetic, parseSyntheticId } from './loaders/synthetic.js';

export interface LoadOptions {
  /** Where the data sets are (default: `$HEED_DATA_DIR`, else the fetch cache). */
  readonly dataDir?: string;
  /** MovieLens: bins of the user `age` field. */
  readonly ageBins?: BinSpec;
  /** MovieLens: bins of the item `year` field. */
  readonly yearBins?: BinSpec;
  /**
   * `csv:` data sets: the rating scale (default: a `rating:scale(MIN|MAX)` header, else the observed
   * range with a warning). Other data sets declare their own; a different one here is an error.
   */
  readonly scale?: { readonly min: number; readonly max: number };
}

export interface DatasetInfo {
  /** The id, or its pattern (`csv:DIR`). */
  readonly id: string;
  readonly description: string;
  /** Where the files are expected, relative to the data directory, or what to pass. */
  readonly location: string;
}

const DATASETS: readonly DatasetInfo[] = [
  {
    id: 'ml-100k',
    description:
      'MovieLens 100K: 100,000 ratings 1-5, 943 users, 1,682 movies; age, gender, occupation, year, genres; splits u1-u5, ua, ub',
    location: 'ml-100k/ (heed data fetch ml-100k)',
  },
  {
    id: 'ml-1m',
    description:
      'MovieLens 1M: 1,000,209 ratings 1-5, 6,040 users, 3,706 rated movies; age group, gender, occupation, year, genres',
    location: 'ml-1m/ (heed data fetch ml-1m)',
  },
  {
    id: 'sain-ml100k',
    description: 'SAIN\'s MovieLens 100K with IMDB actor and director codes; its 80/10/10 split "sain"',
    location: 'sain/ (a checkout of github.com/seongjunyun/SAIN: dataset/ml-100k-r/)',
  },
  {
    id: 'amazon:FILE',
    description:
      'Amazon 5-core reviews, 2014 or 2018 dumps (JSON Lines, plain or .gz): ratings 1-5 with review text, no features',
    location: 'FILE, or FILE under the data directory (a directory holding one .json/.json.gz also works)',
  },
  {
    id: 'csv:DIR',
    description: 'Your own data: ratings.csv [+ users.csv, items.csv, reviews.csv] (docs/DATA.md)',
    location: 'DIR, or DIR under the data directory',
  },
  {
    id: 'synthetic',
    description:
      'Seeded synthetic ratings and review texts with a planted director-vs-genre taste (synthetic:seed=3,users=100,reviews=false,…)',
    location: 'generated',
  },
];

/** The data sets Heed knows, one line each (for `heed datasets`). */
export function listDatasets(): DatasetInfo[] {
  return DATASETS.map((d) => ({ ...d }));
}

/** The data directory: `explicit`, else `$HEED_DATA_DIR`, else the fetch cache. */
export function resolveDataDir(explicit?: string): string {
  return explicit !== undefined && explicit !== '' ? path.resolve(explicit) : defaultDataDir();
}

export function loadDataset(id: string, options: LoadOptions = {}): Dataset {
  const dataset = loadById(id, options);
  const given = options.scale;
  if (given !== undefined && (given.min !== dataset.scale.min || given.max !== dataset.scale.max)) {
    throw new UsageError(
      `scale ${given.min}..${given.max} (--scale) does not match data set "${id}", whose ratings are ` +
        `${dataset.scale.min}..${dataset.scale.max}; --scale is for csv: data sets`,
    );
  }
  return dataset;
}

function loadById(id: string, options: LoadOptions): Dataset {
  const dataDir = resolveDataDir(options.dataDir);
  const movieLens = {
    id,
    ...(options.ageBins !== undefined ? { ageBins: options.ageBins } : {}),
    ...(options.yearBins !== undefined ? { yearBins: options.yearBins } : {}),
  };
  if (id === 'ml-100k') return loadMovieLens100k(requireDir(dataDir, 'ml-100k', 'MovieLens 100K'), movieLens);
  if (id === 'ml-1m') return loadMovieLens1m(requireDir(dataDir, 'ml-1m', 'MovieLens 1M'), movieLens);
  if (id === 'sain-ml100k') return loadSain(requireDir(dataDir, 'sain', "SAIN's ml-100k-r data"), { id });
  if (id === 'synthetic' || id.startsWith('synthetic:')) return generateSynthetic(parseSyntheticId(id));
  if (id.startsWith('amazon:')) {
    const file = resolveAmazonFile(id.slice('amazon:'.length), dataDir);
    return loadAmazon(file, { id });
  }
  if (id.startsWith('csv:')) {
    const given = id.slice('csv:'.length);
    if (given === '') throw new UsageError('dataset "csv:" needs a directory: csv:DIR');
    const candidates = lookupPaths(given, dataDir);
    const dir = candidates.find(isDirectory);
    if (dir === undefined) {
      throw new DataError(
        candidates[0],
        undefined,
        undefined,
        `directory not found (expected ratings.csv in it; also looked in ${candidates.slice(1).join(', ') || 'nowhere else'}; see docs/DATA.md)`,
      );
    }
    return loadCsvDirectory(dir, { id, ...(options.scale !== undefined ? { scale: options.scale } : {}) });
  }
  throw new UsageError(
    `unknown dataset "${id}"; known: ${DATASETS.map((d) => d.id).join(', ')} (see heed datasets)`,
  );
}

/** `<dataDir>/<folder>`, or an error saying where Heed looked and how to get the data there. */
function requireDir(dataDir: string, folder: string, what: string): string {
  const dir = path.join(dataDir, folder);
  if (isDirectory(dir)) return dir;
  const get = isFetchable(folder)
    ? `run \`heed data fetch ${folder}\` to download it`
    : 'put it there (see docs/DATA.md)';
  throw new DataError(
    dir,
    undefined,
    undefined,
    `${what} not found; ${get}, or pass --data-dir DIR (or set HEED_DATA_DIR) where DIR holds ${folder}/`,
  );
}

/** Where a FILE or DIR of `amazon:`/`csv:` is looked for: as given, then under the data directory. */
function lookupPaths(given: string, dataDir: string): string[] {
  return path.isAbsolute(given) ? [given] : [path.resolve(given), path.join(dataDir, given)];
}

/**
 * Where data set `id`'s files were looked for, when they are not there; undefined when they are
 * (or the data set is generated). It only looks: a file that is there but malformed is the
 * loader's error. `heed reproduce` asks this of the data sets Heed does not ship.
 */
export function missingDatasetFiles(id: string, options: LoadOptions = {}): string | undefined {
  const dataDir = resolveDataDir(options.dataDir);
  const folder = { 'ml-100k': 'ml-100k', 'ml-1m': 'ml-1m', 'sain-ml100k': 'sain' }[id];
  if (folder !== undefined) {
    const dir = path.join(dataDir, folder);
    return isDirectory(dir) ? undefined : dir;
  }
  const [scheme, given] = [id.slice(0, id.indexOf(':') + 1), id.slice(id.indexOf(':') + 1)];
  if (given === '' || (scheme !== 'amazon:' && scheme !== 'csv:')) return undefined;
  const candidates = lookupPaths(given, dataDir);
  // The first that exists is the one the loader reads (`loadById`).
  const found = candidates.find((p) => isDirectory(p) || (scheme === 'amazon:' && isFile(p)));
  const present = found !== undefined && (scheme === 'amazon:' || isFile(path.join(found, 'ratings.csv')));
  return present ? undefined : candidates.join(' and ');
}

function resolveAmazonFile(given: string, dataDir: string): string {
  if (given === '') throw new UsageError('dataset "amazon:" needs a file: amazon:FILE');
  const candidates = lookupPaths(given, dataDir);
  for (const candidate of candidates) {
    if (isFile(candidate)) return candidate;
    if (isDirectory(candidate)) {
      const json = fs
        .readdirSync(candidate)
        .filter((f) => /\.json(\.gz)?$/.test(f) || /\.jsonl(\.gz)?$/.test(f));
      if (json.length === 1) return path.join(candidate, json[0]);
      throw new DataError(
        candidate,
        undefined,
        undefined,
        json.length === 0
          ? 'directory holds no .json or .json.gz file (expected Amazon reviews as JSON Lines)'
          : `directory holds ${json.length} JSON files (${json.join(', ')}); name one: amazon:${path.join(given, json[0])}`,
      );
    }
  }
  throw new DataError(
    candidates[0],
    undefined,
    undefined,
    `file not found (expected Amazon reviews as JSON Lines; also looked in ${candidates.slice(1).join(', ') || 'nowhere else'})`,
  );
}

/**
 * A seeded synthetic data set with a planted structure that an explainable model should find.
 *
 * Items have a `director` (categorical, 8 values by default), a `genre` (multi: 1 or 2 of 6) and
 * a release `year` (numeric). Users have an `age` and, unless `exposeTaste` is false, a `taste`
 * field saying which group they belong to. The ratings follow
 *
 *     score(u, i) = 3 + b_u + q_i + (match(u, i) ? like : dislike) + noise,   rating = clamp(round(score), 1, 5)
 *
 * where half of the users, the **director fans**, have `match` = "the item's director is my
 * favourite director" and ignore genres, and the other half, the **genre fans**, have `match` =
 * "the item has my favourite genre" and ignore directors. `b_u` (user bias) and `q_i` (item
 * quality) are Gaussian. A user's ratings are drawn partly (`focus`) from the items that match,
 * as people watch what they like, and the rest uniformly.
 *
 * So a model that uses item features and personalises them beats the global mean and the biases
 * clearly, and its attention over item features should point at `director` for director fans and
 * at `genre` for genre fans: `plantedTruth(dataset)` returns what was planted, for tests.
 *
 * Unless `reviews` is false, every rating also gets a short review (`Dataset.reviews`, aligned with
 * the ratings; see `syntheticReview`) whose words carry the same structure: the item's signature
 * words (`director3`, `genre_comedy`), the one the user cares about always, and sentiment words
 * that follow the rating. The text is drawn from its own `Rng` after everything else, so turning
 * it on or off leaves the ratings and features of a seed unchanged.
 */
import { Rng } from '../../util/rng.js';
import { UsageError } from '../../util/errors.js';
import type { Dataset, IdMap } from '../dataset.js';
import { BIN_PRESETS, codedField, featureTable, multiField, numericField } from '../features.js';

export interface SyntheticOptions {
  readonly seed?: number;
  readonly users?: number;
  readonly items?: number;
  readonly ratingsPerUser?: number;
  /**
   * Total number of ratings, spread over the users as evenly as possible (the first
   * `ratings mod users` users get one more); 0 means `users × ratingsPerUser`. Give this or
   * `ratingsPerUser`, not both.
   */
  readonly ratings?: number;
  /** Number of distinct directors. */
  readonly directors?: number;
  /** Number of distinct genres. */
  readonly genres?: number;
  /** Rating shift when the item matches what the user cares about. */
  readonly like?: number;
  /** Rating shift when it does not. */
  readonly dislike?: number;
  /** Standard deviation of the Gaussian noise added before rounding. */
  readonly noise?: number;
  /** Standard deviation of the item quality q_i. */
  readonly quality?: number;
  /** Standard deviation of the user bias b_u. */
  readonly userBias?: number;
  /** Fraction of each user's ratings drawn from the items that match their taste. */
  readonly focus?: number;
  /** Whether the user field `taste` ("director fan" / "genre fan") is part of the data. */
  readonly exposeTaste?: boolean;
  /**
   * Whether every rating gets a generated review text (`Dataset.reviews`). By default only data
   * sets of at most `REVIEWS_BY_DEFAULT_UP_TO` ratings get them: the texts cost ~200 bytes a rating.
   */
  readonly reviews?: boolean;
}

export const SYNTHETIC_DEFAULTS = {
  seed: 1,
  users: 300,
  items: 400,
  ratingsPerUser: 40,
  ratings: 0,
  directors: 8,
  genres: 6,
  like: 1.5,
  dislike: -0.5,
  noise: 0.5,
  quality: 0.4,
  userBias: 0.3,
  focus: 0.3,
  exposeTaste: true,
  // Only up to REVIEWS_BY_DEFAULT_UP_TO ratings: `resolve` turns it off above that unless asked for.
  reviews: true,
} as const satisfies Required<SyntheticOptions>;

/** Above this many ratings, reviews are generated only when asked for (`reviews=true`). */
export const REVIEWS_BY_DEFAULT_UP_TO = 1_000_000;

export type Taste = 'director' | 'genre';

/** What the generator planted, per user and per item (dense indices of the dataset). */
export interface PlantedTruth {
  readonly options: Required<SyntheticOptions>;
  /** Which item field each user's ratings depend on. */
  readonly userCaresAbout: Taste[];
  /** Each director fan's favourite director, as a code of the `director` field; -1 for genre fans. */
  readonly favouriteDirector: Int32Array;
  /** Each genre fan's favourite genre, as a code of the `genre` field; -1 for director fans. */
  readonly favouriteGenre: Int32Array;
  readonly userBias: Float64Array;
  readonly itemQuality: Float64Array;
  /** Each item's director code. */
  readonly itemDirector: Int32Array;
  /** Each item's genres as a bit mask over genre codes. */
  readonly itemGenreMask: Int32Array;
}

const GENRE_NAMES = [
  'Action',
  'Comedy',
  'Drama',
  'Horror',
  'Romance',
  'Sci-Fi',
  'Western',
  'Musical',
  'Crime',
  'War',
];

const truths = new WeakMap<Dataset, PlantedTruth>();

/** The dataset and its planted truth. */
export function generateSyntheticWithTruth(options: SyntheticOptions = {}): {
  dataset: Dataset;
  truth: PlantedTruth;
} {
  const o = resolve(options);
  const rng = new Rng(o.seed);
  const directorNames = Array.from({ length: o.directors }, (_, k) => `D${k + 1}`);
  const genreNames = Array.from({ length: o.genres }, (_, k) => GENRE_NAMES[k] ?? `G${k + 1}`);

  // Items: director, one or two genres, year, quality.
  const itemDirector = new Int32Array(o.items);
  const itemGenreMask = new Int32Array(o.items);
  const itemQuality = new Float64Array(o.items);
  const itemYear = new Float64Array(o.items);
  for (let i = 0; i < o.items; i++) {
    itemDirector[i] = rng.int(o.directors);
    const first = rng.int(o.genres);
    let mask = 1 << first;
    if (o.genres > 1 && rng.next() < 0.4) {
      let second = rng.int(o.genres - 1);
      if (second >= first) second++;
      mask |= 1 << second;
    }
    itemGenreMask[i] = mask;
    itemQuality[i] = o.quality * rng.normal();
    itemYear[i] = 1950 + rng.int(70);
  }

  // Users: exactly half director fans (a seeded choice of which half), age, bias, favourites.
  const order = rng.permutation(o.users);
  const userCaresAbout: Taste[] = new Array<Taste>(o.users).fill('genre');
  for (let k = 0; k < Math.floor(o.users / 2); k++) userCaresAbout[order[k]] = 'director';
  const favouriteDirector = new Int32Array(o.users).fill(-1);
  const favouriteGenre = new Int32Array(o.users).fill(-1);
  const userBias = new Float64Array(o.users);
  const userAge = new Float64Array(o.users);
  for (let u = 0; u < o.users; u++) {
    if (userCaresAbout[u] === 'director') favouriteDirector[u] = rng.int(o.directors);
    else favouriteGenre[u] = rng.int(o.genres);
    userBias[u] = o.userBias * rng.normal();
    userAge[u] = 16 + rng.int(55);
  }

  const truth: PlantedTruth = {
    options: o,
    userCaresAbout,
    favouriteDirector,
    favouriteGenre,
    userBias,
    itemQuality,
    itemDirector,
    itemGenreMask,
  };

  const { user, item, rating } = drawRatings(truth, rng);
  const userFields = [numericField('age', userAge, BIN_PRESETS.ageGroups)];
  if (o.exposeTaste) {
    userFields.push(
      codedField(
        'taste',
        ['director fan', 'genre fan'],
        userCaresAbout.map((t) => (t === 'director' ? 0 : 1)),
      ),
    );
  }
  const genreLists = Array.from(itemGenreMask, (mask) =>
    genreNames.filter((_, g) => (mask & (1 << g)) !== 0),
  );
  const dataset: Dataset = {
    id: syntheticId(options),
    users: idMap(o.users, 'u'),
    items: idMap(o.items, 'i'),
    ratings: { user, item, rating },
    scale: { min: 1, max: 5 },
    userFeatures: featureTable(o.users, userFields),
    itemFeatures: featureTable(o.items, [
      codedField('director', directorNames, itemDirector),
      multiField('genre', genreLists, { vocabulary: genreNames }),
      numericField('year', itemYear, BIN_PRESETS.decades),
    ]),
    itemTitles: Array.from({ length: o.items }, (_, i) => `Film ${i + 1} (${itemYear[i]})`),
    ...(o.reviews ? { reviews: syntheticReviews(truth, genreNames, user, item, rating) } : {}),
    predefinedSplits: {},
    ...(options.reviews === undefined && !o.reviews
      ? {
          warnings: [
            `synthetic: no review texts for ${rating.length} ratings (by default only up to ` +
              `${REVIEWS_BY_DEFAULT_UP_TO}); add reviews=true to the id to generate them`,
          ],
        }
      : {}),
  };
  truths.set(dataset, truth);
  return { dataset, truth };
}

/**
 * The ratings, user by user: a `focus` share of each user's ratings from the items that match their
 * taste, the rest from all other items, each part a uniform sample without replacement.
 *
 * Both samples are partial Fisher-Yates shuffles of long-lived arrays (the items of each director,
 * of each genre, and all items): drawing k items costs O(k) whatever the catalogue's size, and a
 * partial shuffle of any permutation gives a uniform sample, so the arrays never need resetting.
 * Generating is therefore linear in the number of ratings, never users × items.
 */
function drawRatings(
  truth: PlantedTruth,
  rng: Rng,
): { user: Int32Array; item: Int32Array; rating: Float32Array } {
  const o = truth.options;
  const byDirector = groupItems(o.directors, o.items, (i, add) => add(truth.itemDirector[i]));
  const byGenre = groupItems(o.genres, o.items, (i, add) => {
    for (let g = 0; g < o.genres; g++) if ((truth.itemGenreMask[i] & (1 << g)) !== 0) add(g);
  });
  const all = Int32Array.from({ length: o.items }, (_, i) => i);
  const total = ratingCount(o);
  const user = new Int32Array(total);
  const item = new Int32Array(total);
  const rating = new Float32Array(total);
  const taken = new Uint8Array(o.items);
  let r = 0;
  for (let u = 0; u < o.users; u++) {
    const count = ratingsOfUser(o, u);
    const start = r;
    const matching =
      truth.userCaresAbout[u] === 'director'
        ? byDirector(truth.favouriteDirector[u])
        : byGenre(truth.favouriteGenre[u]);
    const fromMatching = Math.min(matching.length, Math.round(o.focus * count));
    for (let k = 0; k < fromMatching; k++) {
      const i = swapInto(matching, k, rng);
      taken[i] = 1;
      item[r++] = i;
    }
    // At most `fromMatching` of the items are taken, so `all` holds enough untaken ones.
    for (let k = 0; r - start < count; k++) {
      const i = swapInto(all, k, rng);
      if (taken[i] === 0) {
        taken[i] = 1;
        item[r++] = i;
      }
    }
    for (let k = start; k < r; k++) {
      const i = item[k];
      taken[i] = 0;
      const score = plantedScore(truth, u, i) + o.noise * rng.normal();
      user[k] = u;
      rating[k] = Math.min(5, Math.max(1, Math.round(score)));
    }
  }
  return { user, item, rating };
}

/** Step k of a Fisher-Yates shuffle of `array`: a uniform pick among array[k..] moved to k, and returned. */
function swapInto(array: Int32Array, k: number, rng: Rng): number {
  const j = k + rng.int(array.length - k);
  const picked = array[j];
  array[j] = array[k];
  array[k] = picked;
  return picked;
}

/** The items of each of `groups` groups (CSR), as a lookup from group to a mutable view of its items. */
function groupItems(
  groups: number,
  items: number,
  forEachGroup: (i: number, add: (group: number) => void) => void,
): (group: number) => Int32Array {
  const offsets = new Int32Array(groups + 1);
  for (let i = 0; i < items; i++) forEachGroup(i, (g) => offsets[g + 1]++);
  for (let g = 0; g < groups; g++) offsets[g + 1] += offsets[g];
  const members = new Int32Array(offsets[groups]);
  const fill = offsets.slice(0, groups);
  for (let i = 0; i < items; i++) forEachGroup(i, (g) => (members[fill[g]++] = i));
  return (group) => members.subarray(offsets[group], offsets[group + 1]);
}

/** The number of ratings a data set of these options has. */
function ratingCount(o: Required<SyntheticOptions>): number {
  return o.ratings > 0 ? o.ratings : o.users * Math.min(o.ratingsPerUser, o.items);
}

/** How many ratings user `u` gives: `ratingsPerUser` (at most every item), or an even share of `ratings`. */
function ratingsOfUser(o: Required<SyntheticOptions>, u: number): number {
  if (o.ratings === 0) return Math.min(o.ratingsPerUser, o.items);
  return Math.floor(o.ratings / o.users) + (u < o.ratings % o.users ? 1 : 0);
}

/** A seeded synthetic dataset (see the module comment); `plantedTruth` gives what was planted. */
export function generateSynthetic(options: SyntheticOptions = {}): Dataset {
  return generateSyntheticWithTruth(options).dataset;
}

/**
 * The planted truth of a dataset made by `generateSynthetic` (or loaded as `synthetic:…`), found
 * from the dataset itself or regenerated from the options its id records.
 */
export function plantedTruth(dataset: Dataset): PlantedTruth {
  const known = truths.get(dataset);
  if (known !== undefined) return known;
  const options = parseSyntheticId(dataset.id);
  const { truth, dataset: again } = generateSyntheticWithTruth(options);
  if (again.ratings.rating.length !== dataset.ratings.rating.length) {
    throw new UsageError(`dataset "${dataset.id}" does not match what its id generates`);
  }
  return truth;
}

/** True when item `i` has what user `u` cares about. */
export function matches(truth: PlantedTruth, u: number, i: number): boolean {
  return truth.userCaresAbout[u] === 'director'
    ? truth.itemDirector[i] === truth.favouriteDirector[u]
    : (truth.itemGenreMask[i] & (1 << truth.favouriteGenre[u])) !== 0;
}

/** The noise-free score of (u, i) before rounding: the best any model can predict. */
export function plantedScore(truth: PlantedTruth, u: number, i: number): number {
  const o = truth.options;
  return 3 + truth.userBias[u] + truth.itemQuality[i] + (matches(truth, u, i) ? o.like : o.dislike);
}

/**
 * The words of the synthetic reviews. `sentiment[r - 1]` are the words of rating r (1 awful … 5
 * great); `filler` are stop words and neutral nouns that carry nothing.
 */
export const SYNTHETIC_WORDS = {
  filler: [
    'the',
    'and',
    'it',
    'is',
    'this',
    'a',
    'of',
    'to',
    'was',
    'i',
    'with',
    'for',
    'that',
    'in',
    'but',
    'my',
    'so',
    'very',
    'really',
    'just',
    'film',
    'movie',
    'story',
    'plot',
    'ending',
  ],
  sentiment: [
    ['awful', 'hate', 'broken', 'terrible', 'worst', 'boring'],
    ['poor', 'dull', 'weak', 'disappointing', 'meh'],
    ['okay', 'fine', 'average', 'decent', 'mixed'],
    ['good', 'nice', 'enjoyable', 'solid', 'like'],
    ['great', 'love', 'excellent', 'amazing', 'perfect', 'wonderful'],
  ],
} as const;

/** The signature word of director code `d` (`director3` for D3). */
export function directorWord(d: number): string {
  return `director${d + 1}`;
}

/** The signature word of a genre name (`genre_comedy`, `genre_sci_fi`). */
export function genreWord(name: string): string {
  return `genre_${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
}

/** The signature words of item `i`: its director's, then its genres'. */
export function itemSignatureWords(truth: PlantedTruth, genreNames: readonly string[], i: number): string[] {
  const words = [directorWord(truth.itemDirector[i])];
  genreNames.forEach((name, g) => {
    if ((truth.itemGenreMask[i] & (1 << g)) !== 0) words.push(genreWord(name));
  });
  return words;
}

/**
 * One review per rating, drawn from `new Rng(seed * 7919 + 17)` (never from the ratings' Rng).
 * A review is 15–40 space-separated lowercase tokens, punctuation (`,` `.` `!`) among them:
 * filler words; the item's signature words, where the one the user cares about (its director for a
 * director fan, its genres for a genre fan) is always there and the others with probability 0.3;
 * and 2–4 sentiment words, each from the rating's list (80%) or a neighbouring rating's (20%).
 */
function syntheticReviews(
  truth: PlantedTruth,
  genreNames: readonly string[],
  user: Int32Array,
  item: Int32Array,
  rating: Float32Array,
): string[] {
  const rng = new Rng(truth.options.seed * 7919 + 17);
  const { filler, sentiment } = SYNTHETIC_WORDS;
  const reviews = new Array<string>(rating.length);
  for (let r = 0; r < rating.length; r++) {
    const u = user[r];
    const i = item[r];
    const stars = rating[r];
    const [director, ...genres] = itemSignatureWords(truth, genreNames, i);
    const cared = truth.userCaresAbout[u] === 'director' ? [director] : genres;
    const other = truth.userCaresAbout[u] === 'director' ? genres : [director];
    const content = [...cared, ...other.filter(() => rng.next() < 0.3)];
    const nSentiment = 2 + rng.int(3);
    for (let k = 0; k < nSentiment; k++) {
      let level = stars;
      if (rng.next() < 0.2) level += stars === 1 ? 1 : stars === 5 ? -1 : rng.next() < 0.5 ? -1 : 1;
      const words = sentiment[level - 1];
      content.push(words[rng.int(words.length)]);
    }
    // Filler everywhere, the content words at distinct random places, a few commas and full stops,
    // and a final "." (or "!" for the strong ratings, half of the time).
    const length = 15 + rng.int(26);
    const tokens = Array.from({ length: length - 1 }, () => filler[rng.int(filler.length)] as string);
    const places = rng.permutation(length - 2);
    content.forEach((word, k) => (tokens[1 + places[k]] = word));
    const isContent = new Uint8Array(length - 1);
    for (let k = 0; k < content.length; k++) isContent[1 + places[k]] = 1;
    for (let p = 4 + rng.int(5); p < length - 3; p += 4 + rng.int(5)) {
      if (isContent[p] === 0) tokens[p] = rng.next() < 0.6 ? ',' : '.';
    }
    tokens.push((stars === 1 || stars === 5) && rng.next() < 0.5 ? '!' : '.');
    reviews[r] = tokens.join(' ');
  }
  return reviews;
}

function idMap(n: number, prefix: string): IdMap {
  const ids = Array.from({ length: n }, (_, k) => `${prefix}${k + 1}`);
  return { ids, index: new Map(ids.map((id, k) => [id, k])) };
}

/** Rating indices are Int32 everywhere (splits, subsets). */
const MAX_RATINGS = 0x7fffffff;

function resolve(options: SyntheticOptions): Required<SyntheticOptions> {
  const given = definedOnly(options);
  const merged: Required<SyntheticOptions> = { ...SYNTHETIC_DEFAULTS, ...given };
  const positiveInt = (
    key: 'users' | 'items' | 'ratingsPerUser' | 'directors' | 'genres',
    max: number,
  ): void => {
    const v = merged[key];
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new UsageError(`synthetic option "${key}" must be an integer 1..${max}, got ${v}`);
    }
  };
  positiveInt('users', 10_000_000);
  positiveInt('items', 10_000_000);
  positiveInt('ratingsPerUser', 100_000);
  positiveInt('directors', 100_000);
  positiveInt('genres', 30);
  checkRatingCount(merged, given.ratingsPerUser !== undefined);
  const o: Required<SyntheticOptions> = {
    ...merged,
    reviews: given.reviews ?? ratingCount(merged) <= REVIEWS_BY_DEFAULT_UP_TO,
  };
  if (!Number.isInteger(o.seed))
    throw new UsageError(`synthetic option "seed" must be an integer, got ${o.seed}`);
  for (const key of ['like', 'dislike', 'noise', 'quality', 'userBias'] as const) {
    if (!Number.isFinite(o[key]))
      throw new UsageError(`synthetic option "${key}" must be a number, got ${o[key]}`);
  }
  for (const key of ['noise', 'quality', 'userBias'] as const) {
    if (o[key] < 0) throw new UsageError(`synthetic option "${key}" must be ≥ 0, got ${o[key]}`);
  }
  if (!(o.focus >= 0 && o.focus <= 1))
    throw new UsageError(`synthetic option "focus" must be in 0..1, got ${o.focus}`);
  return o;
}

/** `ratings`: 0, or enough for every user to rate one item and few enough for each to rate distinct items. */
function checkRatingCount(o: Required<SyntheticOptions>, perUserGiven: boolean): void {
  const { ratings, users, items } = o;
  if (!Number.isInteger(ratings) || ratings < 0 || ratings > MAX_RATINGS) {
    throw new UsageError(`synthetic option "ratings" must be an integer 0..${MAX_RATINGS}, got ${ratings}`);
  }
  if (ratings === 0) {
    const total = ratingCount(o);
    if (total > MAX_RATINGS) {
      throw new UsageError(
        `synthetic options users=${users} × ratingsPerUser=${o.ratingsPerUser} make ${total} ratings, more than ${MAX_RATINGS}`,
      );
    }
    return;
  }
  if (perUserGiven) {
    throw new UsageError(
      'synthetic options "ratings" and "ratingsPerUser" both set the size: give one of them',
    );
  }
  if (ratings < users) {
    throw new UsageError(
      `synthetic option "ratings" (${ratings}) must be at least "users" (${users}): every user rates an item`,
    );
  }
  if (Math.ceil(ratings / users) > items) {
    throw new UsageError(
      `synthetic option "ratings" (${ratings}) needs ${Math.ceil(ratings / users)} ratings per user, more than the ${items} items`,
    );
  }
}

function definedOnly(options: SyntheticOptions): Partial<SyntheticOptions> {
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as Partial<SyntheticOptions>;
}

/** `synthetic`, or `synthetic:key=value,…` listing the options that differ from the defaults. */
export function syntheticId(options: SyntheticOptions): string {
  const o = resolve(options);
  const byDefault = { ...SYNTHETIC_DEFAULTS, reviews: ratingCount(o) <= REVIEWS_BY_DEFAULT_UP_TO };
  const parts = (Object.keys(SYNTHETIC_DEFAULTS) as (keyof typeof SYNTHETIC_DEFAULTS)[])
    .filter((key) => o[key] !== byDefault[key])
    .map((key) => `${key}=${String(o[key])}`);
  return parts.length === 0 ? 'synthetic' : `synthetic:${parts.join(',')}`;
}

/** The options of an id `synthetic` or `synthetic:seed=3,users=100` (UsageError when malformed). */
export function parseSyntheticId(id: string): SyntheticOptions {
  if (id === 'synthetic') return {};
  if (!id.startsWith('synthetic:')) throw new UsageError(`"${id}" is not a synthetic dataset id`);
  const out: Record<string, number | boolean> = {};
  const body = id.slice('synthetic:'.length);
  if (body.trim() === '') return {};
  for (const part of body.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!(key in SYNTHETIC_DEFAULTS)) {
      throw new UsageError(
        `synthetic option "${key}" is unknown (options: ${Object.keys(SYNTHETIC_DEFAULTS).join(', ')})`,
      );
    }
    const byDefault = SYNTHETIC_DEFAULTS[key as keyof typeof SYNTHETIC_DEFAULTS];
    if (typeof byDefault === 'boolean') {
      if (value !== 'true' && value !== 'false') {
        throw new UsageError(`synthetic option "${key}" must be true or false, got "${value}"`);
      }
      out[key] = value === 'true';
    } else {
      const v = Number(value);
      if (value === '' || !Number.isFinite(v)) {
        throw new UsageError(`synthetic option "${key}" must be a number, got "${value}"`);
      }
      out[key] = v;
    }
  }
  return out as SyntheticOptions;
}

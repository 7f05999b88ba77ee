import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../src/data/dataset.js';
import { getField } from '../src/data/features.js';
import {
  directorWord,
  generateSynthetic,
  generateSyntheticWithTruth,
  genreWord,
  itemSignatureWords,
  matches,
  parseSyntheticId,
  plantedScore,
  plantedTruth,
  REVIEWS_BY_DEFAULT_UP_TO,
  SYNTHETIC_WORDS,
  syntheticId,
} from '../src/data/loaders/synthetic.js';
import { Rng } from '../src/util/rng.js';

test('synthetic: seeded (same seed same data, other seed other data), sizes and fields as documented', () => {
  const a = generateSynthetic({ seed: 3 });
  const b = generateSynthetic({ seed: 3 });
  const c = generateSynthetic({ seed: 4 });
  assert.deepEqual([...a.ratings.rating], [...b.ratings.rating]);
  assert.deepEqual([...a.ratings.item], [...b.ratings.item]);
  assert.notDeepEqual([...a.ratings.item], [...c.ratings.item]);
  const d = generateSynthetic();
  assert.equal(d.id, 'synthetic');
  assert.equal(d.users.ids.length, 300);
  assert.equal(d.items.ids.length, 400);
  assert.equal(d.ratings.rating.length, 300 * 40);
  assert.deepEqual(
    d.userFeatures.fields.map((f) => f.name),
    ['age', 'taste'],
  );
  assert.deepEqual(
    d.itemFeatures.fields.map((f) => f.name),
    ['director', 'genre', 'year'],
  );
  assert.equal(getField(d.itemFeatures, 'director').vocabulary.length, 8);
  assert.equal(getField(d.itemFeatures, 'genre').vocabulary.length, 6);
  for (const r of d.ratings.rating) assert.ok(r >= 1 && r <= 5 && Number.isInteger(r));
  // Each user rates distinct items.
  const pairs = new Set(Array.from(d.ratings.user, (u, k) => `${u}:${d.ratings.item[k]}`));
  assert.equal(pairs.size, d.ratings.rating.length);
  const hidden = generateSynthetic({ exposeTaste: false, users: 20, items: 30, ratingsPerUser: 5 });
  assert.deepEqual(
    hidden.userFeatures.fields.map((f) => f.name),
    ['age'],
  );
  assert.equal(hidden.id, 'synthetic:users=20,items=30,ratingsPerUser=5,exposeTaste=false');
});

test('synthetic: the planted truth matches the data (half director fans, taste field, favourites)', () => {
  const { dataset: d, truth } = generateSyntheticWithTruth({ seed: 2 });
  assert.equal(plantedTruth(d), truth);
  const fans = truth.userCaresAbout.filter((t) => t === 'director').length;
  assert.equal(fans, 150);
  const taste = getField(d.userFeatures, 'taste');
  const director = getField(d.itemFeatures, 'director');
  for (let u = 0; u < 300; u++) {
    const isDirectorFan = truth.userCaresAbout[u] === 'director';
    assert.equal(
      taste.vocabulary[taste.codes[taste.offsets[u]]],
      isDirectorFan ? 'director fan' : 'genre fan',
    );
    assert.equal(truth.favouriteDirector[u] >= 0, isDirectorFan);
    assert.equal(truth.favouriteGenre[u] >= 0, !isDirectorFan);
  }
  for (let i = 0; i < 400; i++) assert.equal(director.codes[director.offsets[i]], truth.itemDirector[i]);
  // A copy of the dataset (no identity) gets its truth regenerated from its id.
  const copy: Dataset = { ...d };
  assert.deepEqual(plantedTruth(copy).userCaresAbout, truth.userCaresAbout);
  assert.deepEqual([...plantedTruth(copy).favouriteDirector], [...truth.favouriteDirector]);
});

test('synthetic: each user rates matching items clearly higher (the taste is recoverable per user)', () => {
  const { dataset: d, truth } = generateSyntheticWithTruth({ seed: 5 });
  let clear = 0;
  for (let u = 0; u < 300; u++) {
    let sumIn = 0;
    let nIn = 0;
    let sumOut = 0;
    let nOut = 0;
    for (let k = u * 40; k < (u + 1) * 40; k++) {
      if (matches(truth, u, d.ratings.item[k])) {
        sumIn += d.ratings.rating[k];
        nIn++;
      } else {
        sumOut += d.ratings.rating[k];
        nOut++;
      }
    }
    if (nIn > 0 && nOut > 0 && sumIn / nIn - sumOut / nOut > 1) clear++;
  }
  assert.ok(clear >= 0.9 * 300, `${clear} of 300 users show their planted taste`);
});

/** RMSE on a held-out 20% of: the global mean, user+item biases, and biases + per-user feature residuals. */
function compareModels(
  d: Dataset,
  seed: number,
): { globalMean: number; biases: number; features: number; oracle: number } {
  const truth = plantedTruth(d);
  const { user, item, rating } = d.ratings;
  const n = rating.length;
  const order = new Rng(seed).permutation(n);
  const train = order.subarray(0, Math.floor(0.8 * n));
  const testSet = order.subarray(Math.floor(0.8 * n));
  const nu = d.users.ids.length;
  const ni = d.items.ids.length;
  let mu = 0;
  for (const r of train) mu += rating[r];
  mu /= train.length;
  const bu = new Float64Array(nu);
  const bi = new Float64Array(ni);
  for (let sweep = 0; sweep < 10; sweep++) {
    const su = new Float64Array(nu);
    const cu = new Float64Array(nu);
    for (const r of train) {
      su[user[r]] += rating[r] - mu - bi[item[r]];
      cu[user[r]]++;
    }
    for (let u = 0; u < nu; u++) bu[u] = su[u] / (cu[u] + 5);
    const si = new Float64Array(ni);
    const ci = new Float64Array(ni);
    for (const r of train) {
      si[item[r]] += rating[r] - mu - bu[user[r]];
      ci[item[r]]++;
    }
    for (let i = 0; i < ni; i++) bi[i] = si[i] / (ci[i] + 5);
  }
  const base = (u: number, i: number): number => mu + bu[u] + bi[i];
  // The user's mean residual per director and per genre, shrunk towards 0.
  const director = getField(d.itemFeatures, 'director');
  const genre = getField(d.itemFeatures, 'genre');
  const nd = director.vocabulary.length;
  const ng = genre.vocabulary.length;
  const sd = new Float64Array(nu * nd);
  const cd = new Float64Array(nu * nd);
  const sg = new Float64Array(nu * ng);
  const cg = new Float64Array(nu * ng);
  for (const r of train) {
    const u = user[r];
    const i = item[r];
    const e = rating[r] - base(u, i);
    const dc = director.codes[director.offsets[i]];
    sd[u * nd + dc] += e;
    cd[u * nd + dc]++;
    for (let k = genre.offsets[i]; k < genre.offsets[i + 1]; k++) {
      sg[u * ng + genre.codes[k]] += e;
      cg[u * ng + genre.codes[k]]++;
    }
  }
  const withFeatures = (u: number, i: number): number => {
    const dc = director.codes[director.offsets[i]];
    let g = 0;
    for (let k = genre.offsets[i]; k < genre.offsets[i + 1]; k++) {
      g += sg[u * ng + genre.codes[k]] / (cg[u * ng + genre.codes[k]] + 2);
    }
    return (
      base(u, i) + sd[u * nd + dc] / (cd[u * nd + dc] + 2) + g / (genre.offsets[i + 1] - genre.offsets[i])
    );
  };
  const rmse = (predict: (u: number, i: number) => number): number => {
    let s = 0;
    for (const r of testSet) s += (predict(user[r], item[r]) - rating[r]) ** 2;
    return Math.sqrt(s / testSet.length);
  };
  return {
    globalMean: rmse(() => mu),
    biases: rmse(base),
    features: rmse(withFeatures),
    oracle: rmse((u, i) => Math.min(5, Math.max(1, plantedScore(truth, u, i)))),
  };
}

test('synthetic: learnable — personalised features clearly beat the global mean and the biases', () => {
  for (const seed of [1, 2]) {
    const r = compareModels(generateSynthetic({ seed }), seed);
    assert.ok(r.biases < r.globalMean, JSON.stringify(r));
    assert.ok(
      r.features < 0.85 * r.globalMean,
      `features should clearly beat the global mean: ${JSON.stringify(r)}`,
    );
    assert.ok(r.features < r.biases - 0.15, `features should clearly beat the biases: ${JSON.stringify(r)}`);
    assert.ok(r.oracle < r.features, `the planted score is the best predictor: ${JSON.stringify(r)}`);
  }
});

test('synthetic ids: canonical, parsed back, malformed ones refused with the option named', () => {
  assert.equal(syntheticId({}), 'synthetic');
  assert.equal(syntheticId({ seed: 3, users: 100 }), 'synthetic:seed=3,users=100');
  assert.deepEqual(parseSyntheticId('synthetic:seed=3,users=100,exposeTaste=false'), {
    seed: 3,
    users: 100,
    exposeTaste: false,
  });
  assert.equal(
    generateSynthetic(parseSyntheticId('synthetic:seed=3,users=10')).id,
    'synthetic:seed=3,users=10',
  );
  assert.throws(() => parseSyntheticId('synthetic:colour=3'), /synthetic option "colour" is unknown/);
  assert.throws(
    () => parseSyntheticId('synthetic:users=many'),
    /synthetic option "users" must be a number, got "many"/,
  );
  assert.throws(() => parseSyntheticId('synthetic:exposeTaste=1'), /must be true or false/);
  assert.throws(() => generateSynthetic({ users: 0 }), /synthetic option "users" must be an integer 1\.\./);
  assert.throws(() => generateSynthetic({ focus: 2 }), /synthetic option "focus" must be in 0..1/);
});

test('synthetic reviews: seeded, aligned with the ratings, 15-40 tokens; reviews=false leaves them out and the ratings alone', () => {
  const a = generateSynthetic({ seed: 3, users: 50 });
  const b = generateSynthetic({ seed: 3, users: 50 });
  const c = generateSynthetic({ seed: 4, users: 50 });
  assert.ok(a.reviews !== undefined);
  assert.equal(a.reviews.length, a.ratings.rating.length);
  assert.deepEqual(a.reviews, b.reviews);
  assert.notDeepEqual(a.reviews, c.reviews);
  for (const review of a.reviews) {
    const tokens = review.split(' ');
    assert.ok(tokens.length >= 15 && tokens.length <= 40, review);
    assert.match(tokens[tokens.length - 1], /^[.!]$/);
    assert.equal(review, review.toLowerCase());
  }
  assert.ok(a.reviews.some((r) => r.includes(' , ')));
  const off = generateSynthetic({ seed: 3, users: 50, reviews: false });
  assert.equal(off.reviews, undefined);
  assert.equal(off.id, 'synthetic:seed=3,users=50,reviews=false');
  assert.deepEqual(parseSyntheticId(off.id), { seed: 3, users: 50, reviews: false });
  // The text has its own Rng: ratings and features are the same with or without it.
  assert.deepEqual([...off.ratings.user], [...a.ratings.user]);
  assert.deepEqual([...off.ratings.item], [...a.ratings.item]);
  assert.deepEqual([...off.ratings.rating], [...a.ratings.rating]);
  assert.deepEqual(off.itemFeatures, a.itemFeatures);
  assert.deepEqual(off.userFeatures, a.userFeatures);
});

test('synthetic reviews: sentiment words follow the rating, signature words the item and the taste', () => {
  const { dataset: d, truth } = generateSyntheticWithTruth({ seed: 2 });
  const reviews = d.reviews ?? [];
  const genreNames = getField(d.itemFeatures, 'genre').vocabulary;
  const positive = new Set<string>([...SYNTHETIC_WORDS.sentiment[3], ...SYNTHETIC_WORDS.sentiment[4]]);
  const negative = new Set<string>([...SYNTHETIC_WORDS.sentiment[0], ...SYNTHETIC_WORDS.sentiment[1]]);
  const allSignatures = new Set([
    ...Array.from({ length: truth.options.directors }, (_, k) => directorWord(k)),
    ...genreNames.map(genreWord),
  ]);
  assert.equal(genreWord('Sci-Fi'), 'genre_sci_fi');
  const byStars = [0, 0, 0, 0, 0, 0].map(() => ({ positive: 0, negative: 0, n: 0 }));
  let caredMentioned = 0;
  for (let r = 0; r < reviews.length; r++) {
    const tokens = reviews[r].split(' ');
    const stars = d.ratings.rating[r];
    const s = byStars[stars];
    s.n++;
    for (const t of tokens) {
      if (positive.has(t)) s.positive++;
      if (negative.has(t)) s.negative++;
    }
    const u = d.ratings.user[r];
    const i = d.ratings.item[r];
    const own = itemSignatureWords(truth, genreNames, i);
    // Only this item's signature words, and the one the user cares about always.
    for (const t of tokens) if (allSignatures.has(t)) assert.ok(own.includes(t), `${t} in "${reviews[r]}"`);
    const cared = truth.userCaresAbout[u] === 'director' ? own.slice(0, 1) : own.slice(1);
    if (cared.every((w) => tokens.includes(w))) caredMentioned++;
  }
  assert.equal(caredMentioned, reviews.length);
  const perReview = (stars: number, kind: 'positive' | 'negative'): number =>
    byStars[stars][kind] / byStars[stars].n;
  assert.ok(byStars[1].n > 0 && byStars[5].n > 0);
  assert.ok(perReview(5, 'positive') > 2, JSON.stringify(byStars));
  assert.ok(perReview(5, 'positive') > 10 * perReview(1, 'positive'), JSON.stringify(byStars));
  assert.ok(perReview(1, 'negative') > 10 * perReview(5, 'negative'), JSON.stringify(byStars));
  for (let stars = 1; stars < 5; stars++) {
    assert.ok(
      perReview(stars + 1, 'positive') - perReview(stars + 1, 'negative') >
        perReview(stars, 'positive') - perReview(stars, 'negative'),
      JSON.stringify(byStars),
    );
  }
  // Every item's director word appears in its reviews.
  const seen = new Set<string>();
  for (let r = 0; r < reviews.length; r++) {
    const w = directorWord(truth.itemDirector[d.ratings.item[r]]);
    if (reviews[r].split(' ').includes(w)) seen.add(`${d.ratings.item[r]}`);
  }
  const rated = new Set(Array.from(d.ratings.item, String));
  assert.equal(seen.size, rated.size);
});

test('synthetic ratings=N: exactly N ratings spread evenly over the users, each user rating distinct items', () => {
  const d = generateSynthetic({ users: 70, items: 90, ratings: 1000, reviews: false });
  assert.equal(d.id, 'synthetic:users=70,items=90,ratings=1000,reviews=false');
  assert.equal(d.ratings.rating.length, 1000);
  const perUser = new Int32Array(70);
  for (const u of d.ratings.user) perUser[u]++;
  // 1000 = 70 × 14 + 20: the first 20 users rate 15 items, the others 14.
  assert.deepEqual(
    [...perUser],
    Array.from({ length: 70 }, (_, u) => (u < 20 ? 15 : 14)),
  );
  const pairs = new Set(Array.from(d.ratings.user, (u, k) => u * 90 + d.ratings.item[k]));
  assert.equal(pairs.size, 1000);
  assert.deepEqual(parseSyntheticId(d.id), { users: 70, items: 90, ratings: 1000, reviews: false });
  // A user may rate every item.
  const full = generateSynthetic({ users: 3, items: 5, ratings: 15, reviews: false });
  assert.deepEqual([...full.ratings.user].sort(), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
});

test('synthetic ratings=N: the focus share comes from the matching items, the rest uniformly', () => {
  const { dataset: d, truth } = generateSyntheticWithTruth({
    users: 400,
    items: 3000,
    ratings: 40_000,
    focus: 0.3,
  });
  let matching = 0;
  for (let r = 0; r < d.ratings.rating.length; r++)
    if (matches(truth, d.ratings.user[r], d.ratings.item[r])) matching++;
  // 30% drawn from matching items, plus the matching ones among the uniform 70% (a director fan's
  // director is 1/8 of the items, a genre fan's genre about 1.4/6): about 0.3 + 0.7 × 0.18 ≈ 0.43.
  const share = matching / d.ratings.rating.length;
  assert.ok(share > 0.38 && share < 0.48, `matching share ${share}`);
  // Every item gets ratings from the uniform part.
  const rated = new Set(d.ratings.item);
  assert.ok(rated.size > 2900, `${rated.size} items rated`);
});

test('synthetic ratings=N: generating is linear in the ratings (a catalogue of millions is no slower)', () => {
  // 50,000 users × 100,000 items would be 5 × 10^9 steps for a per-user scan of the catalogue.
  const d = generateSynthetic({ users: 50_000, items: 100_000, ratings: 100_000, reviews: false });
  assert.equal(d.ratings.rating.length, 100_000);
});

test('synthetic ratings=N: refused with the reason when it conflicts or cannot be drawn', () => {
  assert.throws(
    () => generateSynthetic({ ratings: 1000, ratingsPerUser: 5 }),
    /synthetic options "ratings" and "ratingsPerUser" both set the size: give one of them/,
  );
  assert.throws(
    () => syntheticId(parseSyntheticId('synthetic:ratings=1000,ratingsPerUser=5')),
    /both set the size/,
  );
  assert.throws(
    () => generateSynthetic({ users: 10, ratings: 9 }),
    /synthetic option "ratings" \(9\) must be at least "users" \(10\): every user rates an item/,
  );
  assert.throws(
    () => generateSynthetic({ users: 10, items: 4, ratings: 41 }),
    /synthetic option "ratings" \(41\) needs 5 ratings per user, more than the 4 items/,
  );
  assert.throws(
    () => generateSynthetic({ ratings: 2.5 }),
    /synthetic option "ratings" must be an integer 0\.\./,
  );
  assert.throws(
    () => generateSynthetic({ users: 10_000_000, ratingsPerUser: 1000, items: 2000 }),
    /make 10000000000 ratings, more than 2147483647/,
  );
});

test('synthetic reviews: by default only up to REVIEWS_BY_DEFAULT_UP_TO ratings, with a warning above', () => {
  const over = REVIEWS_BY_DEFAULT_UP_TO + 1;
  const users = 2000;
  const big = generateSynthetic({ users, items: 1000, ratings: over });
  assert.equal(big.reviews, undefined);
  assert.deepEqual(big.warnings, [
    `synthetic: no review texts for ${over} ratings (by default only up to ${REVIEWS_BY_DEFAULT_UP_TO}); add reviews=true to the id to generate them`,
  ]);
  assert.equal(big.id, `synthetic:users=${users},items=1000,ratings=${over}`);
  // Asking for them, or saying no, is recorded in the id only where it differs from that default.
  assert.equal(syntheticId({ users, items: 1000, ratings: over, reviews: true }), `${big.id},reviews=true`);
  assert.equal(syntheticId({ users, items: 1000, ratings: over, reviews: false }), big.id);
  assert.equal(generateSynthetic({ users: 20, items: 30, ratings: 100 }).reviews?.length, 100);
  assert.equal(generateSynthetic({ users: 20, items: 30, ratings: 100 }).warnings, undefined);
});

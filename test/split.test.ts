import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyFeatures, IdMapBuilder, type Dataset, type Split } from '../src/data/dataset.js';
import {
  defaultSplitSpec,
  formatSplitSpec,
  kFoldSplits,
  makeSplits,
  minRatingsPerUser,
  parseSplitSpec,
  predefinedFoldNames,
  predefinedSplit,
  ratioSplit,
  splitFoldCount,
} from '../src/data/split.js';
import { UsageError } from '../src/util/errors.js';

/** A dataset where user u has u + 1 ratings (users 0..nUsers-1), in memory. */
function staircase(nUsers: number, predefinedSplits: Record<string, Split> = {}): Dataset {
  const users = new IdMapBuilder();
  const items = new IdMapBuilder();
  const u: number[] = [];
  const i: number[] = [];
  const r: number[] = [];
  for (let a = 0; a < nUsers; a++) {
    for (let b = 0; b <= a; b++) {
      u.push(users.intern(`u${a}`));
      i.push(items.intern(`i${b}`));
      r.push(1 + ((a + b) % 5));
    }
  }
  return {
    id: 'staircase',
    users: users.build(),
    items: items.build(),
    ratings: { user: Int32Array.from(u), item: Int32Array.from(i), rating: Float32Array.from(r) },
    scale: { min: 1, max: 5 },
    userFeatures: emptyFeatures(users.ids.length),
    itemFeatures: emptyFeatures(items.ids.length),
    predefinedSplits,
  };
}

function assertPartition(split: Split, n: number, pool?: Int32Array): void {
  const seen = new Uint8Array(n);
  for (const part of [split.train, split.validation, split.test]) {
    for (let k = 0; k < part.length; k++) {
      assert.equal(seen[part[k]], 0, `rating ${part[k]} is in two parts`);
      seen[part[k]] = 1;
      if (k > 0) assert.ok(part[k - 1] < part[k], 'parts are sorted ascending');
    }
  }
  const expected = pool ?? Int32Array.from({ length: n }, (_, k) => k);
  assert.equal(split.train.length + split.validation.length + split.test.length, expected.length);
  for (const k of expected) assert.equal(seen[k], 1, `rating ${k} is in no part`);
}

test('parseSplitSpec reads the three kinds and names --split in its errors', () => {
  assert.deepEqual(parseSplitSpec('u1'), { kind: 'predefined', name: 'u1' });
  assert.deepEqual(parseSplitSpec('ratio'), { kind: 'ratio', train: 0.8, validation: 0.1, test: 0.1 });
  assert.deepEqual(parseSplitSpec('ratio:0.9,0,0.1'), {
    kind: 'ratio',
    train: 0.9,
    validation: 0,
    test: 0.1,
  });
  assert.deepEqual(parseSplitSpec('ratio:0.7,0.2,0.1'), {
    kind: 'ratio',
    train: 0.7,
    validation: 0.2,
    test: 0.1,
  });
  assert.deepEqual(parseSplitSpec('kfold:5'), { kind: 'kfold', k: 5, validation: 0 });
  assert.deepEqual(parseSplitSpec('kfold:5,0.1'), { kind: 'kfold', k: 5, validation: 0.1 });
  for (const text of ['u1', 'ratio:0.9,0,0.1', 'kfold:5', 'kfold:3,0.25']) {
    assert.equal(formatSplitSpec(parseSplitSpec(text)), text);
  }
  const cases: Array<[string, RegExp]> = [
    ['ratio:0.8,0.1,0.2', /--split "ratio:0.8,0.1,0.2": the ratios must sum to 1 \(they sum to 1.1\)/],
    ['ratio:0.8,0.2', /three fractions/],
    ['ratio:0.8,x,0.2', /validation fraction must be a number/],
    ['ratio:1,0,0', /test fraction must be greater than 0/],
    ['kfold:1', /at least 2/],
    ['kfold:2.5', /at least 2/],
    ['kfold:', /kfold:K/],
    ['foo:bar', /unknown split kind/],
    ['', /--split is empty/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseSplitSpec(text),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
      text,
    );
  }
});

test('ratio split: sizes, disjoint parts covering every rating, same seed same split', () => {
  const data = staircase(20); // 210 ratings
  const n = 210;
  const a = ratioSplit(data, { train: 0.8, validation: 0.1, test: 0.1 }, 7);
  assert.equal(a.test.length, 21);
  assert.equal(a.validation.length, 21);
  assert.equal(a.train.length, 168);
  assertPartition(a, n);
  const b = ratioSplit(data, { train: 0.8, validation: 0.1, test: 0.1 }, 7);
  assert.deepEqual(b, a);
  const c = ratioSplit(data, { train: 0.8, validation: 0.1, test: 0.1 }, 8);
  assert.notDeepEqual(c.test, a.test);
  const noValidation = ratioSplit(data, { train: 0.9, validation: 0, test: 0.1 }, 7);
  assert.equal(noValidation.validation.length, 0);
  assertPartition(noValidation, n);
  assert.match(a.name, /^ratio:0.8,0.1,0.1@7$/);
});

test('k-fold: each rating in exactly one test fold, folds differ in size by at most one', () => {
  const data = staircase(15); // 120 ratings
  const n = 120;
  const folds = kFoldSplits(data, 7, 3);
  assert.equal(folds.length, 7);
  const inTest = new Int32Array(n);
  for (const fold of folds) {
    assertPartition(fold, n);
    assert.equal(fold.validation.length, 0);
    for (const k of fold.test) inTest[k]++;
    assert.ok(fold.test.length === 17 || fold.test.length === 18, `fold size ${fold.test.length}`);
  }
  assert.ok(
    inTest.every((c) => c === 1),
    'every rating is tested exactly once',
  );
  assert.deepEqual(kFoldSplits(data, 7, 3), folds, 'deterministic');
  assert.equal(folds[2].name, 'kfold:7@3#3');

  const withValidation = kFoldSplits(data, 4, 3, { validation: 0.2 });
  for (const fold of withValidation) {
    assertPartition(fold, n);
    assert.equal(fold.test.length, 30);
    assert.equal(fold.validation.length, 18); // round(90 · 0.2)
    assert.equal(fold.train.length, 72);
  }
  // The test folds do not depend on whether validation is carved out of train.
  assert.deepEqual(
    withValidation.map((f) => f.test),
    kFoldSplits(data, 4, 3).map((f) => f.test),
  );
});

test('minRatingsPerUser keeps exactly the ratings of users with enough of them', () => {
  const data = staircase(10); // user u has u + 1 ratings
  const kept = minRatingsPerUser(data, 8); // users 7, 8, 9: 8 + 9 + 10 ratings
  assert.equal(kept.length, 27);
  for (const k of kept) assert.ok(data.ratings.user[k] >= 7);
  assert.equal(minRatingsPerUser(data, 0).length, 55);
  assert.equal(minRatingsPerUser(data, 11).length, 0);
  // Counted within a subset: among the first 15 ratings (users 0..4), only user 4 has 5.
  const first15 = Int32Array.from({ length: 15 }, (_, k) => k);
  assert.deepEqual([...minRatingsPerUser(data, 5, first15)], [10, 11, 12, 13, 14]);
  // A filter feeds a ratio split: the split covers exactly the kept ratings.
  const split = ratioSplit(data, { train: 0.8, validation: 0, test: 0.2 }, 1, kept);
  assertPartition(split, 55, kept);
});

test('predefined splits: found by name; an unknown name lists the available ones', () => {
  const u1: Split = {
    name: 'u1',
    train: Int32Array.of(0, 1, 2),
    validation: new Int32Array(0),
    test: Int32Array.of(3, 4, 5),
  };
  const data = staircase(3, { u1 });
  assert.equal(predefinedSplit(data, 'u1'), u1);
  assert.deepEqual(defaultSplitSpec(data), { kind: 'predefined', name: 'u1' });
  assert.deepEqual(defaultSplitSpec(staircase(3)), { kind: 'ratio', train: 0.8, validation: 0.1, test: 0.1 });
  assert.throws(() => predefinedSplit(data, 'u9'), /no split named "u9" \(its predefined splits are u1\)/);
  assert.throws(
    () => makeSplits(staircase(3), { kind: 'predefined', name: 'u1' }, 1),
    /has no predefined splits/,
  );
  assert.throws(() => predefinedSplit(data, 'toString'), /no split named "toString"/);
});

test('a range of predefined splits (u1..u5) parses, formats back and counts its folds', () => {
  const spec = parseSplitSpec('u1..u5');
  assert.deepEqual(spec, { kind: 'predefinedFolds', prefix: 'u', first: 1, last: 5 });
  assert.equal(formatSplitSpec(spec), 'u1..u5');
  assert.deepEqual(parseSplitSpec(formatSplitSpec(spec)), spec);
  assert.equal(splitFoldCount(spec), 5);
  assert.deepEqual(predefinedFoldNames({ prefix: 'u', first: 1, last: 5 }), ['u1', 'u2', 'u3', 'u4', 'u5']);
  assert.equal(formatSplitSpec(parseSplitSpec(' fold8..fold10 ')), 'fold8..fold10');
  assert.equal(splitFoldCount(parseSplitSpec('kfold:4')), 4);
  assert.equal(splitFoldCount(parseSplitSpec('u1')), 1);
  for (const [text, message] of [
    ['u1..v5', /same name before the numbers/],
    ['u..u5', /same name before the numbers/],
    ['1..5', /same name before the numbers/],
    ['u1..u2..u3', /same name before the numbers/],
    ['u1..', /same name before the numbers/],
    ['u01..u05', /without leading zeros/],
    ['u5..u1', /--split "u5..u1": the first split's number must be below the last's/],
    ['u3..u3', /for one split, write its name: u3/],
  ] as const) {
    assert.throws(
      () => parseSplitSpec(text),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
  }
});

test('makeSplits on u1..u3 gives the predefined splits in order; a missing one is named with the list', () => {
  const fold = (name: string, test: number): Split => ({
    name,
    train: Int32Array.of(...[0, 1, 2, 3, 4, 5].filter((k) => k !== test)),
    validation: new Int32Array(0),
    test: Int32Array.of(test),
  });
  // Listed out of order in the dataset: the folds follow the range's numbers, not the listing.
  const data = staircase(3, { u3: fold('u3', 2), u1: fold('u1', 0), u2: fold('u2', 1), ua: fold('ua', 5) });
  const splits = makeSplits(data, parseSplitSpec('u1..u3'), 7);
  assert.deepEqual(
    splits.map((s) => s.name),
    ['u1', 'u2', 'u3'],
  );
  assert.deepEqual(splits, [data.predefinedSplits.u1, data.predefinedSplits.u2, data.predefinedSplits.u3]);
  assert.throws(
    () => makeSplits(data, parseSplitSpec('u1..u5'), 1),
    /--split "u1..u5": dataset "staircase" has no split named "u4" \(its predefined splits are u3, u1, u2, ua\)/,
  );
  assert.throws(
    () => makeSplits(data, parseSplitSpec('u1..u2'), 1, Int32Array.of(0, 1)),
    /predefined splits \("u1..u2"\) cannot be combined with a rating filter/,
  );
});

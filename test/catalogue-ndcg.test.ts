/**
 * NDCG@k over the catalogue (src/eval/catalogue-ndcg.ts) on a hand-worked example.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalogueNdcg } from '../src/eval/catalogue-ndcg.js';
import { ratingsDataset } from '../test-helpers/datasets.js';

// Items i0..i4; u0 trained on i0, tests i1 (5) and i2 (2); u1 trained on i1, tests i3 (4); u2 tests i4 (3) only.
const dataset = ratingsDataset([
  ['u0', 'i0', 4],
  ['u0', 'i1', 5],
  ['u0', 'i2', 2],
  ['u1', 'i1', 3],
  ['u1', 'i3', 4],
  ['u2', 'i4', 3],
  ['u2', 'i0', 1],
]);
const split = {
  name: 't',
  train: Int32Array.of(0, 3, 6),
  validation: new Int32Array(0),
  test: Int32Array.of(1, 2, 4, 5),
};
const itemIndex = (raw: string): number => dataset.items.index.get(raw) ?? -1;

test('catalogue NDCG: candidates are the unrated items, relevance = test rating >= 4, IDCG capped at k', () => {
  // Scores: higher item index scores higher, except i1 for u0, which scores on top.
  const score = (users: Int32Array, items: Int32Array): Float32Array =>
    Float32Array.from(items, (i, k) => (users[k] === 0 && i === itemIndex('i1') ? 10 : i));
  const r = catalogueNdcg(dataset, split, score, 2);
  // u0: candidates i1..i4, ranked i1 (10), i4, i3, i2: its relevant i1 at rank 1 → 1.
  // u1: candidates i0, i2, i3, i4, ranked i4, i3, …: relevant i3 at rank 2 → (1/log2 3) / 1.
  // u2: no test item rated >= 4 → skipped.
  assert.equal(r.users, 2);
  assert.equal(r.candidates, 8);
  assert.ok(Math.abs(r.ndcg - (1 + 1 / Math.log2(3)) / 2) < 1e-12);
  // With k = 1, u1's relevant item at rank 2 is outside the list.
  assert.ok(Math.abs(catalogueNdcg(dataset, split, score, 1).ndcg - 0.5) < 1e-12);
});

test('catalogue NDCG: equal scores are ranked by item index', () => {
  const constant = (users: Int32Array): Float32Array => new Float32Array(users.length).fill(3);
  const r = catalogueNdcg(dataset, split, constant, 5);
  // u0: i1, i2, i3, i4 → i1 at rank 1; u1: i0, i2, i3, i4 → i3 at rank 3.
  assert.ok(Math.abs(r.ndcg - (1 + 1 / Math.log2(4)) / 2) < 1e-12);
  assert.throws(() => catalogueNdcg(dataset, split, constant, 0), /integer k/);
});

/**
 * AfmGau.userAttention: the user's distribution over every item feature (Eq. 2 with all rows of
 * W_a, the paper's Fig. 1). It sums to 1, names "item id" and every feature value, and an item's
 * explanation is exactly this distribution restricted to the item's features and renormalised.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSyntheticWithTruth } from '../src/data/loaders/synthetic.js';
import { AfmGau, afmGauSpec } from '../src/models/afm-gau/afm-gau.js';
import { resolveConfig } from '../src/models/config.js';

test('userAttention sums to 1 over every feature, and restricted to an item’s features gives its explanation', async () => {
  const { dataset } = generateSyntheticWithTruth({ seed: 2, users: 30, items: 40, ratingsPerUser: 10 });
  const model = new AfmGau(resolveConfig(afmGauSpec, { factors: '4', epochs: '2', batchSize: '64' }));
  await model.fit({ dataset, indices: Int32Array.from({ length: 250 }, (_, i) => i) });
  const all = model.userAttention(3);
  assert.equal(all[0].feature, 'item id');
  const fields = dataset.itemFeatures.fields;
  const values = fields.reduce((n, f) => n + f.vocabulary.length, 0);
  assert.equal(all.length, 1 + values);
  assert.ok(all.some((w) => w.feature === 'director=D1') && all.some((w) => w.feature === 'genre=Action'));
  const sum = all.reduce((s, w) => s + w.weight, 0);
  assert.ok(Math.abs(sum - 1) < 1e-6, `sums to ${sum}`);
  for (const item of [0, 7, 39]) {
    const shown = model.explain(3, item).groups[0].weights;
    const restricted = shown.map((w) => all.find((a) => a.feature === w.feature)?.weight ?? NaN);
    const total = restricted.reduce((s, w) => s + w, 0);
    shown.forEach((w, k) =>
      assert.ok(
        Math.abs(w.weight - restricted[k] / total) < 1e-5,
        `${w.feature}: ${w.weight} vs ${restricted[k] / total}`,
      ),
    );
  }
  assert.throws(() => model.userAttention(30), /user/);
});

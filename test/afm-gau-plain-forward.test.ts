/**
 * AFM-GAU's plain-JavaScript inference pass (src/models/afm-gau/plain-forward.ts), which `predict`
 * uses, against the tensor forward pass, which `explain` uses: the same scores to float tolerance
 * for every interaction (Eq. 4, Eq. 5 with either input), with and without biases, over pairs
 * that change user often (the cached logits must follow) and a run of one user over every item
 * (as /recommend asks).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { ratioSplit } from '../src/data/split.js';
import { initEngine } from '../src/engine/backend.js';
import { AfmGau, afmGauSpec } from '../src/models/afm-gau/afm-gau.js';
import { resolveConfig } from '../src/models/config.js';
import type { ModelConfig } from '../src/models/model.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

const CONFIGS: ModelConfig[] = [
  { interaction: 'inner', mlpInput: 'product', biases: true },
  { interaction: 'inner', mlpInput: 'product', biases: false },
  { interaction: 'mlp', mlpInput: 'product', biases: true },
  { interaction: 'mlp', mlpInput: 'concat', biases: false },
];

for (const config of CONFIGS) {
  test(`afm-gau predict (plain pass) equals explain (tensor pass): ${JSON.stringify(config)}`, async () => {
    const dataset = generateSynthetic({ seed: 4, users: 25, items: 30, ratingsPerUser: 12 });
    const split = ratioSplit(dataset, { train: 0.8, validation: 0, test: 0.2 }, 1);
    const model = new AfmGau(
      resolveConfig(afmGauSpec, {
        factors: 6,
        hidden: 5,
        epochs: 2,
        batchSize: 64,
        learningRate: 0.05,
        ...config,
      }),
    );
    await model.fit({ dataset, indices: split.train });
    const mixed = {
      users: Int32Array.from({ length: 50 }, (_, k) => (k * 7) % 25),
      items: Int32Array.from({ length: 50 }, (_, k) => (k * 11) % 30),
    };
    const oneUser = {
      users: new Int32Array(30).fill(3),
      items: Int32Array.from({ length: 30 }, (_, k) => k),
    };
    let spread = 0;
    for (const { users, items } of [mixed, oneUser]) {
      const predicted = model.predict(users, items);
      for (let k = 0; k < users.length; k++) {
        const explained = model.explain(users[k], items[k]).prediction;
        assert.ok(
          Math.abs(predicted[k] - explained) <= 1e-4 * Math.max(1, Math.abs(explained)),
          `pair (${users[k]}, ${items[k]}): predict ${predicted[k]}, explain ${explained}`,
        );
        spread = Math.max(spread, Math.abs(predicted[k] - predicted[0]));
      }
    }
    assert.ok(spread > 1e-3, `scores barely vary (${spread})`);
    assert.throws(() => model.predict(Int32Array.of(0, 25), Int32Array.of(0, 0)), /pair 1 \(user index 25/);
  });
}

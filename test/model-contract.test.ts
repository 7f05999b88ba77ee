/**
 * The contract every registered model keeps (in the spirit of Surprise's `test_algorithms.py` and
 * RecBole's `test_model_auto.py`). For each spec in `MODELS`, never a hand-written list, trained
 * with its `testSettings` on a tiny synthetic data set (features and review texts included):
 *
 * - finite predictions for known pairs, and through the `Predictor` for pairs whose user or item
 *   has no training rating (or is an id the data set never had), inside the rating scale;
 *   `model.predict` itself answers cold pairs with finite values when the model says
 *   `handlesColdStart`;
 * - save → load from disk (`saveArtifact` / `openArtifact`, as `heed train` and `heed predict`)
 *   → bit-for-bit the same predictions and explanations;
 * - explanations: finite weights, each attention group (and each group of review evidence) summing
 *   to 1, or, for additive contributions (weights of both signs), summing to the prediction;
 * - the same seed twice → bit-for-bit the same predictions.
 *
 * So registering a model is all it takes to have it checked, and a registered model that breaks
 * the contract fails here.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { runCli } from '../src/cli/cli.js';
import type { CliIo } from '../src/cli/command.js';
import type { Dataset, RatingSubset } from '../src/data/dataset.js';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { initEngine } from '../src/engine/index.js';
import { modelConfig } from '../src/eval/protocol.js';
import { openArtifact, saveArtifact } from '../src/models/artifact.js';
import { MODELS } from '../src/models/index.js';
import type { Explanation, ModelSpec, RatingModel } from '../src/models/model.js';
import { trainingStats } from '../src/models/predictor.js';
import { Rng } from '../src/util/rng.js';
import { xgboostAvailable } from '../src/xgboost/library.js';

const SEED = 7;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-contract-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * 30 users, 40 items, 10 ratings each. The last two users and the last two items lose all their
 * ratings from training (they stay in the data set, so their features and indices exist); 10% of
 * the remaining ratings are validation.
 */
const dataset: Dataset = generateSynthetic({ users: 30, items: 40, ratingsPerUser: 10, seed: 5 });
const coldUsers = [28, 29];
const coldItems = [38, 39];
const { train, validation } = holdOut(dataset);
const stats = trainingStats(train);
const warmUser = dataset.ratings.user[train.indices[0]];
const warmItem = dataset.ratings.item[train.indices[0]];

/** Pairs with training ratings on both sides: the first 20 training pairs and the validation pairs. */
const known = pairsOf([...train.indices.slice(0, 20), ...validation.indices]);
/** Dense pairs where the user, the item, or both have no training rating. */
const cold = {
  users: Int32Array.of(coldUsers[0], warmUser, coldUsers[1]),
  items: Int32Array.of(warmItem, coldItems[0], coldItems[1]),
};
/** Cold pairs plus ids the data set never had (index -1), which only the `Predictor` accepts. */
const unknown = {
  users: Int32Array.of(...cold.users, -1, warmUser, -1),
  items: Int32Array.of(...cold.items, warmItem, -1, -1),
};

before(async () => {
  await initEngine({ backend: 'wasm' });
});

function holdOut(data: Dataset): { train: RatingSubset; validation: RatingSubset } {
  const warm: number[] = [];
  for (let r = 0; r < data.ratings.rating.length; r++) {
    if (!coldUsers.includes(data.ratings.user[r]) && !coldItems.includes(data.ratings.item[r])) warm.push(r);
  }
  const order = new Rng(1).permutation(warm.length);
  const cut = Math.round(0.9 * warm.length);
  const pick = (from: number, to: number) => Int32Array.from(order.slice(from, to), (k) => warm[k]);
  return {
    train: { dataset: data, indices: pick(0, cut) },
    validation: { dataset: data, indices: pick(cut, warm.length) },
  };
}

function pairsOf(indices: readonly number[]): { users: Int32Array; items: Int32Array } {
  return {
    users: Int32Array.from(indices, (r) => dataset.ratings.user[r]),
    items: Int32Array.from(indices, (r) => dataset.ratings.item[r]),
  };
}

async function fitted(spec: ModelSpec): Promise<RatingModel> {
  const model = spec.create(modelConfig(spec, spec.testSettings, SEED));
  await model.fit(train, { validation });
  return model;
}

/**
 * Fits the model; when the fit fails only because libxgboost is missing here, skips with that
 * reason, as test/xgboost.test.ts does (CI installs the library).
 */
async function fittedOrSkip(spec: ModelSpec, t: TestContext): Promise<RatingModel | undefined> {
  try {
    return await fitted(spec);
  } catch (error) {
    const xgboost = xgboostAvailable();
    if (!xgboost.ok && error instanceof Error && error.message === xgboost.reason) {
      t.skip(`libxgboost not found: ${xgboost.reason.split('\n')[0]}`);
      return undefined;
    }
    throw error;
  }
}

function assertFinite(id: string, what: string, values: Float32Array, length: number): void {
  assert.equal(values.length, length, `${id}: ${what}: ${values.length} predictions for ${length} pairs`);
  values.forEach((v, k) => assert.ok(Number.isFinite(v), `${id}: ${what}: pair ${k} predicted ${v}`));
}

/** Attention (and review evidence) sums to 1; signed additive contributions sum to the prediction. */
function assertExplanation(id: string, e: Explanation, prediction: number): void {
  assert.ok(
    Math.abs(e.prediction - prediction) <= 1e-5 * Math.max(1, Math.abs(prediction)),
    `${id}: explain says ${e.prediction}, predict says ${prediction}`,
  );
  const groups = [
    ...e.groups.map((g) => ({ name: g.name, weights: g.weights.map((w) => w.weight) })),
    ...(e.reviews ?? []).map((g) => ({ name: g.name, weights: g.reviews.map((r) => r.weight) })),
  ];
  for (const { name, weights } of groups) {
    assert.ok(weights.length > 0, `${id}: group "${name}" is empty`);
    weights.forEach((w) => assert.ok(Number.isFinite(w), `${id}: group "${name}" has weight ${w}`));
    const sum = weights.reduce((s, w) => s + w, 0);
    const target = weights.every((w) => w >= 0) ? 1 : e.prediction;
    assert.ok(
      Math.abs(sum - target) <= 1e-4 * Math.max(1, Math.abs(target)),
      `${id}: group "${name}" sums to ${sum}, expected ${target}`,
    );
  }
}

for (const spec of MODELS) {
  test(`${spec.id} keeps the model contract`, async (t) => {
    const id = spec.id;
    const model = await fittedOrSkip(spec, t);
    if (model === undefined) return;

    const predictions = model.predict(known.users, known.items);
    assertFinite(id, 'known pairs', predictions, known.users.length);
    if (model.handlesColdStart) {
      assertFinite(id, 'cold pairs (model)', model.predict(cold.users, cold.items), cold.users.length);
    }

    const dir = path.join(tmp, id);
    saveArtifact(dir, { model, dataset, stats });
    const loaded = await openArtifact(dir);
    const restored = loaded.model;
    assert.notEqual(restored, model);
    assert.deepEqual(restored.predict(known.users, known.items), predictions, `${id}: after save → load`);

    const answered = loaded.predictor.predict(unknown.users, unknown.items);
    assertFinite(id, 'cold and unknown pairs (predictor)', answered.values, unknown.users.length);
    for (const v of answered.values) {
      assert.ok(v >= dataset.scale.min && v <= dataset.scale.max, `${id}: ${v} outside the rating scale`);
    }
    const fallbacks = model.handlesColdStart ? 3 : unknown.users.length;
    assert.equal(answered.coldStart.fallback, fallbacks, `${id}: pairs the fallback answered`);

    if (model.explain !== undefined) {
      assert.ok(restored.explain !== undefined, `${id}: the restored model cannot explain`);
      for (let k = 0; k < 3; k++) {
        const [user, item] = [known.users[k], known.items[k]];
        const explanation: Explanation = model.explain(user, item);
        assertExplanation(id, explanation, predictions[k]);
        assert.deepEqual(restored.explain(user, item), explanation, `${id}: explanation after save → load`);
      }
    }

    const again = await fitted(spec);
    assert.deepEqual(
      again.predict(known.users, known.items),
      predictions,
      `${id}: same seed, same predictions`,
    );
  });
}

test('heed models --json lists exactly the registered models', async () => {
  let stdout = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => true },
    env: {},
  };
  assert.equal(await runCli(['models', '--json'], io), 0);
  const listed = (JSON.parse(stdout) as Array<{ id: string }>).map((m) => m.id);
  assert.deepEqual(
    listed,
    MODELS.map((m) => m.id),
  );
  assert.equal(new Set(listed).size, listed.length, 'model ids are unique');
});

/**
 * AESR (src/models/aesr): the joint loss's gradient against finite differences, the shared-
 * attribute user graph, DeepWalk's walks and embeddings, the top-k semantic friends and the
 * users' rating rows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Aesr, AESR_DEFAULTS, ratingRows } from '../src/models/aesr/aesr.js';
import { sharedAttributeGraph, type Graph } from '../src/models/aesr/attribute-graph.js';
import {
  batchGradient,
  decoderSocialGradient,
  zeroGradient,
  type AutoencoderWeights,
  type RatingRows,
} from '../src/models/aesr/autoencoder.js';
import { deepWalk, randomWalks } from '../src/models/aesr/deepwalk.js';
import { topSemanticFriends } from '../src/models/aesr/semantic-friends.js';
import type { CategoricalAttributes } from '../src/models/categorical-attributes.js';
import { symmetricNeighbourhoods, type Neighbourhoods } from '../src/models/neighbour-graph.js';
import { Rng } from '../src/util/rng.js';
import { ratingsDataset } from '../test-helpers/datasets.js';

const H = 4;
const items = 5;
const rows: RatingRows = {
  offsets: Int32Array.of(0, 3, 5, 7),
  items: Int32Array.of(0, 2, 4, 1, 2, 3, 4),
  ratings: Float32Array.of(5, 3, 1, 4, 2, 5, 3),
};
const friends: Neighbourhoods = symmetricNeighbourhoods(
  { offsets: Int32Array.of(0, 1, 2, 2), items: Int32Array.of(1, 2), weights: Float64Array.of(0.7, 0.4) },
  3,
);

function weights(seed: number): AutoencoderWeights {
  const rng = new Rng(seed);
  return {
    hidden: H,
    encoder: Float32Array.from({ length: items * H }, () => rng.normal()),
    encoderBias: Float32Array.from({ length: H }, () => rng.normal() * 0.5),
    decoder: Float32Array.from({ length: items * H }, () => rng.normal()),
    decoderBias: Float32Array.from({ length: items }, () => 3),
  };
}

test('the joint loss gradient equals finite differences (with and without input dropout)', () => {
  const rng = new Rng(2);
  const friendCodes = Float64Array.from({ length: 3 * H }, () => rng.next());
  const batch = Int32Array.of(0, 1, 2);
  const dropout = Float32Array.of(2, 0, 2, 2, 2, 0, 2);
  for (const inputScale of [undefined, dropout]) {
    const w = weights(5);
    const g = zeroGradient(items, H);
    batchGradient(w, rows, batch, friends, friendCodes, 0.5, g, inputScale);
    const loss = (): number =>
      batchGradient(w, rows, batch, friends, friendCodes, 0.5, zeroGradient(items, H), inputScale);
    let checked = 0;
    for (const name of ['encoder', 'encoderBias', 'decoder', 'decoderBias'] as const) {
      const table = w[name];
      for (let x = 0; x < table.length; x++) {
        const old = table[x];
        const h = 1e-3;
        table[x] = old + h;
        const up = loss();
        table[x] = old - h;
        const down = loss();
        table[x] = old;
        const numeric = (up - down) / (2 * h);
        const tol = 1e-3 * Math.max(1, Math.abs(numeric));
        assert.ok(Math.abs(numeric - g[name][x]) <= tol, `${name}[${x}]: ${g[name][x]} vs ${numeric}`);
        if (numeric !== 0) checked++;
      }
    }
    assert.ok(checked >= 20, `only ${checked} non-zero coordinates checked`);
    assert.deepEqual([...g.touched].sort(), [0, 1, 2, 3, 4]);
  }
});

test('the social graph links users who share at least minShared attribute values', () => {
  const attrs: CategoricalAttributes = {
    names: ['age', 'gender', 'occupation'],
    valueCounts: Int32Array.of(3, 2, 3),
    values: Int32Array.from([0, 0, 0, 0, 0, 1, 1, 0, 1, 2, 1, 2, 0, 0, 0].slice(0, 15)),
    items: 5,
  };
  const neighboursOf = (g: Graph, u: number): number[] =>
    [...g.neighbours.subarray(g.offsets[u], g.offsets[u + 1])].sort();
  const two = sharedAttributeGraph(attrs, 2);
  // users: 0 (0,0,0), 1 (0,0,1), 2 (1,0,1), 3 (2,1,2), 4 (0,0,0)
  assert.deepEqual(neighboursOf(two, 0), [1, 4]);
  assert.deepEqual(neighboursOf(two, 1), [0, 2, 4]);
  assert.deepEqual(neighboursOf(two, 3), []);
  const all = sharedAttributeGraph(attrs, 3);
  assert.deepEqual(neighboursOf(all, 0), [4]);
  assert.deepEqual(neighboursOf(all, 1), []);
});

/** Two 5-cliques, users 0-4 and 5-9, with no link between them. */
function twoCliques(): Graph {
  const offsets = new Int32Array(11);
  const neighbours: number[] = [];
  for (let u = 0; u < 10; u++) {
    const base = u < 5 ? 0 : 5;
    for (let v = base; v < base + 5; v++) if (v !== u) neighbours.push(v);
    offsets[u + 1] = neighbours.length;
  }
  return { offsets, neighbours: Int32Array.from(neighbours) };
}

test('random walks follow links; DeepWalk makes friends within a clique', () => {
  const graph = twoCliques();
  const walks = randomWalks(graph, { walksPerNode: 3, walkLength: 6 }, new Rng(1));
  assert.equal(walks.length, 10 * 3 * 6);
  for (let t = 0; t < walks.length; t++) {
    if (t % 6 === 0) continue;
    const [a, b] = [walks[t - 1], walks[t]];
    assert.ok(
      [...graph.neighbours.subarray(graph.offsets[a], graph.offsets[a + 1])].includes(b),
      `${a} → ${b}`,
    );
  }
  const embedding = deepWalk(
    graph,
    { dimensions: 8, walksPerNode: 20, walkLength: 10, window: 3, negatives: 5, learningRate: 0.05 },
    new Rng(1),
  );
  const top = topSemanticFriends(embedding, 10, 8, 3);
  for (let u = 0; u < 10; u++) {
    const list = [...top.items.subarray(top.offsets[u], top.offsets[u + 1])];
    assert.equal(list.length, 3);
    for (const v of list) assert.equal(v < 5, u < 5, `user ${u}'s friend ${v} is in the other clique`);
  }
});

test('semantic friends: the k highest positive cosines, weighted by them, never oneself', () => {
  // Users 0..3 in 2-d: 1 is nearest 0, then 2; 3 points away from everyone.
  const embedding = Float64Array.of(1, 0, 2, 0.2, 1, 1, -1, 0.1);
  const top = topSemanticFriends(embedding, 4, 2, 2);
  const cos = (a: number, b: number): number => {
    const [x, y] = [embedding.subarray(a * 2, a * 2 + 2), embedding.subarray(b * 2, b * 2 + 2)];
    return (x[0] * y[0] + x[1] * y[1]) / (Math.hypot(x[0], x[1]) * Math.hypot(y[0], y[1]));
  };
  assert.deepEqual([...top.items.subarray(top.offsets[0], top.offsets[1])], [1, 2]);
  assert.equal(top.weights[top.offsets[0]], cos(0, 1));
  // User 3's cosines are all negative: no friends rather than enemies.
  assert.deepEqual([...top.items.subarray(top.offsets[3], top.offsets[4])], []);
});

test('rating rows: each user’s, or each item’s, training ratings in CSR form', () => {
  const dataset = ratingsDataset([
    ['a', 'x', 5],
    ['b', 'y', 3],
    ['a', 'z', 1],
    ['c', 'x', 4],
  ]);
  const train = { dataset, indices: Int32Array.of(0, 1, 2) };
  const r = ratingRows(train, 'user');
  assert.deepEqual([...r.offsets], [0, 2, 3, 3]);
  assert.deepEqual([...r.items], [0, 2, 1]);
  assert.deepEqual([...r.ratings], [5, 1, 3]);
  // Items x, y, z: x rated by a (5), y by b (3), z by a (1); c's rating is not in the subset.
  const byItem = ratingRows(train, 'item');
  assert.deepEqual([...byItem.offsets], [0, 1, 2, 3]);
  assert.deepEqual([...byItem.items], [0, 1, 0]);
  assert.deepEqual([...byItem.ratings], [5, 3, 1]);
});

test('item input: the friends’ term on the decoder rows equals finite differences of its loss', () => {
  // Entries are users here: 3 users, friends as above; V is [users × H].
  const rng = new Rng(4);
  const w: AutoencoderWeights = {
    hidden: H,
    encoder: new Float32Array(3 * H),
    encoderBias: new Float32Array(H),
    decoder: Float32Array.from({ length: 3 * H }, () => rng.normal()),
    decoderBias: new Float32Array(3),
  };
  const beta = 0.8;
  const dist = (a: number, b: number): number =>
    Array.from({ length: H }, (_, j) => (w.decoder[a * H + j] - w.decoder[b * H + j]) ** 2).reduce(
      (x, y) => x + y,
    );
  // E_s = β/2 Σ_u Σ_{v∈T(u)} s_uv ‖V_u − V_v‖² over the directed friends (0→1: 0.7, 1→2: 0.4).
  const expected = (beta / 2) * (0.7 * dist(0, 1) + 0.4 * dist(1, 2));
  const slices = [Int32Array.of(0), Int32Array.of(1, 2)];
  const parts = slices.map((users) => decoderSocialGradient(w, friends, beta, users, zeroGradient(3, H)));
  assert.ok(
    Math.abs(parts[0] + parts[1] - expected) < 1e-9 * Math.max(1, expected),
    `${parts} vs ${expected}`,
  );
  // Each slice's gradient is its own part's; the two together are E_s's.
  const whole = zeroGradient(3, H);
  for (const users of slices) {
    const g = zeroGradient(3, H);
    decoderSocialGradient(w, friends, beta, users, g);
    decoderSocialGradient(w, friends, beta, users, whole);
    for (let x = 0; x < w.decoder.length; x++) {
      const old = w.decoder[x];
      const h = 1e-3;
      w.decoder[x] = old + h;
      const up = decoderSocialGradient(w, friends, beta, users, zeroGradient(3, H));
      w.decoder[x] = old - h;
      const down = decoderSocialGradient(w, friends, beta, users, zeroGradient(3, H));
      w.decoder[x] = old;
      const numeric = (up - down) / (2 * h);
      assert.ok(Math.abs(numeric - g.decoder[x]) <= 1e-3 * Math.max(1, Math.abs(numeric)), `V[${x}]`);
    }
  }
  // ∂E_s/∂V_0 = β·0.7·(V_0 − V_1).
  for (let j = 0; j < H; j++) {
    const exact = beta * 0.7 * (w.decoder[j] - w.decoder[H + j]);
    assert.ok(Math.abs(whole.decoder[j] - exact) < 1e-5, `V_0[${j}]`);
  }
  assert.deepEqual([...whole.touched].sort(), [0, 1, 2]);
});

test('item input and user input each predict what they fitted, and survive save and restore', async () => {
  const dataset = ratingsDataset(
    Array.from({ length: 30 }, (_, t) => [`u${t % 6}`, `i${(t * 7) % 10}`, 1 + ((t * 3) % 5)] as const),
  );
  const train = { dataset, indices: Int32Array.from({ length: 30 }, (_, t) => t).filter((t) => t % 5 !== 0) };
  const users = Int32Array.from({ length: 6 }, (_, u) => u);
  const items = Int32Array.from({ length: 6 }, (_, u) => (u * 3) % 10);
  for (const input of ['item', 'user']) {
    const settings = { hidden: 4, epochs: 3, embeddingDim: 4, walksPerUser: 2, walkLength: 5, friends: 2 };
    const model = new Aesr({ ...AESR_DEFAULTS, ...settings, input, patience: 0 });
    const report = await model.fit(train);
    assert.equal(report.epochs, 3);
    const predicted = model.predict(users, items);
    assert.ok(
      predicted.every((p) => Number.isFinite(p) && p > 0),
      `${input}: ${[...predicted].join(', ')}`,
    );
    assert.deepEqual(Aesr.restore(model.state()).predict(users, items), predicted);
  }
});

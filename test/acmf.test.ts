/**
 * ACMF (src/models/acmf): coupled object similarity against the CIKM 2011 definitions computed by
 * brute force, the coupling gradient and the SGD step against finite differences of the
 * objective, the neighbourhoods, and the regulariser's effect on a fit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { Acmf } from '../src/models/acmf/acmf.js';
import { coupledValueSimilarity, objectSimilarity } from '../src/models/acmf/coupled-similarity.js';
import { topNeighbours } from '../src/models/acmf/item-neighbours.js';
import { acmfScore, couplingGradient, ratingStep, type AcmfFactors } from '../src/models/acmf/objective.js';
import { categoricalAttributes, type CategoricalAttributes } from '../src/models/categorical-attributes.js';
import { resolveConfig } from '../src/models/config.js';
import { getModelSpec } from '../src/models/index.js';
import { symmetricNeighbourhoods, type Neighbourhoods } from '../src/models/neighbour-graph.js';
import { Rng } from '../src/util/rng.js';
import { featureField } from '../test-helpers/datasets.js';

const close = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} != ${b}`);

/** Six items, three attributes (values as given), as `categoricalAttributes` would lay them out. */
const rows = [
  [0, 0, 1],
  [0, 1, 1],
  [1, 1, 0],
  [1, 2, 0],
  [2, 2, 0],
  [0, 0, 2],
];
const attrs: CategoricalAttributes = {
  names: ['a', 'b', 'c'],
  valueCounts: Int32Array.of(3, 3, 3),
  values: Int32Array.from(rows.flat()),
  items: rows.length,
};

/** δ_j|k by its definition: the minimum over every subset W of attribute k's values. */
function bruteInterRelative(j: number, k: number, x: number, y: number): number {
  const withValue = (v: number) => rows.filter((r) => r[j] === v);
  const share = (group: number[][], subset: Set<number>) =>
    group.filter((r) => subset.has(r[k])).length / group.length;
  const values = [0, 1, 2];
  let best = Infinity;
  for (let mask = 0; mask < 1 << values.length; mask++) {
    const W = new Set(values.filter((_, b) => mask & (1 << b)));
    const rest = new Set(values.filter((v) => !W.has(v)));
    best = Math.min(best, 2 - share(withValue(x), W) - share(withValue(y), rest));
  }
  return best;
}

test('coupled value similarity: IaAVS × IeAVS as Wang et al. define them, COS their mean', () => {
  const all = Int32Array.from(rows.keys());
  const tables = coupledValueSimilarity(attrs, all);
  for (let j = 0; j < 3; j++) {
    for (const [x, y] of [
      [0, 0],
      [0, 1],
      [1, 2],
      [2, 0],
    ]) {
      const gx = rows.filter((r) => r[j] === x).length;
      const gy = rows.filter((r) => r[j] === y).length;
      const intra = (gx * gy) / (gx + gy + gx * gy);
      const others = [0, 1, 2].filter((k) => k !== j);
      const inter = others.reduce((s, k) => s + bruteInterRelative(j, k, x, y), 0) / others.length;
      close(tables[j][x * 3 + y], intra * inter, 1e-12, `δ^C_${j}(${x}, ${y})`);
    }
  }
  const expected = [0, 1, 2].reduce((s, j) => s + tables[j][rows[1][j] * 3 + rows[4][j]], 0) / 3;
  close(objectSimilarity(attrs, tables, 1, 4), expected, 1e-12, 'COS(1, 4) / 3');
  close(objectSimilarity(attrs, tables, 1, 4), objectSimilarity(attrs, tables, 4, 1), 1e-15, 'symmetric');
});

test('categorical attributes: a multi field becomes one yes/no attribute per value, a missing value its own', () => {
  const table = {
    count: 3,
    fields: [
      featureField('genre', 'multi', ['Drama', 'Comedy'], [[0, 1], [1], []]),
      featureField('year', 'categorical', ['1990s', '2000s'], [[1], [], [0]]),
    ],
  };
  const a = categoricalAttributes(table);
  assert.deepEqual(a.names, ['genre=Drama', 'genre=Comedy', 'year']);
  assert.deepEqual([...a.valueCounts], [2, 2, 3]);
  assert.deepEqual([...a.values], [1, 1, 1, 0, 1, 2, 0, 0, 0]);
});

test('neighbourhoods: k most similar items, never the item itself, weights their similarity', () => {
  const tables = coupledValueSimilarity(attrs, Int32Array.from(rows.keys()));
  const directed = topNeighbours(attrs, 2, new Rng(1));
  for (let i = 0; i < rows.length; i++) {
    const list = [...directed.items.subarray(directed.offsets[i], directed.offsets[i + 1])];
    assert.equal(list.length, 2);
    assert.ok(!list.includes(i));
    const others = [...rows.keys()].filter((f) => f !== i);
    const sims = others.map((f) => objectSimilarity(attrs, tables, i, f)).sort((x, y) => y - x);
    list.forEach((f, r) => {
      close(
        directed.weights[directed.offsets[i] + r],
        objectSimilarity(attrs, tables, i, f),
        1e-15,
        'weight',
      );
      close(objectSimilarity(attrs, tables, i, f), sims[r], 1e-15, `rank ${r} of item ${i}`);
    });
  }
});

/** ½ Σ_i Σ_{f∈N⁺(i)} S_if ‖V_i − V_f‖² over the directed lists. */
function couplingObjective(V: Float64Array, directed: Neighbourhoods, k: number): number {
  let sum = 0;
  for (let i = 0; i + 1 < directed.offsets.length; i++) {
    for (let p = directed.offsets[i]; p < directed.offsets[i + 1]; p++) {
      const f = directed.items[p];
      for (let c = 0; c < k; c++) sum += 0.5 * directed.weights[p] * (V[i * k + c] - V[f * k + c]) ** 2;
    }
  }
  return sum;
}

test('coupling gradient equals finite differences of the regulariser (directed lists, one pair both ways)', () => {
  const k = 3;
  const n = 5;
  const directed: Neighbourhoods = {
    offsets: Int32Array.of(0, 2, 3, 4, 4, 5),
    items: Int32Array.of(1, 2, 0, 4, 2),
    weights: Float64Array.of(0.5, 0.25, 0.8, 0.3, 0.6),
  };
  const rng = new Rng(4);
  const V = Float64Array.from({ length: n * k }, () => rng.normal());
  const grad = new Float64Array(n * k);
  couplingGradient(V, symmetricNeighbourhoods(directed, n), k, grad);
  const h = 1e-6;
  for (let x = 0; x < V.length; x++) {
    const old = V[x];
    V[x] = old + h;
    const up = couplingObjective(V, directed, k);
    V[x] = old - h;
    const down = couplingObjective(V, directed, k);
    V[x] = old;
    close(grad[x], (up - down) / (2 * h), 1e-6, `∂/∂V[${x}]`);
  }
});

test('one rating step is −γ times the gradient of ½ e² + λ/2 (‖U_u‖² + ‖V_i‖²)', () => {
  const k = 4;
  const rng = new Rng(9);
  const f: AcmfFactors = {
    factors: k,
    mean: 3.5,
    userFactors: Float64Array.from({ length: 2 * k }, () => rng.normal() * 0.5),
    itemFactors: Float64Array.from({ length: 3 * k }, () => rng.normal() * 0.5),
  };
  const [u, i, r, lr, l2] = [1, 2, 4, 0.05, 0.1];
  const term = (g: AcmfFactors): number => {
    let norms = 0;
    for (let c = 0; c < k; c++) norms += g.userFactors[u * k + c] ** 2 + g.itemFactors[i * k + c] ** 2;
    return 0.5 * (r - acmfScore(g, u, i)) ** 2 + 0.5 * l2 * norms;
  };
  const numeric = (table: Float64Array, at: number): number => {
    const old = table[at];
    const h = 1e-6;
    table[at] = old + h;
    const up = term(f);
    table[at] = old - h;
    const down = term(f);
    table[at] = old;
    return (up - down) / (2 * h);
  };
  const expectedU = Array.from(
    { length: k },
    (_, c) => f.userFactors[u * k + c] - lr * numeric(f.userFactors, u * k + c),
  );
  const expectedV = Array.from(
    { length: k },
    (_, c) => f.itemFactors[i * k + c] - lr * numeric(f.itemFactors, i * k + c),
  );
  const e = r - acmfScore(f, u, i);
  const squared = ratingStep(f, u, i, r, lr, l2);
  close(squared, e * e, 1e-12, 'returned e²');
  for (let c = 0; c < k; c++) {
    close(f.userFactors[u * k + c], expectedU[c], 1e-8, `U_u[${c}]`);
    close(f.itemFactors[i * k + c], expectedV[c], 1e-8, `V_i[${c}]`);
  }
});

test('the coupling regulariser draws neighbouring items together in a fit; same seed, same model', async () => {
  const dataset = generateSynthetic({ users: 60, items: 40, ratingsPerUser: 15, seed: 3 });
  const train = { dataset, indices: Int32Array.from(dataset.ratings.rating.keys()) };
  const spec = getModelSpec('acmf');
  const spread = async (coupling: number): Promise<number> => {
    const model = new Acmf(resolveConfig(spec, { factors: 4, epochs: 20, neighbours: 3, coupling }));
    await model.fit(train);
    const state = model.state();
    const V = state.arrays.itemFactors as Float64Array;
    const attributes = categoricalAttributes(dataset.itemFeatures);
    const directed = topNeighbours(attributes, 3, new Rng(1));
    return couplingObjective(V, directed, 4) / directed.items.length;
  };
  assert.ok(dataset.itemFeatures.fields.length > 0, 'the synthetic items have features');
  const free = await spread(0);
  const coupled = await spread(1);
  assert.ok(coupled < free / 2, `coupled spread ${coupled} vs uncoupled ${free}`);

  const again = async (): Promise<Float32Array> => {
    const model = new Acmf(resolveConfig(spec, { factors: 4, epochs: 5 }));
    await model.fit(train);
    return model.predict(Int32Array.of(0, 1, 2), Int32Array.of(3, 4, 5));
  };
  assert.deepEqual(await again(), await again());
});

/**
 * DeepWalk (Perozzi, Al-Rfou & Skiena, KDD 2014), the network representation learning AESR finds
 * semantic friends with: truncated uniform random walks from every node, `walksPerNode` passes in
 * a fresh random node order (Algorithm 1), fed to skip-gram. Skip-gram is trained with negative
 * sampling (Mikolov et al. 2013, noise ∝ walk frequency^0.75), as node2vec's reference code
 * does, instead of the paper's hierarchical softmax; the learning rate falls linearly to 0.01 % of
 * its start, as word2vec's does.
 */
import type { Rng } from '../../util/rng.js';
import type { Graph } from './attribute-graph.js';

export interface DeepWalkSettings {
  readonly dimensions: number;
  readonly walksPerNode: number;
  readonly walkLength: number;
  readonly window: number;
  readonly negatives: number;
  readonly learningRate: number;
}

/** Node vectors [nodes × dimensions] (skip-gram's input vectors). */
export function deepWalk(graph: Graph, s: DeepWalkSettings, rng: Rng): Float64Array {
  const n = graph.offsets.length - 1;
  const walks = randomWalks(graph, s, rng);
  const d = s.dimensions;
  const input = new Float64Array(n * d);
  for (let x = 0; x < input.length; x++) input[x] = (rng.next() - 0.5) / d;
  const output = new Float64Array(n * d);
  const noise = noiseSampler(walks, n, rng);
  const gradient = new Float64Array(d);

  const total = walks.length;
  for (let t = 0; t < total; t++) {
    const walkStart = t - (t % s.walkLength);
    const walkEnd = walkStart + s.walkLength;
    const lr = s.learningRate * Math.max(1e-4, 1 - t / total);
    const centre = walks[t];
    for (let c = Math.max(walkStart, t - s.window); c <= Math.min(walkEnd - 1, t + s.window); c++) {
      if (c === t) continue;
      gradient.fill(0);
      // One positive target (the context node) and `negatives` noise targets.
      for (let j = 0; j <= s.negatives; j++) {
        const target = j === 0 ? walks[c] : noise();
        if (j > 0 && target === walks[c]) continue;
        const label = j === 0 ? 1 : 0;
        let dot = 0;
        for (let f = 0; f < d; f++) dot += input[centre * d + f] * output[target * d + f];
        const g = lr * (label - 1 / (1 + Math.exp(-dot)));
        for (let f = 0; f < d; f++) {
          gradient[f] += g * output[target * d + f];
          output[target * d + f] += g * input[centre * d + f];
        }
      }
      for (let f = 0; f < d; f++) input[centre * d + f] += gradient[f];
    }
  }
  return input;
}

/**
 * `walksPerNode` passes; each pass starts one walk of `walkLength` nodes at every node, in a fresh
 * random order. A walk stuck at a node without neighbours repeats it. Walks are laid end to end.
 */
export function randomWalks(
  graph: Graph,
  s: Pick<DeepWalkSettings, 'walksPerNode' | 'walkLength'>,
  rng: Rng,
): Int32Array {
  const n = graph.offsets.length - 1;
  const walks = new Int32Array(n * s.walksPerNode * s.walkLength);
  let at = 0;
  for (let pass = 0; pass < s.walksPerNode; pass++) {
    for (const start of rng.permutation(n)) {
      let node = start;
      for (let step = 0; step < s.walkLength; step++) {
        walks[at++] = node;
        const from = graph.offsets[node];
        const degree = graph.offsets[node + 1] - from;
        if (degree > 0) node = graph.neighbours[from + rng.int(degree)];
      }
    }
  }
  return walks;
}

/** Draws nodes with probability ∝ (occurrences in the walks)^0.75. */
function noiseSampler(walks: Int32Array, n: number, rng: Rng): () => number {
  const counts = new Float64Array(n);
  for (const v of walks) counts[v]++;
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let v = 0; v < n; v++) {
    sum += Math.pow(counts[v], 0.75);
    cumulative[v] = sum;
  }
  return () => {
    const r = rng.next() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

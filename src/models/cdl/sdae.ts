/**
 * CDL's stacked denoising autoencoder over the items' content (Wang, Wang & Yeung, KDD 2015,
 * Sec. 3.2 and the MAP objective of Sec. 3.3): the clean content X_c,j* is corrupted into X_0,j*
 * (a fraction of the inputs masked to 0), encoded through one sigmoid hidden layer into the middle
 * layer X_{L/2}, whose value θ_j couples the item to its latent vector v_j, and decoded through
 * another sigmoid hidden layer back to X_L, a reconstruction of the clean content:
 *     h_1 = σ(W_1 x + b_1),  θ = W_2 h_1 + b_2,  h_3 = σ(W_3 θ + b_3),  x̂ = σ(W_4 h_3 + b_4).
 * The middle layer is linear (the authors' released code does the same), so that θ_j can reach
 * latent vectors of any sign and size. With U and V fixed, the SDAE minimises the terms of the
 * negative log posterior (the paper's ℒ) that hold its weights, per item
 *     λ_n/2 ‖x̂_j − X_c,j‖² + λ_v/2 ‖θ_j − v_j‖²,   plus λ_w/2 Σ_l (‖W_l‖² + ‖b_l‖²) once,
 * by back-propagation (Sec. 3.3, "learning W_l and b_l"), here with Adam steps on mini-batches.
 */
import type { Rng } from '../../util/rng.js';

/** The SDAE's weights; W_l is [out × in] row-major. */
export interface SdaeWeights {
  readonly inputs: number;
  readonly hidden: number;
  readonly code: number;
  /** W1, b1, W2, b2, W3, b3, W4, b4 in that order. */
  readonly tensors: Float64Array[];
}

export const SDAE_TENSOR_NAMES = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4'] as const;

/**
 * Glorot-uniform weights and zero biases, except W_2: it starts at zero, so that θ_j starts at 0
 * and the first v_j are the plain PMF solution. A random W_2 gives every θ_j a norm of several
 * units with no relation to the ratings, and λ_v then pulls v_j towards it (README.md has the
 * ml-100k runs).
 */
export function initSdae(rng: Rng, inputs: number, hidden: number, code: number): SdaeWeights {
  const layer = (out: number, inp: number): Float64Array => {
    const limit = Math.sqrt(6 / (out + inp));
    return Float64Array.from({ length: out * inp }, () => (2 * rng.next() - 1) * limit);
  };
  return {
    inputs,
    hidden,
    code,
    tensors: [
      layer(hidden, inputs),
      new Float64Array(hidden),
      new Float64Array(code * hidden),
      new Float64Array(code),
      layer(hidden, code),
      new Float64Array(hidden),
      layer(inputs, hidden),
      new Float64Array(inputs),
    ],
  };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** out = act(W in + b) for one example. */
function dense(
  W: Float64Array,
  b: Float64Array,
  input: Float64Array,
  out: Float64Array,
  squash: boolean,
): void {
  const nIn = input.length;
  for (let o = 0; o < out.length; o++) {
    let s = b[o];
    const row = o * nIn;
    for (let i = 0; i < nIn; i++) s += W[row + i] * input[i];
    out[o] = squash ? sigmoid(s) : s;
  }
}

/** The activations of one forward pass. */
export interface Activations {
  readonly h1: Float64Array;
  readonly theta: Float64Array;
  readonly h3: Float64Array;
  readonly output: Float64Array;
}

export function newActivations(w: SdaeWeights): Activations {
  return {
    h1: new Float64Array(w.hidden),
    theta: new Float64Array(w.code),
    h3: new Float64Array(w.hidden),
    output: new Float64Array(w.inputs),
  };
}

export function forward(w: SdaeWeights, input: Float64Array, a: Activations): void {
  const [W1, b1, W2, b2, W3, b3, W4, b4] = w.tensors;
  dense(W1, b1, input, a.h1, true);
  dense(W2, b2, a.h1, a.theta, false);
  dense(W3, b3, a.theta, a.h3, true);
  dense(W4, b4, a.h3, a.output, true);
}

/** θ_j = the encoder's output for every item's clean content ([items × code]). */
export function encodeAll(w: SdaeWeights, content: Float64Array, items: number): Float64Array {
  const theta = new Float64Array(items * w.code);
  const a = newActivations(w);
  for (let j = 0; j < items; j++) {
    forward(w, content.subarray(j * w.inputs, (j + 1) * w.inputs), a);
    theta.set(a.theta, j * w.code);
  }
  return theta;
}

export interface SdaeLoss {
  readonly lambdaN: number;
  /** 0 during pre-training, when there is no v_j yet. */
  readonly lambdaV: number;
}

/**
 * Adds the gradient of one item's loss λ_n/2 ‖x̂ − clean‖² + λ_v/2 ‖θ − target‖² (input: the
 * corrupted content) to `grads` (laid out as `w.tensors`); returns the loss.
 */
export function accumulateGradient(
  w: SdaeWeights,
  input: Float64Array,
  clean: Float64Array,
  target: Float64Array | undefined,
  loss: SdaeLoss,
  grads: Float64Array[],
  a: Activations,
): number {
  const { inputs, hidden, code } = w;
  const [, , W2, , W3, , W4] = w.tensors;
  const [gW1, gb1, gW2, gb2, gW3, gb3, gW4, gb4] = grads;
  forward(w, input, a);
  let value = 0;
  const d4 = new Float64Array(inputs);
  for (let o = 0; o < inputs; o++) {
    const diff = a.output[o] - clean[o];
    value += 0.5 * loss.lambdaN * diff * diff;
    d4[o] = loss.lambdaN * diff * a.output[o] * (1 - a.output[o]);
  }
  const d3 = new Float64Array(hidden);
  for (let o = 0; o < inputs; o++) {
    gb4[o] += d4[o];
    for (let h = 0; h < hidden; h++) {
      gW4[o * hidden + h] += d4[o] * a.h3[h];
      d3[h] += W4[o * hidden + h] * d4[o];
    }
  }
  for (let h = 0; h < hidden; h++) d3[h] *= a.h3[h] * (1 - a.h3[h]);
  const dTheta = new Float64Array(code);
  if (target && loss.lambdaV > 0) {
    for (let c = 0; c < code; c++) {
      const diff = a.theta[c] - target[c];
      value += 0.5 * loss.lambdaV * diff * diff;
      dTheta[c] = loss.lambdaV * diff;
    }
  }
  for (let h = 0; h < hidden; h++) {
    gb3[h] += d3[h];
    for (let c = 0; c < code; c++) {
      gW3[h * code + c] += d3[h] * a.theta[c];
      dTheta[c] += W3[h * code + c] * d3[h];
    }
  }
  const d1 = new Float64Array(hidden);
  for (let c = 0; c < code; c++) {
    gb2[c] += dTheta[c];
    for (let h = 0; h < hidden; h++) {
      gW2[c * hidden + h] += dTheta[c] * a.h1[h];
      d1[h] += W2[c * hidden + h] * dTheta[c];
    }
  }
  for (let h = 0; h < hidden; h++) {
    d1[h] *= a.h1[h] * (1 - a.h1[h]);
    gb1[h] += d1[h];
    for (let i = 0; i < inputs; i++) gW1[h * inputs + i] += d1[h] * input[i];
  }
  return value;
}

/** Adam (Kingma & Ba 2015) over the SDAE's tensors. */
export class SdaeOptimizer {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;

  constructor(
    w: SdaeWeights,
    private readonly learningRate: number,
  ) {
    this.m = w.tensors.map((x) => new Float64Array(x.length));
    this.v = w.tensors.map((x) => new Float64Array(x.length));
  }

  step(w: SdaeWeights, grads: Float64Array[]): void {
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const scale = (this.learningRate * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    w.tensors.forEach((x, l) => {
      const g = grads[l];
      const m = this.m[l];
      const v = this.v[l];
      for (let p = 0; p < x.length; p++) {
        m[p] = b1 * m[p] + (1 - b1) * g[p];
        v[p] = b2 * v[p] + (1 - b2) * g[p] * g[p];
        x[p] -= (scale * m[p]) / (Math.sqrt(v[p]) + 1e-8);
      }
    });
  }
}

/**
 * One pass over the items in a random order: masking noise, the gradient of each mini-batch
 * (with its share batch/items of the λ_w term), one Adam step. `targets` are the v_j ([items ×
 * code]) or undefined during pre-training. Returns the pass's loss without the λ_w term.
 */
export function sdaePass(
  w: SdaeWeights,
  optimizer: SdaeOptimizer,
  content: Float64Array,
  items: number,
  targets: Float64Array | undefined,
  settings: SdaeLoss & { readonly lambdaW: number; readonly noise: number; readonly batchSize: number },
  rng: Rng,
): number {
  const { inputs, code } = w;
  const order = Int32Array.from({ length: items }, (_, j) => j);
  for (let t = items - 1; t > 0; t--) {
    const s = rng.int(t + 1);
    [order[t], order[s]] = [order[s], order[t]];
  }
  const grads = w.tensors.map((x) => new Float64Array(x.length));
  const corrupted = new Float64Array(inputs);
  const a = newActivations(w);
  let total = 0;
  for (let start = 0; start < items; start += settings.batchSize) {
    const end = Math.min(items, start + settings.batchSize);
    for (const g of grads) g.fill(0);
    for (let b = start; b < end; b++) {
      const j = order[b];
      const clean = content.subarray(j * inputs, (j + 1) * inputs);
      for (let i = 0; i < inputs; i++) corrupted[i] = rng.next() < settings.noise ? 0 : clean[i];
      const target = targets?.subarray(j * code, (j + 1) * code);
      total += accumulateGradient(w, corrupted, clean, target, settings, grads, a);
    }
    const share = (settings.lambdaW * (end - start)) / items;
    w.tensors.forEach((x, l) => {
      for (let p = 0; p < x.length; p++) grads[l][p] += share * x[p];
    });
    optimizer.step(w, grads);
  }
  return total;
}

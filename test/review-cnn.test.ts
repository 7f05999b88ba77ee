/**
 * The review CNN's fused convolution + max-pooling (src/engine/layers/review-cnn.ts) against the
 * stock tf.conv1d ('same' padding) + ReLU + max over time on the cpu backend: values and the
 * gradients with respect to the word vectors, the kernel and the bias; and the WebAssembly kernel
 * against its JavaScript twin.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initEngine } from '../src/engine/backend.js';
import { convMaxWasm } from '../src/engine/layers/conv-max-kernel.js';
import { convMaxJs, convMaxPool, type ReviewTokens } from '../src/engine/layers/review-cnn.js';
import { normal } from '../test-helpers/gradcheck.js';
import { Rng } from '../src/util/rng.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

/** Reviews of random lengths (some empty, some full) over `words` local words. */
function randomTokens(R: number, L: number, words: number, seed: number): ReviewTokens {
  const rng = new Rng(seed);
  const tokens = new Int32Array(R * L).fill(-1);
  for (let r = 0; r < R; r++) {
    const len = r === 0 ? 0 : r === 1 ? L : rng.int(L + 1);
    for (let t = 0; t < len; t++) tokens[r * L + t] = rng.int(words);
  }
  return { words: new Int32Array(words), tokens, reviews: R, length: L };
}

/**
 * Reference: documents as [R, L, d] (padding = zero vectors) through tf.conv1d. Windows of padding
 * only tie (each is ReLU(bias)); tf.max's gradient then counts every tied window, a subgradient
 * summing to more than 1. `tieBreak` subtracts a tiny, growing offset per position so the first of
 * the tied windows wins, as the fused kernel does; use it for gradients, not values.
 */
function reference(
  E: tf.Tensor2D,
  W: tf.Tensor2D,
  b: tf.Tensor1D,
  input: ReviewTokens,
  K: number,
  tieBreak = false,
): tf.Tensor2D {
  const [, d] = E.shape;
  const F = b.shape[0];
  const padded = tf.concat([E, tf.zeros([1, d])], 0);
  const index = Int32Array.from(input.tokens, (w) => (w < 0 ? E.shape[0] : w));
  const docs = tf.reshape(tf.gather(padded, tf.tensor1d(index, 'int32')), [input.reviews, input.length, d]);
  // W [d, K·F] → filter [K, d, F]
  const filter = tf.transpose(tf.reshape(W, [d, K, F]), [1, 0, 2]) as tf.Tensor3D;
  let conv: tf.Tensor = tf.conv1d(docs as tf.Tensor3D, filter, 1, 'same');
  if (tieBreak) conv = tf.sub(conv, tf.reshape(tf.mul(tf.range(0, input.length), 1e-4), [1, -1, 1]));
  return tf.max(tf.relu(tf.add(conv, b)), 1) as tf.Tensor2D;
}

function fused(E: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D, input: ReviewTokens, K: number): tf.Tensor2D {
  return convMaxPool(tf.matMul(E, W), b, input, K);
}

for (const { K, F } of [
  { K: 3, F: 8 },
  { K: 3, F: 5 },
  { K: 2, F: 4 },
  { K: 5, F: 4 },
]) {
  test(`convMaxPool equals conv1d + ReLU + max over time, values and gradients (K=${K}, F=${F})`, async () => {
    await tf.setBackend('cpu');
    try {
      const nW = 7;
      const d = 6;
      const R = 6;
      const L = 9;
      const input = randomTokens(R, L, nW, 11 + K + F);
      const E = tf.tensor2d(normal(nW * d, 1), [nW, d]);
      const W = tf.tensor2d(normal(d * K * F, 2, 0.5), [d, K * F]);
      const b = tf.tensor1d(normal(F, 3, 0.3));
      const weights = tf.tensor2d(normal(R * F, 4), [R, F]);
      const loss = (f: typeof fused) => (e: tf.Tensor, w: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(f(e as tf.Tensor2D, w as tf.Tensor2D, bb as tf.Tensor1D, input, K), weights));
      const mine = fused(E, W, b, input, K).dataSync();
      const ref = reference(E, W, b, input, K).dataSync();
      assert.equal(mine.length, ref.length);
      for (let i = 0; i < ref.length; i++)
        assert.ok(Math.abs(mine[i] - ref[i]) < 1e-5, `value ${i}: ${mine[i]} vs ${ref[i]}`);
      const g1 = tf
        .grads(loss(fused))([E, W, b])
        .map((t) => t.dataSync());
      const tieBroken: typeof fused = (e, w, bb, inp, k) => reference(e, w, bb, inp, k, true);
      const g2 = tf
        .grads(loss(tieBroken))([E, W, b])
        .map((t) => t.dataSync());
      ['word vectors', 'kernel', 'bias'].forEach((what, k) => {
        for (let i = 0; i < g2[k].length; i++)
          assert.ok(
            Math.abs(g1[k][i] - g2[k][i]) < 1e-4,
            `${what} gradient ${i}: ${g1[k][i]} vs ${g2[k][i]}`,
          );
      });
      // Not vacuous: the gradients reach the word vectors and kernel.
      assert.ok(g2[0].some((v) => v !== 0) && g2[1].some((v) => v !== 0));
    } finally {
      await tf.setBackend('wasm');
    }
  });
}

test('the WebAssembly conv-max kernel gives exactly what the JavaScript one gives', () => {
  const K = 3;
  const F = 12;
  const nW = 40;
  const R = 30;
  const L = 25;
  const input = randomTokens(R, L, nW, 5);
  const P = normal(nW * K * F, 6);
  const js = convMaxJs(P, input.tokens, R, L, K, F, 1);
  const wasm = convMaxWasm(P, input.tokens, R, L, K, F, 1);
  assert.deepEqual(Array.from(wasm.arg), Array.from(js.arg));
  assert.deepEqual(Array.from(wasm.best), Array.from(js.best));
  assert.ok(js.arg.some((a) => a === -1) && js.arg.some((a) => a > 0));
});

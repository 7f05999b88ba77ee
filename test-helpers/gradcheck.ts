/**
 * Fixtures of the finite-difference gradient tests (engine layers, SAIN, AANMF, AFM-GAU): seeded
 * inputs, a random projection that turns any output into a scalar loss, and the pass check.
 *
 * Not a test file: it lives outside test/ because `node --test dist/test/` runs every .js file
 * under a directory named `test` (Node 20), helpers included.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import type { GradCheckInput, GradCheckResult } from '../src/engine/gradcheck.js';
import { Rng } from '../src/util/rng.js';

/** `n` seeded standard normal values times `scale`. */
export function normal(n: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

/** A gradCheck input of the given shape filled with `normal(size, seed, scale)`. */
export function input(
  name: string,
  shape: number[],
  seed: number,
  scale = 1,
): GradCheckInput & { shape: number[] } {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, value: normal(n, seed, scale) };
}

/** A fixed random projection makes the loss sensitive to every output value. */
export function project(y: tf.Tensor, seed: number): tf.Scalar {
  return tf.sum(tf.mul(y, tf.tensor(normal(y.size, seed), y.shape)));
}

/** No coordinate differs from finite differences, and at least `minChecked` were checked. */
export function assertPasses(result: GradCheckResult, what: string, minChecked = 10): void {
  assert.deepEqual(result.mismatches, [], `${what}: gradients differ from finite differences`);
  assert.ok(
    result.checked >= minChecked,
    `${what}: only ${result.checked} coordinates checked (${result.skipped} skipped)`,
  );
}

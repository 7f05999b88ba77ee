/**
 * Makes sure tfjs-core's gradient functions are registered.
 *
 * `@tensorflow/tfjs-core` alone (what Heed depends on) registers no gradients in its Node bundle;
 * the umbrella `@tensorflow/tfjs` package does, by importing `register_all_gradients`. When
 * `@tensorflow/tfjs-node` is present it brings the umbrella package and nothing is needed here.
 * Otherwise the official gradient definitions are loaded from tfjs-core's ES-module sources with
 * the small loader hooks of `tfjs-core-esm-hooks.ts` (about one second, once per process).
 */
import * as tf from '@tensorflow/tfjs-core';
import { register } from 'node:module';
import { HeedError } from '../util/errors.js';

let loading: Promise<void> | undefined;

/** True once autodiff can differentiate the ops Heed uses. */
export function gradientsRegistered(): boolean {
  return tf.getGradient(tf.Sum) !== undefined && tf.getGradient(tf.GatherV2) !== undefined;
}

export function ensureGradients(): Promise<void> {
  if (gradientsRegistered()) return Promise.resolve();
  loading ??= load();
  return loading;
}

async function load(): Promise<void> {
  if (typeof register !== 'function') {
    throw new HeedError(
      `Node ${process.versions.node} cannot load tfjs-core's gradients (module.register needs Node >= 20.6); upgrade Node`,
    );
  }
  register(new URL('./tfjs-core-esm-hooks.js', import.meta.url));
  // A variable specifier keeps TypeScript from resolving a file it has no types for.
  const specifier = '@tensorflow/tfjs-core/dist/register_all_gradients.js';
  await import(specifier);
  if (!gradientsRegistered()) {
    throw new HeedError(
      `loading ${specifier} registered no gradients; is @tensorflow/tfjs-core 4.x installed?`,
    );
  }
}

/**
 * Checks autodiff gradients against central finite differences, for the engine's layers and for
 * any model's loss (every neural model should have one such test).
 *
 * The loss `f` is built from tensors made of `inputs` (dense values) and from lookups in `tables`
 * (through the step context, so the row-sparse path is checked too). Gradients are compared on a
 * seeded sample of coordinates: |analytic − numeric| ≤ atol + rtol·|numeric|. The defaults suit
 * float32 arithmetic (eps 1e-2 keeps the rounding error of the differences near 1e-4 for losses
 * of order 1-10).
 *
 * Losses with a discrete choice inside (a top-K mask) are only differentiable away from the points
 * where the choice changes; `regime` returns a fingerprint of the choice after each evaluation,
 * and coordinates whose perturbation changes it are skipped.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng.js';
import type { TableParam } from './params.js';
import { StepContext } from './step.js';

export interface GradCheckInput {
  readonly name: string;
  readonly value: Float32Array;
  readonly shape: readonly number[];
}

export interface GradCheckOptions {
  readonly tables?: readonly TableParam[];
  readonly eps?: number;
  readonly atol?: number;
  readonly rtol?: number;
  /** Coordinates checked per input or table (all when smaller). */
  readonly samples?: number;
  readonly seed?: number;
  readonly regime?: () => string;
}

export interface GradCheckMismatch {
  readonly name: string;
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
}

export interface GradCheckResult {
  readonly checked: number;
  readonly skipped: number;
  /** The largest |analytic − numeric| / (atol + rtol·|numeric|) seen (≤ 1 passes). */
  readonly worstRatio: number;
  readonly mismatches: readonly GradCheckMismatch[];
}

type Loss = (xs: tf.Tensor[], ctx: StepContext) => tf.Scalar;

export function gradCheck(
  f: Loss,
  inputs: readonly GradCheckInput[],
  options: GradCheckOptions = {},
): GradCheckResult {
  const eps = options.eps ?? 1e-2;
  const atol = options.atol ?? 2e-3;
  const rtol = options.rtol ?? 2e-2;
  const samples = options.samples ?? 12;
  const seed = options.seed ?? 1;
  const tables = options.tables ?? [];
  const ctxRngSeed = seed + 7;

  const evaluate = (): number =>
    tf.tidy(() => {
      const xs = inputs.map((x) => tf.tensor(x.value, x.shape.slice()));
      return (f(xs, new StepContext(true, new Rng(ctxRngSeed))).dataSync() as Float32Array)[0];
    });

  // Analytic gradients: dense inputs, then table rows scattered back into whole-table arrays.
  const analytic: Float32Array[] = [];
  tf.tidy(() => {
    const xs = inputs.map((x) => tf.tensor(x.value, x.shape.slice()));
    const targets: tf.Tensor[] = xs.length > 0 ? [...xs] : [tf.scalar(0)];
    const offset = xs.length > 0 ? 0 : 1;
    const ctx = new StepContext(true, new Rng(ctxRngSeed), targets);
    const { grads } = tf.engine().gradients(() => f(xs, ctx), targets, undefined, true);
    inputs.forEach((x, i) => {
      const g = grads[i] as tf.Tensor | null | undefined;
      analytic.push(g == null ? new Float32Array(x.value.length) : (g.dataSync() as Float32Array).slice());
    });
    const tableGrads = tables.map((t) => new Float32Array(t.value.length));
    ctx.lookups.forEach((l, j) => {
      const g = grads[offset + inputs.length + j] as tf.Tensor | null | undefined;
      if (g == null) return;
      const gv = g.dataSync() as Float32Array;
      const ti = tables.indexOf(l.table);
      if (ti < 0) return;
      const d = l.table.dim;
      for (let k = 0; k < l.ids.length; k++)
        for (let c = 0; c < d; c++) tableGrads[ti][l.ids[k] * d + c] += gv[k * d + c];
    });
    analytic.push(...tableGrads);
  });

  const baseline = options.regime === undefined ? undefined : (evaluate(), options.regime());
  const rng = new Rng(seed);
  const mismatches: GradCheckMismatch[] = [];
  let checked = 0;
  let skipped = 0;
  let worstRatio = 0;
  const targets: Array<{ name: string; value: Float32Array }> = [
    ...inputs.map((x) => ({ name: x.name, value: x.value })),
    ...tables.map((t) => ({ name: t.name, value: t.value })),
  ];
  targets.forEach((target, ti) => {
    const n = target.value.length;
    const picks =
      n <= samples
        ? Array.from({ length: n }, (_, i) => i)
        : Array.from({ length: samples }, () => rng.int(n));
    for (const i of picks) {
      const original = target.value[i];
      target.value[i] = original + eps;
      const up = evaluate();
      const upRegime = options.regime?.();
      target.value[i] = original - eps;
      const down = evaluate();
      const downRegime = options.regime?.();
      target.value[i] = original;
      if (baseline !== undefined && (upRegime !== baseline || downRegime !== baseline)) {
        skipped++;
        continue;
      }
      const numeric = (up - down) / (2 * eps);
      const a = analytic[ti][i];
      const ratio = Math.abs(a - numeric) / (atol + rtol * Math.abs(numeric));
      worstRatio = Math.max(worstRatio, ratio);
      if (ratio > 1) mismatches.push({ name: target.name, index: i, analytic: a, numeric });
      checked++;
    }
  });
  return { checked, skipped, worstRatio, mismatches };
}

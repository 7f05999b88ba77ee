/**
 * The kernels Heed adds to tfjs-backend-wasm, each checked against the pure-JS cpu backend (the
 * reference implementation) on random inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { engineInfo, initEngine } from '../src/engine/backend.js';
import {
  fastBatchMatMulEnabled,
  setConv2DFilterChunkFloats,
  useFastBatchMatMul,
  useReplacedKernels,
} from '../src/engine/kernels/index.js';
import { Rng } from '../src/util/rng.js';

before(async () => {
  await initEngine({ backend: 'wasm' });
});

function randn(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Runs `f` on a backend and copies its outputs out. */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(() => {
    const r = f();
    return (Array.isArray(r) ? r : [r]).map((t) => Float32Array.from(t.dataSync()));
  });
  await tf.setBackend('wasm');
  return out;
}

function assertClose(actual: Float32Array, expected: Float32Array, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  assert.ok(worst <= tol, `${what}: max relative difference ${worst} > ${tol}`);
}

async function sameOnBoth(f: () => tf.Tensor | tf.Tensor[], tol: number, what: string): Promise<void> {
  const wasm = await on('wasm', f);
  const cpu = await on('cpu', f);
  wasm.forEach((w, i) => assertClose(w, cpu[i], tol, `${what} [output ${i}]`));
}

test('engine reports the wasm backend with SIMD on one thread', () => {
  const info = engineInfo();
  assert.equal(info.backend, 'wasm');
  assert.equal(info.simd, true);
  assert.equal(info.threads, 1);
  assert.ok(tf.getKernel('UnsortedSegmentSum', 'wasm') !== undefined);
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined);
});

test('UnsortedSegmentSum on wasm matches cpu (float32 and int32, ids out of range dropped)', async () => {
  const x = randn(20 * 3 * 4, 1);
  const rng = new Rng(2);
  const ids = Int32Array.from({ length: 20 }, () => rng.int(9) - 1); // -1..7, numSegments 6
  await sameOnBoth(
    () => tf.unsortedSegmentSum(tf.tensor3d(x, [20, 3, 4]), tf.tensor1d(ids, 'int32'), 6),
    1e-6,
    'float32',
  );
  const xi = Int32Array.from({ length: 20 * 2 }, () => rng.int(100) - 50);
  const [w] = await on('wasm', () =>
    tf.unsortedSegmentSum(tf.tensor2d(xi, [20, 2], 'int32'), tf.tensor1d(ids, 'int32'), 6),
  );
  const [c] = await on('cpu', () =>
    tf.unsortedSegmentSum(tf.tensor2d(xi, [20, 2], 'int32'), tf.tensor1d(ids, 'int32'), 6),
  );
  assert.deepEqual(Array.from(w), Array.from(c));
  // Hand check of one segment.
  let expect = 0;
  for (let i = 0; i < 20; i++) if (ids[i] === 3) expect += xi[i * 2 + 1];
  assert.equal(w[3 * 2 + 1], expect);
});

test('gradient of gather (every embedding lookup) on wasm matches cpu, axis 0 and 1, repeated indices', async () => {
  const x = randn(10 * 5, 3);
  const r = randn(7 * 5, 4);
  const idx = new Int32Array([0, 3, 3, 9, 1, 3, 0]);
  const g0 = (): tf.Tensor =>
    tf.grad((t: tf.Tensor) =>
      tf.sum(tf.mul(tf.gather(t, tf.tensor1d(idx, 'int32')), tf.tensor2d(r, [7, 5]))),
    )(tf.tensor2d(x, [10, 5]));
  await sameOnBoth(g0, 1e-6, 'axis 0');
  const idx1 = new Int32Array([4, 0, 4]);
  const r1 = randn(10 * 3, 5);
  const g1 = (): tf.Tensor =>
    tf.grad((t: tf.Tensor) =>
      tf.sum(tf.mul(tf.gather(t, tf.tensor1d(idx1, 'int32'), 1), tf.tensor2d(r1, [10, 3]))),
    )(tf.tensor2d(x, [10, 5]));
  await sameOnBoth(g1, 1e-6, 'axis 1');
  // Row 3 was gathered three times: its gradient is the sum of three rows of r.
  const [w] = await on('wasm', g0);
  for (let c = 0; c < 5; c++)
    assert.ok(Math.abs(w[3 * 5 + c] - (r[1 * 5 + c] + r[2 * 5 + c] + r[5 * 5 + c])) < 1e-5);
  for (let c = 0; c < 5; c++) assert.equal(w[2 * 5 + c], 0);
});

const convCases: Array<{
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
}> = [
  { name: '3x3 same stride 1', x: [2, 6, 5, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { name: '3x3 valid stride 2', x: [3, 7, 7, 2], f: [3, 3, 2, 5], stride: 2, pad: 'valid' },
  { name: '2x4 same stride 2', x: [1, 5, 8, 2], f: [2, 4, 2, 3], stride: 2, pad: 'same' },
  { name: 'text-CNN shape (1 x width filter)', x: [4, 9, 6, 1], f: [3, 6, 1, 4], stride: 1, pad: 'valid' },
];

for (const c of convCases) {
  test(`conv2d gradients on wasm match cpu: ${c.name}`, async () => {
    const xs = randn(
      c.x.reduce((a, b) => a * b, 1),
      6,
    );
    const fs = randn(
      c.f.reduce((a, b) => a * b, 1),
      7,
    );
    const grads = (): tf.Tensor[] => {
      const x = tf.tensor4d(xs, c.x);
      const f = tf.tensor4d(fs, c.f);
      const loss = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => {
        const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
        return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
      };
      return tf.grads(loss)([x, f]);
    };
    await sameOnBoth(grads, 1e-4, c.name);
  });
}

test('Conv2DBackpropFilter gives the same result when split into chunks', async () => {
  const xs = randn(3 * 8 * 8 * 2, 8);
  const dys = randn(3 * 8 * 8 * 4, 9);
  const f = (): tf.Tensor =>
    tf
      .engine()
      .runKernel(
        'Conv2DBackpropFilter',
        { x: tf.tensor4d(xs, [3, 8, 8, 2]), dy: tf.tensor4d(dys, [3, 8, 8, 4]) },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 4] },
      ) as tf.Tensor;
  const [whole] = await on('wasm', f);
  const old = setConv2DFilterChunkFloats(18 * 10); // 10 output positions per chunk
  try {
    const [chunked] = await on('wasm', f);
    assertClose(chunked, whole, 1e-5, 'chunked');
  } finally {
    setConv2DFilterChunkFloats(old);
  }
  const [cpu] = await on('cpu', f);
  assertClose(whole, cpu, 1e-4, 'vs cpu');
});

test('conv1d gradients (text CNN) on wasm match cpu', async () => {
  const xs = randn(4 * 12 * 8, 10);
  const fs = randn(3 * 8 * 5, 11);
  await sameOnBoth(
    () =>
      tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.square(tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'same'))),
      )([tf.tensor3d(xs, [4, 12, 8]), tf.tensor3d(fs, [3, 8, 5])]),
    1e-4,
    'conv1d',
  );
});

test('fast BatchMatMul matches cpu for every transpose combination, 2-D and batched', async () => {
  assert.equal(fastBatchMatMulEnabled(), true);
  const shapes: Array<{ a: number[]; b: number[] }> = [
    { a: [7, 5], b: [5, 3] },
    { a: [4, 7, 5], b: [5, 3] }, // a batched, b shared: folded into rows
    { a: [4, 7, 5], b: [4, 5, 3] }, // both batched: stock kernel
    { a: [1, 7, 5], b: [1, 5, 3] },
  ];
  for (const s of shapes) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        if (ta && s.a.length === 3 && s.a[0] > 1 && s.b.length === 2) continue; // tfjs cannot broadcast that either
        const swap = (shape: number[], t: boolean): number[] =>
          t ? [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]] : shape;
        const aShape = swap(s.a, ta);
        const bShape = swap(s.b, tb);
        const av = randn(
          aShape.reduce((x, y) => x * y, 1),
          12,
        );
        const bv = randn(
          bShape.reduce((x, y) => x * y, 1),
          13,
        );
        await sameOnBoth(
          () => tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), ta, tb),
          1e-5,
          `a [${aShape}] b [${bShape}] tA=${ta} tB=${tb}`,
        );
      }
    }
  }
});

test('fast and stock BatchMatMul give the same gradients of a two-layer network', async () => {
  const x = randn(32 * 6 * 8, 14);
  const w1 = randn(8 * 16, 15);
  const w2 = randn(16 * 4, 16);
  const grads = (): tf.Tensor[] =>
    tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      const h = tf.relu(tf.matMul(tf.reshape(a, [-1, 8]) as tf.Tensor2D, b as tf.Tensor2D));
      const y = tf.reshape(tf.matMul(h, c as tf.Tensor2D), [32, 6, 4]);
      const s = tf.matMul(y, y, false, true); // batched, transposed
      return tf.sum(tf.tanh(s));
    })([tf.tensor3d(x, [32, 6, 8]), tf.tensor2d(w1, [8, 16]), tf.tensor2d(w2, [16, 4])]);
  const fast = await on('wasm', grads);
  useFastBatchMatMul(false);
  try {
    const stock = await on('wasm', grads);
    fast.forEach((g, i) => assertClose(g, stock[i], 3e-4, `gradient ${i}`));
  } finally {
    useFastBatchMatMul(true);
  }
  const cpu = await on('cpu', grads);
  fast.forEach((g, i) => assertClose(g, cpu[i], 3e-4, `gradient ${i} vs cpu`));
});

test('JS Slice and SplitV on wasm match cpu for ranks 1-4', async () => {
  const cases: Array<{ shape: number[]; begin: number[]; size: number[]; axis: number; splits: number[] }> = [
    { shape: [9], begin: [2], size: [5], axis: 0, splits: [2, 3, 4] },
    { shape: [6, 7], begin: [1, 2], size: [4, 5], axis: 1, splits: [3, 4] },
    { shape: [3, 5, 4], begin: [1, 0, 1], size: [2, 5, 2], axis: 2, splits: [1, 3] },
    { shape: [2, 3, 4, 5], begin: [0, 1, 2, 1], size: [2, 2, 2, 3], axis: 1, splits: [1, 1, 1] },
  ];
  for (const c of cases) {
    const v = randn(
      c.shape.reduce((a, b) => a * b, 1),
      20,
    );
    await sameOnBoth(() => tf.slice(tf.tensor(v, c.shape), c.begin, c.size), 0, `slice [${c.shape}]`);
    await sameOnBoth(
      () => tf.split(tf.tensor(v, c.shape), c.splits, c.axis),
      0,
      `split [${c.shape}] axis ${c.axis}`,
    );
  }
  const ints = Int32Array.from({ length: 12 }, (_, i) => i * 7 - 30);
  const [w] = await on('wasm', () => tf.slice(tf.tensor2d(ints, [3, 4], 'int32'), [1, 1], [2, 2]));
  assert.deepEqual(Array.from(w), [ints[5], ints[6], ints[9], ints[10]]);
});

test('JS GatherV2 on wasm matches cpu on axis 0 (rows) and falls back on other axes', async () => {
  const v = randn(8 * 3 * 2, 21);
  const idx = new Int32Array([7, 0, 0, 3]);
  await sameOnBoth(() => tf.gather(tf.tensor3d(v, [8, 3, 2]), tf.tensor1d(idx, 'int32')), 0, 'axis 0');
  await sameOnBoth(
    () => tf.gather(tf.tensor3d(v, [8, 3, 2]), tf.tensor2d(new Int32Array([2, 1, 0, 2]), [2, 2], 'int32'), 1),
    0,
    'axis 1',
  );
  await tf.setBackend('wasm');
  assert.throws(
    () => tf.gather(tf.tensor2d(v.subarray(0, 6), [3, 2]), tf.tensor1d([3], 'int32')),
    /index value 3 is not in \[0, 2\]/,
  );
});

test('shared Identity: a clone outlives its source and keeps its values', async () => {
  await tf.setBackend('wasm');
  const a = tf.tensor1d([1, 2, 3]);
  const b = tf.clone(a);
  a.dispose();
  assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
  b.dispose();
  // Cast to the same dtype shares too; casts that change the dtype still convert.
  const f = tf.tensor1d([1.5, -2.25]);
  const same = tf.cast(f, 'float32');
  f.dispose();
  assert.deepEqual(Array.from(same.dataSync()), [1.5, -2.25]);
  assert.deepEqual(Array.from(tf.cast(same, 'int32').dataSync()), [1, -2]);
  assert.deepEqual(Array.from(tf.cast(tf.tensor1d([3, 0], 'int32'), 'bool').dataSync()), [1, 0]);
});

test('no tensors leak from the kernels', async () => {
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const x = randn(6 * 4, 17);
  tf.tidy(() => {
    tf.grads((t: tf.Tensor) => tf.sum(tf.matMul(t as tf.Tensor2D, t as tf.Tensor2D, true, false)))([
      tf.tensor2d(x, [6, 4]),
    ]);
    tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([1, 1, 2], 'int32'))))(tf.tensor2d(x, [6, 4]));
  });
  assert.equal(tf.memory().numTensors, before);
});

test('kernel switches restore the stock kernels and back', async () => {
  const ours = tf.getKernel('SplitV', 'wasm')?.kernelFunc;
  useReplacedKernels(false);
  assert.notEqual(tf.getKernel('SplitV', 'wasm')?.kernelFunc, ours);
  assert.ok(tf.getKernel('UnsortedSegmentSum', 'wasm') !== undefined, 'missing kernels stay');
  const [stockSplit] = await on('wasm', () => tf.split(tf.tensor2d([1, 2, 3, 4], [2, 2]), 2, 1)[1]);
  useReplacedKernels(true);
  assert.equal(tf.getKernel('SplitV', 'wasm')?.kernelFunc, ours);
  assert.deepEqual(Array.from(stockSplit), [2, 4]);
});

test('initEngine: unknown backends and an absent tfjs-node are usage errors; wasm keeps running', async (t) => {
  await assert.rejects(
    initEngine({ backend: 'gpu' as never }),
    /backend must be one of auto, tfjs-node, wasm, cpu/,
  );
  try {
    const specifier: string = '@tensorflow/tfjs-node';
    await import(specifier);
    t.skip('@tensorflow/tfjs-node is installed here');
    return;
  } catch {
    // expected: not installed
  }
  await assert.rejects(initEngine({ backend: 'tfjs-node' }), /npm install @tensorflow\/tfjs-node/);
  assert.equal(engineInfo().backend, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
});

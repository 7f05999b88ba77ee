import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../src/util/rng.js';

test('Rng: same seed, same stream; different seed, different stream', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const sa = Array.from({ length: 5 }, () => a.nextUint32());
  const sb = Array.from({ length: 5 }, () => b.nextUint32());
  const sc = Array.from({ length: 5 }, () => c.nextUint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('Rng: uniform, normal and gamma draws have the right moments', () => {
  const rng = new Rng(7);
  const n = 200_000;
  let su = 0;
  let sn = 0;
  let sn2 = 0;
  let sg = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1);
    su += u;
    const z = rng.normal();
    sn += z;
    sn2 += z * z;
    sg += rng.gamma(2.5);
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.005);
  assert.ok(Math.abs(sn / n) < 0.01);
  assert.ok(Math.abs(sn2 / n - 1) < 0.01);
  assert.ok(Math.abs(sg / n - 2.5) < 0.02); // mean of Gamma(k, 1) is k
});

test('Rng.permutation is a permutation', () => {
  const p = new Rng(1).permutation(1000);
  const sorted = Array.from(p).sort((x, y) => x - y);
  assert.deepEqual(
    sorted,
    Array.from({ length: 1000 }, (_, i) => i),
  );
});

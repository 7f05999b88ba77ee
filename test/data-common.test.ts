import assert from 'node:assert/strict';
import { test } from 'node:test';
import { denseIntegerIds, findDuplicatePair, inFile, PairIndex } from '../src/data/loaders/common.js';
import { parseDelimitedNumbers } from '../src/data/loaders/delimited.js';

test('parseDelimitedNumbers: integers, decimals, signs, CRLF, blank lines, optional trailing field', () => {
  const text = '1::2::3.5::100\r\n\r\n  \n-4::+5::2e1\n7::8::0.25::9\n';
  const t = parseDelimitedNumbers(Buffer.from(text), {
    file: 'r.dat',
    separator: '::',
    fields: ['user', 'item', 'rating', 'time'],
    optionalTrailing: 1,
    lineOffset: 10,
  });
  assert.equal(t.rows, 3);
  assert.deepEqual([...t.columns[0]], [1, -4, 7]);
  assert.deepEqual([...t.columns[1]], [2, 5, 8]);
  assert.deepEqual([...t.columns[2]], [3.5, 20, 0.25]);
  assert.deepEqual([...t.columns[3]], [100, NaN, 9]);
  assert.deepEqual([...t.lines], [11, 14, 15]);
});

test('parseDelimitedNumbers: errors name file:line, the field and what is there', () => {
  const spec = { file: 'u.data', separator: '\t', fields: ['user', 'item', 'rating'] };
  const parse = (text: string): unknown => parseDelimitedNumbers(Buffer.from(text), spec);
  assert.throws(
    () => parse('1\t2\t3\n1\t2\n'),
    /^DataError: u\.data:2: field "rating": missing: the line has 2 fields, expected user TAB item TAB rating/,
  );
  assert.throws(() => parse('1\t2\t3\t4\n'), /u\.data:1: more than 3 fields/);
  assert.throws(() => parse('1\tx2\t3\n'), /u\.data:1: field "item": expected a number, got "x2"/);
  assert.throws(() => parse('1\t2x\t3\n'), /u\.data:1: field "item": expected a number, got "2x"/);
  assert.throws(() => parse('1\t\t3\n'), /u\.data:1: field "item": expected a number, found nothing/);
  assert.throws(() => parse('1\t2\t3.5.5\n'), /u\.data:1: field "rating": expected a number, got "3\.5\.5"/);
});

test('denseIntegerIds: indices in increasing raw-id order; a non-integer id is named', () => {
  const raw = Float64Array.from([30, 4, 30, 1000]);
  const { map, dense, denseOf } = denseIntegerIds(raw, inFile('f', [1, 2, 3, 4]), 'user');
  assert.deepEqual(map.ids, ['4', '30', '1000']);
  assert.deepEqual([...dense], [1, 0, 1, 2]);
  assert.equal(map.index.get('1000'), 2);
  assert.equal(denseOf(30), 1);
  assert.equal(denseOf(5), -1);
  assert.equal(denseOf(5000), -1);
  assert.throws(
    () => denseIntegerIds(Float64Array.from([1, 2.5]), inFile('f', [7, 8]), 'user'),
    /f:8: field "user": expected a non-negative integer id, got 2\.5/,
  );
});

test('findDuplicatePair: the repeated pair whose second occurrence comes first', () => {
  const user = Int32Array.from([0, 1, 0, 1, 2, 1]);
  const item = Int32Array.from([5, 5, 6, 5, 1, 5]);
  assert.deepEqual(findDuplicatePair(user, item, 7), [1, 3]);
  assert.equal(findDuplicatePair(Int32Array.from([0, 0, 1]), Int32Array.from([0, 1, 0]), 2), undefined);
  assert.equal(findDuplicatePair(new Int32Array(0), new Int32Array(0), 0), undefined);
});

test('PairIndex: finds rating indices with the dense table and with the hash map', () => {
  const user = Int32Array.from([0, 2, 1]);
  const item = Int32Array.from([1, 0, 1]);
  const small = new PairIndex(user, item, 3, 2);
  assert.equal(small.get(2, 0), 1);
  assert.equal(small.get(1, 1), 2);
  assert.equal(small.get(0, 0), -1);
  assert.equal(small.get(-1, 0), -1);
  assert.equal(small.get(0, 5), -1);
  // 3000 x 3000 users x items is over the dense limit: a map is used, with the same answers.
  const large = new PairIndex(Int32Array.from([2999, 5]), Int32Array.from([2999, 7]), 3000, 3000);
  assert.equal(large.get(2999, 2999), 0);
  assert.equal(large.get(5, 7), 1);
  assert.equal(large.get(7, 5), -1);
});

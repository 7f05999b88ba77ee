import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BIN_PRESETS,
  binIndex,
  binLabels,
  categoricalField,
  codedField,
  compareValues,
  entityValues,
  featureTable,
  getField,
  multiField,
  numericField,
  oneHotLayout,
  quantileEdges,
  rebin,
} from '../src/data/features.js';
import { UsageError } from '../src/util/errors.js';

test('binIndex: [e_i, e_{i+1}) by default, (e_i, e_{i+1}] when right-closed, outer values clamped', () => {
  const edges = [0, 12, 18, 30, 50, 90];
  const left = [-5, 0, 11, 12, 17.9, 18, 29, 30, 49, 50, 89, 90, 120].map((v) => binIndex(v, edges));
  assert.deepEqual(left, [0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4, 4]);
  const right = [-5, 0, 12, 12.5, 18, 19, 30, 31, 50, 51, 90, 120].map((v) => binIndex(v, edges, 'right'));
  assert.deepEqual(right, [0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4]);
  assert.equal(binIndex(NaN, edges), -1);
});

test('binLabels: integer and fractional edges, both closings, a single bin', () => {
  assert.deepEqual(binLabels([0, 12, 18, 30, 50, 90]), ['<12', '12-17', '18-29', '30-49', '50+']);
  assert.deepEqual(binLabels([0, 12, 18, 30, 50, 90], 'right'), ['≤12', '13-18', '19-30', '31-50', '51+']);
  assert.deepEqual(binLabels(BIN_PRESETS.ageGroups.edges), [
    '<18',
    '18-24',
    '25-34',
    '35-44',
    '45-49',
    '50-55',
    '56+',
  ]);
  assert.deepEqual(binLabels([0, 1, 2, 3]), ['<1', '1', '2+']);
  assert.deepEqual(binLabels([0, 0.5, 1.5, 2]), ['<0.5', '[0.5,1.5)', '≥1.5']);
  assert.deepEqual(binLabels([0, 0.5, 1.5, 2], 'right'), ['≤0.5', '(0.5,1.5]', '>1.5']);
  assert.deepEqual(binLabels([1920, 1940, 1960, 1980, 2000]), ['<1940', '1940-1959', '1960-1979', '1980+']);
  assert.deepEqual(binLabels([0, 10]), ['all']);
});

test('numericField: codes per entity, missing values get none, raw and edges kept', () => {
  const field = numericField('age', [7, 18, NaN, 29, 30, 95], { edges: [0, 12, 18, 30, 50, 90] });
  assert.equal(field.kind, 'numeric');
  assert.deepEqual(field.vocabulary, ['<12', '12-17', '18-29', '30-49', '50+']);
  assert.deepEqual([...field.offsets], [0, 1, 2, 2, 3, 4, 5]);
  assert.deepEqual([...field.codes], [0, 2, 2, 3, 4]);
  assert.ok(Number.isNaN(field.raw?.[2]));
  assert.deepEqual(field.edges, [0, 12, 18, 30, 50, 90]);
  assert.equal(field.closed, 'left');
  const labelled = numericField('x', [1, 5], { edges: [0, 3, 10], labels: ['low', 'high'] });
  assert.deepEqual(entityValues(labelled, 1), ['high']);
});

test('bins are checked and errors name the field', () => {
  assert.throws(() => numericField('age', [1], { edges: [5] }), /field "age": bins need at least 2 edges/);
  assert.throws(
    () => numericField('age', [1], { edges: [0, 10, 10] }),
    /field "age": bin edges must increase strictly/,
  );
  assert.throws(
    () => numericField('age', [1], { edges: [0, Infinity] }),
    /field "age": bin edge 2 is not a finite number/,
  );
  assert.throws(() => numericField('age', [1], { edges: [0, 1, 2], labels: ['a'] }), /2 bins need 2 labels/);
});

test('categoricalField: given vocabulary first, other values sorted (numbers numerically), missing skipped', () => {
  const field = categoricalField('director', ['10', '2', undefined, '', '2', '1']);
  assert.deepEqual(field.vocabulary, ['1', '2', '10']);
  assert.deepEqual([...field.offsets], [0, 1, 2, 2, 2, 3, 4]);
  assert.deepEqual([...field.codes], [2, 1, 1, 0]);
  const withVocab = categoricalField('gender', ['F', 'X', 'M'], { vocabulary: ['M', 'F'] });
  assert.deepEqual(withVocab.vocabulary, ['M', 'F', 'X']);
  assert.deepEqual([...withVocab.codes], [1, 2, 0]);
  assert.ok(compareValues('b', 'a') > 0 && compareValues('9', '10') < 0 && compareValues('a', 'a') === 0);
});

test('multiField: repeated values count once, codes sorted per entity', () => {
  const field = multiField('genre', [['Drama', 'Action', 'Drama'], [], undefined, ['Comedy']], {
    vocabulary: ['Action', 'Comedy', 'Drama'],
  });
  assert.deepEqual([...field.offsets], [0, 2, 2, 2, 3]);
  assert.deepEqual([...field.codes], [0, 2, 1]);
  assert.deepEqual(entityValues(field, 0), ['Action', 'Drama']);
});

test('codedField: takes codes as given and refuses codes outside the vocabulary', () => {
  const field = codedField('age', ['<20', '20-24'], [1, -1, 0]);
  assert.deepEqual([...field.offsets], [0, 1, 1, 2]);
  assert.deepEqual([...field.codes], [1, 0]);
  assert.throws(
    () => codedField('age', ['a'], [1]),
    /field "age": code 1 of entity 0 is outside its 1 values/,
  );
});

test('rebin: a new table with the field re-cut from raw values; the original is unchanged', () => {
  const table = featureTable(4, [
    categoricalField('gender', ['M', 'F', 'M', 'F']),
    numericField('age', [10, 20, 40, 60], { edges: [0, 18, 100] }),
  ]);
  const again = rebin(table, 'age', [0, 12, 18, 30, 50, 90]);
  assert.notEqual(again, table);
  assert.equal(again.fields[0], table.fields[0]);
  assert.deepEqual([...getField(again, 'age').codes], [0, 2, 3, 4]);
  assert.deepEqual([...getField(table, 'age').codes], [0, 1, 1, 1]);
  const right = rebin(table, 'age', { edges: [0, 20, 40, 100], closed: 'right' });
  assert.deepEqual([...getField(right, 'age').codes], [0, 0, 1, 2]);
  assert.throws(() => rebin(table, 'gender', [0, 1]), /field "gender" is categorical, not numeric/);
  assert.throws(
    () => rebin(table, 'height', [0, 1]),
    (e: unknown) => e instanceof UsageError && /fields: gender, age/.test(e.message),
  );
});

test('oneHotLayout: global indices, offsets, dimension and names, by hand', () => {
  // 3 users: gender (2 values), age bins (3 values), tags (multi, 3 values).
  const table = featureTable(3, [
    categoricalField('gender', ['M', undefined, 'F'], { vocabulary: ['M', 'F'] }),
    numericField('age', [15, 40, 70], { edges: [0, 18, 50, 100] }),
    multiField('tag', [['b', 'c'], ['a'], []], { vocabulary: ['a', 'b', 'c'] }),
  ]);
  const layout = oneHotLayout(table);
  assert.equal(layout.dimension, 8);
  assert.deepEqual(layout.names, [
    'gender=M',
    'gender=F',
    'age=<18',
    'age=18-49',
    'age=50+',
    'tag=a',
    'tag=b',
    'tag=c',
  ]);
  assert.deepEqual([...layout.fieldStart], [0, 2, 5, 8]);
  assert.deepEqual([...layout.fieldOf], [0, 0, 1, 1, 1, 2, 2, 2]);
  assert.deepEqual(layout.fields, ['gender', 'age', 'tag']);
  // user 0: M, <18, b, c -> 0, 2, 6, 7; user 1: (no gender), 18-49, a -> 3, 5; user 2: F, 50+ -> 1, 4.
  assert.deepEqual([...layout.offsets], [0, 4, 6, 8]);
  assert.deepEqual([...layout.indices], [0, 2, 6, 7, 3, 5, 1, 4]);
  const empty = oneHotLayout(featureTable(2, []));
  assert.equal(empty.dimension, 0);
  assert.deepEqual([...empty.offsets], [0, 0, 0]);
});

test('featureTable: every field must describe the same number of entities, names unique', () => {
  assert.throws(
    () => featureTable(3, [categoricalField('g', ['a'])]),
    /field "g" describes 1 entities, expected 3/,
  );
  assert.throws(
    () => featureTable(1, [categoricalField('g', ['a']), categoricalField('g', ['b'])]),
    /field "g" appears twice/,
  );
});

test('quantileEdges: about equal counts, integers kept integral, duplicates merged', () => {
  assert.deepEqual(quantileEdges([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5), [1, 3, 5, 7, 9, 11]);
  assert.deepEqual(quantileEdges([1, 1, 1, 1, 2], 4), [1, 2, 3]);
  assert.deepEqual(quantileEdges([NaN, NaN]), [0, 1]);
  const fractional = quantileEdges([0.5, 1.5], 2);
  assert.equal(fractional[0], 0.5);
  assert.equal(fractional[1], 1.5);
  assert.ok(fractional[2] > 1.5);
  // Every value lands in a bin strictly inside [e_0, e_m).
  const values = [3, 8, 8, 9, 20, 21, 40];
  const edges = quantileEdges(values, 3);
  for (const v of values) assert.ok(v >= edges[0] && v < edges[edges.length - 1]);
});

/**
 * Feature fields seen as categorical attributes, one value per entity and attribute: the form the
 * attribute-similarity models read (ACMF's coupled object similarity, AESR's shared-attribute user
 * graph).
 */
import type { FeatureTable } from '../data/dataset.js';

/** Items × attributes, each cell a value code 0..valueCounts[j]-1. */
export interface CategoricalAttributes {
  readonly names: readonly string[];
  readonly valueCounts: Int32Array;
  /** Row-major [items × attributes]. */
  readonly values: Int32Array;
  readonly items: number;
}

/**
 * The categorical attributes of a feature table: a categorical or binned numeric field is one
 * attribute (an entity without a value gets a value of its own, "missing"); a multi-valued field
 * (genres) is one yes/no attribute per vocabulary entry, as a movie either is a comedy or is not.
 */
export function categoricalAttributes(table: FeatureTable): CategoricalAttributes {
  const names: string[] = [];
  const counts: number[] = [];
  const columns: Int32Array[] = [];
  for (const field of table.fields) {
    if (field.kind === 'multi') {
      field.vocabulary.forEach((label, code) => {
        const column = new Int32Array(table.count);
        for (let e = 0; e < table.count; e++) {
          for (let p = field.offsets[e]; p < field.offsets[e + 1]; p++) {
            if (field.codes[p] === code) column[e] = 1;
          }
        }
        names.push(`${field.name}=${label}`);
        counts.push(2);
        columns.push(column);
      });
    } else {
      const missing = field.vocabulary.length;
      const column = new Int32Array(table.count).fill(missing);
      for (let e = 0; e < table.count; e++) {
        if (field.offsets[e + 1] > field.offsets[e]) column[e] = field.codes[field.offsets[e]];
      }
      names.push(field.name);
      counts.push(missing + 1);
      columns.push(column);
    }
  }
  const values = new Int32Array(table.count * names.length);
  for (let e = 0; e < table.count; e++) {
    for (let j = 0; j < names.length; j++) values[e * names.length + j] = columns[j][e];
  }
  return { names, valueCounts: Int32Array.from(counts), values, items: table.count };
}

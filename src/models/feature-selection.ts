/**
 * The `userFeatures` / `itemFeatures` settings of the feature-aware neural models (AFM-GAU, AANMF,
 * NFM, xDeepFM): which of a data set's feature fields a model reads, written `all`, `none` or a
 * comma list of field names (`age,gender`).
 */
import type { FeatureTable } from '../data/dataset.js';
import { UsageError } from '../util/errors.js';

/** The fields `select` names, in the table's order; `setting` (the config key it came from) is named in errors. */
export function selectFeatureFields(table: FeatureTable, select: string, setting: string): FeatureTable {
  const text = select.trim();
  if (text === 'all') return table;
  if (text === 'none' || text === '') return { count: table.count, fields: [] };
  const wanted = text.split(',').map((s) => s.trim());
  const known = table.fields.map((f) => f.name);
  for (const name of wanted) {
    if (!known.includes(name)) {
      throw new UsageError(
        `setting "${setting}": no feature field "${name}" in this data set (fields: ${known.join(', ') || '(none)'}; or all, none)`,
      );
    }
  }
  return { count: table.count, fields: table.fields.filter((f) => wanted.includes(f.name)) };
}

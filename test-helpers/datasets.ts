/**
 * In-memory data sets for tests. Not a test file (see test-helpers/gradcheck.ts for why it is not
 * under test/).
 */
import { emptyFeatures, IdMapBuilder, type Dataset, type FeatureField } from '../src/data/dataset.js';

/** Ids `prefix0` … `prefix{n-1}` at indices 0 … n-1. */
export function idMap(prefix: string, n: number): Dataset['users'] {
  const ids = Array.from({ length: n }, (_, k) => `${prefix}${k}`);
  return { ids, index: new Map(ids.map((id, k) => [id, k])) };
}

/**
 * A feature field from each entity's codes as given (kept in the given order, unlike the loaders'
 * builders in src/data/features.ts, so a test can shape the design rows exactly).
 */
export function featureField(
  name: string,
  kind: FeatureField['kind'],
  vocabulary: string[],
  perEntity: number[][],
): FeatureField {
  const offsets = new Int32Array(perEntity.length + 1);
  const codes: number[] = [];
  perEntity.forEach((cs, e) => {
    codes.push(...cs);
    offsets[e + 1] = codes.length;
  });
  return { name, kind, vocabulary, offsets, codes: Int32Array.from(codes) };
}

/** A data set of (user, item, rating) rows on the 1..5 scale, ids interned in order of appearance. */
export function ratingsDataset(rows: ReadonlyArray<readonly [string, string, number]>, id = 'mem'): Dataset {
  const users = new IdMapBuilder();
  const items = new IdMapBuilder();
  const u = rows.map((r) => users.intern(r[0]));
  const i = rows.map((r) => items.intern(r[1]));
  return {
    id,
    users: users.build(),
    items: items.build(),
    ratings: {
      user: Int32Array.from(u),
      item: Int32Array.from(i),
      rating: Float32Array.from(rows.map((r) => r[2])),
    },
    scale: { min: 1, max: 5 },
    userFeatures: emptyFeatures(users.ids.length),
    itemFeatures: emptyFeatures(items.ids.length),
    predefinedSplits: {},
  };
}

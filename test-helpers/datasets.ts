/**
 * In-memory data sets for tests. Not a test file (see test-helpers/gradcheck.ts for why it is not
 * under test/).
 */
import { emptyFeatures, IdMapBuilder, type Dataset } from '../src/data/dataset.js';

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

/**
 * Writes one of Heed's splits to CSV files, so that another implementation (a paper's own code, a
 * peer library) can be trained and scored on exactly the ratings Heed uses:
 *
 *   node dist/bench/export-split.js --dataset ml-100k --split ratio:0.8,0.1,0.1 --seed 1 \
 *     --out /tmp/split [--data-dir ../shared/data]
 *
 * writes OUT/{train,validation,test}.csv with the columns `user,item,rating` followed by one
 * column per single-valued user feature field (its code, -1 when missing), in Heed's order of
 * the ratings in each part. Users and items are Heed's dense indices (0-based).
 *
 * When the data set has review texts (Amazon), it also writes OUT/{train,validation,test}.jsonl,
 * one JSON object a line, `{"user": 0, "item": 3, "rating": 5, "review": "…"}`, in the same order
 * as the CSV rows (for review models such as bench/reference/deepconn_torch.py).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { entityCodes } from '../src/data/features.js';
import { loadDataset } from '../src/data/registry.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { UsageError } from '../src/util/errors.js';
import { writeFileAtomic } from '../src/util/io.js';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    split: { type: 'string', default: 'ratio:0.8,0.1,0.1' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    'data-dir': { type: 'string', default: process.env['HEED_DATA_DIR'] ?? '../shared/data' },
  },
});
if (values.dataset === undefined) throw new UsageError('--dataset is required');
if (values.out === undefined) throw new UsageError('--out is required (a folder for the CSV files)');
const seed = Number(values.seed);
if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);

const dataset = loadDataset(values.dataset, { dataDir: values['data-dir'] });
const splits = makeSplits(dataset, parseSplitSpec(values.split), seed);
if (splits.length !== 1)
  throw new UsageError(`--split must give one split, "${values.split}" gives ${splits.length}`);
const split = splits[0];
// Multi-valued fields (a movie's genres) do not fit one column; the user side has none here.
const fields = dataset.userFeatures.fields.filter((f) => f.kind !== 'multi');

fs.mkdirSync(values.out, { recursive: true });
for (const part of ['train', 'validation', 'test'] as const) {
  const lines = [['user', 'item', 'rating', ...fields.map((f) => f.name)].join(',')];
  for (const i of split[part]) {
    const user = dataset.ratings.user[i];
    const codes = fields.map((f) => entityCodes(f, user)[0] ?? -1);
    lines.push([user, dataset.ratings.item[i], dataset.ratings.rating[i], ...codes].join(','));
  }
  writeFileAtomic(path.join(values.out, `${part}.csv`), lines.join('\n') + '\n');
  console.log(`${part}: ${split[part].length} ratings → ${path.join(values.out, `${part}.csv`)}`);
  const reviews = dataset.reviews;
  if (reviews !== undefined) {
    const records = Array.from(split[part], (i) =>
      JSON.stringify({
        user: dataset.ratings.user[i],
        item: dataset.ratings.item[i],
        rating: dataset.ratings.rating[i],
        review: reviews[i] ?? '',
      }),
    );
    const file = path.join(values.out, `${part}.jsonl`);
    writeFileAtomic(file, records.map((r) => r + '\n').join(''));
    console.log(`${part}: ${records.length} reviews → ${file}`);
  }
}

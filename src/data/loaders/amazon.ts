/**
 * Amazon product reviews, "5-core" JSON Lines files of McAuley et al.'s 2014 dumps (e.g.
 * `reviews_Musical_Instruments_5.json.gz`) and of Ni et al.'s 2018 dumps (e.g.
 * `Musical_Instruments_5.json.gz`), plain or gzipped, UTF-8. One review per line:
 *
 * `{"reviewerID": "A2IBPI20UZIR0U", "asin": "1384719342", "overall": 5.0, "reviewText": "…",
 *   "unixReviewTime": 1393545600, …}`
 *
 * Each line becomes a rating (user = reviewerID, item = asin, rating = overall, time =
 * unixReviewTime) and its review text (`Dataset.reviews`, aligned with the ratings). Other keys
 * are ignored: reviewerName, summary, helpful, reviewTime (2014), and verified, style, vote, image
 * (2018). A line without reviewText (absent or null, as some 2018 lines are) is a rating with empty
 * text; how many there were is one entry of `Dataset.warnings`. The data has no user or item
 * features. Ids get dense indices in order of first appearance.
 */
import { DataError } from '../../util/errors.js';
import { forEachLine, readText } from '../../util/io.js';
import { emptyFeatures, IdMapBuilder, type Dataset } from '../dataset.js';
import { checkScale, refuseDuplicates, type Locate } from './common.js';

const SCALE = { min: 1, max: 5 } as const;

export interface AmazonOptions {
  /** The id the dataset is reported under (default `amazon:FILE`). */
  readonly id?: string;
}

export function loadAmazon(file: string, options: AmazonOptions = {}): Dataset {
  const text = readText(file, {
    encoding: 'utf-8',
    expect: 'Amazon reviews as JSON Lines (reviewerID, asin, overall, reviewText, unixReviewTime)',
  });
  const users = new IdMapBuilder();
  const items = new IdMapBuilder();
  const user: number[] = [];
  const item: number[] = [];
  const rating: number[] = [];
  const time: number[] = [];
  const reviews: string[] = [];
  const lines: number[] = [];
  let noText = 0;
  let firstNoText = 0;
  forEachLine(text, (line, lineNumber) => {
    if (line.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      const hint = /^\s*\{\s*'/.test(line)
        ? ' (this looks like a Python dict literal, the "loose JSON" of some Amazon dumps: convert it to JSON first)'
        : '';
      throw new DataError(file, lineNumber, undefined, `not valid JSON: ${(error as Error).message}${hint}`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new DataError(file, lineNumber, undefined, 'expected a JSON object per line');
    }
    const r = record as Record<string, unknown>;
    const reviewer = stringField(r, 'reviewerID', file, lineNumber);
    const asin = stringField(r, 'asin', file, lineNumber);
    const overall = numberField(r, 'overall', file, lineNumber);
    let reviewText = '';
    if (r.reviewText === undefined || r.reviewText === null) {
      if (noText++ === 0) firstNoText = lineNumber;
    } else {
      reviewText = stringField(r, 'reviewText', file, lineNumber, true);
    }
    const when = numberField(r, 'unixReviewTime', file, lineNumber);
    user.push(users.intern(reviewer));
    item.push(items.intern(asin));
    rating.push(overall);
    time.push(when);
    reviews.push(reviewText);
    lines.push(lineNumber);
  });
  const locate: Locate = (row) => ({ file, line: lines[row] });
  checkScale(rating, SCALE, locate, 'overall');
  const ratings = {
    user: Int32Array.from(user),
    item: Int32Array.from(item),
    rating: Float32Array.from(rating),
    time: Float64Array.from(time),
  };
  const userMap = users.build();
  const itemMap = items.build();
  refuseDuplicates(ratings.user, ratings.item, userMap, itemMap, locate);
  const warnings =
    noText === 0
      ? []
      : [
          `amazon ${file}: ${noText} review${noText === 1 ? ' has' : 's have'} no reviewText ` +
            `(first at line ${firstNoText}); kept as ratings with empty text`,
        ];
  return {
    id: options.id ?? `amazon:${file}`,
    users: userMap,
    items: itemMap,
    ratings,
    scale: SCALE,
    userFeatures: emptyFeatures(userMap.ids.length),
    itemFeatures: emptyFeatures(itemMap.ids.length),
    reviews,
    predefinedSplits: {},
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

function stringField(
  record: Record<string, unknown>,
  key: string,
  file: string,
  line: number,
  mayBeEmpty = false,
): string {
  const v = record[key];
  if (v === undefined || v === null) throw new DataError(file, line, key, 'missing');
  if (typeof v !== 'string')
    throw new DataError(file, line, key, `expected a string, got ${JSON.stringify(v)}`);
  if (!mayBeEmpty && v === '') throw new DataError(file, line, key, 'is empty');
  return v;
}

function numberField(record: Record<string, unknown>, key: string, file: string, line: number): number {
  const v = record[key];
  if (v === undefined || v === null) throw new DataError(file, line, key, 'missing');
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new DataError(file, line, key, `expected a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Feature token embeddings started from a factorization machine trained on the same ratings, as
 * SAIN's code does (github.com/seongjunyun/SAIN, `solver.py` loads `feat_embeddings` from
 * `actor_director_fm_emb.pkl`, an FM with 16-dimensional factors over the same feature values).
 * The paper does not mention it; `featureInit: fm` turns it on.
 *
 * Heed's FM (`fm`, SGD solver, one factor vector per design column named `field=value`) is fitted
 * on the training ratings with `featureDim` factors, and each SAIN token takes the factor vector
 * of the design column with its name (`age=25-34`, `genre=Action`, `director=…`). Tokens without
 * such a column keep their random start.
 */
import type { RatingSubset } from '../../data/dataset.js';
import { HeedError } from '../../util/errors.js';
import { fmSpec } from '../classic/fm.js';
import type { FeatureTokens } from './feature-tokens.js';

/** Copies a freshly fitted FM's factor vectors into `table` [vocabulary × dim]; returns how many tokens got one. */
export async function startTokensFromFm(
  trainSet: RatingSubset,
  tokens: FeatureTokens,
  table: Float32Array,
  dim: number,
  seed: number,
): Promise<number> {
  const fm = fmSpec.create({ ...fmSpec.defaults, solver: 'sgd', factors: dim, seed });
  await fm.fit(trainSet);
  const state = fm.state();
  const names = (state.meta as { columnNames?: unknown } | null)?.columnNames;
  const v = state.arrays['v'];
  if (!Array.isArray(names) || v === undefined || v.length !== names.length * dim) {
    throw new HeedError('sain featureInit=fm: the fitted FM has no factor matrix of the expected size');
  }
  const column = new Map<string, number>();
  names.forEach((name, j) => column.set(String(name), j));
  let copied = 0;
  tokens.names.forEach((name, t) => {
    const j = column.get(name);
    if (j === undefined) return;
    // The FM keeps its factors factor-major: v[f · columns + j].
    for (let f = 0; f < dim; f++) table[t * dim + f] = v[f * names.length + j];
    copied++;
  });
  return copied;
}

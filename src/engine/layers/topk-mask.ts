/**
 * Top-K masks for attention, computed in plain JavaScript outside the gradient.
 *
 * tfjs's TopK has no gradient on any backend, and `tf.topk` itself cost ~45 ms per forward at
 * batch 256 on wasm; this selection over rows of T ≤ ~30 scores costs a few ms. The mask only
 * selects which logits survive, so it needs no gradient: the gradient flows through the kept
 * logits as in PyTorch's `scores.masked_fill(topk_mask == 0, -1e9)` (SAIN's code).
 */
import { MASKED } from './masked-softmax.js';

/**
 * For `rows` rows of `width` scores, an additive mask (0 keep, -1e9 drop) keeping the `k` largest
 * scores of each row among the allowed ones. `allowed(row, j)` (optional) excludes padding keys.
 * Ties keep the lower index, so the result is deterministic. When a row has at most k allowed
 * entries, all of them are kept.
 */
export function topKMask(
  scores: Float32Array,
  rows: number,
  width: number,
  k: number,
  allowed?: (row: number, j: number) => boolean,
): Float32Array {
  const mask = new Float32Array(rows * width).fill(MASKED);
  const taken = new Uint8Array(width);
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    taken.fill(0);
    let candidates = 0;
    for (let j = 0; j < width; j++) {
      if (allowed !== undefined && !allowed(r, j)) taken[j] = 1;
      else candidates++;
    }
    const keep = Math.min(k, candidates);
    for (let t = 0; t < keep; t++) {
      let best = -Infinity;
      let at = -1;
      for (let j = 0; j < width; j++) {
        if (taken[j] === 0 && (at < 0 || scores[base + j] > best)) {
          best = scores[base + j];
          at = j;
        }
      }
      taken[at] = 1;
      mask[base + at] = 0;
    }
  }
  return mask;
}

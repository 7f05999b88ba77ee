/**
 * Top-K masks for attention, computed in plain JavaScript outside the gradient.
 *
 * tfjs's TopK has no gradient on any backend, and `tf.topk` itself cost ~45 ms per forward at
 * batch 256 on wasm; this selection over rows of T ≤ ~30 scores costs a few ms. The mask only
 * selects which logits survive, so it needs no gradient: the gradient flows through the kept
 * logits as in PyTorch's `scores.masked_fill(topk_mask == 0, -1e9)` (SAIN's code).
 */
import { MASKED } from './masked-softmax.js';

/** Which keys may be attended to: `mask[sample·width + j]` non-zero, rows grouped by sample. */
export interface KeyMask {
  readonly mask: Float32Array | Uint8Array;
  /** Consecutive score rows that belong to one sample (heads × queries). */
  readonly rowsPerSample: number;
}

/**
 * For `rows` rows of `width` scores, an additive mask (0 keep, -1e9 drop) keeping the `k` largest
 * scores of each row among the allowed keys (all keys without `keys`). Ties keep the lower index,
 * so the result is deterministic. When a row has at most k allowed keys, all of them are kept.
 */
export function topKMask(
  scores: Float32Array,
  rows: number,
  width: number,
  k: number,
  keys?: KeyMask,
): Float32Array {
  const mask = new Float32Array(rows * width).fill(MASKED);
  const taken = new Uint8Array(width);
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    let candidates = width;
    if (keys === undefined) {
      taken.fill(0);
    } else {
      const kb = Math.floor(r / keys.rowsPerSample) * width;
      candidates = 0;
      for (let j = 0; j < width; j++) {
        const ok = keys.mask[kb + j] !== 0;
        taken[j] = ok ? 0 : 1;
        if (ok) candidates++;
      }
    }
    const keep = Math.min(k, candidates);
    for (let t = 0; t < keep; t++) {
      let best = -Infinity;
      let at = -1;
      for (let j = 0; j < width; j++) {
        const v = scores[base + j];
        if (taken[j] === 0 && (at < 0 || v > best)) {
          best = v;
          at = j;
        }
      }
      taken[at] = 1;
      mask[base + at] = 0;
    }
  }
  return mask;
}

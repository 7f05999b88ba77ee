/**
 * The positions of the `k` highest scores, best first, without sorting all of them: one pass that
 * keeps the best k seen so far in a bounded binary heap whose root is the worst of them, so each
 * score costs one comparison unless it beats that root (then O(log k)). For /recommend over a
 * catalogue of n items that is O(n + m log k) for m replacements, against O(n log n) for a full
 * sort, and it allocates only the k-slot heap.
 *
 * Order: higher score first; equal scores keep ascending position (the data set's item order),
 * so the answer is the first k of a stable descending sort. Scores must not be NaN (the predictor
 * refuses non-finite predictions before they get here).
 */

/** Whether position a ranks before position b. */
function ranksBefore(scores: ArrayLike<number>, a: number, b: number): boolean {
  return scores[a] > scores[b] || (scores[a] === scores[b] && a < b);
}

/** Positions of the best `k` scores (fewer when fewer are given), best first. */
export function topPositions(scores: ArrayLike<number>, k: number): Int32Array {
  const n = scores.length;
  const size = Math.max(0, Math.min(k, n));
  // heap[0] is the worst kept position: every parent ranks after its children.
  const heap = new Int32Array(size);
  let count = 0;
  for (let p = 0; p < n && size > 0; p++) {
    if (count < size) {
      let at = count++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!ranksBefore(scores, heap[parent], p)) break;
        heap[at] = heap[parent];
        at = parent;
      }
      heap[at] = p;
    } else if (ranksBefore(scores, p, heap[0])) {
      siftDown(scores, heap, count, p);
    }
  }
  // Taking the worst off the root k times fills the answer from its end.
  const best = new Int32Array(count);
  for (let left = count; left > 0; left--) {
    best[left - 1] = heap[0];
    if (left > 1) siftDown(scores, heap, left - 1, heap[left - 1]);
  }
  return best;
}

/** Puts `p` at the root of heap[0, count) and moves it down to where it belongs. */
function siftDown(scores: ArrayLike<number>, heap: Int32Array, count: number, p: number): void {
  let at = 0;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= count) break;
    // The child that ranks later is the one that may sit above the other.
    if (child + 1 < count && ranksBefore(scores, heap[child], heap[child + 1])) child++;
    if (!ranksBefore(scores, p, heap[child])) break;
    heap[at] = heap[child];
    at = child;
  }
  heap[at] = p;
}

/**
 * Building a batch from per-example typed arrays. The training loop hands a model the positions
 * of its batch's examples; the model copies what it needs with these (no per-example objects),
 * then makes tensors of the copies.
 */

/** Rows `batch[k]` of `source` viewed as [n, width], concatenated: [batch.length, width]. */
export function takeInt32(source: Int32Array, batch: Int32Array, width = 1): Int32Array {
  const out = new Int32Array(batch.length * width);
  if (width === 1) {
    for (let k = 0; k < batch.length; k++) out[k] = source[batch[k]];
  } else {
    for (let k = 0; k < batch.length; k++)
      out.set(source.subarray(batch[k] * width, batch[k] * width + width), k * width);
  }
  return out;
}

/** Rows `batch[k]` of `source` viewed as [n, width], concatenated: [batch.length, width]. */
export function takeFloat32(source: Float32Array, batch: Int32Array, width = 1): Float32Array {
  const out = new Float32Array(batch.length * width);
  if (width === 1) {
    for (let k = 0; k < batch.length; k++) out[k] = source[batch[k]];
  } else {
    for (let k = 0; k < batch.length; k++)
      out.set(source.subarray(batch[k] * width, batch[k] * width + width), k * width);
  }
  return out;
}

/** The positions 0..n-1 in consecutive batches of at most `size` (the last one may be shorter). */
export function* batchesOf(order: Int32Array, size: number): Generator<Int32Array> {
  for (let start = 0; start < order.length; start += size)
    yield order.subarray(start, Math.min(order.length, start + size));
}

/** 0..n-1 in order. */
export function range(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

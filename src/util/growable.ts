/**
 * Typed arrays that grow as a loader appends to them, for files whose row count is known only at
 * the end: amortised O(1) appends, one contiguous array at the end, and never a JavaScript array
 * of boxed numbers.
 */
type TypedArray = Int32Array | Float32Array | Float64Array;

interface TypedArrayClass<T extends TypedArray> {
  new (length: number): T;
}

export class Growable<T extends TypedArray> {
  private data: T;
  private size = 0;

  constructor(
    private readonly make: TypedArrayClass<T>,
    initialCapacity = 1024,
  ) {
    this.data = new make(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.data.length) this.reserve(this.size + 1);
    this.data[this.size++] = value;
  }

  /** Appends every value of `values`. */
  append(values: ArrayLike<number>): void {
    this.reserve(this.size + values.length);
    this.data.set(values as never, this.size);
    this.size += values.length;
  }

  /** Makes room for `capacity` values without further copies (a size hint, e.g. from a file's size). */
  reserve(capacity: number): void {
    if (capacity <= this.data.length) return;
    const grown = new this.make(Math.max(capacity, Math.ceil(this.data.length * 1.5)));
    grown.set(this.data.subarray(0, this.size) as never);
    this.data = grown;
  }

  /** The values, in an array of exactly their number (the spare capacity is released). */
  toArray(): T {
    return this.data.length === this.size ? this.data : (this.data.slice(0, this.size) as T);
  }
}

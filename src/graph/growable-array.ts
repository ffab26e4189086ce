// An append-only typed array that doubles its capacity: the builder's columns grow to about a
// million entries without per-element objects.
type TypedArray = Uint8Array | Uint32Array | Int32Array | Float64Array;
type TypedArrayCtor<T extends TypedArray> = new (length: number) => T;

export class GrowableArray<T extends TypedArray> {
  private buf: T;
  private len = 0;

  constructor(
    private readonly ctor: TypedArrayCtor<T>,
    initialCapacity = 1024,
  ) {
    this.buf = new ctor(initialCapacity);
  }

  get length(): number {
    return this.len;
  }

  push(value: number): void {
    if (this.len === this.buf.length) {
      const next = new this.ctor(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = value;
  }

  /** The filled part, sharing memory with the array (valid until the next push). */
  view(): T {
    return this.buf.subarray(0, this.len) as T;
  }
}

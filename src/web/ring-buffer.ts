/** A fixed-capacity FIFO: pushing beyond capacity drops the oldest items. */
export class RingBuffer<T> {
  readonly capacity: number;
  private items: T[] = [];

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get length(): number {
    return this.items.length;
  }

  push(...values: readonly T[]): void {
    this.items.push(...values);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  /** Replaces the contents (keeping the newest `capacity`). */
  reset(values: readonly T[]): void {
    this.items = values.slice(-this.capacity);
  }

  last(): T | undefined {
    return this.items[this.items.length - 1];
  }

  toArray(): readonly T[] {
    return this.items;
  }
}

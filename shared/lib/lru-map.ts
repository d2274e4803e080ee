/**
 * A map that keeps at most `max` entries: reading or writing an entry makes it the most recent, and beyond
 * `max` the least recently used is forgotten. For per-address knowledge a long-lived container learns from
 * every iDRAC it meets, where forgetting costs only a request to learn it again.
 */
export class LruMap<K, V> {
  /** In order of last use, oldest first. */
  private readonly entries = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * What one run reads again and again (its site, the credential it inventories with), kept in the container
 * for a few seconds. A sweep of 1,000 addresses otherwise reads the same site record 1,000 times. Keyed by
 * the run, so a new run always starts from fresh records; a change made during a run is seen within `ttlMs`.
 * Concurrent readers of a missing entry share one load; a failed load is not kept.
 */
export class RunScopedCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 256,
    private readonly now: () => number = Date.now,
  ) {}

  get(runId: string, key: string, load: () => Promise<T>): Promise<T> {
    const id = `${runId}\u0000${key}`;
    const hit = this.entries.get(id);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    this.entries.delete(id);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const value = load();
    this.entries.set(id, { at: this.now(), value });
    value.catch(() => {
      if (this.entries.get(id)?.value === value) this.entries.delete(id);
    });
    return value;
  }
}

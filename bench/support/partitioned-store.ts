/**
 * A Store for benchmarks of code above the store: items in hash-mapped partitions (table and each GSI), so a
 * get, a put or a query of a small partition costs the same however much is stored, as in DynamoDB. It
 * counts every operation by name. Not for tests: MemoryStore (test/support) mirrors DynamoDB's semantics
 * exactly; this one only what the IPAM paths use (conditions on absence and version, sk prefix and range).
 */
import {
  ConditionFailedError,
  type Item,
  type Key,
  type Page,
  type QueryInput,
  type Store,
  type WriteCondition,
} from '../../shared/ports/store';

type Partition = Map<string, Item>;

export class PartitionedStore implements Store {
  readonly calls: Record<string, number> = {};
  private readonly table = new Map<string, Partition>();
  private readonly indexes = { gsi1: new Map<string, Partition>(), gsi2: new Map<string, Partition>() };

  private count(name: string) {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  resetCalls(): void {
    for (const k of Object.keys(this.calls)) delete this.calls[k];
  }

  async get(key: Key): Promise<Item | undefined> {
    this.count('get');
    return this.table.get(key.pk)?.get(key.sk);
  }

  async put(item: Item, condition?: WriteCondition): Promise<void> {
    this.count('put');
    this.write(item, condition);
  }

  async putMany(items: Item[]): Promise<void> {
    this.count('putMany');
    for (const item of items) this.write(item);
  }

  async getMany(keys: Key[]): Promise<Item[]> {
    this.count('getMany');
    return keys.flatMap((key) => {
      const item = this.table.get(key.pk)?.get(key.sk);
      return item ? [item] : [];
    });
  }

  async deleteMany(keys: Key[]): Promise<void> {
    this.count('deleteMany');
    for (const key of keys) {
      const current = this.table.get(key.pk)?.get(key.sk);
      if (current) this.unindex(current);
      this.table.get(key.pk)?.delete(key.sk);
    }
  }

  async delete(key: Key, condition?: WriteCondition): Promise<void> {
    this.count('delete');
    const current = this.table.get(key.pk)?.get(key.sk);
    this.check(key, current, condition);
    if (current) this.unindex(current);
    this.table.get(key.pk)?.delete(key.sk);
  }

  async query(input: QueryInput): Promise<Page<Item>> {
    this.count('query');
    const partition = input.index ? this.indexes[input.index].get(input.pk) : this.table.get(input.pk);
    const skName = input.index ? `${input.index}sk` : 'sk';
    const items = [...(partition?.values() ?? [])]
      .filter((i) => {
        const sk = String(i[skName]);
        if (input.skPrefix && !sk.startsWith(input.skPrefix)) return false;
        return !input.skBetween || (sk >= input.skBetween[0] && sk <= input.skBetween[1]);
      })
      .sort((a, b) => (String(a[skName]) < String(b[skName]) ? -1 : 1));
    if (input.descending) items.reverse();
    const start = input.cursor ? Number(input.cursor) : 0;
    const page = items.slice(start, start + input.limit);
    return { items: page, cursor: start + input.limit < items.length ? String(start + input.limit) : undefined };
  }

  async add(): Promise<Record<string, number> | undefined> {
    throw new Error('not used by the IPAM paths');
  }

  async ping(): Promise<void> {}

  private write(item: Item, condition?: WriteCondition) {
    const current = this.table.get(item.pk)?.get(item.sk);
    this.check(item, current, condition);
    if (current) this.unindex(current);
    let partition = this.table.get(item.pk);
    if (!partition) this.table.set(item.pk, (partition = new Map()));
    partition.set(item.sk, item);
    for (const index of ['gsi1', 'gsi2'] as const) {
      const pk = item[`${index}pk`];
      if (typeof pk !== 'string') continue;
      let p = this.indexes[index].get(pk);
      if (!p) this.indexes[index].set(pk, (p = new Map()));
      p.set(`${item.pk}\u0000${item.sk}`, item);
    }
  }

  private unindex(item: Item) {
    for (const index of ['gsi1', 'gsi2'] as const) {
      const pk = item[`${index}pk`];
      if (typeof pk === 'string') this.indexes[index].get(pk)?.delete(`${item.pk}\u0000${item.sk}`);
    }
  }

  private check(key: Key, current: Item | undefined, condition?: WriteCondition) {
    if (!condition) return;
    if (condition.kind === 'absent' && current) throw new ConditionFailedError(key);
    if (condition.kind === 'present' && !current) throw new ConditionFailedError(key);
    if (condition.kind === 'version' && current?.version !== condition.version) throw new ConditionFailedError(key);
  }
}

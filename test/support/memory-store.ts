import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { compareUtf8, decodeCursor, encodeCursor, inSortRange } from '../../shared/adapters/store/cursor';
import { INDEX_KEYS, keyAttributes, pageKeyAttributes, TABLE_KEY } from '../../shared/adapters/store/table-definition';
import {
  type AddOptions,
  ConditionFailedError,
  type IndexName,
  type Item,
  type Key,
  type Page,
  type QueryInput,
  type Store,
  type WriteCondition,
} from '../../shared/ports/store';

type Stored = Record<string, AttributeValue>;

/**
 * In-memory Store for unit tests of use cases. Records are kept marshalled, exactly as the DynamoDB adapter
 * would send them, so a record DynamoDB would reject (a Date, a function) or change (undefined fields
 * dropped) behaves the same here, and callers can't mutate what is stored. Paging mirrors DynamoDB,
 * including a cursor after an exactly full last page; store.contract.ts holds it to the real engines.
 */
export class MemoryStore implements Store {
  private readonly records = new Map<string, Stored>();

  async get(key: Key): Promise<Item | undefined> {
    const stored = this.records.get(recordId(key));
    return stored && (unmarshall(stored) as Item);
  }

  async put(item: Item, condition?: WriteCondition): Promise<void> {
    const stored = marshall(item, { removeUndefinedValues: true });
    assertValidKeys(unmarshall(stored));
    this.check(item, condition);
    this.records.set(recordId(item), stored);
  }

  async putMany(items: Item[]): Promise<void> {
    // Like the DynamoDB adapter: every item is checked before any is written; the last of a key wins.
    const stored = items.map((item) => marshall(item, { removeUndefinedValues: true }));
    for (const record of stored) assertValidKeys(unmarshall(record));
    for (const [i, item] of items.entries()) this.records.set(recordId(item), stored[i]!);
  }

  async getMany(keys: Key[]): Promise<Item[]> {
    const ids = new Set(keys.map(recordId));
    return [...ids].flatMap((id) => {
      const stored = this.records.get(id);
      return stored ? [unmarshall(stored) as Item] : [];
    });
  }

  async deleteMany(keys: Key[]): Promise<void> {
    for (const key of keys) this.records.delete(recordId(key));
  }

  async delete(key: Key, condition?: WriteCondition): Promise<void> {
    this.check(key, condition);
    this.records.delete(recordId(key));
  }

  async query(input: QueryInput): Promise<Page<Item>> {
    assertValidQuery(input);
    const keys = keyAttributes(input.index);
    const inQuery = (record: Record<string, unknown>) => {
      const sortValue = record[keys.sortKey];
      return record[keys.partitionKey] === input.pk && typeof sortValue === 'string' && inSortRange(sortValue, input);
    };
    const order = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      comparePageKeys(a, b, input.index) * (input.descending ? -1 : 1);
    let matches = [...this.records.values()]
      .map((stored) => unmarshall(stored) as Item)
      .filter(inQuery)
      .sort(order);
    if (input.cursor !== undefined) {
      const start = decodeCursor(input.cursor, input);
      // Resume after the key, not after an item: the item the cursor names may have been deleted since.
      matches = matches.filter((item) => order(item, start) > 0);
    }
    const items = matches.slice(0, input.limit);
    const last = items.at(-1);
    // Like DynamoDB: a full page carries a cursor even when nothing follows it.
    const cursor = items.length === input.limit && last ? encodeCursor(pageKeyOf(last, input.index)) : undefined;
    const wanted = input.attributes && new Set(['pk', 'sk', ...input.attributes]);
    const projected = wanted ? items.map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => wanted.has(k))) as Item) : items;
    return { items: projected, cursor };
  }

  async add(key: Key, deltas: Record<string, number>, { once, set = {} }: AddOptions = {}): Promise<Record<string, number> | undefined> {
    const stored = this.records.get(recordId(key));
    if (!stored) throw new ConditionFailedError({ pk: key.pk, sk: key.sk });
    const record = unmarshall(stored);
    if (once) {
      const tokens = record[once.set] instanceof Set ? (record[once.set] as Set<string>) : new Set<string>();
      if (tokens.has(once.token)) return undefined;
      record[once.set] = new Set([...tokens, once.token]);
    }
    const counters = Object.entries({ ...deltas, version: (deltas.version ?? 0) + 1 });
    for (const [name, delta] of counters) record[name] = Number(record[name] ?? 0) + delta;
    Object.assign(record, set);
    this.records.set(recordId(key), marshall(record, { removeUndefinedValues: true }));
    return Object.fromEntries(counters.map(([name]) => [name, Number(record[name])]));
  }

  async ping(): Promise<void> {}

  /** Number of stored records, for assertions in unit tests. */
  get size(): number {
    return this.records.size;
  }

  private check(key: Key, condition?: WriteCondition): void {
    if (!condition) return;
    const current = this.records.get(recordId(key));
    const holds =
      condition.kind === 'absent'
        ? current === undefined
        : condition.kind === 'present'
          ? current !== undefined
          : current !== undefined && unmarshall(current).version === condition.version;
    if (!holds) throw new ConditionFailedError({ pk: key.pk, sk: key.sk });
  }
}

function recordId(key: Key): string {
  return JSON.stringify([key.pk, key.sk]);
}

/** What DynamoDB refuses with a ValidationException for this table's key attributes. */
function assertValidKeys(record: Record<string, unknown>): void {
  const indexKeys = Object.values(INDEX_KEYS).flatMap((k) => [k.partitionKey, k.sortKey]);
  for (const name of [TABLE_KEY.partitionKey, TABLE_KEY.sortKey, ...indexKeys]) {
    const value = record[name];
    // A missing index key only keeps the item out of that index (sparse GSI).
    if (value === undefined && indexKeys.includes(name)) continue;
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`Store item key attribute ${name} must be a non-empty string`);
    }
  }
}

/** Order within one partition: by sort key; in a GSI ties are broken by the table key (as a cursor needs). */
function comparePageKeys(a: Record<string, unknown>, b: Record<string, unknown>, index?: IndexName): number {
  const { sortKey } = keyAttributes(index);
  const names = index ? [sortKey, TABLE_KEY.partitionKey, TABLE_KEY.sortKey] : [sortKey];
  for (const name of names) {
    const diff = compareUtf8(String(a[name]), String(b[name]));
    if (diff !== 0) return diff;
  }
  return 0;
}

function assertValidQuery(input: QueryInput): void {
  if (!Number.isInteger(input.limit) || input.limit < 1) {
    throw new RangeError(`Store query limit must be a positive integer, got ${input.limit}`);
  }
  if (input.skPrefix && input.skBetween) throw new RangeError('Store query takes skPrefix or skBetween, not both');
  if (input.skBetween && compareUtf8(input.skBetween[0], input.skBetween[1]) > 0) {
    throw new RangeError('Store query skBetween must be [low, high]');
  }
}

function pageKeyOf(item: Item, index?: IndexName): Record<string, string> {
  return Object.fromEntries(pageKeyAttributes(index).map((name) => [name, String(item[name])]));
}

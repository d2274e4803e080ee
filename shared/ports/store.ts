/**
 * Store: the single-table key-value store EIO keeps its records in (DynamoDB in AWS, the same DynamoDB
 * adapter against an embedded engine locally). Records are plain objects with string keys `pk`/`sk` and
 * optional GSI keys; every mutable record carries a numeric `version` for optimistic concurrency.
 *
 * No transactions: the embedded engine (dynalite) lacks them. Races are settled by conditional writes.
 */
export type Item = Record<string, unknown> & { pk: string; sk: string; [EXPIRES_AT]?: number };

/**
 * The table's time-to-live attribute: epoch seconds after which DynamoDB deletes the item on its own (within
 * a few days; until then reads still return it, so a reader that cares compares it with the clock). The
 * embedded engine keeps such items.
 */
export const EXPIRES_AT = 'expires_at_epoch';
export type Key = { pk: string; sk: string };
export type IndexName = 'gsi1' | 'gsi2';

export type WriteCondition =
  /** The item must not exist yet (create). */
  | { kind: 'absent' }
  /** The item must exist (update without version check). */
  | { kind: 'present' }
  /** The item must exist with exactly this version (optimistic lock). */
  | { kind: 'version'; version: number };

export type QueryInput = {
  /** Query the table (pk/sk) or a GSI (gsi1pk/gsi1sk, gsi2pk/gsi2sk). */
  index?: IndexName;
  pk: string;
  /** Restrict to sort keys starting with this. */
  skPrefix?: string;
  /** Restrict to sort keys in [from, to] (inclusive). */
  skBetween?: [string, string];
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** Newest first when the sort key is time-ordered. */
  descending?: boolean;
  /** Only these attributes of each item, besides `pk` and `sk` (DynamoDB's ProjectionExpression); all when unset. */
  attributes?: string[];
};
export type Page<T> = { items: T[]; cursor?: string };
export type AddOptions = { once?: { set: string; token: string }; set?: Record<string, string | number> };

export interface Store {
  get(key: Key): Promise<Item | undefined>;
  /** Throws ConditionFailedError when the condition does not hold. */
  put(item: Item, condition?: WriteCondition): Promise<void>;
  /**
   * Unconditional puts of many items in as few round trips as the engine allows (DynamoDB BatchWriteItem:
   * 25 per request). Not atomic: after a crash some may be written and others not, so use it only for items
   * whose writers tolerate that (audit entries, observations). Items with the same key in one call: the last wins.
   */
  putMany(items: Item[]): Promise<void>;
  /**
   * Many items by key, strongly consistent, in as few round trips as the engine allows (DynamoDB
   * BatchGetItem: 100 per request). Keys without an item are left out; the order of the answer is not kept.
   */
  getMany(keys: Key[]): Promise<Item[]>;
  /** Unconditional deletes of many items, batched like putMany and not atomic either; a missing item is no error. */
  deleteMany(keys: Key[]): Promise<void>;
  /** Throws ConditionFailedError when the condition does not hold. */
  delete(key: Key, condition?: WriteCondition): Promise<void>;
  /** Throws InvalidCursorError for a cursor this store did not issue. */
  query(input: QueryInput): Promise<Page<Item>>;
  /**
   * Atomic counters on an existing record: adds each delta (and 1 to `version`, so optimistic writers see
   * the change) without reading first, so many workers can count into one record without conflicts;
   * `set` overwrites plain attributes in the same write (e.g. `updated_at`). With `once`, the write happens
   * only if `once.token` is not yet in the string set `once.set`, and the token joins the set in the same
   * write: a retried add is a no-op and returns undefined. Returns the counters after the add. Throws
   * ConditionFailedError when the record does not exist.
   */
  add(key: Key, deltas: Record<string, number>, options?: AddOptions): Promise<Record<string, number> | undefined>;
  /** Cheap round trip used by the health check. */
  ping(): Promise<void>;
}

export class ConditionFailedError extends Error {
  constructor(readonly key: Key) {
    super(`Condition failed for ${key.pk}/${key.sk}`);
    this.name = 'ConditionFailedError';
  }
}
export class InvalidCursorError extends Error {
  constructor() {
    super('next_token is not valid for this list');
    this.name = 'InvalidCursorError';
  }
}

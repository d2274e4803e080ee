/**
 * A record kind in the single table, in the spirit of ElectroDB models:
 *   record      pk = <KIND>#<id>        sk = <KIND>
 *   list by kind    gsi1pk = KIND#<kind>    gsi1sk = <id>   (Query, never Scan)
 * Every record carries `version`; updates are conditional on it, so concurrent writers never lose updates.
 * Every item also carries `schema_version`, the shape it was written in: a kind whose shape changes raises its
 * schema's version and adds the step that upgrades an item of the version before. Reads upgrade what they
 * find (an item without the attribute is version 1), writes store the current shape, and `migrateStored`
 * rewrites every stored item still in an older shape (after a deploy, before the old code is gone for good).
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from '../domain/errors';
import { ConditionFailedError, EXPIRES_AT, type Item, type Key, type Page, type Store } from '../ports/store';
import { eachItem } from './paging';

const MAX_UPDATE_RETRIES = 10;
const UPDATE_BACKOFF_MS = 10;
const UPDATE_BACKOFF_CAP_MS = 500;

/** What every record carries: its id and the version its updates are conditional on. */
export type Versioned = { id: string; version: number };

const KEY_ATTRS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', EXPIRES_AT, 'schema_version'] as const;

/**
 * A kind's shape history: the version written now, and per older version the step that upgrades an item of
 * that version to the next (`upgrades[1]` takes a version-1 item to version 2). Pure functions of the item.
 */
export type Schema = { version: number; upgrades: Record<number, (item: Item) => Item> };
const FIRST_SCHEMA: Schema = { version: 1, upgrades: {} };

/** An item brought to the schema's current shape, one step at a time. */
export function upgradeItem(item: Item, schema: Schema): Item {
  let at = typeof item.schema_version === 'number' ? item.schema_version : 1;
  let current = item;
  while (at < schema.version) {
    const step = schema.upgrades[at];
    if (!step) throw new Error(`no upgrade of ${item.pk}/${item.sk} from schema version ${at}`);
    current = { ...step(current), schema_version: ++at };
  }
  return current;
}

export function stripKeys<T>(item: Item): T {
  const copy: Record<string, unknown> = { ...item };
  for (const k of KEY_ATTRS) delete copy[k];
  return copy as T;
}

export type IndexKeys = { gsi1sk?: string; gsi2pk?: string; gsi2sk?: string };

/** What one page of a migration did: items read, rewritten, and skipped because a writer changed them first. */
export type MigratedPage = { scanned: number; migrated: number; changed_meanwhile: number; cursor?: string };

/** One page of a list: size, where to continue, order, and a sort-key range. */
export type ListPage = { limit: number; cursor?: string; descending?: boolean; between?: [string, string] };

export class Entity<T extends Versioned> {
  constructor(
    /** Operator-facing name used in errors: "site 'site-9' does not exist". */
    readonly label: string,
    readonly kind: string,
    /** Extra access patterns: a different gsi1 sort (e.g. by creation time) and a gsi2 (e.g. by status). */
    private readonly indexes: (record: T) => IndexKeys = () => ({}),
    readonly schema: Schema = FIRST_SCHEMA,
  ) {}

  private fromItem(item: Item): T {
    return stripKeys<T>(upgradeItem(item, this.schema));
  }

  /**
   * Rewrites every stored record of the kind still in an older shape, each conditional on the version read
   * (a record changed meanwhile was written in the current shape anyway). Answers how many it rewrote.
   */
  async migrateStored(store: Store): Promise<number> {
    let rewritten = 0;
    let cursor: string | undefined;
    do {
      const page = await this.migratePage(store, cursor);
      rewritten += page.migrated;
      cursor = page.cursor;
    } while (cursor);
    return rewritten;
  }

  /** One page of migrateStored, from `cursor`; the answer's cursor is where the next page starts (none: done). */
  async migratePage(store: Store, cursor?: string, limit = 100): Promise<MigratedPage> {
    const page = await store.query({ index: 'gsi1', pk: `KIND#${this.kind}`, limit, cursor });
    const counts = { scanned: page.items.length, migrated: 0, changed_meanwhile: 0 };
    for (const item of page.items) {
      if (item.schema_version === this.schema.version) continue;
      const record = this.fromItem(item);
      try {
        await store.put(this.toItem(record), { kind: 'version', version: record.version });
        counts.migrated++;
      } catch (e) {
        if (!(e instanceof ConditionFailedError)) throw e;
        counts.changed_meanwhile++;
      }
    }
    return { ...counts, ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  key(id: string): Key {
    return { pk: `${this.kind}#${id}`, sk: this.kind };
  }

  private toItem(record: T): Item {
    return {
      ...record,
      ...this.key(record.id),
      gsi1pk: `KIND#${this.kind}`,
      gsi1sk: record.id,
      ...this.indexes(record),
      schema_version: this.schema.version,
    };
  }

  async find(store: Store, id: string): Promise<T | undefined> {
    const item = await store.get(this.key(id));
    return item ? this.fromItem(item) : undefined;
  }

  /** Many records by id in one batched read (BatchGetItem): id → record, ids without one left out. */
  async findMany(store: Store, ids: readonly string[]): Promise<Map<string, T>> {
    if (!ids.length) return new Map();
    const items = await store.getMany(ids.map((id) => this.key(id)));
    return new Map(items.map((item) => this.fromItem(item)).map((r) => [r.id, r]));
  }

  async get(store: Store, id: string): Promise<T> {
    const found = await this.find(store, id);
    if (!found) throw new NotFoundError(this.label, id);
    return found;
  }

  async exists(store: Store, id: string): Promise<boolean> {
    return (await store.get(this.key(id))) !== undefined;
  }

  /** Creates the record; 409 if the id is taken. */
  async create(store: Store, record: T): Promise<T> {
    try {
      await store.put(this.toItem(record), { kind: 'absent' });
      return record;
    } catch (e) {
      if (e instanceof ConditionFailedError) throw new ConflictError(`${this.label} '${record.id}' already exists`);
      throw e;
    }
  }

  /** Writes `next` if the stored record is still at `next.version - 1`; 409 otherwise. */
  async replace(store: Store, next: T): Promise<T> {
    try {
      await store.put(this.toItem(next), { kind: 'version', version: next.version - 1 });
      return next;
    } catch (e) {
      if (e instanceof ConditionFailedError) {
        if (!(await this.exists(store, next.id))) throw new NotFoundError(this.label, next.id);
        throw new ConflictError(
          `${this.label} '${next.id}' was changed by someone else (expected version ${next.version - 1}); read it again and retry`,
        );
      }
      throw e;
    }
  }

  /**
   * Reads, applies `change`, writes back conditionally; when it loses a race it reads again and retries,
   * after a random pause that doubles each time (full jitter), so writers that collided spread out instead
   * of colliding again: eight health checks of one endpoint at once all land.
   */
  async update(store: Store, id: string, change: (current: T) => T, expectedVersion?: number): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(store, id);
      if (expectedVersion !== undefined && current.version !== expectedVersion)
        throw new ConflictError(`${this.label} '${id}' is at version ${current.version}, not ${expectedVersion}; read it again and retry`);
      try {
        return await this.replace(store, { ...change(current), id, version: current.version + 1 });
      } catch (e) {
        if (!(e instanceof ConflictError) || expectedVersion !== undefined || attempt >= MAX_UPDATE_RETRIES) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(UPDATE_BACKOFF_CAP_MS, UPDATE_BACKOFF_MS * 2 ** attempt)));
      }
    }
  }

  async remove(store: Store, record: T): Promise<void> {
    try {
      await store.delete(this.key(record.id), { kind: 'version', version: record.version });
    } catch (e) {
      if (e instanceof ConditionFailedError) throw new ConflictError(`${this.label} '${record.id}' changed while being deleted; retry`);
      throw e;
    }
  }

  async list(store: Store, page: ListPage): Promise<Page<T>> {
    const result = await store.query({
      index: 'gsi1',
      pk: `KIND#${this.kind}`,
      limit: page.limit,
      cursor: page.cursor,
      descending: page.descending,
      skBetween: page.between,
    });
    return { items: result.items.map((i) => this.fromItem(i)), cursor: result.cursor };
  }

  /** Every record of the kind, page after page: for sweeps, not request paths. */
  each(store: Store, opts: { between?: [string, string] } = {}): AsyncGenerator<T> {
    return eachItem((cursor) => this.list(store, { limit: 100, cursor, between: opts.between }));
  }

  /** Every record under one gsi2 partition, page after page (for the record file's named access patterns). */
  protected eachIn(store: Store, gsi2pk: string, opts: { between?: [string, string] } = {}): AsyncGenerator<T> {
    return eachItem((cursor) => this.listBy(store, gsi2pk, { limit: 100, cursor, between: opts.between }));
  }

  /**
   * Records on gsi2 under one partition (e.g. all jobs in one status), oldest first unless descending. Only
   * the record file names partitions: use cases call its named patterns (`jobs.byStatus`, `dellEndpoints.bySite`).
   */
  protected async listBy(store: Store, gsi2pk: string, page: ListPage): Promise<Page<T>> {
    const result = await store.query({
      index: 'gsi2',
      pk: gsi2pk,
      limit: page.limit,
      cursor: page.cursor,
      descending: page.descending,
      skBetween: page.between,
    });
    return { items: result.items.map((i) => this.fromItem(i)), cursor: result.cursor };
  }
}

let sequence = 0;
/**
 * Sort keys for time-ordered child items: ISO time, then a per-process sequence so items written in the same
 * millisecond by one process keep their order, then a random tail so two processes never collide.
 */
export const timeSortKey = (prefix: string, at: string): string =>
  `${prefix}#${at}#${(sequence++ % 1e6).toString().padStart(6, '0')}#${randomBytes(3).toString('hex')}`;

/** The time-to-live of an item written at `at` (ISO) and kept for `retentionMs`, in the table's TTL attribute. */
export const expiresAfter = (at: string, retentionMs: number) => ({ [EXPIRES_AT]: Math.floor((Date.parse(at) + retentionMs) / 1000) });

/** Whether an item's time-to-live has passed (DynamoDB may not have deleted it yet). */
export const hasExpired = (item: Item, now: number) => typeof item[EXPIRES_AT] === 'number' && item[EXPIRES_AT] * 1000 <= now;

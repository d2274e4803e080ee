/**
 * The record migration runner (issue 16, item 8): records in an older shape are rewritten page by page, a writer
 * that got there first is never overwritten, a pass that stopped carries on from its checkpoint, a rerun writes
 * nothing, and every Entity kind is on the list the runner walks.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Item } from '../../shared/ports/store';
import { Entity } from '../../shared/records/entity';
import { migrationCheckpoints } from '../../shared/records/record-migrations';
import { STORED_KINDS } from '../../shared/records/stored-kinds';
import { migrateRecords, totalOf } from '../../shared/usecases/record-migration';
import { ManualClock } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';
import { type WidgetV1 as V1, type WidgetV2 as V2, widgetsV1, widgetsV2 } from '../support/widget-shapes';

const [v1, v2] = [widgetsV1, widgetsV2];
const gadgets = new Entity<V1>('gadget', 'GADGET');
const kinds = [v2, gadgets] as unknown as Entity<{ id: string; version: number }>[];

/** A store whose process dies at a chosen put (that put never happens), or that lets another writer in first. */
class TestStore extends MemoryStore {
  diesAtPut?: number;
  puts = 0;
  /** Runs once, before the first widget is written. */
  beforePut?: (item: Item) => Promise<void>;
  override async put(...args: Parameters<MemoryStore['put']>): Promise<void> {
    if (++this.puts === this.diesAtPut) throw new Error('process died');
    const before = this.beforePut;
    if (before && String(args[0].pk).startsWith('WIDGET#')) {
      this.beforePut = undefined;
      await before(args[0]);
    }
    return super.put(...args);
  }
}

let store: TestStore;
let deps: { store: TestStore; clock: ManualClock };
const raw = (id: string) => store.get(v1.key(id));

beforeEach(async () => {
  store = new TestStore();
  deps = { store, clock: new ManualClock() };
  // 250 widgets (three pages) in the first shape, and gadgets already current.
  for (let i = 0; i < 250; i++) await v1.create(store, { id: `w-${String(i).padStart(3, '0')}`, version: 1, name: `widget ${i}` });
  for (const id of ['g-1', 'g-2']) await gadgets.create(store, { id, version: 1, name: id });
  store.puts = 0;
});

describe('record migration', () => {
  it('rewrites every record in an older shape and reports counts per kind; a rerun writes nothing', async () => {
    const pass = await migrateRecords(deps, { kinds });
    expect(pass.status).toBe('complete');
    expect(pass.counts).toEqual({
      widget: { scanned: 250, migrated: 250, changed_meanwhile: 0 },
      gadget: { scanned: 2, migrated: 0, changed_meanwhile: 0 },
    });
    expect(await raw('w-007')).toMatchObject({ schema_version: 2, display_name: 'widget 7', tags: [], version: 1 });
    expect(await raw('w-007')).not.toHaveProperty('name');

    const writes = store.puts;
    const again = await migrateRecords(deps, { kinds });
    expect(totalOf(again)).toEqual({ scanned: 252, migrated: 0, changed_meanwhile: 0 });
    expect(store.puts - writes).toBe(5); // the checkpoint only: a new pass, then one per page (three of widgets, one of gadgets)
  });

  it('never overwrites a record a writer changed after the runner read it', async () => {
    store.beforePut = async () => {
      await v2.update(store, 'w-000', (w) => ({ ...w, tags: ['edited meanwhile'] }));
    };
    const pass = await migrateRecords(deps, { kinds });
    expect(pass.counts.widget).toEqual({ scanned: 250, migrated: 249, changed_meanwhile: 1 });
    expect(await raw('w-000')).toMatchObject({ schema_version: 2, tags: ['edited meanwhile'], version: 2 });
  });

  it('carries on from its checkpoint after a crash, reading no page twice', async () => {
    // Puts: the new pass's checkpoint, 100 widgets, the first page's checkpoint, then the process dies mid-page 2.
    store.diesAtPut = 1 + 100 + 1 + 30;
    await expect(migrateRecords(deps, { kinds })).rejects.toThrow('process died');
    const pass = await migrateRecords(deps, { kinds });
    expect(pass.status).toBe('complete');
    // Page 2 is read again (its checkpoint was never written); its 29 rewritten widgets are now current.
    expect(pass.counts.widget).toEqual({ scanned: 250, migrated: 250 - 29, changed_meanwhile: 0 });
    expect((await v2.list(store, { limit: 200 })).items.every((w) => w.tags.length === 0)).toBe(true);
    expect(await raw('w-249')).toMatchObject({ schema_version: 2 });
  });

  it('stops at its deadline and the next run finishes the pass', async () => {
    const paused = await migrateRecords(deps, { kinds, deadline: deps.clock.now() - 1 });
    expect(paused.status).toBe('running');
    expect(totalOf(paused).scanned).toBe(0);
    const done = await migrateRecords(deps, { kinds });
    expect(done).toMatchObject({ status: 'complete', started_at: paused.started_at });
  });

  it('at a start, skips the pass when the last complete one migrated to the same shapes', async () => {
    await migrateRecords(deps, { kinds });
    const writes = store.puts;
    expect((await migrateRecords(deps, { kinds, onlyIfChanged: true })).status).toBe('complete');
    expect(store.puts).toBe(writes);
    const v3 = new Entity<V2>('widget', 'WIDGET', () => ({}), { version: 3, upgrades: { ...v2.schema.upgrades, 2: (w) => w } });
    const next = await migrateRecords(deps, { kinds: [v3, gadgets] as never, onlyIfChanged: true });
    expect(next.counts.widget?.migrated).toBe(250);
  });

  it('walks every Entity kind the record files export', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'shared', 'records');
    const exported = new Set<unknown>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const module = (await import(join(dir, file))) as Record<string, unknown>;
      for (const value of Object.values(module)) if (value instanceof Entity) exported.add(value);
    }
    exported.delete(migrationCheckpoints); // the pass's own checkpoint, rewritten on every page
    const missing = [...exported].filter((e) => !STORED_KINDS.includes(e as never)).map((e) => (e as Entity<V1>).label);
    expect(missing).toEqual([]);
    expect(exported.size).toBe(STORED_KINDS.length);
  });
});

/**
 * Records carry the shape they were written in (issue 16, item 8): a kind that changes shape upgrades what it
 * reads, writes the new shape, and rewrites the stored old ones on request.
 */
import { describe, expect, it } from 'vitest';
import { Entity } from '../../shared/records/entity';
import { MemoryStore } from '../support/memory-store';
import { type WidgetV2 as V2, widgetsV1 as v1, widgetsV2 as v2 } from '../support/widget-shapes';

describe('record schema versions', () => {
  it('stores the schema version, never shows it, and upgrades an old item on read', async () => {
    const store = new MemoryStore();
    await v1.create(store, { id: 'w-1', version: 1, name: 'first' });
    expect((await store.get(v1.key('w-1')))?.schema_version).toBe(1);
    expect(await v1.get(store, 'w-1')).toEqual({ id: 'w-1', version: 1, name: 'first' });
    expect(await v2.get(store, 'w-1')).toEqual({ id: 'w-1', version: 1, display_name: 'first', tags: [] });
    expect((await v2.list(store, { limit: 10 })).items).toEqual([{ id: 'w-1', version: 1, display_name: 'first', tags: [] }]);
  });

  it('an update writes the new shape; migrateStored rewrites the rest, once', async () => {
    const store = new MemoryStore();
    for (const id of ['w-1', 'w-2', 'w-3']) await v1.create(store, { id, version: 1, name: id });
    await v2.update(store, 'w-1', (w) => ({ ...w, tags: ['edited'] }));
    expect(await store.get(v1.key('w-1'))).toMatchObject({ schema_version: 2, display_name: 'w-1', tags: ['edited'], version: 2 });
    expect(await v2.migrateStored(store)).toBe(2);
    expect(await v2.migrateStored(store)).toBe(0);
    const raw = await store.get(v1.key('w-3'));
    expect(raw).toMatchObject({ schema_version: 2, display_name: 'w-3', tags: [], version: 1 });
    expect(raw).not.toHaveProperty('name');
  });

  it('refuses to guess an upgrade nobody wrote', async () => {
    const store = new MemoryStore();
    await v1.create(store, { id: 'w-1', version: 1, name: 'x' });
    const v3 = new Entity<V2>('widget', 'WIDGET', () => ({}), { version: 3, upgrades: {} });
    await expect(v3.get(store, 'w-1')).rejects.toThrow(/no upgrade of WIDGET#w-1\/WIDGET from schema version 1/);
  });
});

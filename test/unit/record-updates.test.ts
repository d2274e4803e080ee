import { describe, expect, it } from 'vitest';
import type { Site } from '../../shared/domain/site';
import { sites } from '../../shared/records/sites';
import { MemoryStore } from '../support/memory-store';

describe('a record updated by many writers at once', () => {
  it('every one of eight concurrent updates lands, none lost and none refused', async () => {
    const store = new MemoryStore();
    const at = '2026-12-05T00:00:00.000Z';
    await sites.create(store, {
      id: 'site-a',
      name: 'a',
      description: '',
      management_networks: [],
      created_at: at,
      updated_at: at,
      version: 1,
    } as unknown as Site);
    const writers = Array.from({ length: 8 }, (_, i) =>
      sites.update(store, 'site-a', (s) => ({ ...s, description: `${s.description}${i}` })),
    );
    const results = await Promise.allSettled(writers);
    expect(results.map((r) => r.status)).toEqual(writers.map(() => 'fulfilled'));
    const final = await sites.get(store, 'site-a');
    expect(final.version).toBe(9);
    expect([...final.description].sort().join('')).toBe('01234567');
  });
});

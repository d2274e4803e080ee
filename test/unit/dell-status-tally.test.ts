import { describe, expect, it } from 'vitest';
import type { DellEndpoint } from '../../shared/domain/dell-endpoint';
import { dellEndpoints } from '../../shared/records/dell-endpoints';
import { RECONCILE_AFTER_MS, reconcileStatusTally, statusTally, tallyStatusChange } from '../../shared/records/dell-status-tally';
import { MemoryStore } from '../support/memory-store';

const T0 = '2026-11-23T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

async function endpoint(store: MemoryStore, id: string, status: DellEndpoint['status']): Promise<DellEndpoint> {
  const ep = { id, status, site_id: 's', address: `10.0.0.${id.length}`, version: 1 } as unknown as DellEndpoint;
  await dellEndpoints.create(store, ep);
  return ep;
}

describe('iDRAC status tally (health without reading every endpoint)', () => {
  it('is counted from the endpoints on first use, then follows each status change', async () => {
    const store = new MemoryStore();
    await endpoint(store, 'a', 'reachable');
    await endpoint(store, 'b', 'unreachable');
    await endpoint(store, 'c', 'unknown');
    expect(await statusTally(store, T0)).toMatchObject({ total: 3, checked: 2, unreachable: 1, down: ['b'] });

    const d = await endpoint(store, 'd', 'unknown');
    await tallyStatusChange(store, undefined, d, T0);
    await tallyStatusChange(store, d, { id: 'd', status: 'unreachable' }, T0);
    await tallyStatusChange(store, { id: 'b', status: 'unreachable' }, { id: 'b', status: 'reachable' }, T0);
    expect(await statusTally(store, T0)).toMatchObject({ total: 4, checked: 3, unreachable: 1, down: ['d'] });

    await tallyStatusChange(store, { id: 'd', status: 'unreachable' }, undefined, T0);
    expect(await statusTally(store, T0)).toMatchObject({ total: 3, checked: 2, unreachable: 0, down: [] });
  });

  it('a first change with no tally yet counts what is stored, this change included', async () => {
    const store = new MemoryStore();
    const a = await endpoint(store, 'a', 'unreachable');
    await tallyStatusChange(store, undefined, a, T0);
    expect(await statusTally(store, T0)).toMatchObject({ total: 1, checked: 1, unreachable: 1, down: ['a'] });
  });

  it('reconciliation corrects drift once the last count is old, and not before', async () => {
    const store = new MemoryStore();
    const a = await endpoint(store, 'a', 'reachable');
    expect(await statusTally(store, T0)).toMatchObject({ total: 1, unreachable: 0 });
    // A crash between the endpoint write and the tally: the store says unreachable, the tally does not.
    await dellEndpoints.replace(store, { ...a, status: 'unreachable', version: 2 });
    expect(await reconcileStatusTally(store, at(60_000))).toBe(false);
    expect((await statusTally(store, at(60_000))).unreachable).toBe(0);
    expect(await reconcileStatusTally(store, at(RECONCILE_AFTER_MS + 1))).toBe(true);
    expect(await statusTally(store, at(RECONCILE_AFTER_MS + 1))).toMatchObject({ total: 1, checked: 1, unreachable: 1, down: ['a'] });
  });
});

import { describe, expect, it } from 'vitest';
import type { Queue } from '../../shared/ports/queue';
import type { Store } from '../../shared/ports/store';
import { type IpObservation, recordObservation } from '../../shared/records/ip-observations';
import { findingsAt } from '../../shared/records/ipam-findings';
import { sites } from '../../shared/records/sites';
import { createException } from '../../shared/usecases/ipam-exceptions';
import { listFindings, openFindingFigures } from '../../shared/usecases/ipam-findings';
import { listObservations } from '../../shared/usecases/ipam-observations';
import { createAllocation, createPrefix } from '../../shared/usecases/ipam-plan';
import { runIpamReconciliation } from '../../shared/usecases/ipam-reconciliation';
import { ManualClock, RecordingQueue } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';

const T0 = Date.parse('2026-12-01T10:00:00Z');

/** Counts the store operations made through it, by name. */
function counting(store: Store) {
  const calls: Record<string, number> = {};
  const counted = new Proxy(store, {
    get(target, name: string) {
      const value = Reflect.get(target, name) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store: counted,
    calls,
    total: () => Object.values(calls).reduce((a, b) => a + b, 0),
    reset: () => {
      for (const k of Object.keys(calls)) delete calls[k];
    },
  };
}

const vmAt = (n: number, address: string, minute = 0): Omit<IpObservation, 'first_seen'> => ({
  address,
  source: 'vcenter',
  source_ref: `vc-001/vm-${n}`,
  entity_kind: 'vm',
  entity_ref: `vc-001/vm-${n}`,
  mac: `00:50:56:00:${String(n % 100).padStart(2, '0')}:${String(Math.floor(n / 100) % 100).padStart(2, '0')}`,
  site_id: 'site-001',
  hardware_ids: { instance_uuid: `50210000-0000-0000-0000-${String(n).padStart(12, '0')}` },
  last_seen: new Date(T0 + minute * 60_000).toISOString(),
});

describe('IPAM incremental reconciliation on every observation write', () => {
  it('opens duplicate_usage when a second VM reports an address, in a constant number of store operations', async () => {
    const memory = new MemoryStore();
    const c = counting(memory);
    await recordObservation(c.store, vmAt(1, '10.45.12.100'));
    expect(await findingsAt(memory, '10.45.12.100')).toEqual([]);
    const alone = c.total();

    // Two hundred other addresses stored change nothing in what one write costs.
    for (let n = 10; n < 210; n++) await recordObservation(memory, vmAt(n, `10.46.${Math.floor(n / 250)}.${n % 250}`));
    c.reset();
    await recordObservation(c.store, vmAt(2, '10.45.12.200'));
    expect(c.total()).toBe(alone);
    expect(c.calls).toEqual({ get: 2, putMany: 1, query: 3 });

    c.reset();
    await recordObservation(c.store, vmAt(3, '10.45.12.100', 1));
    const [dup] = await findingsAt(memory, '10.45.12.100');
    expect(dup).toMatchObject({ type: 'duplicate_usage', status: 'open', site_id: 'site-001' });
    expect(c.calls.put).toBe(1);
    // Seen again, unchanged: nothing to write.
    c.reset();
    await recordObservation(c.store, vmAt(3, '10.45.12.100', 2));
    expect(c.calls.put).toBeUndefined();
  });

  it('shows every observation of an address with its entity and identifiers', async () => {
    const store = new MemoryStore();
    await recordObservation(store, vmAt(1, '10.45.12.100'));
    await recordObservation(store, { ...vmAt(1, '10.45.12.101'), mac: '00:50:56:00:99:99' });
    const page = await listObservations({ store }, { address: '10.45.12.100' }, { limit: 50 });
    expect(page.items).toEqual([
      expect.objectContaining({
        address: '10.45.12.100',
        source: 'vcenter',
        mac: '00:50:56:00:01:00',
        entity: {
          id: 'vm:50210000-0000-0000-0000-000000000001',
          kind: 'vm',
          ref: 'vc-001/vm-1',
          identifiers: { instance_uuid: '50210000-0000-0000-0000-000000000001', mac: '00:50:56:00:01:00' },
        },
      }),
    ]);
    const byEntity = await listObservations({ store }, { entity: 'vm:50210000-0000-0000-0000-000000000001' }, { limit: 50 });
    expect(byEntity.items.map((o) => o.address)).toEqual(['10.45.12.100', '10.45.12.101']);
    const prefix = await listObservations(
      { store },
      { prefix: { cidr: '10.45.12.101/32', family: 4, bits: 32, first: '4:0a2d0c65', last: '4:0a2d0c65' } },
      { limit: 50 },
    );
    expect(prefix.items.map((o) => o.address)).toEqual(['10.45.12.101']);
    const byMac = await listObservations({ store }, { mac: '00:50:56:00:99:99' }, { limit: 50 });
    expect(byMac.items.map((o) => o.address)).toEqual(['10.45.12.101']);
  });
});

describe('IPAM full pass, plan and exceptions', () => {
  const setup = async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(T0 + 5 * 60_000);
    const queue = new RecordingQueue();
    const deps = { store, clock, queue: queue as unknown as Queue };
    const site = { id: 'site-001', name: 'Lab', description: '', management_networks: ['10.45.12.0/22'], trust_on_first_use: false };
    await sites.create(store, {
      ...site,
      created_at: new Date(T0).toISOString(),
      updated_at: new Date(T0).toISOString(),
      version: 1,
    } as never);
    return { deps, store, queue, advance: (ms: number) => clock.advance(ms) };
  };

  it('judges a new prefix in the full pass and an allocation at once', async () => {
    const { deps, store, queue } = await setup();
    await recordObservation(store, vmAt(1, '10.45.12.100'));
    await recordObservation(store, vmAt(2, '10.99.0.1'));
    await createPrefix(deps, { site_id: 'site-001', cidr: '10.45.12.0/24', ranges: [] });
    expect(queue.sent.filter((m) => m.queue === 'ipam')).toHaveLength(1);
    const summary = await runIpamReconciliation(deps);
    expect(summary).toMatchObject({ observations: 2, entities: 2, findings_written: 2 });
    expect((await findingsAt(store, '10.45.12.100')).map((f) => f.type)).toEqual(['unallocated_usage']);
    expect((await findingsAt(store, '10.99.0.1')).map((f) => f.type)).toEqual(['out_of_prefix']);
    await createAllocation(deps, { address: '10.45.12.100', site_id: 'site-001', owner: 'ops', purpose: 'web' }, 'alice');
    expect(await findingsAt(store, '10.45.12.100')).toEqual([expect.objectContaining({ status: 'resolved', resolved_by: 'eio' })]);
    expect(await runIpamReconciliation(deps)).toMatchObject({ findings_written: 0 });
  });

  it('hides findings an exception covers until it expires', async () => {
    const { deps, store, advance } = await setup();
    await recordObservation(store, vmAt(1, '10.45.12.100'));
    await recordObservation(store, vmAt(2, '10.45.12.100'));
    const visible = () => listFindings(deps, { suppressed: 'false' }, { limit: 50 });
    expect((await visible()).items).toHaveLength(1);
    expect(await openFindingFigures(deps)).toMatchObject({ open: 1 });
    const expires = new Date(T0 + 60 * 60_000).toISOString();
    await createException(
      deps,
      { owner: 'ops', reason: 'multi-homed', scope: { type: 'address', value: '10.45.12.100' }, expires_at: expires },
      'alice',
    );
    expect((await visible()).items).toHaveLength(0);
    expect((await listFindings(deps, { suppressed: 'true' }, { limit: 50 })).items[0]!.suppressed_by).toMatchObject({ owner: 'ops' });
    expect(await openFindingFigures(deps)).toMatchObject({ open: 0 });
    advance(60 * 60_000);
    expect((await visible()).items).toHaveLength(1);
  });
});

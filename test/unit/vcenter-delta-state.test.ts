import { describe, expect, it } from 'vitest';
import { VSphereTimeoutError } from '../../shared/adapters/vsphere';
import type { InventoryObject, VCenterInstance } from '../../shared/domain/vcenter';
import {
  InvalidCollectorVersionFault,
  type InventoryChanges,
  type VCenterClient,
  VSphereSessionLostError,
} from '../../shared/ports/vcenter';
import { putInventory, vcenterInstances } from '../../shared/records/vcenter';
import { deltaOrFull } from '../../shared/usecases/vcenter-sync';
import { instanceRecord, storedRecord } from '../support/fake-vcenter';
import { unitDeps } from '../support/fakes';

const vmNew: InventoryObject = { kind: 'vm', moref: 'vm-new', name: 'new-vm', data: { name: 'new-vm', host: undefined }, ips: [] };

/** The vCenter port's client, faked: what delta sync reads; a full read means a full sync started. */
function fakeClient(readChanges: VCenterClient['readChanges'], released: string[] = []): VCenterClient {
  return {
    readChanges,
    releaseCheckpoint: async (session: string) => {
      released.push(session);
    },
    readInventory: async () => {
      throw new Error('full sync started');
    },
  } as Partial<VCenterClient> as VCenterClient;
}

const SESSION = JSON.stringify({ cookie: 'c', collector: 'pc-1', filter: 'f-1', view: 'v-1' });

async function primedInstance(deps: ReturnType<typeof unitDeps>): Promise<VCenterInstance> {
  await deps.secrets.put('vcenter-sessions/vc-001', SESSION);
  const instance = instanceRecord('vc-001', '2026-11-23T10:00:00.000Z', {
    sync_state: { collector_version: '7', session_secret_ref: 'vcenter-sessions/vc-001' },
    inventory_counts: { datacenters: 1, clusters: 1, hosts: 2, vms: 5000, datastores: 1 },
  });
  await vcenterInstances.create(deps.store, instance);
  return instance;
}

describe('delta sync state', () => {
  it("continues from the checkpoint; totals are the last sync's counts moved by what it created, not a count of records", async () => {
    const deps = unitDeps();
    const instance = await primedInstance(deps);
    await putInventory(deps.store, storedRecord('vm', 'vm-gone'));
    const asked: unknown[] = [];
    const vc = fakeClient(async (checkpoint): Promise<InventoryChanges> => {
      asked.push(checkpoint);
      return { objects: [vmNew], removed: [{ kind: 'vm', moref: 'vm-gone' }], version: '8' };
    });
    const result = await deltaOrFull(deps, vc, instance);
    expect(asked).toEqual([{ version: '7', session: SESSION }]);
    expect(result.executed).toBe('delta');
    expect(result.changes).toMatchObject({ written: 1, deleted: 1 });
    // 5000 + 1 created − 1 removed: the stored inventory holds only vm-new, so a count would have said 1.
    expect(result.counts.vms).toBe(5000);
    expect((await vcenterInstances.get(deps.store, 'vc-001')).sync_state?.collector_version).toBe('8');
  });

  it('a delta attempt that fails after asking for updates makes the next sync run full, saying why', async () => {
    const deps = unitDeps();
    const instance = await primedInstance(deps);
    const timedOut = fakeClient(async () => {
      throw new VSphereTimeoutError('https://vc.example/sdk', 'WaitForUpdatesEx', 60_000);
    });
    await expect(deltaOrFull(deps, timedOut, instance)).rejects.toBeInstanceOf(VSphereTimeoutError);
    const after = await vcenterInstances.get(deps.store, 'vc-001');
    expect(after.sync_state).toMatchObject({ collector_version: '7' });
    expect(after.sync_state?.invalidated).toMatch(
      /^the previous delta attempt failed after asking vCenter for updates \(VSphereTimeoutError: .*WaitForUpdatesEx within 60000 ms\)$/,
    );
    // The retry does not resume from version 7 (vCenter may have handed those updates out already): it runs full.
    let asked = false;
    const released: string[] = [];
    const next = fakeClient(async () => {
      asked = true;
      return { objects: [], removed: [], version: '9' };
    }, released);
    await expect(deltaOrFull(deps, next, after)).rejects.toThrow('full sync started');
    expect(asked).toBe(false);
    // The full sync starts by dropping the old checkpoint (freeing its collector), the invalidation with it.
    expect(released).toEqual([SESSION]);
    expect((await vcenterInstances.get(deps.store, 'vc-001')).sync_state).toBeUndefined();
  });

  it('falls back to full, naming why, when the checkpoint is no longer usable or its session secret is gone', async () => {
    const cases: [string, (deps: ReturnType<typeof unitDeps>) => Promise<unknown>, RegExp][] = [
      [
        'silently expired session',
        async () => new VSphereSessionLostError('NotAuthenticated in missingSet: the session expired silently'),
        /^VSphereSessionLostError: NotAuthenticated in missingSet/,
      ],
      [
        'unknown version',
        async () => new InvalidCollectorVersionFault('InvalidCollectorVersion', ''),
        /^InvalidCollectorVersion: version '7' is no longer valid$/,
      ],
      ['secret gone', async (deps) => deps.secrets.delete('vcenter-sessions/vc-001'), /^session lost: no stored session to resume$/],
    ];
    for (const [what, arrange, reason] of cases) {
      const deps = unitDeps();
      const instance = await primedInstance(deps);
      const failure = await arrange(deps);
      const vc = fakeClient(async () => {
        throw failure ?? new Error('a delta without its session asked vCenter');
      });
      vc.readInventory = async (onPage) => {
        await onPage?.([vmNew], 1);
        return {
          objects: [vmNew],
          checkpoint: { version: '1', session: SESSION },
          discard: async () => undefined,
        };
      };
      const result = await deltaOrFull(deps, vc, instance);
      expect(result, what).toMatchObject({ executed: 'full', fallback: expect.stringMatching(reason), counts: { vms: 1 } });
      expect((await vcenterInstances.get(deps.store, 'vc-001')).sync_state, what).toMatchObject({ collector_version: '1' });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { VSphereTimeoutError, type VSphereClient } from '../../shared/adapters/vsphere';
import type { VCenterInstance } from '../../shared/domain/vcenter';
import type { Queue } from '../../shared/ports/queue';
import { putInventory, vcenterInstances } from '../../shared/records/vcenter';
import { deltaOrFull } from '../../shared/usecases/vcenter-sync';
import { unitDeps } from '../support/fakes';

/** Just what delta sync touches of the vSphere client; anything else means a full sync started. */
function fakeClient(updates: () => Promise<unknown>): VSphereClient {
  return {
    health: () => ({ loggedIn: true }),
    session: { resume: () => undefined },
    waitForUpdatesEx: updates,
    async *retrievePropertiesEx() {
      yield { obj: { type: 'VirtualMachine', value: 'vm-new' }, propSet: [{ name: 'name', val: 'new-vm' }], missingSet: [] };
    },
    destroyPropertyCollector: async () => undefined,
    destroyView: async () => undefined,
    createContainerView: async () => {
      throw new Error('full sync started');
    },
  } as unknown as VSphereClient;
}

async function primedInstance(deps: ReturnType<typeof unitDeps>): Promise<VCenterInstance> {
  await deps.secrets.put('vcenter-sessions/vc-001', JSON.stringify({ cookie: 'c', collector: 'pc-1', filter: 'f-1', view: 'v-1' }));
  const instance = {
    id: 'vc-001',
    name: 'vc-001',
    description: '',
    url: 'https://vc.example/sdk',
    site_id: 'site-001',
    service_identity_id: 'si-vc',
    tls: {},
    sync_state: { collector_version: '7', session_secret_ref: 'vcenter-sessions/vc-001' },
    inventory_counts: { datacenters: 1, clusters: 1, hosts: 2, vms: 5000, datastores: 1 },
    created_at: '2026-11-23T10:00:00.000Z',
    version: 1,
  } as unknown as VCenterInstance;
  await vcenterInstances.create(deps.store, instance);
  return instance;
}

describe('delta sync state', () => {
  it("reports totals from the last sync's counts moved by what it created, without reading the inventory", async () => {
    const deps = { ...unitDeps(), queue: {} as Queue };
    const instance = await primedInstance(deps);
    await putInventory(deps.store, { instance_id: 'vc-001', kind: 'vm', moref: 'vm-gone', name: 'gone', hash: 'h', data: {}, synced_at: '2026-11-23T10:00:00.000Z' });
    const vc = fakeClient(async () => ({
      version: '8',
      truncated: false,
      filterSet: [
        {
          objectSet: [
            { kind: 'enter', obj: { type: 'VirtualMachine', value: 'vm-new' }, missingSet: [] },
            { kind: 'leave', obj: { type: 'VirtualMachine', value: 'vm-gone' }, missingSet: [] },
          ],
        },
      ],
    }));
    const result = await deltaOrFull(deps, vc, instance);
    expect(result.executed).toBe('delta');
    expect(result.changes).toMatchObject({ written: 1, deleted: 1 });
    // 5000 + 1 created − 1 removed: the stored inventory holds only vm-new, so a count would have said 1.
    expect(result.counts.vms).toBe(5000);
    expect((await vcenterInstances.get(deps.store, 'vc-001')).sync_state?.collector_version).toBe('8');
  });

  it('a delta attempt that fails after asking for updates makes the next sync run full, saying why', async () => {
    const deps = { ...unitDeps(), queue: {} as Queue };
    const instance = await primedInstance(deps);
    const timedOut = fakeClient(async () => {
      throw new VSphereTimeoutError('https://vc.example/sdk', 'WaitForUpdatesEx', 60_000);
    });
    await expect(deltaOrFull(deps, timedOut, instance)).rejects.toBeInstanceOf(VSphereTimeoutError);
    const after = await vcenterInstances.get(deps.store, 'vc-001');
    expect(after.sync_state).toMatchObject({ collector_version: '7' });
    expect(after.sync_state?.invalidated).toMatch(/^the previous delta attempt failed after asking vCenter for updates \(VSphereTimeoutError: .*WaitForUpdatesEx within 60000 ms\)$/);
    // The retry does not resume from version 7 (vCenter may have handed those updates out already): it runs full.
    let asked = false;
    const next = fakeClient(async () => {
      asked = true;
      return { version: '9', truncated: false, filterSet: [] };
    });
    await expect(deltaOrFull(deps, next, after)).rejects.toThrow('full sync started');
    expect(asked).toBe(false);
    // The full sync starts by dropping the old delta state, the invalidation with it.
    expect((await vcenterInstances.get(deps.store, 'vc-001')).sync_state).toBeUndefined();
  });
});

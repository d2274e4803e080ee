import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/domain/errors';
import { EvacuationOptions } from '../../shared/domain/evacuation-plan';
import { type InventoryRecord, putInventory, vcenterInstances } from '../../shared/records/vcenter';
import { planHost, planVms } from '../../shared/usecases/evacuation-input';
import { planEvacuation } from '../../shared/usecases/evacuation-plan';
import { instanceRecord, storedRecord } from '../support/fake-vcenter';
import { unitDeps } from '../support/fakes';

/** A host as vCenter sync stores it: 64 GB, 2 × 10 GHz, 8 GB and 3 GHz in use, mounting the shared datastore. */
const hostRecord = (moref: string, name: string, data: Record<string, unknown> = {}): InventoryRecord =>
  storedRecord('host', moref, {
    name,
    data: {
      name,
      connection_state: 'connected',
      power_state: 'poweredOn',
      in_maintenance_mode: false,
      cluster: 'domain-c1',
      datastores: ['datastore-shared'],
      memory_mb: 65_536,
      cpu_cores: 2,
      cpu_mhz: 10_000,
      cpu_usage_mhz: 3_000,
      memory_usage_mb: 8_192,
      ...data,
    },
  });

const vmRecord = (moref: string, host: string, data: Record<string, unknown> = {}): InventoryRecord =>
  storedRecord('vm', moref, {
    name: `app-${moref}`,
    data: {
      power_state: 'poweredOn',
      host,
      datastores: ['datastore-shared'],
      disks: [{ key: 2000, datastore: 'datastore-shared' }],
      cpu_count: 2,
      memory_mb: 4_096,
      host_devices: [],
      ...data,
    },
  });

const clusterRecord = (data: Record<string, unknown> = {}): InventoryRecord =>
  storedRecord('cluster', 'domain-c1', {
    name: 'prod',
    data: {
      name: 'prod',
      hosts: ['host-1', 'host-2', 'host-3'],
      drs: { enabled: true, behavior: 'fullyAutomated' },
      ha: { enabled: true, admission_control: false },
      drs_vm_overrides: [{ vm: 'vm-2', enabled: false }],
      rules: [
        {
          type: 'ClusterVmHostRuleInfo',
          name: 'db-on-licensed',
          enabled: true,
          mandatory: true,
          vms: [],
          vm_group: 'db',
          host_group: 'licensed',
          host_group_rule: 'run_on',
        },
        { type: 'ClusterVmHostRuleInfo', name: 'should-only', enabled: true, mandatory: false, vms: [], vm_group: 'db', host_group: 'h3' },
        { type: 'ClusterAntiAffinityRuleSpec', name: 'web-apart', enabled: true, vms: ['vm-3', 'vm-4'] },
      ],
      groups: [
        { type: 'ClusterVmGroup', name: 'db', members: ['vm-1'] },
        { type: 'ClusterHostGroup', name: 'licensed', members: ['host-1', 'host-2'] },
        { type: 'ClusterHostGroup', name: 'h3', members: ['host-3'] },
      ],
      ...data,
    },
  });

/** Cluster prod (esx01..03) and standalone esx09, with VMs on esx01 that show each kind of blocker. */
async function inventory(over: { cluster?: Record<string, unknown>; host1?: Record<string, unknown> } = {}) {
  const deps = unitDeps();
  await vcenterInstances.create(deps.store, instanceRecord('vc-001', '2026-11-23T10:00:00.000Z'));
  const records = [
    clusterRecord(over.cluster),
    hostRecord('host-2', 'esx02', { memory_usage_mb: 4_096 }),
    hostRecord('host-1', 'esx01', over.host1),
    hostRecord('host-3', 'esx03'),
    hostRecord('host-9', 'esx09', { cluster: undefined, datastores: ['datastore-local9'] }),
    vmRecord('vm-1', 'host-1', { memory_mb: 8_192 }),
    vmRecord('vm-2', 'host-1'),
    vmRecord('vm-3', 'host-1'),
    vmRecord('vm-4', 'host-2'),
    vmRecord('vm-5', 'host-1', { fault_tolerance: { state: 'running', role: 'primary', group: 'uuid-5' } }),
    vmRecord('vm-6', 'host-1', { host_devices: [{ kind: 'cdrom', label: 'CD/DVD drive 1' }] }),
    vmRecord('vm-7', 'host-1', { power_state: 'poweredOff' }),
    vmRecord('vm-8', 'host-1', { fault_tolerance: { state: 'disabled', role: 'primary', group: 'uuid-8' } }),
    vmRecord('vm-9', 'host-9', { datastores: ['datastore-local9'], disks: [] }),
  ];
  for (const r of records) await putInventory(deps.store, r);
  return deps;
}

const options = (over: Partial<EvacuationOptions> = {}) => EvacuationOptions.parse(over);

describe('planning an evacuation from the synced inventory', () => {
  it('a cluster target plans every host of the cluster by name, honouring the stored rules, overrides and FT state', async () => {
    const deps = await inventory();
    const plan = await planEvacuation(deps, { instance_id: 'vc-001', cluster_id: 'domain-c1', options: options() });
    expect(plan.hosts.map((h) => [h.host_name, h.step])).toEqual([
      ['esx01', 1],
      ['esx02', 2],
      ['esx03', 3],
    ]);
    const esx01 = plan.hosts[0]!;
    // vm-1 must run on licensed hosts (the "should" rule does not bind); vm-3 stays apart from vm-4 on esx02.
    expect(Object.fromEntries(esx01.moves.map((m) => [m.vm_id, m.destination_name]))).toEqual({
      'vm-1': 'esx02',
      'vm-2': 'esx03',
      'vm-3': 'esx03',
      'vm-8': 'esx02',
    });
    expect(esx01.blocked.map((b) => [b.vm_id, b.reason])).toEqual([
      ['vm-5', 'fault_tolerance'],
      ['vm-6', 'host_device'],
    ]);
    expect(esx01.left.map((l) => l.vm_id)).toEqual(['vm-7']);
    expect(plan.refused).toBe(false);

    const byDrs = await planEvacuation(deps, { instance_id: 'vc-001', cluster_id: 'domain-c1', options: options({ evacuation: 'drs' }) });
    expect(byDrs.hosts[0]!.blocked.map((b) => [b.vm_id, b.reason])).toEqual([
      ['vm-2', 'drs_disabled'],
      ['vm-6', 'host_device'],
    ]);
  });

  it('host targets are planned per cluster, a standalone host on its own; the same inventory gives the same hash', async () => {
    const deps = await inventory();
    const req = { instance_id: 'vc-001', host_ids: ['host-9', 'host-1'], options: options() };
    const plan = await planEvacuation(deps, req);
    expect(plan.hosts.map((h) => [h.host_id, h.cluster_id, h.step])).toEqual([
      ['host-9', undefined, 1],
      ['host-1', 'domain-c1', 1],
    ]);
    expect(plan.hosts[0]!.blocked).toEqual([
      expect.objectContaining({ vm_id: 'vm-9', name: 'app-vm-9', host: 'host-9', reason: 'no_destination_host' }),
    ]);
    expect((await planEvacuation(deps, req)).hash).toBe(plan.hash);
  });

  it('HA admission control from the cluster record refuses a plan the hosts left cannot carry', async () => {
    const ha = { enabled: true, admission_control: true, admission_policy: 'host_failures', failover_level: 2 };
    const deps = await inventory({ cluster: { ha } });
    const plan = await planEvacuation(deps, { instance_id: 'vc-001', host_ids: ['host-1'], options: options() });
    expect(plan.refused).toBe(true);
    expect(plan.findings).toEqual([expect.objectContaining({ code: 'ha_failover_capacity', cluster_id: 'domain-c1', hosts: ['host-1'] })]);
    expect(plan.findings[0]!.detail).toMatch(/tolerating 2 host failures/);
  });

  it('names what it cannot plan: unknown hosts, clusters and instances, and hosts synced before capacity was read', async () => {
    const deps = await inventory();
    const bad = planEvacuation(deps, { instance_id: 'vc-001', host_ids: ['host-1', 'host-77'], options: options() });
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    await expect(bad).rejects.toThrow(/host-77/);
    await expect(planEvacuation(deps, { instance_id: 'vc-001', cluster_id: 'domain-c9', options: options() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(planEvacuation(deps, { instance_id: 'vc-404', cluster_id: 'domain-c1', options: options() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const stale = await inventory({ host1: { memory_mb: undefined } });
    const refused = planEvacuation(stale, { instance_id: 'vc-001', host_ids: ['host-2'], options: options() });
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toThrow(/esx01 .*run a full sync/);
  });
});

describe('stored records as planner input', () => {
  it('a host: capacity from cores × MHz, connected only when connected and powered on', () => {
    expect(planHost(hostRecord('host-1', 'esx01'))).toEqual({
      id: 'host-1',
      name: 'esx01',
      connected: true,
      in_maintenance: false,
      cpu_capacity_mhz: 20_000,
      memory_capacity_mb: 65_536,
      cpu_usage_mhz: 3_000,
      memory_usage_mb: 8_192,
      datastores: ['datastore-shared'],
    });
    expect(planHost(hostRecord('host-1', 'esx01', { power_state: 'standBy' })).connected).toBe(false);
    expect(planHost(hostRecord('host-1', 'esx01', { connection_state: 'notResponding' })).connected).toBe(false);
  });

  it('a VM: configured memory, a vCPU share of its host’s measured CPU, the datastores of its disks too', () => {
    const host = planHost(hostRecord('host-1', 'esx01'));
    const vms = planVms(
      [
        vmRecord('vm-1', 'host-1', { cpu_count: 4, datastores: [], disks: [{ datastore: 'datastore-b' }, { datastore: 'datastore-a' }] }),
        vmRecord('vm-2', 'host-1', { cpu_count: 2 }),
        vmRecord('vm-3', 'host-1', { cpu_count: 8, power_state: 'poweredOff' }),
        vmRecord('vm-4', 'host-elsewhere'),
      ],
      [host],
    );
    expect(vms.map((v) => [v.id, v.cpu_demand_mhz, v.memory_demand_mb, v.datastores])).toEqual([
      ['vm-1', 2_000, 4_096, ['datastore-a', 'datastore-b']],
      ['vm-2', 1_000, 4_096, ['datastore-shared']],
      ['vm-3', 0, 4_096, ['datastore-shared']],
    ]);
  });
});

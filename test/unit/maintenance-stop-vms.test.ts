import { describe, expect, it } from 'vitest';
import { HostMaintenanceParams } from '../../shared/domain/maintenance';
import type { InventoryObject } from '../../shared/domain/vcenter';
import type { Idrac } from '../../shared/ports/idrac';
import type { Queue } from '../../shared/ports/queue';
import { type VCenterClient, type VCenterTaskOutcome, VSphereFault } from '../../shared/ports/vcenter';
import type { Workflows } from '../../shared/ports/workflows';
import { listSteps } from '../../shared/records/jobs';
import { maintenanceHosts } from '../../shared/records/maintenance-hosts';
import { putInventory, vcenterInstances } from '../../shared/records/vcenter';
import type { EngineDeps } from '../../shared/usecases/jobs/common';
import { stepContext } from '../../shared/usecases/jobs/step-context';
import { openLedgers } from '../../shared/usecases/maintenance/ledger';
import { stopVms } from '../../shared/usecases/maintenance/operator-actions';
import { FakeVCenter, instanceRecord, storedRecord } from '../support/fake-vcenter';
import { ManualClock, MemorySecrets } from '../support/fakes';
import { storedJob } from '../support/job-records';
import { MemoryStore } from '../support/memory-store';

/** shutdown_vms on a host: a guest shutdown, and a power-off for a guest that has no VMware Tools or does not stop in time. */
const HOST = 'host-21';
const TARGET = `vc-001/${HOST}`;
const unused = new Proxy({}, { get: (_t, p) => () => Promise.reject(new Error(`no ${String(p)} here`)) });
const hostData = {
  connection_state: 'connected',
  power_state: 'poweredOn',
  in_maintenance_mode: false,
  memory_mb: 65536,
  cpu_cores: 16,
  cpu_mhz: 2000,
};

/** vCenter as far as a shutdown goes: `polite` stops when asked, `stubborn` ignores it, `no-tools` has no VMware Tools. */
class Guests {
  readonly calls: string[] = [];
  readonly power = new Map([
    ['vm-polite', 'poweredOn'],
    ['vm-stubborn', 'poweredOn'],
    ['vm-no-tools', 'poweredOn'],
  ]);
  readonly client = {
    readHostsWithVms: async (): Promise<InventoryObject[]> => [
      { kind: 'host', moref: HOST, name: HOST, ips: [], data: hostData },
      ...[...this.power].map(
        ([vm, power_state]): InventoryObject => ({
          kind: 'vm',
          moref: vm,
          name: vm,
          ips: [],
          data: { host: HOST, power_state, memory_mb: 1024, cpu_count: 1, datastores: [] },
        }),
      ),
    ],
    shutdownGuest: async (vm: string) => {
      this.calls.push(`shutdownGuest ${vm}`);
      if (vm === 'vm-no-tools') throw new VSphereFault('ToolsUnavailable', 'VMware Tools is not running');
      if (vm === 'vm-polite') this.power.set(vm, 'poweredOff');
    },
    powerOffVm: async (vm: string) => {
      this.calls.push(`powerOffVm ${vm}`);
      this.power.set(vm, 'poweredOff');
      return `task-${vm}`;
    },
    waitForTasks: async (ids: string[]): Promise<VCenterTaskOutcome[]> =>
      ids.map((id) => ({ id, ok: true, info: { id, description_id: 'VirtualMachine.powerOff', state: 'success' } })),
  } as Partial<VCenterClient> as VCenterClient;
}

async function setUp() {
  const guests = new Guests();
  const clock = new ManualClock();
  const deps: EngineDeps = {
    store: new MemoryStore(),
    clock,
    secrets: new MemorySecrets(),
    queue: unused as Queue,
    workflows: unused as Workflows,
    idrac: unused as Idrac,
    vcenter: new FakeVCenter(() => guests.client),
  };
  await vcenterInstances.create(deps.store, instanceRecord('vc-001', new Date(clock.now()).toISOString()));
  await putInventory(deps.store, storedRecord('host', HOST, { data: hostData }));
  const job = await storedJob(deps, { id: 'job-1', type: 'host_maintenance', target_ids: [TARGET], status: 'running' });
  await openLedgers(deps, job, [{ target_id: TARGET, instance_id: 'vc-001', moref: HOST, name: HOST, in_maintenance: false }], []);
  return { deps, clock, guests, ctx: stepContext(deps, job) };
}

describe('shutdown_vms', () => {
  it('shuts guests down, and powers off those without VMware Tools at once and those still running after the timeout', async () => {
    const { deps, clock, guests, ctx } = await setUp();
    const started = clock.now();
    const params = HostMaintenanceParams.parse({ shutdown_timeout_seconds: 60 });
    const result = await stopVms(ctx, TARGET, params, 'shutdown', ['vm-polite', 'vm-stubborn', 'vm-no-tools']);

    expect(result.state).toBe('stopped');
    expect(guests.calls.filter((c) => c.startsWith('powerOffVm')).sort()).toEqual(['powerOffVm vm-no-tools', 'powerOffVm vm-stubborn']);
    // The stubborn guest had its full minute (on the clock) before the power-off.
    expect(clock.now() - started).toBeGreaterThanOrEqual(60_000);
    const ledger = await maintenanceHosts.get(deps.store, `job-1|${TARGET}`);
    expect(Object.fromEntries(ledger.stopped.map((s) => [s.vm_id, s.how]))).toEqual({
      'vm-polite': 'shutdown',
      'vm-stubborn': 'power_off',
      'vm-no-tools': 'power_off',
    });
    const steps = await listSteps(deps.store, 'job-1');
    expect(
      steps
        .filter((s) => s.name === 'Power off VM')
        .map((s) => s.external_task_id)
        .sort(),
    ).toEqual(['task-vm-no-tools', 'task-vm-stubborn']);
    expect(
      steps
        .filter((s) => s.name === 'Shut down VM')
        .map((s) => String(s.result?.subject))
        .sort(),
    ).toEqual(['vm-polite', 'vm-stubborn']);
  });

  it('leaves alone a named VM that is not running', async () => {
    const { guests, ctx } = await setUp();
    guests.power.set('vm-polite', 'poweredOff');
    await stopVms(ctx, TARGET, HostMaintenanceParams.parse({}), 'shutdown', ['vm-polite']);
    expect(guests.calls).toEqual([]);
  });
});

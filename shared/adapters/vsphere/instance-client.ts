import type { InventoryObject } from '../../domain/vcenter';
import type {
  DeltaCheckpoint,
  InventoryChanges,
  InventorySnapshot,
  VCenterClient,
  VCenterClientHealth,
  VCenterTaskInfo,
  VCenterTaskOutcome,
  VmMovePriority,
} from '../../ports/vcenter';
import type { VSphereClient } from './client';
import type { Args } from './envelope';
import { VSphereProtocolError } from './errors';
import { readChanges, readHostsWithVms, readInventory, releaseCheckpoint } from './inventory';
import { isMoRef, type MoRef } from './types';

const host = (value: string): MoRef => ({ type: 'HostSystem', value });
const vmRef = (value: string): MoRef => ({ type: 'VirtualMachine', value });
const taskRef = (value: string): MoRef => ({ type: 'Task', value });

/**
 * The vCenter port's client of one instance, over one VSphereClient (its session, breaker and limits). Task
 * methods send the vim25 `*_Task` method and return the task id at once; none is retried (each may act).
 */
export class VSphereInstanceClient implements VCenterClient {
  constructor(readonly soap: VSphereClient) {}

  get apiVersion(): string | undefined {
    return this.soap.apiVersion;
  }

  health(): VCenterClientHealth {
    return this.soap.health();
  }

  close(): Promise<void> {
    return this.soap.close();
  }

  readInventory(onPage?: (objects: InventoryObject[], retrieved: number) => Promise<void>): Promise<InventorySnapshot> {
    return readInventory(this.soap, onPage);
  }

  readChanges(checkpoint: DeltaCheckpoint): Promise<InventoryChanges> {
    return readChanges(this.soap, checkpoint);
  }

  releaseCheckpoint(session: string): Promise<void> {
    return releaseCheckpoint(this.soap, session);
  }

  readHostsWithVms(hostIds: string[]): Promise<InventoryObject[]> {
    return readHostsWithVms(this.soap, hostIds);
  }

  taskInfo(taskId: string): Promise<VCenterTaskInfo> {
    return this.soap.taskInfo(taskRef(taskId));
  }

  waitForTask(taskId: string, options?: { timeoutMs?: number }): Promise<VCenterTaskInfo> {
    return this.soap.waitForTask(taskRef(taskId), options);
  }

  waitForTasks(taskIds: string[], options?: { timeoutMs?: number }): Promise<VCenterTaskOutcome[]> {
    return Promise.all(
      taskIds.map((id) =>
        this.waitForTask(id, options).then(
          (info): VCenterTaskOutcome => ({ id, ok: true, info }),
          (err: unknown): VCenterTaskOutcome => ({ id, ok: false, error: err instanceof Error ? err : new Error(String(err)) }),
        ),
      ),
    );
  }

  async cancelTask(taskId: string): Promise<void> {
    await this.soap.invoke('CancelTask', taskRef(taskId));
  }

  enterMaintenanceMode(hostId: string, options: { timeoutSeconds?: number; evacuatePoweredOffVms?: boolean } = {}): Promise<string> {
    return this.startTask('EnterMaintenanceMode_Task', host(hostId), {
      timeout: options.timeoutSeconds ?? 0,
      evacuatePoweredOffVms: options.evacuatePoweredOffVms,
    });
  }

  exitMaintenanceMode(hostId: string, options: { timeoutSeconds?: number } = {}): Promise<string> {
    return this.startTask('ExitMaintenanceMode_Task', host(hostId), { timeout: options.timeoutSeconds ?? 0 });
  }

  relocateVm(
    vm: string,
    to: { host?: string; pool?: string; datastore?: string },
    priority: VmMovePriority = 'defaultPriority',
  ): Promise<string> {
    // VirtualMachineRelocateSpec fields in schema order (datastore, pool, host); an unset one stays as it is.
    const spec = {
      datastore: to.datastore === undefined ? undefined : { type: 'Datastore', value: to.datastore },
      pool: to.pool === undefined ? undefined : { type: 'ResourcePool', value: to.pool },
      host: to.host === undefined ? undefined : host(to.host),
    };
    return this.startTask('RelocateVM_Task', vmRef(vm), { spec, priority });
  }

  powerOnVm(vm: string, options: { host?: string } = {}): Promise<string> {
    return this.startTask('PowerOnVM_Task', vmRef(vm), { host: options.host === undefined ? undefined : host(options.host) });
  }

  powerOffVm(vm: string): Promise<string> {
    return this.startTask('PowerOffVM_Task', vmRef(vm));
  }

  suspendVm(vm: string): Promise<string> {
    return this.startTask('SuspendVM_Task', vmRef(vm));
  }

  async shutdownGuest(vm: string): Promise<void> {
    await this.soap.invoke('ShutdownGuest', vmRef(vm));
  }

  private async startTask(method: string, self: MoRef, args: Args = {}): Promise<string> {
    const task = await this.soap.invoke(method, self, args);
    if (!isMoRef(task) || task.type !== 'Task') throw new VSphereProtocolError(`${method} on ${self.value} returned no task`);
    return task.value;
  }
}

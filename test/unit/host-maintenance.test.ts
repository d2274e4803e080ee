import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../shared/domain/errors';
import type { Job, OperatorWait } from '../../shared/domain/job';
import type { MaintenanceHost } from '../../shared/domain/maintenance';
import type { InventoryObject } from '../../shared/domain/vcenter';
import type { Idrac } from '../../shared/ports/idrac';
import type { Queue } from '../../shared/ports/queue';
import { type VCenterClient, type VCenterTaskOutcome, VSphereError, VSphereTaskError } from '../../shared/ports/vcenter';
import type { Workflows } from '../../shared/ports/workflows';
import { policies } from '../../shared/records/approvals';
import { hostLocks } from '../../shared/records/host-locks';
import { jobs, listSteps, putStep } from '../../shared/records/jobs';
import { maintenanceHosts } from '../../shared/records/maintenance-hosts';
import { vcenterInstances } from '../../shared/records/vcenter';
import type { EngineDeps } from '../../shared/usecases/jobs/common';
import { runCompensation } from '../../shared/usecases/jobs/compensation';
import { lockHosts } from '../../shared/usecases/jobs/host-locks';
import { addOperatorWait, endOperatorWaits } from '../../shared/usecases/jobs/operator-waits';
import { activateKillSwitch } from '../../shared/usecases/jobs/system';
import { routeMaintenanceResume } from '../../shared/usecases/maintenance/resume';
import { FakeVCenter, instanceRecord } from '../support/fake-vcenter';
import { ManualClock, MemorySecrets } from '../support/fakes';
import { resumePolicy, storedJob } from '../support/job-records';
import { MemoryStore } from '../support/memory-store';

/**
 * host_maintenance use cases against fakes of EIO's ports: per-host operator waits, how a resume reaches the
 * hosts that wait, and compensation of what a job left (hosts in maintenance, VMs it stopped).
 */
const H21 = 'vc-001/host-21';
const H22 = 'vc-001/host-22';
const CLUSTER = 'vc-001/domain-c7';
const AT = '2026-11-23T10:00:00.000Z';

const unused = new Proxy({}, { get: (_t, p) => () => Promise.reject(new Error(`no ${String(p)} here`)) });

/** What a vCenter client was asked to do, and what its tasks come to (success unless `failing` names the call). */
class FakeClient {
  readonly calls: string[] = [];
  readonly inMaintenance = new Set<string>();
  readonly failing = new Set<string>();
  /** Tasks that neither end nor can be cancelled (a vMotion past the point of no return): every wait times out. */
  readonly endless = new Set<string>();
  private readonly tasks = new Map<string, string>();

  private start(call: string): string {
    this.calls.push(call);
    const id = `task-${this.tasks.size + 1}`;
    this.tasks.set(id, call);
    return id;
  }

  readonly client = {
    readHostsWithVms: async (hostIds: string[]): Promise<InventoryObject[]> =>
      hostIds.map((moref) => ({ kind: 'host', moref, name: moref, ips: [], data: { in_maintenance_mode: this.inMaintenance.has(moref) } })),
    cancelTask: async (taskId: string) => {
      this.calls.push(`cancelTask ${taskId}`);
      this.tasks.set(taskId, 'cancelled');
    },
    waitForTasks: async (ids: string[]): Promise<VCenterTaskOutcome[]> =>
      ids.map((id) => {
        if (this.endless.has(id)) return { id, ok: false, error: new VSphereError(`waiting for ${id} timed out`) };
        const call = this.tasks.get(id) ?? 'running';
        const fault = call === 'cancelled' ? 'RequestCanceled' : this.failing.has(call) ? 'InvalidState' : undefined;
        if (!fault) {
          if (call.startsWith('exitMaintenanceMode ')) this.inMaintenance.delete(call.split(' ')[1]!);
          return { id, ok: true, info: { id, description_id: call, state: 'success' } };
        }
        const info = { id, description_id: call, state: 'error' as const, error: { fault_type: fault, message: `${call} refused` } };
        return { id, ok: false, error: new VSphereTaskError(info) };
      }),
    exitMaintenanceMode: async (host: string) => this.start(`exitMaintenanceMode ${host}`),
    powerOnVm: async (vm: string, o?: { host?: string }) => this.start(`powerOnVm ${vm} on ${o?.host}`),
    relocateVm: async (vm: string) => this.start(`relocateVm ${vm}`),
  } as Partial<VCenterClient> as VCenterClient;
}

function engineDeps(fake = new FakeClient()): EngineDeps & { fake: FakeClient } {
  const queue = { send: async (_q: string, messages: unknown[]) => messages.map((_m, i) => `m-${i}`) };
  return {
    store: new MemoryStore(),
    clock: new ManualClock(),
    secrets: new MemorySecrets(),
    queue: queue as unknown as Queue,
    workflows: unused as Workflows,
    idrac: unused as Idrac,
    vcenter: new FakeVCenter(() => fake.client),
    fake,
  };
}

const wait = (key: string, vms: { vm_id: string; instance_id?: string }[] = [], cluster_id?: string): OperatorWait => ({
  key,
  task_token: `token-${key}`,
  kind: 'blocking_vms',
  step: 'Wait for operator',
  message: `VMs cannot leave ${key}`,
  valid_actions: ['shutdown_vms', 'suspend_vms', 'retry', 'skip_host', 'abort'],
  since: AT,
  details: {
    host_id: key,
    cluster_id,
    blocking_vms: vms.map((v) => ({
      vm_id: v.vm_id,
      instance_id: v.instance_id ?? 'vc-001',
      name: `name-${v.vm_id}`,
      host: key,
      power_state: 'poweredOn',
      reason: 'host_device',
      detail: 'a CD-ROM backed by the host',
      suggested_actions: ['shutdown_vms'],
    })),
  },
});

const maintenanceJob = (deps: EngineDeps, fields: Partial<Job> = {}) =>
  storedJob(deps, { id: 'job-1', type: 'host_maintenance', target_ids: [H21, H22], ...fields });

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as Error & { details?: unknown },
  );

describe('operator waits', () => {
  it('two hosts wait: ending one keeps the job paused, ending the last runs it', async () => {
    const deps = engineDeps();
    await maintenanceJob(deps);
    await addOperatorWait(deps, 'job-1', wait(H21));
    const paused = await addOperatorWait(deps, 'job-1', wait(H22));
    expect(paused.status).toBe('paused');
    expect(paused.operator_waits!.map((w) => w.key)).toEqual([H21, H22]);
    expect(paused.waiting_for?.message).toMatch(/^2 waits: /);

    const one = await endOperatorWaits(deps, 'job-1', [paused.operator_waits![0]!]);
    expect(one.status).toBe('paused');
    expect(one.operator_waits!.map((w) => w.key)).toEqual([H22]);
    expect(one.waiting_for).toMatchObject({ kind: 'blocking_vms', message: `VMs cannot leave ${H22}` });

    const running = await endOperatorWaits(deps, 'job-1', [one.operator_waits![0]!]);
    expect(running.status).toBe('running');
    expect(running.operator_waits).toBeUndefined();
    expect(running.waiting_for).toBeUndefined();
  });

  it('a wait read before it was opened again (another token) or already ended is a conflict, and changes nothing', async () => {
    const deps = engineDeps();
    await maintenanceJob(deps);
    const first = (await addOperatorWait(deps, 'job-1', wait(H21))).operator_waits![0]!;
    await addOperatorWait(deps, 'job-1', { ...wait(H21), task_token: 'token-2' });
    expect(await failure(endOperatorWaits(deps, 'job-1', [first]))).toBeInstanceOf(ConflictError);
    expect((await jobs.get(deps.store, 'job-1')).operator_waits).toEqual([{ ...wait(H21), task_token: 'token-2' }]);

    await endOperatorWaits(deps, 'job-1', [{ ...wait(H21), task_token: 'token-2' }]);
    expect(await failure(endOperatorWaits(deps, 'job-1', [{ ...wait(H21), task_token: 'token-2' }]))).toBeInstanceOf(ConflictError);
    expect((await jobs.get(deps.store, 'job-1')).status).toBe('running');
  });
});

const policy = resumePolicy;

describe('routeMaintenanceResume', () => {
  const pausedJob = async (deps: EngineDeps, waits: OperatorWait[]) =>
    maintenanceJob(deps, { status: 'paused', operator_waits: waits, target_ids: waits.map((w) => w.key) });

  it('vm_ids end the waits of the hosts they block, each with its own VMs', async () => {
    const deps = engineDeps();
    const job = await pausedJob(deps, [wait(H21, [{ vm_id: 'vm-1' }, { vm_id: 'vm-2' }]), wait(H22, [{ vm_id: 'vm-3' }])]);
    expect(await routeMaintenanceResume(deps, job, { action: 'suspend_vms', vm_ids: ['vm-3', 'vm-1'] }, 'bob')).toEqual({
      kind: 'settle',
      waits: [
        { key: H22, output: { action: 'suspend_vms', vm_ids: ['vm-3'] } },
        { key: H21, output: { action: 'suspend_vms', vm_ids: ['vm-1'] } },
      ],
    });
  });

  it('an id that blocks nothing is a 400 naming its place in vm_ids', async () => {
    const deps = engineDeps();
    const job = await pausedJob(deps, [wait(H21, [{ vm_id: 'vm-1' }])]);
    const e = await failure(routeMaintenanceResume(deps, job, { action: 'suspend_vms', vm_ids: ['vm-1', 'vm-9'] }, 'bob'));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.details).toEqual([{ path: 'body.vm_ids[1]', message: expect.stringContaining("'vm-9' is not a blocking VM of this job") }]);
  });

  it('a bare id that blocks hosts of two instances is a 400 asking for instance/vm; the qualified id picks one', async () => {
    const deps = engineDeps();
    const other = 'vc-002/host-21';
    const job = await pausedJob(deps, [wait(H21, [{ vm_id: 'vm-7' }]), wait(other, [{ vm_id: 'vm-7', instance_id: 'vc-002' }])]);
    const e = await failure(routeMaintenanceResume(deps, job, { action: 'suspend_vms', vm_ids: ['vm-7'] }, 'bob'));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.details).toEqual([{ path: 'body.vm_ids[0]', message: expect.stringContaining('write vc-001/vm-7 or vc-002/vm-7') }]);
    expect(await routeMaintenanceResume(deps, job, { action: 'suspend_vms', vm_ids: ['vc-002/vm-7'] }, 'bob')).toEqual({
      kind: 'settle',
      waits: [{ key: other, output: { action: 'suspend_vms', vm_ids: ['vm-7'] } }],
    });
  });

  it('shutdown_vms needs a policy allowing it: none is a 403, one for the host’s cluster allows it', async () => {
    const deps = engineDeps();
    const job = await pausedJob(deps, [wait(H21, [{ vm_id: 'vm-1' }], CLUSTER)]);
    const request = { action: 'shutdown_vms', vm_ids: ['vm-1'] };
    const refused = await failure(routeMaintenanceResume(deps, job, request, 'bob'));
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect(refused.message).toContain(`resume action 'shutdown_vms' needs a policy`);

    await policies.create(deps.store, policy({ id: 'cluster-shutdown', target_ids: [CLUSTER] }));
    expect(await routeMaintenanceResume(deps, job, request, 'bob')).toEqual({
      kind: 'settle',
      waits: [{ key: H21, output: { action: 'shutdown_vms', vm_ids: ['vm-1'] } }],
    });
  });

  it('a policy for another host of the job does not allow shutdown_vms on this one', async () => {
    const deps = engineDeps();
    const job = await pausedJob(deps, [wait(H21, [{ vm_id: 'vm-1' }]), wait(H22, [{ vm_id: 'vm-3' }])]);
    await policies.create(deps.store, policy({ id: 'host-22-shutdown', target_ids: [H22] }));
    expect(await failure(routeMaintenanceResume(deps, job, { action: 'shutdown_vms', vm_ids: ['vm-1'] }, 'bob'))).toBeInstanceOf(
      ForbiddenError,
    );
    expect(await routeMaintenanceResume(deps, job, { action: 'shutdown_vms', vm_ids: ['vm-3'] }, 'bob')).toEqual({
      kind: 'settle',
      waits: [{ key: H22, output: { action: 'shutdown_vms', vm_ids: ['vm-3'] } }],
    });
  });

  it('skip_host needs host_id when several hosts wait, and ends only that host’s wait', async () => {
    const deps = engineDeps();
    const job = await pausedJob(deps, [wait(H21, [{ vm_id: 'vm-1' }]), wait(H22, [{ vm_id: 'vm-3' }])]);
    const e = await failure(routeMaintenanceResume(deps, job, { action: 'skip_host' }, 'bob'));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.details).toEqual([{ path: 'body.host_id', message: 'required when several hosts wait' }]);
    expect(await routeMaintenanceResume(deps, job, { action: 'skip_host', host_id: H22 }, 'bob')).toEqual({
      kind: 'settle',
      waits: [{ key: H22, output: { action: 'skip_host' } }],
    });
    const one = await pausedJob(engineDeps(), [wait(H21, [{ vm_id: 'vm-1' }])]);
    expect(await routeMaintenanceResume(deps, one, { action: 'skip_host' }, 'bob')).toEqual({
      kind: 'settle',
      waits: [{ key: H21, output: { action: 'skip_host' } }],
    });
  });

  it('abort cancels the job, naming who aborted it', async () => {
    const deps = engineDeps();
    const job = await pausedJob(deps, [wait(H21, [{ vm_id: 'vm-1' }])]);
    expect(await routeMaintenanceResume(deps, job, { action: 'abort' }, 'bob')).toEqual({
      kind: 'cancel',
      reason: 'aborted by bob while the job waited on blocking VMs',
    });
  });
});

describe('compensation of a host maintenance job', () => {
  const ledger = (target: string, fields: Partial<MaintenanceHost> = {}): MaintenanceHost => ({
    id: `job-1|${target}`,
    job_id: 'job-1',
    target_id: target,
    instance_id: 'vc-001',
    moref: target.split('/')[1]!,
    name: target.split('/')[1]!,
    cluster_id: CLUSTER,
    phase: 'waiting',
    entered_maintenance: false,
    was_in_maintenance: false,
    moved: [],
    stopped: [],
    blocked: [],
    notes: [],
    updated_at: AT,
    version: 1,
    ...fields,
  });

  /**
   * A job cancelled with host-21 in maintenance (EIO entered it, after shutting vm-1 down) and a migration
   * still running on host-22: it holds both hosts' locks and its compensation is pending.
   */
  async function cancelledJob(deps: ReturnType<typeof engineDeps>) {
    await vcenterInstances.create(deps.store, instanceRecord('vc-001', AT));
    const job = await maintenanceJob(deps);
    await lockHosts(deps, job, [H21, H22]);
    await maintenanceHosts.create(
      deps.store,
      ledger(H21, {
        phase: 'in_maintenance',
        entered_maintenance: true,
        stopped: [{ vm_id: 'vm-1', name: 'db-1', how: 'shutdown', was: 'poweredOn' }],
      }),
    );
    await maintenanceHosts.create(deps.store, ledger(H22, { phase: 'evacuating' }));
    deps.fake.inMaintenance.add('host-21');
    const migration = await deps.fake.client.relocateVm('vm-5', { host: 'host-23' });
    deps.fake.calls.length = 0;
    await putStep(deps.store, {
      step_id: 'step-migrate',
      job_id: 'job-1',
      name: 'Migrate VM',
      target_id: H22,
      status: 'running',
      started_at: AT,
      external_task_id: migration,
      result: { subject: 'vm-5' },
    });
    await jobs.update(deps.store, 'job-1', (j) => ({
      ...j,
      status: 'cancelled',
      finished_at: AT,
      compensation: { status: 'pending', attempts: 0, updated_at: AT },
    }));
    return { migration };
  }

  const locksHeld = async (deps: EngineDeps) => (await Promise.all([H21, H22].map((h) => hostLocks.find(deps.store, h)))).filter(Boolean);

  it('with the kill switch on, only cancels the running tasks and stays blocked, naming the hosts left in maintenance', async () => {
    const deps = engineDeps();
    const { migration } = await cancelledJob(deps);
    await activateKillSwitch(deps, 'admin', 'storage outage');

    expect(await runCompensation(deps, 'job-1')).toBe('blocked');
    expect(deps.fake.calls).toEqual([`cancelTask ${migration}`]);
    const job = await jobs.get(deps.store, 'job-1');
    expect(job.compensation).toMatchObject({ status: 'pending', attempts: 1 });
    expect(job.compensation!.detail).toContain(`left in maintenance mode until it is deactivated: ${H21}`);
    expect(job.result!.hosts).toEqual([
      expect.objectContaining({ host_id: H21, left_in_maintenance: true }),
      expect.objectContaining({ host_id: H22, left_in_maintenance: false }),
    ]);
    expect((await listSteps(deps.store, 'job-1')).find((s) => s.step_id === 'step-migrate')?.status).toBe('cancelled');
    expect(await locksHeld(deps)).toHaveLength(2);
  });

  it('with the kill switch off, brings the host out of maintenance, powers on what EIO stopped and releases the locks', async () => {
    const deps = engineDeps();
    const { migration } = await cancelledJob(deps);

    expect(await runCompensation(deps, 'job-1')).toBe('done');
    expect(deps.fake.calls).toEqual([`cancelTask ${migration}`, 'exitMaintenanceMode host-21', 'powerOnVm vm-1 on host-21']);
    const job = await jobs.get(deps.store, 'job-1');
    expect(job.compensation).toMatchObject({ status: 'done', attempts: 1 });
    const [h21] = job.result!.hosts as Record<string, unknown>[];
    expect(h21).toMatchObject({
      host_id: H21,
      left_in_maintenance: false,
      vms_stopped: [{ vm_id: 'vm-1', name: 'db-1', how: 'shutdown', restored: true }],
      notes: ['left maintenance mode when the job ended (compensation)'],
    });
    expect(await locksHeld(deps)).toEqual([]);
  });

  it('an exit vCenter refuses leaves the compensation pending, the locks held and a note on the host', async () => {
    const deps = engineDeps();
    await cancelledJob(deps);
    deps.fake.failing.add('exitMaintenanceMode host-21');

    expect(await runCompensation(deps, 'job-1')).toBe('blocked');
    const job = await jobs.get(deps.store, 'job-1');
    expect(job.compensation).toMatchObject({ status: 'pending', detail: `not undone yet: ${H21}` });
    expect(job.result!.hosts).toEqual([
      expect.objectContaining({
        host_id: H21,
        left_in_maintenance: true,
        notes: ['could not leave maintenance mode: exitMaintenanceMode host-21 refused'],
      }),
      expect.objectContaining({ host_id: H22 }),
    ]);
    expect(deps.fake.calls).not.toContain('powerOnVm vm-1 on host-21');
    expect(await locksHeld(deps)).toHaveLength(2);
  });

  it('a task that keeps running after the cancel stays a running step, and the job keeps its locks until it ends', async () => {
    const deps = engineDeps();
    const { migration } = await cancelledJob(deps);
    deps.fake.endless.add(migration);

    expect(await runCompensation(deps, 'job-1')).toBe('blocked');
    expect((await listSteps(deps.store, 'job-1')).find((s) => s.step_id === 'step-migrate')?.status).toBe('running');
    const job = await jobs.get(deps.store, 'job-1');
    expect(job.compensation).toMatchObject({ status: 'pending' });
    expect(job.compensation!.detail).toContain(`vSphere tasks still running: ${migration}`);
    expect(await locksHeld(deps)).toHaveLength(2);

    deps.fake.endless.delete(migration);
    expect(await runCompensation(deps, 'job-1')).toBe('done');
    expect(await locksHeld(deps)).toEqual([]);
  });

  it('a host whose EnterMaintenanceMode was cancelled is not exited, and its notes do not say it left maintenance', async () => {
    const deps = engineDeps();
    await cancelledJob(deps);
    deps.fake.inMaintenance.delete('host-21');

    expect(await runCompensation(deps, 'job-1')).toBe('done');
    expect(deps.fake.calls).not.toContain('exitMaintenanceMode host-21');
    const [h21] = (await jobs.get(deps.store, 'job-1')).result!.hosts as Record<string, unknown>[];
    expect(h21).toMatchObject({ host_id: H21, entered_maintenance: false, left_in_maintenance: false, notes: [] });
  });
});

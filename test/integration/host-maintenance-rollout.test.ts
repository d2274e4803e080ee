import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoRef } from '../../shared/adapters/vsphere/types';
import { type JobView, type Lab, mostHostsInMaintenanceAtOnce, provesLockFree, startLab, stepsNamed } from '../support/maintenance-lab';
import { waitFor } from '../support/wait';

/**
 * Rolling host maintenance of a whole cluster over HTTP on the local stack, against vcsim: two hosts at a
 * time, a plan refused for capacity, a cancel during evacuation and the kill switch during a rollout (no
 * vSphere task after it, hosts left in maintenance named until it is deactivated).
 */

describe('a cluster, two hosts at a time', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ hostsPerCluster: 4, vmsPerHost: 2, taskDelayMs: 1_000 });
  }, 120_000);
  afterAll(async () => lab?.close());

  it('puts every host into maintenance and back, two at once and never more, moving its VMs first', async () => {
    const [cluster] = await lab.inventory('clusters');
    const hosts = await lab.inventory('hosts');
    const vmsBefore = await lab.inventory('vms');
    const id = await lab.submit([cluster!.target_id], { max_hosts_in_maintenance: 2 });
    const done = await lab.until(id, ['succeeded', 'failed', 'cancelled', 'paused']);
    expect(done.status, JSON.stringify(done.result)).toBe('succeeded');

    for (const host of hosts) {
      for (const name of ['Enter maintenance mode', 'Exit maintenance mode']) {
        const steps = stepsNamed(done, name, host.target_id);
        expect(steps, `${name} on ${host.name}`).toHaveLength(1);
        expect(steps[0]).toMatchObject({ status: 'succeeded', external_task_id: expect.stringMatching(/^task-/) });
      }
      const result = done.result.hosts.find((r: JobView) => r.host_id === host.target_id);
      expect(result, host.target_id).toMatchObject({ phase: 'done', entered_maintenance: true, left_in_maintenance: false });
      const movedOff = result.vms_moved.map((m: JobView) => m.vm_id);
      for (const vm of vmsBefore.filter((v) => v.host === host.id && v.power_state === 'poweredOn')) expect(movedOff).toContain(vm.id);
    }
    expect(done.result.hosts).toHaveLength(hosts.length);
    const migrations = stepsNamed(done, 'Migrate VM');
    expect(migrations.length).toBeGreaterThanOrEqual(vmsBefore.filter((v) => v.power_state === 'poweredOn').length);
    for (const m of migrations) expect(m).toMatchObject({ status: 'succeeded', external_task_id: expect.stringMatching(/^task-/) });
    expect(mostHostsInMaintenanceAtOnce(done)).toBe(2);
    expect(await lab.hostsInMaintenance()).toEqual([]);
  }, 120_000);

  it('refuses a plan whose VMs the other hosts cannot carry, and a job with it fails before acting', async () => {
    await lab.sync(); // where the rollout left the VMs
    const hosts = await lab.inventory('hosts');
    const vm = (await lab.inventory('vms')).find((v) => v.power_state === 'poweredOn')!;
    const host = hosts.find((x) => x.id === vm.host)!;
    // vcsim's hosts have 4 GB with 1.4 GB in use: a VM of 3,000 MB fits on no other host.
    const task = (await lab.vc.invoke('ReconfigVM_Task', { type: 'VirtualMachine', value: vm.id }, { spec: { memoryMB: 3_000 } })) as MoRef;
    await lab.vc.waitForTask(task);
    await lab.sync();

    const body = { type: 'host_maintenance', target_ids: [host.target_id] };
    const plan = await lab.h.call('POST', '/api/v1/jobs/plan', { role: 'operator', body });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.plan.refused).toBe(true);
    expect(plan.body.plan.findings).toEqual([expect.objectContaining({ code: 'insufficient_capacity', hosts: [host.target_id] })]);

    const id = await lab.submit([host.target_id]);
    const failed = await lab.until(id, ['failed', 'succeeded', 'paused', 'cancelled']);
    expect(failed.status).toBe('failed');
    expect(failed.status_reason).toMatch(/^plan refused: insufficient_capacity: /);
    expect(failed.result.findings.map((f: JobView) => f.code)).toEqual(['insufficient_capacity']);
    // The plan step fails the job; its execution ends at the Fail state right after.
    const execution = await waitFor('the execution to end', async () => {
      const e = await lab.h.stack.deps.workflows.describe(failed.execution_id);
      return e.status === 'RUNNING' ? undefined : e;
    });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'PlanRefused' });
    expect(stepsNamed(failed, 'Migrate VM')).toEqual([]);
    expect(stepsNamed(failed, 'Enter maintenance mode')).toEqual([]);
    expect(await lab.hostsInMaintenance()).toEqual([]);
  }, 120_000);
});

describe('cancel and kill switch', () => {
  let lab: Lab;
  beforeAll(async () => {
    // Tasks long enough that a test sees one running and acts before the next one would start.
    lab = await startLab({ hostsPerCluster: 3, vmsPerHost: 2, taskDelayMs: 2_000 });
  }, 120_000);
  afterAll(async () => lab?.close());

  it('a cancel during evacuation cancels the running migration, compensates and frees the host', async () => {
    const hosts = await lab.inventory('hosts');
    const host = hosts[0]!;
    const id = await lab.submit([host.target_id], { migrations_per_host: 1 });
    await lab.waitJob('a migration running', id, (j) => stepsNamed(j, 'Migrate VM').some((s) => s.status === 'running'));
    const cancel = await lab.h.call('POST', `/api/v1/jobs/${id}/cancel`, { role: 'operator', body: { reason: 'change freeze' } });
    expect(cancel.status, cancel.text).toBe(200);

    const job = await lab.waitJob('compensated', id, (j) => j.compensation?.status === 'done');
    expect(job.status).toBe('cancelled');
    const migrations = stepsNamed(job, 'Migrate VM');
    expect(migrations.map((s) => s.status)).toContain('cancelled');
    for (const s of migrations) expect(['cancelled', 'succeeded'], JSON.stringify(s)).toContain(s.status);
    expect(stepsNamed(job, 'Enter maintenance mode')).toEqual([]);
    expect(job.result.hosts).toEqual([expect.objectContaining({ host_id: host.target_id, left_in_maintenance: false })]);
    expect(await lab.hostsInMaintenance()).toEqual([]);
    await provesLockFree(lab, host.target_id);
  }, 120_000);

  it('the kill switch during a rollout starts no vSphere task, keeps the host in maintenance named, and undoes it once off', async () => {
    const [cluster] = await lab.inventory('clusters');
    const submittedAt = Date.now();
    const id = await lab.submit([cluster!.target_id]);
    // A host is in maintenance mode while its exit task runs: the moment to pull the switch.
    const exiting = await lab.waitJob('a host leaving maintenance', id, (j) =>
      stepsNamed(j, 'Exit maintenance mode').some((s) => s.status === 'running'),
    );
    const host = stepsNamed(exiting, 'Exit maintenance mode').find((s) => s.status === 'running')!.target_id!;
    const on = await lab.h.call('POST', '/api/v1/system/kill-switch/activate', { role: 'admin', body: { reason: 'storage alarm' } });
    expect(on.status, on.text).toBe(200);
    expect(on.body.jobs_stopped).toEqual([id]);
    const activatedAt = Date.parse(on.body.changed_at);

    const blocked = await lab.waitJob(
      'compensation blocked by the kill switch, no step running',
      id,
      (j) => (j.compensation?.attempts ?? 0) >= 1 && !j.steps.some((s: JobView) => s.status === 'running'),
    );
    expect(blocked.status).toBe('cancelled');
    expect(blocked.compensation.status).toBe('pending');
    expect(blocked.compensation.detail).toContain(`left in maintenance mode until it is deactivated: ${host}`);
    expect(stepsNamed(blocked, 'Exit maintenance mode', host)[0]!.status).toBe('cancelled');
    expect(await lab.hostsInMaintenance()).toEqual([host.split('/')[1]]);
    expect(blocked.result.hosts.find((r: JobView) => r.host_id === host)).toMatchObject({ left_in_maintenance: true });
    // The count sees this job's tasks, and none queued once the switch was on.
    expect((await lab.tasksQueuedSince(submittedAt)).length).toBeGreaterThan(0);
    expect(await lab.tasksQueuedSince(activatedAt)).toEqual([]);

    const off = await lab.h.call('POST', '/api/v1/system/kill-switch/deactivate', { role: 'admin', body: {} });
    expect(off.status, off.text).toBe(200);
    const undone = await lab.waitJob('compensated', id, (j) => j.compensation?.status === 'done');
    expect(undone.result.hosts.every((r: JobView) => r.left_in_maintenance === false)).toBe(true);
    expect(await lab.hostsInMaintenance()).toEqual([]);
    const exits = stepsNamed(undone, 'Exit maintenance mode', host);
    expect(exits.at(-1)).toMatchObject({ status: 'succeeded', external_task_id: expect.stringMatching(/^task-/) });
    await provesLockFree(lab, host);
  }, 180_000);
});

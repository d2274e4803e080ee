import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoRef } from '../../shared/adapters/vsphere/types';
import { runHousekeeping } from '../../shared/usecases/jobs/housekeeping';
import { type JobView, type Lab, provesLockFree, startLab, stepsNamed } from '../support/maintenance-lab';

/**
 * host_maintenance jobs over HTTP on the local stack, against vcsim: a host with a VM that cannot move (a
 * connected host CD-ROM) pauses the job; resumes (shutdown_vms under a policy, skip_host, abort), refused
 * resumes, and a pause that times out.
 */
let lab: Lab;
const inventory = (kind: 'hosts' | 'vms' | 'clusters') => lab.inventory(kind);
const until = (id: string, statuses: string[]) => lab.until(id, statuses);
const resume = (id: string, body: Record<string, unknown>) => lab.h.call('POST', `/api/v1/jobs/${id}/resume`, { role: 'operator', body });
/** The first blocking VM and the host it is on. */
async function pinnedHost() {
  const pinnedId = Object.keys(lab.sim.pinned)[0]!;
  const pinned = (await inventory('vms')).find((v) => v.id === pinnedId)!;
  return { pinnedId, host: (await inventory('hosts')).find((x) => x.id === pinned.host)! };
}

describe('host maintenance with a VM that cannot move', () => {
  let h: Lab['h'];
  beforeAll(async () => {
    lab = await startLab({ clusters: 1, hostsPerCluster: 3, vmsPerHost: 2, pinnedVms: ['cdrom'], taskDelayMs: 200 });
    ({ h } = lab);
  }, 120_000);
  afterAll(async () => lab?.close());

  it('pauses on the blocking VM, refuses shutdown_vms without a policy, and completes after one allows it', async () => {
    const { pinnedId, host } = await pinnedHost();
    expect(host.target_id).toBe(`vc-001/${host.id}`);
    const plan = await h.call('POST', '/api/v1/jobs/plan', {
      role: 'operator',
      body: { type: 'host_maintenance', target_ids: [host.target_id] },
    });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.plan.hosts[0].blocked.map((b: JobView) => b.vm_id)).toEqual([pinnedId]);

    const submitted = await h.call('POST', '/api/v1/jobs', {
      role: 'operator',
      body: { type: 'host_maintenance', target_ids: [host.target_id] },
    });
    expect(submitted.status, submitted.text).toBe(202);
    const id = submitted.body.id;
    const paused = await until(id, ['paused', 'failed', 'succeeded']);
    expect(paused.status, JSON.stringify(paused)).toBe('paused');
    expect(paused.waiting_for.kind).toBe('blocking_vms');
    const blocking = await h.call('GET', `/api/v1/jobs/${id}/blocking-vms`, { role: 'viewer' });
    expect(blocking.body.items.map((v: JobView) => [v.vm_id, v.reason])).toEqual([[pinnedId, 'host_device']]);

    const refused = await h.call('POST', `/api/v1/jobs/${id}/resume`, {
      role: 'operator',
      body: { action: 'shutdown_vms', vm_ids: [pinnedId] },
    });
    expect(refused.status, refused.text).toBe(403);
    const policy = await h.call('POST', '/api/v1/policies', {
      role: 'admin',
      body: {
        name: 'allow shutdown',
        job_types: ['host_maintenance'],
        target_ids: [host.target_id],
        requires_approval: false,
        allowed_resume_actions: ['shutdown_vms'],
      },
    });
    expect(policy.status, policy.text).toBe(201);
    const resumed = await h.call('POST', `/api/v1/jobs/${id}/resume`, {
      role: 'operator',
      body: { action: 'shutdown_vms', vm_ids: [pinnedId] },
    });
    expect(resumed.status, resumed.text).toBe(200);
    const done = await until(id, ['succeeded', 'failed', 'cancelled']);
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    const hostResult = done.result.hosts[0];
    expect(hostResult.vms_stopped).toEqual([expect.objectContaining({ vm_id: pinnedId, restored: true })]);
    expect(done.steps.map((s: JobView) => s.name)).toEqual(
      expect.arrayContaining(['Enter maintenance mode', 'Exit maintenance mode', 'Power on VM']),
    );
  }, 120_000);

  it('refuses a resume naming a VM that does not block (400) or on a job that is not paused (409); abort undoes the job', async () => {
    const { pinnedId } = await pinnedHost();
    const [cluster] = await inventory('clusters');
    const notBlocking = (await inventory('vms')).find((v) => v.id !== pinnedId)!;
    const id = await lab.submit([cluster!.target_id]);
    const paused = await until(id, ['paused', 'failed', 'succeeded']);
    expect(paused.status, JSON.stringify(paused)).toBe('paused');

    const wrongVm = await resume(id, { action: 'suspend_vms', vm_ids: [notBlocking.id] });
    expect(wrongVm.status, wrongVm.text).toBe(400);
    expect(wrongVm.body.error.details).toEqual([{ path: 'body.vm_ids[0]', message: expect.stringContaining(`'${notBlocking.id}'`) }]);
    expect((await lab.job(id)).status).toBe('paused');

    const aborted = await resume(id, { action: 'abort' });
    expect(aborted.status, aborted.text).toBe(200);
    const job = await lab.waitJob('cancelled and compensated', id, (j) => j.compensation?.status === 'done');
    expect(job.status).toBe('cancelled');
    expect(job.status_reason).toMatch(/aborted by test-operator/);
    for (const r of job.result.hosts) expect(r, r.host_id).toMatchObject({ left_in_maintenance: false, vms_stopped: [] });
    expect(await lab.hostsInMaintenance()).toEqual([]);

    const notPaused = await resume(id, { action: 'retry' });
    expect(notPaused.status, notPaused.text).toBe(409);
  }, 120_000);

  it('skip_host leaves the blocked host out and maintains the other hosts of the cluster', async () => {
    const { host } = await pinnedHost();
    const [cluster] = await inventory('clusters');
    const hosts = await inventory('hosts');
    const id = await lab.submit([cluster!.target_id]);
    const paused = await until(id, ['paused', 'failed', 'succeeded']);
    expect(paused.status, JSON.stringify(paused)).toBe('paused');
    const skipped = await resume(id, { action: 'skip_host', host_id: host.target_id });
    expect(skipped.status, skipped.text).toBe(200);

    const done = await until(id, ['succeeded', 'failed', 'cancelled']);
    expect(done.status, JSON.stringify(done.result)).toBe('succeeded');
    const result = (target: string) => done.result.hosts.find((r: JobView) => r.host_id === target);
    expect(result(host.target_id)).toMatchObject({ phase: 'skipped', entered_maintenance: false, left_in_maintenance: false });
    expect(result(host.target_id).notes.join(' ')).toMatch(/skipped by test-operator/);
    expect(stepsNamed(done, 'Enter maintenance mode', host.target_id)).toEqual([]);
    for (const other of hosts.filter((x) => x.id !== host.id)) {
      expect(result(other.target_id)).toMatchObject({ phase: 'done', entered_maintenance: true, left_in_maintenance: false });
      for (const name of ['Enter maintenance mode', 'Exit maintenance mode'])
        expect(stepsNamed(done, name, other.target_id)).toEqual([
          expect.objectContaining({ status: 'succeeded', external_task_id: expect.stringMatching(/^task-/) }),
        ]);
    }
    expect(await lab.hostsInMaintenance()).toEqual([]);
    await provesLockFree(lab, host.target_id);
  }, 120_000);
});

describe('a pause that times out', () => {
  beforeAll(async () => {
    lab = await startLab({ clusters: 1, hostsPerCluster: 3, vmsPerHost: 2, pinnedVms: ['cdrom', 'usb'], taskDelayMs: 200 });
  }, 120_000);
  afterAll(async () => lab?.close());

  it('fails the job past pause_timeout_minutes, resumes the VM EIO suspended, reports what it moved and frees the host', async () => {
    const { host } = await pinnedHost();
    const [cdrom, usb] = Object.keys(lab.sim.pinned);
    // A VM that can move, on the host: EIO moves it before it pauses.
    const movable = (await inventory('vms')).find((v) => v.host !== host.id)!;
    await lab.vc.waitForTask(
      (await lab.vc.invoke(
        'RelocateVM_Task',
        { type: 'VirtualMachine', value: movable.id },
        { spec: { host: { type: 'HostSystem', value: host.id } } },
      )) as MoRef,
    );
    await lab.sync();

    const id = await lab.submit([host.target_id], { pause_timeout_minutes: 1 });
    const paused = await until(id, ['paused', 'failed', 'succeeded']);
    expect(paused.status, JSON.stringify(paused)).toBe('paused');
    expect(
      (await lab.h.call('GET', `/api/v1/jobs/${id}/blocking-vms`, { role: 'viewer' })).body.items.map((v: JobView) => v.vm_id).sort(),
    ).toEqual([cdrom, usb].sort());
    const suspended = await resume(id, { action: 'suspend_vms', vm_ids: [usb] });
    expect(suspended.status, suspended.text).toBe(200);
    const again = await lab.waitJob(
      'paused again on the other VM',
      id,
      (j) => j.status === 'paused' && stepsNamed(j, 'Suspend VM').some((s) => s.status === 'succeeded'),
    );
    expect(again.waiting_for.kind).toBe('blocking_vms');

    // The housekeeping schedule runs this sweep every minute; here it runs as if two minutes had passed.
    const later = { ...lab.h.stack.deps, clock: { now: () => Date.now() + 2 * 60_000 } };
    expect((await runHousekeeping(later)).pauses_timed_out).toEqual([id]);
    const failed = await lab.waitJob('failed and compensated', id, (j) => j.compensation?.status === 'done');
    expect(failed.status).toBe('failed');
    expect(failed.status_reason).toMatch(/^paused longer than 1 minute\(s\) at "Wait for operator"/);
    const [result] = failed.result.hosts;
    expect(result).toMatchObject({
      host_id: host.target_id,
      left_in_maintenance: false,
      vms_stopped: [expect.objectContaining({ vm_id: usb, how: 'suspend', restored: true })],
    });
    expect(result.vms_moved.map((m: JobView) => m.vm_id)).toContain(movable.id);
    expect(stepsNamed(failed, 'Power on VM')).toEqual([
      expect.objectContaining({ status: 'succeeded', external_task_id: expect.any(String) }),
    ]);
    const power = await lab.vc.getProperties({ type: 'VirtualMachine', value: usb! }, ['runtime.powerState']);
    expect(power['runtime.powerState']).toBe('poweredOn');
    expect(stepsNamed(failed, 'Enter maintenance mode')).toEqual([]);
    expect(await lab.hostsInMaintenance()).toEqual([]);
    await provesLockFree(lab, host.target_id);
  }, 120_000);
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';
import { waitFor } from '../support/wait';

/** `npm start` with the demo lab: vcsim as vc-001, and the runbook's sync command verbatim. */
let stack: LocalStack;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'eio-vc-demo-'));
  stack = await startLocalStack({ dataDir, port: 0, demo: true, demoIdracs: false });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function curl(method: string, path: string, body?: unknown, role: 'admin' | 'operator' | 'viewer' = 'admin') {
  const token = await stack.issueToken({ role, subject: role === 'admin' ? 'ops' : `ops-${role}`, ttlSeconds: 600 });
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

async function ended(id: string) {
  return waitFor(
    `sync run ${id}`,
    async () => {
      const r = await curl('GET', `/api/v1/vcenter/sync-runs/${id}`);
      return r.body.status === 'succeeded' || r.body.status === 'failed' ? r.body : undefined;
    },
    60_000,
    100,
  );
}

const syncRunsOfVc001 = async () =>
  (await curl('GET', '/api/v1/vcenter/sync-runs?instance_id=vc-001&limit=50')).body.items as { id: string; requested_by: string }[];

type Vm = { id: string; host: string; cluster: string; vmotion_blockers: string[]; host_devices: { kind: string }[] };

describe('demo lab vCenter', () => {
  it('registers vc-001 backed by vcsim and syncs it at first start; the runbook sync command right after start answers 202', async () => {
    expect(stack.seeded).toEqual(expect.arrayContaining(['si-vc-001', 'vc-001']));
    const vc = await curl('GET', '/api/v1/vcenter/instances/vc-001');
    expect(vc.body).toMatchObject({ id: 'vc-001', site_id: 'site-001', service_identity_id: 'si-vc-001' });
    // Nobody asked yet: the start requested a full sync.
    const runs = await syncRunsOfVc001();
    expect(runs).toHaveLength(1);
    const firstStart = runs[0]!;
    expect(firstStart).toMatchObject({ sync_type: 'full', requested_by: 'demo-seed' });

    const accepted = await curl('POST', '/api/v1/vcenter/sync', { instance_ids: ['vc-001'], sync_type: 'full' });
    expect(accepted.status).toBe(202);
    const answer = accepted.body.sync_runs[0];
    const demoRun = await ended(firstStart.id);
    expect(demoRun.status, demoRun.error).toBe('succeeded');
    expect(demoRun.counts).toMatchObject({ datacenters: 1, clusters: 2, hosts: 7, vms: 18 });
    // The runbook's request joined the start's run while it was in progress, or came after it ended.
    if (answer.coalesced) expect(answer.id).toBe(firstStart.id);
    else expect((await curl('GET', `/api/v1/vcenter/sync-runs/${answer.id}`)).body.requested_at >= demoRun.finished_at).toBe(true);
    const run = await ended(answer.id);
    expect(run.status, run.error).toBe('succeeded');
    const delta = await curl('POST', '/api/v1/vcenter/sync', { instance_ids: ['vc-001'], sync_type: 'delta' });
    expect(delta.status).toBe(202);
    await ended(delta.body.sync_run_ids[0]);
  });

  it('has a fully automated DRS cluster with a host running a VM that cannot move (a connected host CD-ROM)', async () => {
    const vms = (await curl('GET', '/api/v1/vcenter/instances/vc-001/vms?limit=100')).body.items as Vm[];
    const pinned = vms.filter((v) => v.vmotion_blockers.length > 0);
    expect(pinned).toHaveLength(1);
    const vm = pinned[0]!;
    expect(vm).toMatchObject({ power_state: 'poweredOn', vmotion_blockers: ['connected CD-ROM'] });
    expect(vm.host_devices).toEqual([expect.objectContaining({ kind: 'cdrom' })]);
    const clusters = (await curl('GET', '/api/v1/vcenter/instances/vc-001/clusters')).body.items as { id: string }[];
    const cluster = clusters.find((c) => c.id === vm.cluster)!;
    expect(cluster).toMatchObject({ drs: { enabled: true, behavior: 'fullyAutomated' } });
    const hosts = (await curl('GET', `/api/v1/vcenter/instances/vc-001/hosts?cluster=${cluster.id}`)).body.items as { id: string }[];
    expect(hosts.map((h) => h.id)).toContain(vm.host);
    expect(hosts.length).toBeGreaterThan(1); // somewhere for the movable VMs to go
  });

  it('follows the runbook\'s "Job Stuck in Paused State": paused, then resumed with shutdown_vms once a policy allows it', async () => {
    const vms = (await curl('GET', '/api/v1/vcenter/instances/vc-001/vms?limit=100')).body.items as Vm[];
    const pinned = vms.find((v) => v.vmotion_blockers.length > 0)!;
    const hosts = (await curl('GET', '/api/v1/vcenter/instances/vc-001/hosts?limit=100')).body.items as { id: string; target_id: string }[];
    const host = hosts.find((x) => x.id === pinned.host)!;
    const submitted = await curl('POST', '/api/v1/jobs', { type: 'host_maintenance', target_ids: [host.target_id] }, 'operator');
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;
    const jobIn = (statuses: string[]) =>
      waitFor(
        `job ${id} in ${statuses.join('/')}`,
        async () => {
          const job = (await curl('GET', `/api/v1/jobs/${id}`, undefined, 'viewer')).body;
          return statuses.includes(job.status) ? job : undefined;
        },
        60_000,
        100,
      );

    // Diagnosis, as the runbook writes it: the job, then its blocking VMs.
    const paused = await jobIn(['paused', 'succeeded', 'failed']);
    expect(paused.status).toBe('paused');
    expect(paused.waiting_for).toMatchObject({
      kind: 'blocking_vms',
      valid_actions: expect.arrayContaining(['shutdown_vms', 'suspend_vms', 'retry', 'abort']),
    });
    const blocking = await curl('GET', `/api/v1/jobs/${id}/blocking-vms`, undefined, 'viewer');
    expect(blocking.body.items).toEqual([
      expect.objectContaining({
        vm_id: pinned.id,
        host: host.target_id,
        power_state: 'poweredOn',
        reason: 'host_device',
        detail: expect.stringContaining('CD/DVD drive of the host'),
      }),
    ]);

    // Resolution: shutdown_vms requires a policy.
    const refused = await curl('POST', `/api/v1/jobs/${id}/resume`, { action: 'shutdown_vms', vm_ids: [pinned.id] }, 'operator');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('allowed_resume_actions');
    const policy = await curl('POST', '/api/v1/policies', {
      name: 'Demo: shut down blocking VMs',
      job_types: ['host_maintenance'],
      target_ids: [pinned.cluster ? `vc-001/${pinned.cluster}` : host.target_id],
      requires_approval: false,
      allowed_resume_actions: ['shutdown_vms'],
    });
    expect(policy.status).toBe(201);
    const resumed = await curl('POST', `/api/v1/jobs/${id}/resume`, { action: 'shutdown_vms', vm_ids: [pinned.id] }, 'operator');
    expect(resumed.status).toBe(200);
    const done = await jobIn(['succeeded', 'failed', 'cancelled']);
    expect(done.status, done.status_reason).toBe('succeeded');
    expect(done.result.hosts).toEqual([
      expect.objectContaining({
        host_id: host.target_id,
        entered_maintenance: true,
        left_in_maintenance: false,
        vms_stopped: [expect.objectContaining({ vm_id: pinned.id, how: 'shutdown', restored: true })],
      }),
    ]);

    // vCenter agrees: the host is out of maintenance and the VM runs again.
    const delta = await curl('POST', '/api/v1/vcenter/sync', { instance_ids: ['vc-001'], sync_type: 'delta' });
    await ended(delta.body.sync_run_ids[0]);
    const after = (await curl('GET', '/api/v1/vcenter/instances/vc-001/vms?limit=100')).body.items as (Vm & { power_state: string })[];
    expect(after.find((v) => v.id === pinned.id)!.power_state).toBe('poweredOn');
    const hostAfter = (await curl('GET', '/api/v1/vcenter/instances/vc-001/hosts?limit=100')).body.items.find(
      (x: { id: string }) => x.id === host.id,
    );
    expect(hostAfter.in_maintenance_mode).toBe(false);
  }, 120_000);

  it('a restart of the synced lab requests no sync', async () => {
    const before = await syncRunsOfVc001();
    await stack.close();
    stack = await startLocalStack({ dataDir, port: 0, demo: true, demoIdracs: false });
    expect(stack.seeded).toEqual([]);
    expect(await syncRunsOfVc001()).toEqual(before);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { waitFor } from '../support/wait';

/** host_maintenance jobs over HTTP on the local stack, against vcsim (migrations, maintenance mode, blocking VMs). */
let h: Harness;
let sim: Vcsim;

beforeAll(async () => {
  sim = await startVcsim({ clusters: 1, hostsPerCluster: 3, vmsPerHost: 2, pinnedVms: ['cdrom'], taskDelayMs: 200 });
  h = await startHarness();
  await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-001', name: 'Lab' } });
  await h.call('POST', '/api/v1/service-identities', {
    role: 'admin',
    body: { id: 'si-vc', name: 'si-vc', target_kind: 'vcenter', username: sim.user, secret: sim.password },
  });
  const created = await h.call('POST', '/api/v1/vcenter/instances', {
    role: 'admin',
    body: { id: 'vc-001', url: sim.url, site_id: 'site-001', service_identity_id: 'si-vc', tls: { ca_pem: sim.certPem } },
  });
  expect(created.status, created.text).toBe(201);
  const res = await h.call('POST', '/api/v1/vcenter/sync', { role: 'operator', body: { instance_ids: ['vc-001'], sync_type: 'full' } });
  expect(res.status, res.text).toBe(202);
  await waitFor(
    'full sync',
    async () => {
      const run = await h.call('GET', `/api/v1/vcenter/sync-runs/${res.body.sync_run_ids[0]}`, { role: 'viewer' });
      return run.body.status === 'succeeded' ? run.body : undefined;
    },
    60_000,
    100,
  );
}, 120_000);

afterAll(async () => {
  await h?.close();
  await sim?.stop();
});

async function inventory(kind: 'hosts' | 'vms' | 'clusters') {
  const res = await h.call('GET', `/api/v1/vcenter/instances/vc-001/${kind}?limit=200`, { role: 'viewer' });
  expect(res.status, res.text).toBe(200);
  return res.body.items as Record<string, any>[];
}

const jobNow = async (id: string) => (await h.call('GET', `/api/v1/jobs/${id}`, { role: 'viewer' })).body;
const until = (id: string, statuses: string[]) =>
  waitFor(
    `job ${id} in ${statuses.join('/')}`,
    async () => {
      const job = await jobNow(id);
      return statuses.includes(job.status) ? job : undefined;
    },
    60_000,
    100,
  );

describe('host maintenance', () => {
  it('pauses on the blocking VM, refuses shutdown_vms without a policy, and completes after one allows it', async () => {
    const pinnedId = Object.keys(sim.pinned)[0]!;
    const pinned = (await inventory('vms')).find((v) => v.id === pinnedId)!;
    const host = (await inventory('hosts')).find((x) => x.id === pinned.host)!;
    expect(host.target_id).toBe(`vc-001/${host.id}`);
    const plan = await h.call('POST', '/api/v1/jobs/plan', {
      role: 'operator',
      body: { type: 'host_maintenance', target_ids: [host.target_id] },
    });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.plan.hosts[0].blocked.map((b: any) => b.vm_id)).toEqual([pinnedId]);

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
    expect(blocking.body.items.map((v: any) => [v.vm_id, v.reason])).toEqual([[pinnedId, 'host_device']]);

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
    expect(done.steps.map((s: any) => s.name)).toEqual(
      expect.arrayContaining(['Enter maintenance mode', 'Exit maintenance mode', 'Power on VM']),
    );
  }, 120_000);
});

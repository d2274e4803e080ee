import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VCenterClient } from '../../shared/ports/vcenter';
import { type Harness, startHarness } from '../support/harness';
import type { JobView } from '../support/maintenance-lab';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { waitFor } from '../support/wait';

/** A host_maintenance job under an approval policy: the approval carries the plan's hash, and a changed plan is asked for again. */
let h: Harness;
let sim: Vcsim;
let vc: VCenterClient;

beforeAll(async () => {
  sim = await startVcsim({ clusters: 1, hostsPerCluster: 3, vmsPerHost: 2 });
  h = await startHarness();
  await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-001', name: 'Lab' } });
  await h.call('POST', '/api/v1/service-identities', {
    role: 'admin',
    body: { id: 'si-vc', name: 'si-vc', target_kind: 'vcenter', username: sim.user, secret: sim.password },
  });
  await h.call('POST', '/api/v1/vcenter/instances', {
    role: 'admin',
    body: { id: 'vc-001', url: sim.url, site_id: 'site-001', service_identity_id: 'si-vc', tls: { ca_pem: sim.certPem } },
  });
  const res = await h.call('POST', '/api/v1/vcenter/sync', { role: 'operator', body: { instance_ids: ['vc-001'], sync_type: 'full' } });
  await waitFor(
    'full sync',
    async () => {
      const run = await h.call('GET', `/api/v1/vcenter/sync-runs/${res.body.sync_run_ids[0]}`, { role: 'viewer' });
      return run.body.status === 'succeeded' ? run.body : undefined;
    },
    60_000,
    100,
  );
  // The test's own session with vcsim, to change what the plan sees behind EIO's back.
  vc = h.stack.deps.vcenter.connect({
    instanceId: 'vc-test',
    url: sim.url,
    tls: { kind: 'ca', ca: sim.certPem },
    identity: 'test',
    credentials: async () => ({ username: sim.user, password: sim.password }),
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await sim?.stop();
});

const jobIn = (id: string, statuses: string[]) =>
  waitFor(
    `job ${id} in ${statuses.join('/')}`,
    async () => {
      const job = (await h.call('GET', `/api/v1/jobs/${id}`, { role: 'viewer' })).body;
      return statuses.includes(job.status) ? job : undefined;
    },
    60_000,
    100,
  );

const approve = async (approvalId: string) => {
  const ok = await h.call('POST', `/api/v1/approvals/${approvalId}/approve`, { token: await h.token('approver', { subject: 'carol' }) });
  expect(ok.status, ok.text).toBe(200);
};

describe('host maintenance under approval', () => {
  it('binds the approval to the plan; a plan that changed before the job acts is approved again', async () => {
    const hosts = (await h.call('GET', '/api/v1/vcenter/instances/vc-001/hosts?limit=50', { role: 'viewer' })).body.items;
    const vms = (await h.call('GET', '/api/v1/vcenter/instances/vc-001/vms?limit=50', { role: 'viewer' })).body.items;
    const host = hosts.find((x: JobView) => vms.some((v: JobView) => v.host === x.id && v.power_state === 'poweredOn'));
    const policy = await h.call('POST', '/api/v1/policies', {
      role: 'admin',
      body: { name: 'maintenance needs approval', job_types: ['host_maintenance'], target_ids: [host.target_id] },
    });
    expect(policy.status, policy.text).toBe(201);
    const submitted = await h.call('POST', '/api/v1/jobs', {
      token: await h.token('operator', { subject: 'bob' }),
      body: { type: 'host_maintenance', target_ids: [host.target_id] },
    });
    expect(submitted.status, submitted.text).toBe(202);
    const id = submitted.body.id as string;

    const waiting = await jobIn(id, ['awaiting_approval']);
    const planStep = waiting.steps.find((s: JobView) => s.name === 'Plan evacuation');
    const first = (await h.call('GET', `/api/v1/approvals/${waiting.waiting_for.approval_id}`, { role: 'viewer' })).body;
    expect(first.plan_hash).toBe(planStep.result.hash);
    expect(planStep.result.hosts[0].moves.length).toBeGreaterThan(0);
    expect(waiting.steps.some((s: JobView) => s.name === 'Migrate VM')).toBe(false);

    // Behind the approver's back a VM is powered off: it would now stay on the host instead of moving.
    const moving = planStep.result.hosts[0].moves[0].vm_id as string;
    await vc.waitForTask(await vc.powerOffVm(moving));
    await approve(first.id);
    const again = await waitFor(
      'a second approval request',
      async () => {
        const job = await jobIn(id, ['awaiting_approval', 'running', 'succeeded', 'failed']);
        return job.waiting_for?.approval_id && job.waiting_for.approval_id !== first.id ? job : undefined;
      },
      60_000,
      100,
    );
    const second = (await h.call('GET', `/api/v1/approvals/${again.waiting_for.approval_id}`, { role: 'viewer' })).body;
    expect(second.plan_hash).not.toBe(first.plan_hash);
    expect(again.steps.filter((s: JobView) => s.name === 'Check plan')).toHaveLength(1);
    expect(again.steps.some((s: JobView) => s.name === 'Migrate VM')).toBe(false);

    await approve(second.id);
    const done = await jobIn(id, ['succeeded', 'failed', 'cancelled']);
    expect(done.status, done.status_reason).toBe('succeeded');
    expect(done.approved_plan_hash).toBe(second.plan_hash);
    expect(done.result.hosts[0].vms_moved.map((m: JobView) => m.vm_id)).not.toContain(moving);
  }, 120_000);
});

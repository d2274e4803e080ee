import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../../shared/usecases/jobs/housekeeping';
import { ENGINE_TEST, readLedger, registerEngineTestJob } from '../support/engine-test-job';
import { type Harness, startHarness } from '../support/harness';
import { waitFor } from '../support/wait';

const ledger = join(mkdtempSync(join(tmpdir(), 'eio-ledger-')), 'ledger.jsonl');
registerEngineTestJob(ledger);

let h: Harness;
type Job = { id: string; status: string; [k: string]: any };

const submit = (body: unknown, opts: { subject?: string; headers?: Record<string, string> } = {}) =>
  h
    .token('operator', { subject: opts.subject ?? 'alice' })
    .then((token) => h.call('POST', '/api/v1/jobs', { token, body, headers: opts.headers }));
const getJob = async (id: string): Promise<Job> => (await h.call('GET', `/api/v1/jobs/${id}`, { role: 'viewer' })).body;
const until = (id: string, statuses: string[]) =>
  waitFor(`job ${id} to be ${statuses.join('|')}`, async () => {
    const j = await getJob(id);
    return statuses.includes(j.status) ? j : undefined;
  });
const ledgerFor = (jobId: string) => readLedger(ledger).filter((e) => e.job_id === jobId);

beforeAll(async () => {
  h = await startHarness({ demo: true });
  for (const id of ['site-a', 'site-b', 'site-c']) await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id, name: id } });
});
afterAll(async () => {
  await h?.close();
});

describe('health_check through the real path (API → queue → dispatcher → state machine → step)', () => {
  it('runs the runbook command: one Probe target step per target, then succeeded', async () => {
    const res = await submit({ type: 'health_check', target_ids: ['site-001', 'site-a'] });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('queued');
    const job = await until(res.body.id, ['succeeded', 'failed']);
    expect(job.status).toBe('succeeded');
    const probes = job.steps.filter((s: any) => s.name === 'Probe target');
    expect(probes.map((s: any) => s.target_id).sort()).toEqual(['site-001', 'site-a']);
    for (const s of job.steps) {
      expect(s.status).toBe('succeeded');
      expect(s.duration_ms).toBeGreaterThanOrEqual(0);
    }
    expect(job.steps.map((s: any) => s.name)).toEqual(expect.arrayContaining(['Start job', 'Finish job']));
    expect(job.execution_id).toContain(res.body.id);
  });

  it('refuses unknown targets with 400 naming each, and stores nothing', async () => {
    const before = (await h.call('GET', '/api/v1/jobs?limit=200', { role: 'viewer' })).body.items.length;
    const res = await submit({ type: 'health_check', target_ids: ['site-a', 'test-target', 'site-nope'] });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'body.target_ids[1]', message: expect.stringContaining("'test-target'") },
      { path: 'body.target_ids[2]', message: "site 'site-nope' does not exist" },
    ]);
    expect((await h.call('GET', '/api/v1/jobs?limit=200', { role: 'viewer' })).body.items.length).toBe(before);
  });

  it('refuses an unknown job type and bad params with field paths', async () => {
    const type = await submit({ type: 'reboot_everything', target_ids: ['site-a'] });
    expect(type.status).toBe(400);
    expect(type.body.error.details[0].path).toBe('body.type');
    const params = await submit({ type: ENGINE_TEST, target_ids: ['site-a'], params: { delays: { 'site-a': -1 } } });
    expect(params.status).toBe(400);
    expect(params.body.error.details[0].path).toBe('body.params.delays.site-a');
  });
});

describe('idempotent submit', () => {
  it('returns the same job for the same key and body, 409 for the same key with another body', async () => {
    const body = { type: 'health_check', target_ids: ['site-a'] };
    const first = await submit(body, { headers: { 'idempotency-key': 'ticket-42' } });
    const again = await submit(body, { headers: { 'idempotency-key': 'ticket-42' } });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await submit({ type: 'health_check', target_ids: ['site-b'] }, { headers: { 'idempotency-key': 'ticket-42' } });
    expect(other.status).toBe(409);
    const list = await h.call('GET', '/api/v1/jobs?target=site-a&type=health_check&limit=200', { role: 'viewer' });
    expect(list.body.items.filter((j: Job) => j.id === first.body.id)).toHaveLength(1);
  });

  it('the same key and body sent 20 times at once: one job, and all 20 answers name it', async () => {
    const body = { type: 'health_check', target_ids: ['site-b'] };
    const answers = await Promise.all(Array.from({ length: 20 }, () => submit(body, { headers: { 'idempotency-key': 'ticket-burst' } })));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
  });

  it("a key is the caller's: another person using the same key gets a job of their own", async () => {
    const body = { type: 'health_check', target_ids: ['site-a'] };
    const alice = await submit(body, { headers: { 'idempotency-key': 'ticket-shared' } });
    const bob = await submit(body, { subject: 'bob', headers: { 'idempotency-key': 'ticket-shared' } });
    expect([alice.status, bob.status]).toEqual([202, 202]);
    expect(bob.body.id).not.toBe(alice.body.id);
    expect(bob.headers.get('idempotent-replayed')).not.toBe('true');
  });
});

describe('approvals (four eyes)', () => {
  let policyId: string;
  beforeAll(async () => {
    const res = await h.call('POST', '/api/v1/policies', {
      role: 'admin',
      body: { id: 'pol-site-c', name: 'site-c changes need approval', job_types: [ENGINE_TEST], target_ids: ['site-c'] },
    });
    expect(res.status).toBe(201);
    policyId = res.body.id;
  });

  it('waits for approval; the requester cannot approve; another approver can, then it runs', async () => {
    const res = await submit({ type: ENGINE_TEST, target_ids: ['site-c'] }, { subject: 'alice' });
    const waiting = await until(res.body.id, ['awaiting_approval']);
    expect(waiting.requires_approval).toBe(true);
    expect(waiting.waiting_for).toMatchObject({ kind: 'approval', valid_actions: ['approve', 'reject', 'defer'] });
    const approvalId = waiting.waiting_for.approval_id;
    const pending = await h.call('GET', '/api/v1/approvals?status=pending', { role: 'viewer' });
    expect(pending.body.items.map((a: any) => a.id)).toContain(approvalId);
    expect(JSON.stringify(pending.body)).not.toContain('task_token');

    const self = await h.call('POST', `/api/v1/approvals/${approvalId}/approve`, {
      token: await h.token('approver', { subject: 'alice' }),
    });
    expect(self.status).toBe(403);
    expect(self.body.error.message).toMatch(/alice requested job/);
    // The same person spelled otherwise is still the requester.
    const respelled = await h.call('POST', `/api/v1/approvals/${approvalId}/approve`, {
      token: await h.token('approver', { subject: ' Alice' }),
    });
    expect(respelled.status).toBe(403);
    const operator = await h.call('POST', `/api/v1/approvals/${approvalId}/approve`, { role: 'operator' });
    expect(operator.status).toBe(403);
    expect(ledgerFor(res.body.id)).toHaveLength(0);

    const ok = await h.call('POST', `/api/v1/approvals/${approvalId}/approve`, {
      token: await h.token('approver', { subject: 'bob' }),
      body: { comment: 'window agreed' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'approved', decided_by: 'bob', comment: 'window agreed' });
    expect((await until(res.body.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(ledgerFor(res.body.id)).toHaveLength(1);
    const again = await h.call('POST', `/api/v1/approvals/${approvalId}/approve`, {
      token: await h.token('approver', { subject: 'carol' }),
    });
    expect(again.status).toBe(409);
  });

  it('a rejected job is cancelled with the reason and never acts', async () => {
    const res = await submit({ type: ENGINE_TEST, target_ids: ['site-c'] }, { subject: 'alice' });
    const waiting = await until(res.body.id, ['awaiting_approval']);
    const deferred = await h.call('POST', `/api/v1/approvals/${waiting.waiting_for.approval_id}/defer`, {
      token: await h.token('approver', { subject: 'bob' }),
      body: { comment: 'after the freeze' },
    });
    expect(deferred.body.status).toBe('deferred');
    const rejected = await h.call('POST', `/api/v1/approvals/${waiting.waiting_for.approval_id}/reject`, {
      token: await h.token('approver', { subject: 'bob' }),
      body: { comment: 'not this week' },
    });
    expect(rejected.status).toBe(200);
    const job = await until(res.body.id, ['cancelled']);
    expect(job.status_reason).toMatch(/rejected by bob: not this week/);
    expect(ledgerFor(res.body.id)).toHaveLength(0);
  });

  it('an approval nobody decides expires and the job is cancelled with that reason', async () => {
    await h.call('PATCH', `/api/v1/policies/${policyId}`, { role: 'admin', body: { approval_timeout_minutes: 1 } });
    const res = await submit({ type: ENGINE_TEST, target_ids: ['site-c'] });
    const waiting = await until(res.body.id, ['awaiting_approval']);
    // The housekeeping schedule runs this sweep every minute; here it runs as if two minutes had passed.
    const later = { ...h.stack.deps, clock: { now: () => Date.now() + 2 * 60_000 } };
    const report = await runHousekeeping(later);
    expect(report.approvals_expired).toContain(waiting.waiting_for.approval_id);
    const job = await until(res.body.id, ['cancelled']);
    expect(job.status_reason).toBe('approval expired before anyone decided');
    const approval = await h.call('GET', `/api/v1/approvals/${waiting.waiting_for.approval_id}`, { role: 'viewer' });
    expect(approval.body.status).toBe('expired');
    expect(ledgerFor(res.body.id)).toHaveLength(0);
  });

  it('policies are edited through the API', async () => {
    const off = await h.call('PATCH', `/api/v1/policies/${policyId}`, { role: 'admin', body: { enabled: false } });
    expect(off.body.enabled).toBe(false);
    const res = await submit({ type: ENGINE_TEST, target_ids: ['site-c'] });
    expect((await until(res.body.id, ['succeeded', 'awaiting_approval'])).status).toBe('succeeded');
    expect((await h.call('PATCH', `/api/v1/policies/${policyId}`, { role: 'operator', body: { enabled: true } })).status).toBe(403);
  });

  it('a policy may exist only to allow resume actions; a bad action is refused with its field path', async () => {
    expect((await h.call('GET', `/api/v1/policies/${policyId}`, { role: 'viewer' })).body.allowed_resume_actions).toEqual([]);
    const body = {
      id: 'pol-resume-site-b',
      name: 'VMs on site-b may be shut down to unblock maintenance',
      job_types: [ENGINE_TEST],
      target_ids: ['site-b'],
      requires_approval: false,
      allowed_resume_actions: ['shutdown_vms'],
    };
    const created = await h.call('POST', '/api/v1/policies', { role: 'admin', body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ requires_approval: false, allowed_resume_actions: ['shutdown_vms'] });
    const both = ['shutdown_vms', 'suspend_vms'];
    const edited = await h.call('PATCH', '/api/v1/policies/pol-resume-site-b', { role: 'admin', body: { allowed_resume_actions: both } });
    expect(edited.body.allowed_resume_actions).toEqual(both);
    const listed = await h.call('GET', '/api/v1/policies?limit=100', { role: 'viewer' });
    expect(listed.body.items.find((p: { id: string }) => p.id === 'pol-resume-site-b')?.allowed_resume_actions).toEqual(both);
    const res = await submit({ type: ENGINE_TEST, target_ids: ['site-b'] });
    expect((await until(res.body.id, ['succeeded', 'awaiting_approval'])).status).toBe('succeeded');

    const bad = await h.call('POST', '/api/v1/policies', {
      role: 'admin',
      body: { ...body, id: 'pol-bad', allowed_resume_actions: ['shutdown_vms', 'x'.repeat(65)] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'body.allowed_resume_actions[1]', message: expect.any(String) }]);
    expect((await h.call('GET', '/api/v1/policies/pol-bad', { role: 'viewer' })).status).toBe(404);
    const badEdit = await h.call('PATCH', '/api/v1/policies/pol-resume-site-b', {
      role: 'admin',
      body: { allowed_resume_actions: 'shutdown_vms' },
    });
    expect(badEdit.status).toBe(400);
    expect(badEdit.body.error.details[0].path).toBe('body.allowed_resume_actions');
  });
});

describe('pause and resume', () => {
  it('shows what the job waits for; refuses an action the step does not accept; resumes with a valid one', async () => {
    const res = await submit({ type: ENGINE_TEST, target_ids: ['site-a'], params: { pause: true } });
    const paused = await until(res.body.id, ['paused']);
    expect(paused.waiting_for).toMatchObject({ kind: 'operator', step: 'Wait for operator', valid_actions: ['continue', 'skip_work'] });
    expect(paused).not.toHaveProperty('task_token');
    const bad = await h.call('POST', `/api/v1/jobs/${res.body.id}/resume`, {
      role: 'operator',
      body: { action: 'shutdown_vms', vm_ids: ['vm-001'] },
    });
    expect(bad.status).toBe(409);
    expect(bad.body.error.details.valid_actions).toEqual(['continue', 'skip_work']);
    expect((await getJob(res.body.id)).status).toBe('paused');
    const ok = await h.call('POST', `/api/v1/jobs/${res.body.id}/resume`, { role: 'operator', body: { action: 'skip_work' } });
    expect(ok.status).toBe(200);
    expect((await until(res.body.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(ledgerFor(res.body.id)).toHaveLength(0); // skip_work took the other branch
    const notPaused = await h.call('POST', `/api/v1/jobs/${res.body.id}/resume`, { role: 'operator', body: { action: 'continue' } });
    expect(notPaused.status).toBe(409);
    expect(notPaused.body.error.message).toMatch(/not paused/);
  });
});

describe('cancel', () => {
  it('cancels a running job before it acts; twice is harmless; a finished job is 409', async () => {
    const res = await submit({ type: ENGINE_TEST, target_ids: ['site-a'], params: { delays: { 'site-a': 1500 } } });
    await waitFor('the work step to start', async () =>
      (await getJob(res.body.id)).steps?.some((s: any) => s.name === 'Work on target' && s.status === 'running') ? true : undefined,
    );
    const cancel = await h.call('POST', `/api/v1/jobs/${res.body.id}/cancel`, { role: 'operator', body: { reason: 'wrong host' } });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ status: 'cancelled', cancelled_by: 'test-operator', status_reason: 'wrong host' });
    const twice = await h.call('POST', `/api/v1/jobs/${res.body.id}/cancel`, { role: 'operator' });
    expect(twice.status).toBe(200);
    // The running step finishes its wait, sees the cancellation and does not act.
    await waitFor('the work step to finish', async () =>
      (await getJob(res.body.id)).steps?.some((s: any) => s.name === 'Work on target' && s.status !== 'running') ? true : undefined,
    );
    expect(ledgerFor(res.body.id)).toHaveLength(0);
    const done = await submit({ type: 'health_check', target_ids: ['site-a'] });
    await until(done.body.id, ['succeeded']);
    const late = await h.call('POST', `/api/v1/jobs/${done.body.id}/cancel`, { role: 'operator' });
    expect(late.status).toBe(409);
  });
});

describe('retry', () => {
  it('runs a failed job again as a new linked job, only for the targets that failed', async () => {
    const res = await submit({ type: ENGINE_TEST, target_ids: ['site-a', 'site-b'], params: { fail_targets: ['site-b'] } });
    const failed = await until(res.body.id, ['failed', 'succeeded']);
    expect(failed.status).toBe('failed');
    expect(failed.status_reason).toMatch(/1 of 2 target\(s\) failed: site-b/);
    const retry = await h.call('POST', `/api/v1/jobs/${res.body.id}/retry`, { role: 'operator' });
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ retry_of: res.body.id, target_ids: ['site-b'] });
    const ok = await h.call('POST', `/api/v1/jobs/${retry.body.id}/retry`, { role: 'operator' });
    expect(ok.status).toBe(409);
  });
});

describe('listing', () => {
  it('filters by status, type, target and creation time, newest first', async () => {
    const all = (await h.call('GET', '/api/v1/jobs?limit=200', { role: 'viewer' })).body.items as Job[];
    expect(all.length).toBeGreaterThan(5);
    const created = all.map((j) => j.created_at);
    expect([...created].sort().reverse()).toEqual(created);
    const succeeded = (await h.call('GET', '/api/v1/jobs?status=succeeded&limit=200', { role: 'viewer' })).body.items as Job[];
    expect(succeeded.length).toBeGreaterThan(0);
    expect(succeeded.every((j) => j.status === 'succeeded')).toBe(true);
    const onB = (await h.call('GET', `/api/v1/jobs?target=site-b&type=${ENGINE_TEST}&limit=2`, { role: 'viewer' })).body;
    expect(onB.items.every((j: Job) => j.target_ids.includes('site-b') && j.type === ENGINE_TEST)).toBe(true);
    const future = (await h.call('GET', '/api/v1/jobs?created_after=2999-01-01T00:00:00Z', { role: 'viewer' })).body.items;
    expect(future).toEqual([]);
    expect((await h.call('GET', '/api/v1/jobs?status=exploded', { role: 'viewer' })).status).toBe(400);
  });
});

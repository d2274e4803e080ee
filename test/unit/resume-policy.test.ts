import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../shared/domain/errors';
import { approvalPolicyFor, type Policy, PolicyCreate, PolicyUpdate, policiesAllowingResume } from '../../shared/domain/policy';
import { policies } from '../../shared/records/approvals';
import { assertResumeAllowed } from '../../shared/usecases/jobs/resume-policy';
import { ManualClock } from '../support/fakes';
import { resumePolicy, storedJob } from '../support/job-records';
import { MemoryStore } from '../support/memory-store';

const HOST = 'vc-001/host-21';
const CLUSTER = 'vc-001/domain-c7';

const policy = resumePolicy;

const ids = (ps: Policy[]) => ps.map((p) => p.id);
const job = { type: 'host_maintenance' };

describe('policiesAllowingResume', () => {
  it('a policy for the cluster allows the action on its host; one for another cluster does not', () => {
    const all = [policy({ id: 'cluster', target_ids: [CLUSTER] }), policy({ id: 'other', target_ids: ['vc-001/domain-c9'] })];
    expect(ids(policiesAllowingResume(all, job, [HOST, CLUSTER], 'shutdown_vms'))).toEqual(['cluster']);
    expect(ids(policiesAllowingResume(all, job, ['vc-001/host-30', 'vc-001/domain-c9'], 'shutdown_vms'))).toEqual(['other']);
  });

  it('a policy without target_ids allows it everywhere, for its job types or "*"', () => {
    const all = [
      policy({ id: 'any-target' }),
      policy({ id: 'any-type', job_types: ['*'] }),
      policy({ id: 'other-type', job_types: ['health_check'] }),
    ];
    expect(ids(policiesAllowingResume(all, job, [HOST], 'shutdown_vms'))).toEqual(['any-target', 'any-type']);
  });

  it('only enabled policies that list the action allow it', () => {
    const all = [policy({ id: 'off', enabled: false }), policy({ id: 'suspend', allowed_resume_actions: ['suspend_vms'] })];
    expect(policiesAllowingResume(all, job, [HOST], 'shutdown_vms')).toEqual([]);
    expect(ids(policiesAllowingResume(all, job, [HOST], 'suspend_vms'))).toEqual(['suspend']);
  });

  it('a policy that only allows resume actions asks for no approval', () => {
    const resumeOnly = policy({ id: 'resume-only', requires_approval: false });
    expect(ids(policiesAllowingResume([resumeOnly], job, [HOST], 'shutdown_vms'))).toEqual(['resume-only']);
    expect(approvalPolicyFor([resumeOnly], { type: 'host_maintenance', target_ids: [HOST] })).toBeUndefined();
  });
});

describe('allowed_resume_actions on the policy schemas', () => {
  it('defaults to none on create, is optional on update, and names the bad entry', () => {
    expect(PolicyCreate.parse({ name: 'n', job_types: ['host_maintenance'] }).allowed_resume_actions).toEqual([]);
    expect(PolicyUpdate.parse({ allowed_resume_actions: ['suspend_vms'] })).toEqual({ allowed_resume_actions: ['suspend_vms'] });
    const bad = PolicyCreate.safeParse({ name: 'n', job_types: ['host_maintenance'], allowed_resume_actions: ['shutdown_vms', ''] });
    expect(bad.error?.issues.map((i) => i.path)).toEqual([['allowed_resume_actions', 1]]);
    const many = PolicyUpdate.safeParse({ allowed_resume_actions: Array.from({ length: 21 }, (_, i) => `action_${i}`) });
    expect(many.error?.issues.map((i) => i.path)).toEqual([['allowed_resume_actions']]);
  });
});

describe('stored policies', () => {
  it('a policy stored before allowed_resume_actions existed reads as allowing none, and stays editable', async () => {
    const store = new MemoryStore();
    const { allowed_resume_actions: _, ...older } = policy({ id: 'pol-old', requires_approval: true });
    await policies.create(store, older as Policy);
    expect((await policies.get(store, 'pol-old')).allowed_resume_actions).toEqual([]);
    expect((await policies.list(store, { limit: 10 })).items.map((p) => p.allowed_resume_actions)).toEqual([[]]);
    const edited = await policies.update(store, 'pol-old', (p) => ({ ...p, enabled: false }));
    expect(edited).toMatchObject({ enabled: false, allowed_resume_actions: [], version: 2 });
  });
});

describe('assertResumeAllowed', () => {
  const setup = async () => {
    const deps = { store: new MemoryStore(), clock: new ManualClock() };
    const paused = await storedJob(deps, { id: 'job-hm-1', type: 'host_maintenance', target_ids: [CLUSTER], status: 'paused' });
    return { deps, paused };
  };
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => expect.fail('the resume should have been refused'),
      (e: unknown) => e as ForbiddenError,
    );

  it('without a policy: 403 naming the action, job type and targets, with a policy an admin can add that then allows it', async () => {
    const { deps, paused } = await setup();
    await policies.create(deps.store, policy({ id: 'suspend-only', allowed_resume_actions: ['suspend_vms'] }));
    const e = await refusal(assertResumeAllowed(deps, paused, [HOST, CLUSTER], 'shutdown_vms'));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.status).toBe(403);
    expect(e.message).toContain(
      "resume action 'shutdown_vms' needs a policy that allows it for host_maintenance on vc-001/host-21 (or vc-001/domain-c7); none does.",
    );
    expect(e.message).toContain('An admin can add one with POST /api/v1/policies {');
    const { suggested_policy } = e.details as { suggested_policy: unknown };
    expect(e.message).toContain(JSON.stringify(suggested_policy));

    const added = PolicyCreate.parse(suggested_policy);
    expect(added).toMatchObject({ target_ids: [HOST], requires_approval: false, allowed_resume_actions: ['shutdown_vms'] });
    await policies.create(deps.store, policy({ ...added, id: 'pol-added' }));
    expect((await assertResumeAllowed(deps, paused, [HOST, CLUSTER], 'shutdown_vms')).id).toBe('pol-added');
  });

  it('a policy written for the cluster allows the action on its host', async () => {
    const { deps, paused } = await setup();
    await policies.create(deps.store, policy({ id: 'pol-cluster', target_ids: [CLUSTER] }));
    expect((await assertResumeAllowed(deps, paused, [HOST, CLUSTER], 'shutdown_vms')).id).toBe('pol-cluster');
    await refusal(assertResumeAllowed(deps, paused, ['vc-001/host-40', 'vc-001/domain-c9'], 'shutdown_vms'));
  });

  it('names a disabled policy that would allow it', async () => {
    const { deps, paused } = await setup();
    await policies.create(deps.store, policy({ id: 'pol-off', target_ids: [HOST], enabled: false }));
    const e = await refusal(assertResumeAllowed(deps, paused, [HOST], 'shutdown_vms'));
    expect(e.message).toContain("none does (disabled ones that would: 'pol-off')");
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JOB_TYPES } from '../../shared/catalog/job-types';
import { WORKFLOW_ERRORS } from '../../shared/catalog/workflow-errors';
import { ValidationError } from '../../shared/domain/errors';
import type { Job } from '../../shared/domain/job';
import { type JobType, stepAction } from '../../shared/jobs/job-type';
import { existingTargets } from '../../shared/jobs/targets';
import type { Idrac } from '../../shared/ports/idrac';
import type { Queue } from '../../shared/ports/queue';
import type { VCenter } from '../../shared/ports/vcenter';
import type { Workflows } from '../../shared/ports/workflows';
import { approvals } from '../../shared/records/approvals';
import { jobs, listSteps } from '../../shared/records/jobs';
import type { EngineDeps } from '../../shared/usecases/jobs/common';
import { runJobStep, stepPayloadSchema } from '../../shared/usecases/jobs/steps';
import { ManualClock, MemorySecrets } from '../support/fakes';
import { storedJob } from '../support/job-records';
import { MemoryStore } from '../support/memory-store';

/** The step function's dispatch: one union parses every payload, and type actions come from the catalog. */
const unused = new Proxy({}, { get: (_t, p) => () => Promise.reject(new Error(`a step does not call ${String(p)} here`)) });
const engineDeps = (): EngineDeps => ({
  store: new MemoryStore(),
  clock: new ManualClock(),
  secrets: new MemorySecrets(),
  queue: unused as Queue,
  workflows: unused as Workflows,
  idrac: unused as Idrac,
  vcenter: unused as VCenter,
});

async function jobOf(deps: EngineDeps, type: string, fields: Partial<Job> = {}): Promise<Job> {
  return storedJob(deps, { id: `job-${type}-${fields.status ?? 'running'}`, type, target_ids: ['site-a', 'site-b'], ...fields });
}

/** A type plugged in for one test; each call of its action is recorded. */
function plugIn(name: string, actions: JobType['actions']): void {
  JOB_TYPES[name] = {
    name,
    description: name,
    params: z.strictObject({}).default({}),
    resolveTargets: existingTargets(['site']),
    workflow: 'job-health-check',
    actions,
    resumeActions: [],
    maxRuntimeMinutes: 5,
    resumableAfterCrash: true,
    retryFailedTargetsOnly: true,
  };
}
const plugged: string[] = ['unit_work_type', 'unit_clash_type'];
afterEach(() => {
  for (const name of plugged) delete JOB_TYPES[name];
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('the step should have failed'),
    (e: unknown) => e as Error,
  );

describe('step payloads: one discriminated union over the engine actions and every type action', () => {
  it('names the field that is missing or wrong', async () => {
    const deps = engineDeps();
    const e = await failure(runJobStep(deps, { action: 'probe_target', job_id: 'job-1' }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toMatch(/^Invalid job step payload for action 'probe_target': target_id: /);
    expect((e as ValidationError).details).toEqual([{ path: 'target_id', message: expect.stringContaining('expected string') }]);

    const noActions = { action: 'await_operator', job_id: 'job-1', task_token: 't', message: 'm', valid_actions: [] };
    const pause = await failure(runJobStep(deps, noActions));
    expect((pause as ValidationError).details).toEqual([{ path: 'valid_actions', message: expect.stringContaining('>=1') }]);
    expect(((await failure(runJobStep(deps, { action: 'start' }))) as ValidationError).details).toEqual([
      { path: 'job_id', message: expect.any(String) },
    ]);
    expect((await failure(runJobStep(deps, 'start'))).message).toMatch(/^Invalid job step payload: \(payload\): .*expected object/);
  });

  it('refuses an action nobody declares, listing the known ones', async () => {
    const e = await failure(runJobStep(engineDeps(), { action: 'reboot', job_id: 'job-1' }));
    expect(e.message).toMatch(/^Invalid job step payload for action 'reboot': action: .*'start'.*'probe_target'/);
  });

  it('includes the actions of types plugged into the catalog: one name, one action (types may share it)', () => {
    const unitWork = stepAction(z.object({ target_id: z.string() }), async () => ({}));
    plugIn('unit_work_type', { unit_work: unitWork });
    plugIn('unit_clash_type', { unit_work: unitWork });
    expect(stepPayloadSchema().safeParse({ action: 'unit_work', job_id: 'job-1', target_id: 'site-a' }).success).toBe(true);
    plugIn('unit_clash_type', { unit_work: stepAction(z.object({}), async () => ({})) });
    expect(() => stepPayloadSchema()).toThrow("Step action 'unit_work' of job type unit_clash_type is also job type unit_work_type's");
  });
});

describe('type actions: dispatched through the catalog to the job type that declares them', () => {
  it('runs the action with the job and records one step per target; a target done before is not worked again', async () => {
    const deps = engineDeps();
    const seen: string[] = [];
    plugIn('unit_work_type', {
      unit_work: stepAction(z.object({ target_id: z.string() }), (ctx, { target_id }) =>
        ctx.targetStep('Work on target', target_id, async () => {
          seen.push(`${ctx.job.id}/${target_id}`);
          const ok = target_id === 'site-a';
          return { ok, error: ok ? undefined : 'no answer', record: { answered: target_id } };
        }),
      ),
    });
    const job = await jobOf(deps, 'unit_work_type');
    const work = (target_id: string) => runJobStep(deps, { action: 'unit_work', job_id: job.id, target_id });
    expect(await work('site-a')).toEqual({ target_id: 'site-a', ok: true });
    expect(await work('site-b')).toEqual({ target_id: 'site-b', ok: false });
    expect(await work('site-a')).toEqual({ target_id: 'site-a', ok: true });
    expect(seen).toEqual([`${job.id}/site-a`, `${job.id}/site-b`]);
    // The manual clock stands still, so step ids (time-ordered) do not order these: sort by target.
    const steps = (await listSteps(deps.store, job.id)).sort((a, b) => a.target_id!.localeCompare(b.target_id!));
    expect(steps.map((s) => [s.name, s.target_id, s.status, s.error])).toEqual([
      ['Work on target', 'site-a', 'succeeded', undefined],
      ['Work on target', 'site-b', 'failed', 'no answer'],
    ]);
    expect(steps[1]!.result).toEqual({ answered: 'site-b' });
  });

  it("refuses another type's action, and ends the workflow (JobNotActive) for a finished job", async () => {
    const deps = engineDeps();
    plugIn('unit_work_type', { unit_work: stepAction(z.object({ target_id: z.string() }), async () => expect.fail('must not run')) });
    const health = await jobOf(deps, 'health_check');
    const e = await failure(runJobStep(deps, { action: 'unit_work', job_id: health.id, target_id: 'site-a' }));
    expect(e.message).toBe("Step action 'unit_work' is not one of job type health_check's: probe_target");
    const done = await jobOf(deps, 'unit_work_type', { status: 'cancelled' });
    expect(await failure(runJobStep(deps, { action: 'unit_work', job_id: done.id, target_id: 'site-a' }))).toMatchObject({
      name: WORKFLOW_ERRORS.jobNotActive,
    });
  });
});

describe('engine actions', () => {
  it('"Wait for approval" invoked again (a retried Lambda call) hands its new token to the approval it opened', async () => {
    const deps = engineDeps();
    const job = await jobOf(deps, 'health_check', { status: 'queued', requires_approval: true, approval_policy_id: 'policy-1' });
    const first = (await runJobStep(deps, { action: 'await_approval', job_id: job.id, task_token: 'token-1' })) as { approval_id: string };
    const again = (await runJobStep(deps, { action: 'await_approval', job_id: job.id, task_token: 'token-2' })) as { approval_id: string };
    expect(again.approval_id).toBe(first.approval_id);
    expect(await approvals.get(deps.store, first.approval_id)).toMatchObject({ status: 'pending', task_token: 'token-2' });
    expect(await jobs.get(deps.store, job.id)).toMatchObject({ status: 'awaiting_approval', task_token: 'token-2' });
    expect((await approvals.list(deps.store, { limit: 10 })).items).toHaveLength(1);
  });
});

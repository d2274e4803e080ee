import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JOB_TYPES } from '../../shared/catalog/job-types';
import { WORKFLOW_ERRORS } from '../../shared/catalog/workflow-errors';
import { ConflictError } from '../../shared/domain/errors';
import { HostsLockedError } from '../../shared/domain/host-lock';
import type { Job } from '../../shared/domain/job';
import { existingTargets } from '../../shared/jobs/targets';
import type { Idrac } from '../../shared/ports/idrac';
import type { Queue } from '../../shared/ports/queue';
import type { VCenter } from '../../shared/ports/vcenter';
import { ExecutionNotFoundError, TaskTokenInvalidError, type Workflows } from '../../shared/ports/workflows';
import { hostLocks } from '../../shared/records/host-locks';
import { jobs } from '../../shared/records/jobs';
import { allItems } from '../../shared/records/paging';
import type { EngineDeps } from '../../shared/usecases/jobs/common';
import { cancelJob, resumeJob } from '../../shared/usecases/jobs/control';
import { lockHosts } from '../../shared/usecases/jobs/host-locks';
import { runHousekeeping } from '../../shared/usecases/jobs/housekeeping';
import { reconcileJobs } from '../../shared/usecases/jobs/reconcile';
import { runJobStep } from '../../shared/usecases/jobs/steps';
import { activateKillSwitch } from '../../shared/usecases/jobs/system';
import { ManualClock, MemorySecrets } from '../support/fakes';
import { storedJob } from '../support/job-records';
import { MemoryStore } from '../support/memory-store';

/** Every execution is gone (as after a crash), every token spent; stops and sends succeed. */
const goneWorkflows: Workflows = {
  start: () => Promise.reject(new Error('no start here')),
  executionId: () => Promise.reject(new Error('no execution ids here')),
  describe: (id) => Promise.reject(new ExecutionNotFoundError(id)),
  stop: async () => {},
  sendTaskSuccess: () => Promise.reject(new TaskTokenInvalidError()),
  sendTaskFailure: async () => {},
};
const unused = new Proxy({}, { get: (_t, p) => () => Promise.reject(new Error(`no ${String(p)} here`)) });

function engineDeps(): EngineDeps & { sent: unknown[] } {
  const sent: unknown[] = [];
  const queue = { send: async (_q: string, messages: unknown[]) => messages.map(() => `m-${sent.push(...messages)}`) };
  return {
    store: new MemoryStore(),
    clock: new ManualClock(),
    secrets: new MemorySecrets(),
    queue: queue as unknown as Queue,
    workflows: goneWorkflows,
    idrac: unused as Idrac,
    vcenter: unused as VCenter,
    sent,
  };
}

/** A type the reconciliation fails rather than resumes (as host maintenance will be unless its steps allow it). */
const FRAGILE = 'unit_lock_fragile_type';
afterEach(() => {
  delete JOB_TYPES[FRAGILE];
});
function plugInFragile(): void {
  JOB_TYPES[FRAGILE] = {
    ...JOB_TYPES.health_check!,
    name: FRAGILE,
    params: z.strictObject({}).default({}),
    resolveTargets: existingTargets(['site']),
    resumableAfterCrash: false,
  };
}

let n = 0;
async function jobWithLocks(deps: EngineDeps, fields: Partial<Job> = {}, hostIds = ['vc-1/host-1', 'vc-1/host-2']): Promise<Job> {
  const job = await storedJob(deps, { id: `job-locks-${++n}`, execution_id: `exec-${n}`, ...fields });
  await lockHosts(deps, job, hostIds);
  return job;
}
const locksOf = async (deps: EngineDeps, jobId: string) =>
  (await allItems((cursor) => hostLocks.byJob(deps.store, jobId, { limit: 10, cursor }))).map((l) => l.id);

describe('every way a job ends gives back its host locks', () => {
  it('finish (succeeded and failed)', async () => {
    const deps = engineDeps();
    const ok = await jobWithLocks(deps, {}, ['vc-1/host-1']);
    const bad = await jobWithLocks(deps, {}, ['vc-1/host-2']);
    expect(await locksOf(deps, ok.id)).toEqual(['vc-1/host-1']);
    await runJobStep(deps, { action: 'finish', job_id: ok.id, outcomes: [{ target_id: 'site-a', ok: true }] });
    await runJobStep(deps, { action: 'finish', job_id: bad.id, outcomes: [{ target_id: 'site-a', ok: false }] });
    expect((await jobs.get(deps.store, ok.id)).status).toBe('succeeded');
    expect((await jobs.get(deps.store, bad.id)).status).toBe('failed');
    expect(await locksOf(deps, ok.id)).toEqual([]);
    expect(await locksOf(deps, bad.id)).toEqual([]);
  });

  it('a failure the workflow caught, and an approval rejected', async () => {
    const deps = engineDeps();
    const failed = await jobWithLocks(deps, {}, ['vc-1/host-1']);
    const rejected = await jobWithLocks(deps, { status: 'awaiting_approval' }, ['vc-1/host-2']);
    await runJobStep(deps, { action: 'fail', job_id: failed.id, error: { Error: 'States.TaskFailed', Cause: 'boom' } });
    await runJobStep(deps, { action: 'cancel', job_id: rejected.id, error: { Error: WORKFLOW_ERRORS.approvalRejected, Cause: 'no' } });
    expect((await jobs.get(deps.store, failed.id)).status).toBe('failed');
    expect((await jobs.get(deps.store, rejected.id)).status).toBe('cancelled');
    expect(await locksOf(deps, failed.id)).toEqual([]);
    expect(await locksOf(deps, rejected.id)).toEqual([]);
  });

  it('cancel by an operator, and a resume whose execution is gone', async () => {
    const deps = engineDeps();
    const cancelled = await jobWithLocks(deps, {}, ['vc-1/host-1']);
    const paused = await jobWithLocks(deps, { status: 'paused' }, ['vc-1/host-2']);
    await jobs.update(deps.store, paused.id, (j) => {
      const wait = {
        kind: 'operator' as const,
        step: 'Wait for operator',
        message: 'waiting',
        valid_actions: ['retry'],
        since: j.created_at,
      };
      return { ...j, waiting_for: wait, operator_waits: [{ ...wait, key: 'job', task_token: 'spent-token' }] };
    });
    await cancelJob(deps, cancelled.id, 'bob');
    await expect(resumeJob(deps, paused.id, 'bob', { action: 'retry' })).rejects.toBeInstanceOf(ConflictError);
    expect((await jobs.get(deps.store, paused.id)).status).toBe('failed');
    expect(await locksOf(deps, cancelled.id)).toEqual([]);
    expect(await locksOf(deps, paused.id)).toEqual([]);
  });

  it('the kill switch', async () => {
    const deps = engineDeps();
    const running = await jobWithLocks(deps, {}, ['vc-1/host-1']);
    const paused = await jobWithLocks(deps, { status: 'paused' }, ['vc-1/host-2']);
    const report = await activateKillSwitch(deps, 'admin', 'storm');
    expect(report.jobs_stopped).toEqual([running.id, paused.id].sort());
    expect(await locksOf(deps, running.id)).toEqual([]);
    expect(await locksOf(deps, paused.id)).toEqual([]);
  });

  it('the reconciliation after a crash: a job failed as interrupted gives them back, a resumed job keeps them', async () => {
    plugInFragile();
    const deps = engineDeps();
    const fragile = await jobWithLocks(deps, { type: FRAGILE }, ['vc-1/host-1']);
    const resumable = await jobWithLocks(deps, {}, ['vc-1/host-2']);
    const report = await reconcileJobs(deps);
    expect(report).toMatchObject({ failed: [fragile.id], resumed: [resumable.id] });
    expect((await jobs.get(deps.store, fragile.id)).status_reason).toMatch(/^interrupted/);
    expect(await locksOf(deps, fragile.id)).toEqual([]);
    expect(await locksOf(deps, resumable.id)).toEqual(['vc-1/host-2']);
    // The resumed execution takes them again as the same job: no conflict with itself.
    const resumed = await jobs.get(deps.store, resumable.id);
    expect((await lockHosts(deps, resumed, ['vc-1/host-2'])).map((l) => l.execution_attempt)).toEqual([2]);
  });
});

describe('host locks at the engine level', () => {
  it('a host another job holds is refused naming that job', async () => {
    const deps = engineDeps();
    const first = await jobWithLocks(deps, {}, ['vc-1/host-1']);
    const e = await jobWithLocks(deps, {}, ['vc-1/host-1', 'vc-1/host-0']).catch((err: unknown) => err as Error);
    expect(e).toBeInstanceOf(HostsLockedError);
    expect((e as HostsLockedError).held).toMatchObject([{ host_id: 'vc-1/host-1', job_id: first.id }]);
    expect(await hostLocks.find(deps.store, 'vc-1/host-0')).toBeUndefined();
  });

  it('a job that ended while it took its locks gives them back (the cancel released before they were written)', async () => {
    const deps = engineDeps();
    const job = await jobWithLocks(deps, {}, []);
    await cancelJob(deps, job.id, 'bob');
    await expect(lockHosts(deps, job, ['vc-1/host-1'])).rejects.toThrow(/is cancelled; it takes no host locks/);
    expect(await locksOf(deps, job.id)).toEqual([]);
  });

  it('housekeeping releases locks of finished or missing jobs and reports them; running jobs keep theirs', async () => {
    const deps = engineDeps();
    const running = await jobWithLocks(deps, {}, ['vc-1/host-1']);
    const finished = await jobWithLocks(deps, {}, ['vc-1/host-2']);
    // As a crash between the end of the job and its release leaves them: ended without going through moveJob.
    await jobs.update(deps.store, finished.id, (j) => ({ ...j, status: 'succeeded', finished_at: j.updated_at }));
    await hostLocks.acquire(deps.store, { hostIds: ['vc-2/host-7'], jobId: 'job-deleted', executionAttempt: 1, now: deps.clock.now() });
    const report = await runHousekeeping(deps);
    expect(report.locks_released).toEqual([
      { host_id: 'vc-1/host-2', job_id: finished.id, job_status: 'succeeded' },
      { host_id: 'vc-2/host-7', job_id: 'job-deleted', job_status: 'missing' },
    ]);
    expect(await locksOf(deps, running.id)).toEqual(['vc-1/host-1']);
    expect(await locksOf(deps, finished.id)).toEqual([]);
    expect((await runHousekeeping(deps)).locks_released).toEqual([]);
  });
});

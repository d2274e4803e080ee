import { WORKFLOW_ERRORS } from '../../catalog/workflow-errors';
import { OPEN_APPROVAL } from '../../domain/approval';
import { ConflictError } from '../../domain/errors';
import { logger } from '../../observability/logger';
import { isoNow } from '../../ports/clock';
import { TaskTokenInvalidError } from '../../ports/workflows';
import { approvals } from '../../records/approvals';
import { jobs } from '../../records/jobs';
import { readSwitch } from '../../records/switches';
import { type EngineDeps, requestCompensation } from './common';
import { stopJob } from './control';
import { type LeftLock, releaseLocksOfEndedJobs } from './host-locks';
import { enqueueJob } from './submit';

/** A queued job older than this without an execution has lost its message: hand it to the dispatcher again. */
const STALE_QUEUED_MS = 2 * 60_000;

export type HousekeepingReport = {
  approvals_expired: string[];
  jobs_requeued: string[];
  locks_released: LeftLock[];
  /** Paused jobs whose operator wait outlived its timeout: failed with that reason (and compensated). */
  pauses_timed_out: string[];
  compensations_requested: string[];
};

/**
 * The periodic sweep (every minute, from the schedule table): expires approval requests past their time
 * (the waiting job is then cancelled by its workflow with that reason), fails paused jobs whose operator wait
 * outlived its timeout, re-dispatches queued jobs whose queue message was lost, releases host locks whose job
 * has finished or is missing (a crash between a job's end and its release) and queues again the compensations
 * still pending. All are safe to run twice.
 */
export async function runHousekeeping(deps: EngineDeps): Promise<HousekeepingReport> {
  const report: HousekeepingReport = {
    approvals_expired: [],
    jobs_requeued: [],
    locks_released: [],
    pauses_timed_out: [],
    compensations_requested: [],
  };
  const now = deps.clock.now();
  for (const status of OPEN_APPROVAL) {
    for await (const a of approvals.eachInStatus(deps.store, status)) {
      if (Date.parse(a.expires_at) > now) continue;
      const token = a.task_token;
      await approvals.update(deps.store, a.id, (c) =>
        OPEN_APPROVAL.includes(c.status)
          ? {
              ...c,
              status: 'expired',
              task_token: undefined,
              history: [...c.history, { status: 'expired', by: 'system', at: isoNow(deps.clock) }],
            }
          : c,
      );
      if (token)
        await deps.workflows
          .sendTaskFailure(token, WORKFLOW_ERRORS.approvalExpired, `approval ${a.id} expired at ${a.expires_at} before anyone decided`)
          .catch((e: unknown) => {
            if (!(e instanceof TaskTokenInvalidError)) throw e;
          });
      report.approvals_expired.push(a.id);
    }
  }
  if (!(await readSwitch(deps.store, 'scheduler')).on) {
    const stale: [string, string] = ['0', new Date(now - STALE_QUEUED_MS).toISOString()];
    for await (const job of jobs.eachInStatus(deps.store, 'queued', { between: stale })) {
      await enqueueJob(deps, job.id);
      report.jobs_requeued.push(job.id);
    }
  }
  for await (const job of jobs.eachInStatus(deps.store, 'paused')) {
    const late = (job.operator_waits ?? []).filter((w) => w.timeout_at && Date.parse(w.timeout_at) <= now);
    if (!late.length) continue;
    const w = late[0]!;
    const minutes = Math.round((Date.parse(w.timeout_at!) - Date.parse(w.since)) / 60_000);
    await stopJob(deps, job, 'failed', `paused longer than ${minutes} minute(s) at "${w.step}" (${w.message}); nobody resumed it`).catch(
      (e: unknown) => {
        if (!(e instanceof ConflictError)) throw e; // resumed or cancelled meanwhile
      },
    );
    report.pauses_timed_out.push(job.id);
  }
  const locks = await releaseLocksOfEndedJobs(deps);
  report.locks_released = locks.released;
  for (const id of locks.compensating) {
    await requestCompensation(deps, id);
    report.compensations_requested.push(id);
  }
  if (Object.values(report).some((v) => v.length)) logger.info('Housekeeping acted', { ...report });
  return report;
}

/**
 * Operator waits of a running job (domain/job.ts OperatorWait): opened by a state machine's
 * "Wait for operator" task, ended by a resume, a pause timeout, or the job's end. The job is `paused` while
 * any is open; every change is one conditional write of the job, so a resume racing a cancel or another
 * resume never both win.
 */
import { ConflictError } from '../../domain/errors';
import { isFinished, type Job, type OperatorWait, summarizeWaits, transition } from '../../domain/job';
import { isoNow } from '../../ports/clock';
import { jobs } from '../../records/jobs';
import type { EngineDeps } from './common';
import { JobNotActiveError } from './step-context';

export async function addOperatorWait(deps: Pick<EngineDeps, 'store' | 'clock'>, jobId: string, wait: OperatorWait): Promise<Job> {
  return jobs.update(deps.store, jobId, (j) => {
    if (isFinished(j.status)) throw new JobNotActiveError(j);
    const waits = [...(j.operator_waits ?? []).filter((w) => w.key !== wait.key), wait];
    return transition(j, 'paused', isoNow(deps.clock), { operator_waits: waits, waiting_for: summarizeWaits(waits) });
  });
}

/**
 * Ends the given waits if they are still the ones read (same tokens): the job runs again once none is left.
 * Answers the job after the change; ConflictError when a wait already ended (a concurrent resume or cancel).
 */
export async function endOperatorWaits(deps: Pick<EngineDeps, 'store' | 'clock'>, jobId: string, ended: OperatorWait[]): Promise<Job> {
  return jobs.update(deps.store, jobId, (j) => {
    const open = j.operator_waits ?? [];
    const stale = ended.filter((e) => !open.some((w) => w.key === e.key && w.task_token === e.task_token));
    if (j.status !== 'paused' || stale.length)
      throw new ConflictError(`job '${jobId}' is no longer waiting there (${j.status}); read it again`, { status: j.status });
    const left = open.filter((w) => !ended.some((e) => e.key === w.key));
    const at = isoNow(deps.clock);
    if (!left.length) return transition(j, 'running', at);
    return { ...j, operator_waits: left, waiting_for: summarizeWaits(left), updated_at: at };
  });
}

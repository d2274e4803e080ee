import type { Job, JobStatus, JobStep } from '../domain/job';
import type { Page, Store } from '../ports/store';
import { Entity, type ListPage, stripKeys } from './entity';
import { allItems } from './paging';

/**
 * Jobs:  pk JOB#<id> / sk JOB;  gsi1 KIND#JOB / <created_at>#<id> (all jobs by creation time);
 *        gsi2 JOBSTATUS#<status> / <created_at>#<id> (jobs in one status: queued, running, failed in 24 h…).
 * Steps: pk JOB#<id> / sk STEP#<step id> (time-ordered ids: a job's steps in the order they started).
 */
const statusPartition = (status: string) => `JOBSTATUS#${status}`;

class JobRecords extends Entity<Job> {
  /** Jobs in one status, by creation time (oldest first unless descending); `between` bounds the creation time. */
  byStatus(store: Store, status: JobStatus, page: ListPage): Promise<Page<Job>> {
    return this.listBy(store, statusPartition(status), page);
  }

  /** Every job in one status, page after page (sweeps: re-dispatch, reconciliation, the kill switch). */
  eachInStatus(store: Store, status: JobStatus, opts: { between?: [string, string] } = {}): AsyncGenerator<Job> {
    return this.eachIn(store, statusPartition(status), opts);
  }
}

export const jobs = new JobRecords('job', 'JOB', (j) => ({
  gsi1sk: `${j.created_at}#${j.id}`,
  gsi2pk: statusPartition(j.status),
  gsi2sk: `${j.created_at}#${j.id}`,
}));

const stepKey = (jobId: string, stepId: string) => ({ pk: `JOB#${jobId}`, sk: `STEP#${stepId}` });

export async function putStep(store: Store, step: JobStep): Promise<void> {
  await store.put({ ...stepKey(step.job_id, step.step_id), ...step });
}

export async function listSteps(store: Store, jobId: string): Promise<JobStep[]> {
  const items = await allItems((cursor) => store.query({ pk: `JOB#${jobId}`, skPrefix: 'STEP#', limit: 100, cursor }));
  return items.map((i) => stripKeys<JobStep>(i));
}

/** Idempotency keys: pk IDEMPOTENCY#<key> / sk KEY → the job the first request created. */
export const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: 'KEY' });

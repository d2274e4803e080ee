import type { Job, JobStep } from '../domain/job';
import type { Page, Store } from '../ports/store';
import { Entity, stripKeys } from './entity';

/**
 * Jobs:  pk JOB#<id> / sk JOB;  gsi1 KIND#JOB / <created_at>#<id> (all jobs by creation time);
 *        gsi2 JOBSTATUS#<status> / <created_at>#<id> (jobs in one status: queued, running, failed in 24 h…).
 * Steps: pk JOB#<id> / sk STEP#<step id> (time-ordered ids: a job's steps in the order they started).
 */
export const jobs = new Entity<Job>('job', 'JOB', (j) => ({
  gsi1sk: `${j.created_at}#${j.id}`,
  gsi2pk: `JOBSTATUS#${j.status}`,
  gsi2sk: `${j.created_at}#${j.id}`,
}));

export const jobStatusPartition = (status: string) => `JOBSTATUS#${status}`;

const stepKey = (jobId: string, stepId: string) => ({ pk: `JOB#${jobId}`, sk: `STEP#${stepId}` });

export async function putStep(store: Store, step: JobStep): Promise<void> {
  await store.put({ ...stepKey(step.job_id, step.step_id), ...step });
}

export async function listSteps(store: Store, jobId: string): Promise<JobStep[]> {
  const steps: JobStep[] = [];
  let cursor: string | undefined;
  do {
    const page: Page<Record<string, unknown> & { pk: string; sk: string }> = await store.query({
      pk: `JOB#${jobId}`,
      skPrefix: 'STEP#',
      limit: 100,
      cursor,
    });
    steps.push(...page.items.map((i) => stripKeys<JobStep>(i)));
    cursor = page.cursor;
  } while (cursor);
  return steps;
}

/** Idempotency keys: pk IDEMPOTENCY#<key> / sk KEY → the job the first request created. */
export const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: 'KEY' });

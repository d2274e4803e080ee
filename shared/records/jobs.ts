/**
 * Jobs:  pk JOB#<id> / sk JOB;  gsi1 KIND#JOB / <created_at>#<id> (all jobs by creation time);
 *        gsi2 JOBSTATUS#<status> / <created_at>#<id> (jobs in one status: queued, running, failed in 24 h…).
 * Failures: pk JOBFAILED / sk <finished_at>#<id>, one per job that ended failed, kept two days: health's
 *        "failed jobs (24h)" counts jobs by when they failed, which the job's own indexes (by creation) cannot.
 * Steps: pk JOB#<id> / sk STEP#<step id> (time-ordered ids: a job's steps in the order they started), kept
 *        for RETENTION_JOB_STEPS_DAYS after they started, then removed by DynamoDB's TTL.
 */
import { config } from '../config';
import { idFloor } from '../domain/ids';
import type { Job, JobStatus, JobStep } from '../domain/job';
import { ConditionFailedError, type Page, type Store } from '../ports/store';
import { Entity, expiresAfter, hasExpired, type ListPage, stripKeys } from './entity';
import { allItems, pages } from './paging';

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

const FAILURE_RETENTION_MS = 2 * 86_400_000;

export const jobFailures = {
  /** Written after the job's own write ended it failed (a crash in between undercounts one failure). */
  async record(store: Store, job: Pick<Job, 'id' | 'finished_at'>): Promise<void> {
    const at = job.finished_at!;
    await store.put({ pk: 'JOBFAILED', sk: `${at}#${job.id}`, job_id: job.id, failed_at: at, ...expiresAfter(at, FAILURE_RETENTION_MS) });
  },

  /** Jobs that failed in [from, to] (ISO), counted up to `cap` (past it the exact number does not matter). */
  async count(store: Store, from: string, to: string, cap: number): Promise<number> {
    let n = 0;
    for await (const page of pages((cursor) => store.query({ pk: 'JOBFAILED', skBetween: [from, `${to}~`], limit: 200, cursor }))) {
      n += page.items.length;
      if (n > cap) break;
    }
    return n;
  },
};

const stepKey = (jobId: string, stepId: string) => ({ pk: `JOB#${jobId}`, sk: `STEP#${stepId}` });

export async function putStep(store: Store, step: JobStep): Promise<void> {
  await store.put({ ...stepKey(step.job_id, step.step_id), ...step, ...expiresAfter(step.started_at, config().retention.jobStepsMs) });
}

export async function listSteps(store: Store, jobId: string): Promise<JobStep[]> {
  const items = await allItems((cursor) => store.query({ pk: `JOB#${jobId}`, skPrefix: 'STEP#', limit: 100, cursor }));
  return items.map((i) => stripKeys<JobStep>(i));
}

/** The job's steps started at `since` (epoch ms) or later, by their time-ordered ids: not the whole job's. */
export async function listStepsSince(store: Store, jobId: string, since: number): Promise<JobStep[]> {
  const items = await allItems((cursor) =>
    store.query({ pk: `JOB#${jobId}`, skBetween: [`STEP#${idFloor('step', since)}`, 'STEP#~'], limit: 100, cursor }),
  );
  return items.map((i) => stripKeys<JobStep>(i));
}

/**
 * Idempotency keys: pk IDEMPOTENCY#<key> / sk KEY → the job the first request created; kept for
 * RETENTION_IDEMPOTENCY_KEY_HOURS, after which the same key starts a new job.
 */
export const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: 'KEY' });

export type IdempotencyRecord = { job_id: string; fingerprint: string; created_at: string };

export const idempotencyKeys = {
  /**
   * Records the key for this request; false when a live key holds it. A key past its time that DynamoDB has
   * not removed yet is taken over (conditional on its version, so two requests cannot both take it).
   */
  async claim(store: Store, key: string, record: IdempotencyRecord, now: number): Promise<boolean> {
    const item = (version: number) => ({
      ...idempotencyKey(key),
      ...record,
      version,
      ...expiresAfter(record.created_at, config().retention.idempotencyKeyMs),
    });
    const held = await putOr(store.put(item(1), { kind: 'absent' }), () => store.get(idempotencyKey(key)));
    if (held === true) return true;
    if (!held) return (await putOr(store.put(item(1), { kind: 'absent' }), async () => undefined)) === true;
    if (!hasExpired(held, now) || typeof held.version !== 'number') return false;
    return (await putOr(store.put(item(held.version + 1), { kind: 'version', version: held.version }), async () => undefined)) === true;
  },

  /** The live record of a key, if any. */
  async find(store: Store, key: string, now: number): Promise<IdempotencyRecord | undefined> {
    const held = await store.get(idempotencyKey(key));
    return held && !hasExpired(held, now) ? stripKeys<IdempotencyRecord>(held) : undefined;
  },
};

/** True when the conditional write landed, otherwise what `otherwise` finds. */
async function putOr<T>(write: Promise<void>, otherwise: () => Promise<T>): Promise<true | T> {
  try {
    await write;
    return true;
  } catch (e) {
    if (!(e instanceof ConditionFailedError)) throw e;
    return otherwise();
  }
}

import { createHash } from 'node:crypto';
import { sendToPool } from '../../catalog/messages';
import { ConflictError, ValidationError } from '../../domain/errors';
import { newId } from '../../domain/ids';
import type { Job, JobSubmission } from '../../domain/job';
import { approvalPolicyFor } from '../../domain/policy';
import { normalIdentity } from '../../domain/roles';
import { currentContext } from '../../observability/context';
import { logger } from '../../observability/logger';
import { isoNow } from '../../ports/clock';
import { policies } from '../../records/approvals';
import { recordAudit } from '../../records/audit';
import { idempotencyKeys, jobs } from '../../records/jobs';
import { assertKillSwitchOff, type EngineDeps, jobTypeOf } from './common';

const fingerprint = (s: JobSubmission) =>
  createHash('sha256')
    .update(JSON.stringify([s.type, s.target_ids, s.params, s.id ?? null]))
    .digest('hex');

/**
 * A submission checked as `POST /jobs` and `POST /jobs/plan` check it: its type, its params against the type's
 * schema (paths `body.params.…`), its targets resolved by the type (paths `body.target_ids[i]`).
 */
export async function validateSubmission(deps: Pick<EngineDeps, 'store'>, submission: JobSubmission) {
  const type = jobTypeOf(submission.type);
  const params = type.params.safeParse(submission.params);
  if (!params.success)
    throw new ValidationError(
      `Invalid params for ${type.name}`,
      params.error.issues.map((i) => ({ path: ['body.params', ...i.path].join('.'), message: i.message })),
    );
  const targets = await type.resolveTargets(deps, submission.target_ids);
  if (!targets.ok)
    throw new ValidationError(`Unknown or unsuitable targets: ${targets.problems.map((p) => p.message).join('; ')}`, targets.problems);
  return { type, params: params.data, targets: targets.targets };
}

/** An Idempotency-Key is the caller's: two people who happen to pick the same key get two jobs. */
const callersKey = (actor: string, key: string) =>
  createHash('sha256')
    .update(`${normalIdentity(actor)}\0${key}`)
    .digest('hex');

/**
 * Accepts a job: validates type, parameters and targets, decides whether policy requires approval, writes it
 * `queued` and enqueues it for the dispatcher. With an Idempotency-Key the same request returns the same job,
 * also when the copies arrive together: the first to claim the key names the job's id, and whichever copy
 * then writes the job first creates it; every other copy answers with that job.
 */
export async function submitJob(
  deps: EngineDeps,
  submission: JobSubmission,
  actor: string,
  idempotency?: string,
): Promise<{ job: Job; replayed: boolean }> {
  await assertKillSwitchOff(deps);
  const { type, params, targets } = await validateSubmission(deps, submission);

  let id = submission.id ?? newId('job', deps.clock.now());
  if (idempotency) {
    const print = fingerprint(submission);
    const key = callersKey(actor, idempotency);
    const claimed = { job_id: id, fingerprint: print, created_at: isoNow(deps.clock) };
    if (!(await idempotencyKeys.claim(deps.store, key, claimed, deps.clock.now()))) {
      const first = await idempotencyKeys.find(deps.store, key, deps.clock.now());
      if (!first) throw new ConflictError('This Idempotency-Key is being taken over by another request; retry');
      if (first.fingerprint !== print)
        throw new ConflictError('This Idempotency-Key was already used for a different request; use a new key');
      const existing = await jobs.find(deps.store, first.job_id);
      if (existing) {
        // A queued job may have lost its message with the first attempt; dispatching twice is harmless.
        if (existing.status === 'queued') await enqueueJob(deps, existing.id);
        return { job: existing, replayed: true };
      }
      // The first request has not written the job yet, or died before it did: do its work, same id.
      id = first.job_id;
    }
  }

  const policy = approvalPolicyFor(await policies.all(deps.store), { type: type.name, target_ids: targets });
  const now = isoNow(deps.clock);
  let replayed = false;
  const job = await jobs
    .create(deps.store, {
      id,
      type: type.name,
      target_ids: targets,
      params,
      status: 'queued',
      requested_by: actor,
      correlation_id: currentContext().correlation_id,
      requires_approval: policy !== undefined,
      approval_policy_id: policy?.id,
      created_at: now,
      updated_at: now,
      execution_attempt: 1,
      idempotency_key: idempotency,
      version: 1,
    })
    .catch(async (e: unknown) => {
      // Another copy of this request wrote the job between our claim and this write: answer with it.
      const existing = idempotency && e instanceof ConflictError ? await jobs.find(deps.store, id) : undefined;
      if (!existing) throw e;
      replayed = true;
      return existing;
    });
  if (replayed) return { job, replayed };
  await recordAudit(deps.store, {
    subject_id: job.id,
    action: 'job.submitted',
    at: now,
    detail: { type: job.type, targets: job.target_ids },
  });
  await enqueueJob(deps, job.id);
  return { job, replayed: false };
}

/** Hands a job to the dispatcher. A lost message is recovered by reconciliation, which re-enqueues queued jobs. */
export async function enqueueJob(deps: Pick<EngineDeps, 'queue'>, jobId: string): Promise<void> {
  try {
    await sendToPool(deps.queue, 'jobs', [{ message: { job_id: jobId } }]);
  } catch (e) {
    logger.error('Job could not be enqueued; reconciliation will retry', { job_id: jobId, error: e as Error });
    throw e;
  }
}

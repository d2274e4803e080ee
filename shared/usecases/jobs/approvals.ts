import { WORKFLOW_ERRORS } from '../../catalog/workflow-errors';
import { type Approval, OPEN_APPROVAL } from '../../domain/approval';
import { ConflictError, ForbiddenError } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { isFinished } from '../../domain/job';
import type { Policy, PolicyCreate, PolicyUpdate } from '../../domain/policy';
import { sameIdentity } from '../../domain/roles';
import { isoNow } from '../../ports/clock';
import type { Page } from '../../ports/store';
import { TaskTokenInvalidError } from '../../ports/workflows';
import { approvals, policies } from '../../records/approvals';
import { recordAudit } from '../../records/audit';
import { jobs } from '../../records/jobs';
import { type EngineDeps, moveJob } from './common';

export function listApprovals(
  deps: EngineDeps,
  status: Approval['status'] | undefined,
  page: { limit: number; cursor?: string },
): Promise<Page<Approval>> {
  return status
    ? approvals.byStatus(deps.store, status, { ...page, descending: true })
    : approvals.list(deps.store, { ...page, descending: true });
}

export type Decision = 'approve' | 'reject' | 'defer';

/**
 * Four eyes: the approver needs the approver role (checked by the route table) and must not be the person
 * who asked for the job. Approve and reject end the wait of the job's execution through its task token.
 * An approval takes the job first (awaiting_approval → running, conditional), then records itself: a cancel
 * that came first leaves the approval untouched and the approver a 409 saying so, and the cancel closes it.
 */
export async function decideApproval(deps: EngineDeps, id: string, decision: Decision, actor: string, comment?: string): Promise<Approval> {
  const current = await approvals.get(deps.store, id);
  if (sameIdentity(current.requested_by, actor))
    throw new ForbiddenError(`${actor} requested job '${current.job_id}' and cannot ${decision} it; another approver must decide`);
  if (!OPEN_APPROVAL.includes(current.status))
    throw new ConflictError(`approval '${id}' is already ${current.status}`, { status: current.status });
  const at = isoNow(deps.clock);
  const status = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'deferred';
  const token = current.task_token;
  if (status === 'approved' && token) {
    await moveJob(deps, current.job_id, 'running').catch(async (e: unknown) => {
      if (!(e instanceof ConflictError)) throw e;
      const job = await jobs.find(deps.store, current.job_id);
      throw new ConflictError(`job '${current.job_id}' no longer waits for approval '${id}': it is ${job?.status ?? 'gone'}`, {
        job_status: job?.status,
      });
    });
  }
  const decided = await approvals.update(deps.store, id, (a) => {
    if (!OPEN_APPROVAL.includes(a.status)) throw new ConflictError(`approval '${id}' is already ${a.status}`);
    const closing = status !== 'deferred';
    return {
      ...a,
      status,
      comment: comment ?? a.comment,
      decided_by: closing ? actor : a.decided_by,
      decided_at: closing ? at : a.decided_at,
      task_token: closing ? undefined : a.task_token,
      history: [...a.history, { status, by: actor, at, comment }],
    };
  });
  await recordAudit(deps.store, {
    subject_id: current.job_id,
    action: `approval.${status}`,
    at,
    actor,
    detail: { approval_id: id, comment },
  });
  if (status === 'deferred' || !token) return decided;
  try {
    if (status === 'approved') {
      await deps.workflows.sendTaskSuccess(token, { approved_by: actor, comment });
    } else {
      await deps.workflows.sendTaskFailure(token, WORKFLOW_ERRORS.approvalRejected, `rejected by ${actor}${comment ? `: ${comment}` : ''}`);
    }
  } catch (e) {
    if (!(e instanceof TaskTokenInvalidError)) throw e;
    // Cancelled (or failed) after this decision took it: the decision stands, the job ended afterwards.
    if (isFinished((await jobs.get(deps.store, current.job_id)).status)) return decided;
    throw new ConflictError(`approval '${id}' was recorded, but job '${current.job_id}' no longer waits for it`);
  }
  return decided;
}

export const getApproval = (deps: EngineDeps, id: string) => approvals.get(deps.store, id);

export async function createPolicy(deps: EngineDeps, input: PolicyCreate, actor: string): Promise<Policy> {
  const at = isoNow(deps.clock);
  const policy = await policies.create(deps.store, {
    ...input,
    id: input.id ?? newId('policy', deps.clock.now()),
    created_at: at,
    updated_at: at,
    created_by: actor,
    version: 1,
  });
  await recordAudit(deps.store, { subject_id: policy.id, action: 'policy.created', at, actor });
  return policy;
}

export async function updatePolicy(deps: EngineDeps, id: string, change: PolicyUpdate): Promise<Policy> {
  const { version, ...fields } = change;
  const at = isoNow(deps.clock);
  const policy = await policies.update(deps.store, id, (p) => ({ ...p, ...fields, updated_at: at }), version);
  await recordAudit(deps.store, { subject_id: id, action: 'policy.updated', at, detail: { fields: Object.keys(fields) } });
  return policy;
}

export async function deletePolicy(deps: EngineDeps, id: string): Promise<void> {
  await policies.remove(deps.store, await policies.get(deps.store, id));
  await recordAudit(deps.store, { subject_id: id, action: 'policy.deleted', at: isoNow(deps.clock) });
}

/**
 * `POST /api/v1/jobs/plan`: what a job would do, without starting anything. It takes the body `POST /jobs`
 * takes, validates it the same way, and answers the job type's plan (host maintenance: the evacuation plan from
 * the synced inventory) and whether a policy requires approval.
 */
import { ValidationError } from '../../domain/errors';
import type { JobSubmission } from '../../domain/job';
import { approvalPolicyFor } from '../../domain/policy';
import { policies } from '../../records/approvals';
import type { EngineDeps } from './common';
import { validateSubmission } from './submit';

export async function planJob(deps: EngineDeps, submission: JobSubmission) {
  const { type, params, targets } = await validateSubmission(deps, submission);
  if (!type.plan)
    throw new ValidationError(`job type ${type.name} has no preflight plan`, [{ path: 'body.type', message: 'no plan for this type' }]);
  const policy = approvalPolicyFor(await policies.all(deps.store), { type: type.name, target_ids: targets });
  return {
    type: type.name,
    target_ids: targets,
    params,
    requires_approval: policy !== undefined,
    approval_policy_id: policy?.id,
    plan: await type.plan(deps, targets, params),
  };
}

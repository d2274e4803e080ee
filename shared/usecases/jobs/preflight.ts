/**
 * `POST /api/v1/jobs/plan`: what a job would do, without starting anything. It takes the body `POST /jobs`
 * takes, validates it the same way, and answers the job type's plan (host maintenance: the evacuation plan from
 * the synced inventory) and whether a policy requires approval.
 */
import { ValidationError } from '../../domain/errors';
import { approvalPolicyFor } from '../../domain/policy';
import { type EngineDeps, jobTypeOf } from './common';
import { allPolicies, type JobSubmission } from './submit';

export async function planJob(deps: EngineDeps, submission: JobSubmission) {
  const type = jobTypeOf(submission.type);
  if (!type.plan)
    throw new ValidationError(`job type ${type.name} has no preflight plan`, [{ path: 'body.type', message: 'no plan for this type' }]);
  const params = type.params.safeParse(submission.params);
  if (!params.success)
    throw new ValidationError(
      `Invalid params for ${type.name}`,
      params.error.issues.map((i) => ({ path: ['body.params', ...i.path].join('.'), message: i.message })),
    );
  const targets = await type.resolveTargets(deps, submission.target_ids);
  if (!targets.ok)
    throw new ValidationError(`Unknown or unsuitable targets: ${targets.problems.map((p) => p.message).join('; ')}`, targets.problems);
  const policy = approvalPolicyFor(await allPolicies(deps), { type: type.name, target_ids: targets.targets });
  return {
    type: type.name,
    target_ids: targets.targets,
    params: params.data,
    requires_approval: policy !== undefined,
    approval_policy_id: policy?.id,
    plan: await type.plan(deps, targets.targets, params.data),
  };
}

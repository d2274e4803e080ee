/**
 * Resume actions that stop or change what runs on a target (shutting VMs down, suspending them) are allowed
 * only where an approval policy lists them in `allowed_resume_actions`; this is the check, with a refusal that
 * tells the operator what is missing and how an admin adds it.
 */
import { ForbiddenError } from '../../domain/errors';
import type { Job } from '../../domain/job';
import { allowsResume, type Policy, policiesAllowingResume } from '../../domain/policy';
import { policies } from '../../records/approvals';
import type { EngineDeps } from './common';

/**
 * Refuses (ForbiddenError, 403) a resume action that needs a policy when none allows it for these targets,
 * naming the action, the job type and the targets, and how to add one; otherwise answers the first policy that
 * allows it. `targetIds` are the ids a policy may name, the most specific first: the host the job waits on,
 * then the ids around it (its cluster).
 */
export async function assertResumeAllowed(deps: Pick<EngineDeps, 'store'>, job: Job, targetIds: string[], action: string): Promise<Policy> {
  const all = await policies.all(deps.store);
  const allowing = policiesAllowingResume(all, job, targetIds, action);
  if (allowing[0]) return allowing[0];

  const [target, ...around] = targetIds;
  const where = `${target}${around.length ? ` (or ${around.join(', ')})` : ''}`;
  const suggested = {
    name: `${action} on ${target}`.slice(0, 128),
    job_types: [job.type],
    target_ids: [target],
    requires_approval: false,
    allowed_resume_actions: [action],
  };
  const disabled = all.filter((p) => !p.enabled && allowsResume(p, job, targetIds, action)).map((p) => `'${p.id}'`);
  throw new ForbiddenError(
    `resume action '${action}' needs a policy that allows it for ${job.type} on ${where}; none does` +
      (disabled.length ? ` (disabled ones that would: ${disabled.join(', ')})` : '') +
      `. An admin can add one with POST /api/v1/policies ${JSON.stringify(suggested)}`,
    { action, job_type: job.type, target_ids: targetIds, suggested_policy: suggested },
  );
}

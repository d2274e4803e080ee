import { z } from 'zod';
import { idSchema } from './ids';

/**
 * An approval policy: jobs of the listed types (or any, with "*") on the listed targets (or any, when
 * empty) need a second person's approval before they run, and may be resumed from a pause with the listed
 * resume actions (e.g. `shutdown_vms`). A policy may exist only for the latter (`requires_approval: false`).
 */
export type Policy = {
  id: string;
  name: string;
  description: string;
  job_types: string[];
  target_ids: string[];
  requires_approval: boolean;
  /** Minutes an approval request stays open before the job is cancelled. */
  approval_timeout_minutes: number;
  enabled: boolean;
  /** Resume actions (e.g. `shutdown_vms`) an operator may send to these jobs on these targets where the action needs a policy. */
  allowed_resume_actions: string[];
  created_at: string;
  updated_at: string;
  created_by: string;
  version: number;
};

const fields = {
  name: z.string().trim().min(1).max(128),
  description: z.string().max(1024),
  job_types: z.array(z.string().min(1).max(64)).min(1).max(50),
  target_ids: z.array(z.string().min(1).max(128)).max(500),
  requires_approval: z.boolean(),
  approval_timeout_minutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 30),
  enabled: z.boolean(),
  allowed_resume_actions: z.array(z.string().min(1).max(64)).max(20),
};

export const PolicyCreate = z.strictObject({
  id: idSchema('policy').optional(),
  name: fields.name,
  description: fields.description.default(''),
  job_types: fields.job_types,
  target_ids: fields.target_ids.default([]),
  requires_approval: fields.requires_approval.default(true),
  approval_timeout_minutes: fields.approval_timeout_minutes.default(24 * 60),
  enabled: fields.enabled.default(true),
  allowed_resume_actions: fields.allowed_resume_actions.default([]),
});
export type PolicyCreate = z.output<typeof PolicyCreate>;

export const PolicyUpdate = z
  .strictObject({
    name: fields.name.optional(),
    description: fields.description.optional(),
    job_types: fields.job_types.optional(),
    target_ids: fields.target_ids.optional(),
    requires_approval: fields.requires_approval.optional(),
    approval_timeout_minutes: fields.approval_timeout_minutes.optional(),
    enabled: fields.enabled.optional(),
    allowed_resume_actions: fields.allowed_resume_actions.optional(),
    version: z.number().int().positive().optional(),
  })
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), { message: 'names no field to change' });
export type PolicyUpdate = z.output<typeof PolicyUpdate>;

const appliesTo = (p: Policy, jobType: string, targetIds: string[]) =>
  (p.job_types.includes('*') || p.job_types.includes(jobType)) &&
  (p.target_ids.length === 0 || p.target_ids.some((t) => targetIds.includes(t)));

/** The first enabled policy that requires approval for this job, if any (the strictest timeout wins ties). */
export function approvalPolicyFor(policies: Policy[], job: { type: string; target_ids: string[] }): Policy | undefined {
  return policies
    .filter((p) => p.enabled && p.requires_approval && appliesTo(p, job.type, job.target_ids))
    .sort((a, b) => a.approval_timeout_minutes - b.approval_timeout_minutes)[0];
}

/** Whether the policy, enabled or not, allows `action` on a job of this type for one of `targetIds`. */
export const allowsResume = (p: Policy, job: { type: string }, targetIds: string[], action: string): boolean =>
  p.allowed_resume_actions.includes(action) && appliesTo(p, job.type, targetIds);

/**
 * The enabled policies of this job type that allow `action` for one of `targetIds` (a policy with no
 * target_ids: every target). `targetIds` holds the job's target and the ids around it (a host's cluster),
 * so a policy written for a cluster allows the action on its hosts.
 */
export function policiesAllowingResume(policies: Policy[], job: { type: string }, targetIds: string[], action: string): Policy[] {
  return policies.filter((p) => p.enabled && allowsResume(p, job, targetIds, action));
}

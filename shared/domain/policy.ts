import { z } from 'zod';
import { idSchema } from './ids';

/**
 * An approval policy: jobs of the listed types (or any, with "*") on the listed targets (or any, when
 * empty) need a second person's approval before they run.
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
    version: z.number().int().positive().optional(),
  })
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), { message: 'names no field to change' });
export type PolicyUpdate = z.output<typeof PolicyUpdate>;

/** The first enabled policy that requires approval for this job, if any (the strictest timeout wins ties). */
export function approvalPolicyFor(policies: Policy[], job: { type: string; target_ids: string[] }): Policy | undefined {
  return policies
    .filter(
      (p) =>
        p.enabled &&
        p.requires_approval &&
        (p.job_types.includes('*') || p.job_types.includes(job.type)) &&
        (p.target_ids.length === 0 || p.target_ids.some((t) => job.target_ids.includes(t))),
    )
    .sort((a, b) => a.approval_timeout_minutes - b.approval_timeout_minutes)[0];
}

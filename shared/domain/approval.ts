import { z } from 'zod';

export const APPROVAL_STATUSES = ['pending', 'deferred', 'approved', 'rejected', 'expired', 'cancelled'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export const OPEN_APPROVAL: readonly ApprovalStatus[] = ['pending', 'deferred'];

/** A request for a second person to let a job run (four-eyes: never the requester). */
export type Approval = {
  id: string;
  job_id: string;
  job_type: string;
  target_ids: string[];
  requested_by: string;
  policy_id: string;
  status: ApprovalStatus;
  created_at: string;
  expires_at: string;
  decided_by?: string;
  decided_at?: string;
  comment?: string;
  history: { status: ApprovalStatus; by: string; at: string; comment?: string }[];
  /** Task token of the waiting execution: internal, never returned. */
  task_token?: string;
  version: number;
  /** The plan the approver approves (host maintenance): the job asks again when the plan it runs differs. */
  plan_hash?: string;
};

/** `GET /approvals?status=`. */
export const ApprovalQuery = z.object({ status: z.enum(APPROVAL_STATUSES).optional() });

export const ApprovalDecision = z.strictObject({ comment: z.string().trim().min(1).max(2000).optional() }).default({});

export const publicApproval = (a: Approval) => {
  const { task_token: _t, ...rest } = a;
  return rest;
};

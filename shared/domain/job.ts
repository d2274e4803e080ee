/**
 * The job lifecycle: queued → awaiting_approval → running ⇄ paused → succeeded | failed | cancelled.
 * Every transition goes through `transition()`, and every write of it is conditional on the record version,
 * so a cancel racing a resume can never both win.
 */
import { ConflictError } from './errors';

/** Every status a job can be in. */
export const JOB_STATUSES = ['queued', 'awaiting_approval', 'running', 'paused', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const FINISHED: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];
export const isFinished = (s: JobStatus): boolean => FINISHED.includes(s);

const ALLOWED: Record<JobStatus, readonly JobStatus[]> = {
  queued: ['awaiting_approval', 'running', 'failed', 'cancelled'],
  awaiting_approval: ['running', 'failed', 'cancelled'],
  running: ['paused', 'succeeded', 'failed', 'cancelled'],
  paused: ['running', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export const canTransition = (from: JobStatus, to: JobStatus): boolean => ALLOWED[from].includes(to);

/** What a paused or awaiting job is waiting for, shown to the operator with the actions that would end the wait. */
export type WaitingFor = {
  kind: 'approval' | 'operator';
  step: string;
  message: string;
  valid_actions: string[];
  since: string;
  approval_id?: string;
  /** Details for the operator, e.g. the blocking VMs and why each blocks. */
  details?: Record<string, unknown>;
};

export type Job = {
  id: string;
  type: string;
  target_ids: string[];
  params: Record<string, unknown>;
  status: JobStatus;
  status_reason?: string;
  requested_by: string;
  /** Correlation id of the request that submitted the job: every step logs under it. */
  correlation_id?: string;
  requires_approval: boolean;
  approval_policy_id?: string;
  created_at: string;
  updated_at: string;
  started_at?: string;
  finished_at?: string;
  execution_id?: string;
  /** Executions started for this job, the first named after the job id; a resume after a crash adds one. */
  execution_attempt: number;
  waiting_for?: WaitingFor;
  /** Task token of the wait in progress: internal, never returned by the API. */
  task_token?: string;
  cancelled_by?: string;
  cancelled_at?: string;
  idempotency_key?: string;
  retry_of?: string;
  result?: Record<string, unknown>;
  version: number;
};

export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export type JobStep = {
  step_id: string;
  job_id: string;
  /** The state name, in the runbook's words ("Probe target", "Wait for approval"). */
  name: string;
  target_id?: string;
  status: StepStatus;
  started_at: string;
  finished_at?: string;
  duration_ms?: number;
  external_task_id?: string;
  error?: string;
  result?: Record<string, unknown>;
};

/** Applies a status change, refusing it (409) when the lifecycle does not allow it from the current status. */
export function transition(job: Job, to: JobStatus, at: string, fields: Partial<Job> = {}): Job {
  if (job.status === to) return { ...job, ...fields, updated_at: at };
  if (!canTransition(job.status, to))
    throw new ConflictError(`job '${job.id}' is ${job.status}; it cannot become ${to}`, { status: job.status });
  const next: Job = { ...job, ...fields, status: to, updated_at: at };
  if (to === 'running' && !job.started_at) next.started_at = at;
  if (isFinished(to)) {
    next.finished_at = at;
    next.waiting_for = undefined;
    next.task_token = undefined;
  }
  if (to === 'running') {
    next.waiting_for = undefined;
    next.task_token = undefined;
  }
  return next;
}

/** The API view: everything but the task token. */
export const publicJob = (job: Job) => {
  const { task_token: _t, ...rest } = job;
  return rest;
};
